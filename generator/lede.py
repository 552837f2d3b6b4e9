"""What the first paragraph reveals: a dateline and a credit, and a title when none was given."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DASH = r"(?:\.?-{1,2}|—|–|:)"
_PLACE_WORD = r"[A-ZÀ-Þ][\w.'’-]*(?:/[A-ZÀ-Þ][\w.'’-]*)*"
"""'Caracas', 'U.S.', and Reuters' two-place 'HOUSTON/CARACAS'."""
_DAY = r"(?P<date>[A-Z][a-z]{2,8}\.? \d{1,2}|\d{1,2} (?:de )?[a-zA-Z]{3,10}\.?)"
"""'March 5', 'Mar. 5', '5 de marzo' after a dateline's place."""
_PLACES = _PLACE_WORD + r"(?:[ ,]+" + _PLACE_WORD + r"){0,4}?"
_CITY_COUNTRY = (_PLACE_WORD + r"(?: " + _PLACE_WORD + r"){0,3}(?:,\s*" + _PLACE_WORD
                 + r"(?: " + _PLACE_WORD + r"){0,2})?")
"""'Washington DC', 'Caracas, Venezuela'."""
DATELINES = [
    re.compile(r"^(?P<place>" + _PLACE_WORD + r"(?:[ ,]+(?:\[[^\]]{1,20}\]|" + _PLACE_WORD + r")){0,5}?)"
               r"(?:,\s*" + _DAY + r")?\s*\((?P<credit>[^()]{2,30})\)\s*" + _DASH + r"\s*"),
    # 'New Delhi, Mar 5 (PTI) India's ...', 'Caracas, Mar 5 (Prensa Latina) The ...': no dash, so
    # only with the date, and a capital after the credit.
    re.compile(r"^(?P<place>" + _PLACES + r"),\s*" + _DAY + r"\s*\((?P<credit>[^()]{2,30})\)\s+(?=[A-Z\"“‘'])"),
    # TASS: 'CARACAS, March 5. /TASS/. Venezuelan ...'
    re.compile(r"^(?P<place>" + _PLACES + r"),\s*" + _DAY + r"\.\s*/(?P<credit>[^/]{2,20})/\.?\s+"),
    re.compile(r"^\((?P<credit>[^()]{2,30})\)\s*" + _DASH + r"\s*"),
    re.compile(r"^(?P<place>[A-ZÀ-Þ][A-ZÀ-Þ.'’-]{2,}(?: [A-ZÀ-Þ][A-ZÀ-Þ.'’-]+){0,3}(?:,\s*" + _PLACE_WORD
               + r"(?: " + _PLACE_WORD + r"){0,2})?)\s*(?:(?:-{1,2}|—|–)\s+|[—–](?=[A-Z]))"),  # also 'CARACAS—Chevron' (WSJ)
    # CNN: 'Caracas, Venezuela CNN —' (its own line in copied pages); CNN is an outlet, not a credit
    re.compile(r"^(?P<place>" + _CITY_COUNTRY + r")\s+CNN\s*[—–]\s*"),
    re.compile(r"^(?P<place>" + _CITY_COUNTRY + r")\s*:\s+(?=[A-Z\"“‘'])"),
]
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z\"“‘'])")
ATTRIBUTION = re.compile(r",?\s+(?:according to|said|says|the [\w\s]{1,30} said|officials said)\b.*$", re.I)
WEAK_END = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "as",
            "from", "that", "which", "who", "its", "their", "his", "her", "is", "are", "was", "were"}
MAX_TITLE_WORDS = 14


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str | None
    credit: str | None
    prefix: str
    """The exact text the dateline occupies at the start of the lede."""


def read_dateline(lede: str) -> Dateline | None:
    for pattern in DATELINES:
        match = pattern.match(lede)
        if match:
            parts = match.groupdict()
            place = (parts.get("place") or "").strip(" ,") or None
            if place and len(place.split()) > 6:
                continue
            return Dateline(place, (parts.get("credit") or "").strip() or None, match.group(0))
    return None


def derive_title(lede: str) -> str | None:
    """A short headline-like phrase from the lede's first sentence (never the date)."""
    dateline = read_dateline(lede)
    text = lede[len(dateline.prefix):] if dateline else lede
    text = re.sub(r"^[\-•*▪]\s+", "", text.strip())
    sentence = SENTENCE_SPLIT.split(text, maxsplit=1)[0].strip()
    sentence = re.sub(r"[.!…]+[\"”’']?$", "", sentence).strip(" \"“”")
    shorter = ATTRIBUTION.sub("", sentence)
    if len(shorter.split()) >= 5:
        sentence = shorter
    words = sentence.split()
    if len(words) > MAX_TITLE_WORDS:
        clause = re.split(r",\s+|\s+[—–]\s+|;\s+", sentence)[0].split()
        words = clause if 5 <= len(clause) <= MAX_TITLE_WORDS else words[:MAX_TITLE_WORDS]
        while words and words[-1].lower().strip(",;:") in WEAK_END:
            words.pop()
        title = " ".join(words).rstrip(",;:")
        return (title + ("…" if len(clause) > MAX_TITLE_WORDS or len(clause) < 5 else "")) or None
    return " ".join(words) or None
