"""Read a publication date from a piece of text, and say exactly what was read.

A fast path handles ISO 8601 and the common English forms; anything else goes
to dateparser restricted to the configured languages (it is slow when it
fails, so it only sees strings that carry a four-digit year). Nothing here
depends on today's date, and nothing is guessed: a time without a zone stays
without an offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from generator.config import DateSettings

MONTHS = {m.lower(): i for i, m in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})

FIXED_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "BST": 60, "IST": 330, "CET": 60, "CEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AST": -240, "VET": -240, "COT": -300,
    "ART": -180, "BRT": -180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AEST": 600,
    "AEDT": 660, "NZST": 720, "NZDT": 780, "SAST": 120, "WAT": 60, "EAT": 180, "PKT": 300,
    "AZT": 240, "GST": 240,
}
"""Abbreviations with one meaning; offsets in minutes."""

REGIONAL_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
                  "PT": "America/Los_Angeles"}
"""Abbreviations whose offset depends on daylight saving, resolved for the date itself."""

_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s+)?"
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_TIME = (r"(?:(?:\s*,|\s+at|\s*[-–—]|\s*,?\s*)\s*(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
         r"\s*(?P<ampm>[ap]\.?\s?m\.?)?)?")
_ZONE = (r"(?:\s*\(?\s*(?P<zone>(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}|Z\b|"
         r"[A-Z]{2,5}\b)\s*\)?)?")

PATTERNS = [
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
               r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?)?"
               + _ZONE + r"$", re.I),
    re.compile(r"^" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + _TIME + _ZONE + r"$", re.I),
    re.compile(r"^" + _WEEKDAY + r"(?:the\s+)?" + _DAY + r"(?:\s+of)?\s+" + _MONTH + r",?\s+" + _YEAR
               + _TIME + _ZONE + r"$", re.I),
]
NUMERIC = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})" + _TIME + _ZONE + r"$", re.I)
HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
HAS_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}|\d\s*[ap]\.?m\b", re.I)


@dataclass(frozen=True, slots=True)
class DateReading:
    iso: str
    how: str
    """Which reader understood it: 'ISO 8601', 'common format', 'dateparser (es)'..."""
    ambiguous: str | None = None
    """Set when a numeric date could be read two ways; says which was chosen."""


def read_date(text: str, settings: DateSettings) -> DateReading | None:
    """The date a short string states, or None when it states none."""
    text = text.strip().strip(".").strip()
    if not text or len(text) > 80 or not HAS_YEAR.search(text):
        return None
    for pattern in PATTERNS:
        match = pattern.match(text)
        if match:
            return _from_match(match, "ISO 8601" if pattern is PATTERNS[0] else "common format")
    match = NUMERIC.match(text)
    if match:
        return _numeric(match, settings.order)
    return _with_dateparser(text, settings.languages, settings.order)


def _from_match(match: re.Match[str], how: str, ambiguous: str | None = None,
                month: int | None = None, day: int | None = None) -> DateReading | None:
    parts = match.groupdict()
    month = month or _month_number(parts["month"])
    day = day or int(parts["day"])
    try:
        date = datetime(int(parts["year"]), month, day)
    except ValueError:
        return None
    if parts.get("hour") is None:
        return DateReading(date.date().isoformat(), how, ambiguous)
    hour, minute = int(parts["hour"]), int(parts["minute"])
    ampm = (parts.get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        stamp = date.replace(hour=hour, minute=minute, second=int(parts.get("second") or 0))
    except ValueError:
        return None
    zone = parts.get("zone")
    offset = _offset(zone, stamp) if zone else None
    if offset is None:
        return DateReading(stamp.isoformat(), how, ambiguous)
    return DateReading(stamp.replace(tzinfo=offset).isoformat(), how, ambiguous)


def _month_number(month: str) -> int:
    return int(month) if month.isdigit() else MONTHS[month[:3].lower()]


def _offset(zone: str, stamp: datetime) -> timezone | None:
    """A fixed offset for a zone as written, or None when we do not know it (never guessed)."""
    zone = zone.strip().upper().replace(" ", "")
    numeric = re.match(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$", zone)
    if numeric:
        minutes = int(numeric.group(2)) * 60 + int(numeric.group(3) or 0)
        return timezone(timedelta(minutes=minutes if numeric.group(1) == "+" else -minutes))
    if zone in FIXED_ZONES:
        return timezone(timedelta(minutes=FIXED_ZONES[zone]))
    if zone in REGIONAL_ZONES:
        delta = stamp.replace(tzinfo=ZoneInfo(REGIONAL_ZONES[zone])).utcoffset()
        return timezone(delta) if delta is not None else None
    return None


def _numeric(match: re.Match[str], order: str) -> DateReading | None:
    a, b = int(match["a"]), int(match["b"])
    if a > 12 and b <= 12:
        day, month, note = a, b, None
    elif b > 12 and a <= 12:
        day, month, note = b, a, None
    elif a == b:
        day, month, note = a, b, None
    else:
        day, month = (b, a) if order == "MDY" else (a, b)
        reading = "month first" if order == "MDY" else "day first"
        note = f"{match.group(0).split()[0]} is ambiguous; read {reading} (dates.order: {order})"
    return _from_match(match, "numeric date", note, month=month, day=day)


@lru_cache(maxsize=4096)
def _with_dateparser(text: str, languages: tuple[str, ...], order: str) -> DateReading | None:
    import dateparser  # imported late: it takes ~0.3 s and most corpora never need it

    settings = {
        "RELATIVE_BASE": datetime(2000, 1, 1),
        "REQUIRE_PARTS": ["day", "month", "year"],
        "DATE_ORDER": order,
        "STRICT_PARSING": True,
        "PREFER_LOCALE_DATE_ORDER": False,
    }
    parsed = dateparser.parse(text, languages=list(languages), settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    how = f"dateparser ({', '.join(languages)})"
    if not HAS_TIME.search(text):
        return DateReading(parsed.date().isoformat(), how)
    return DateReading(parsed.replace(microsecond=0).isoformat(), how)
