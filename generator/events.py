"""Dated events: what the articles say happened (or will happen) when, not when they were published.

Per article (`article_events`, pure): every date the text gives — 'January 31', '3 January 2026',
'in January 2019', 'in 2019', 'a February visit', 'In late January this year', 'on Thursday',
'last month', 'this week', 'two days ago' — with its precision (day, week, month or year). A date
that needs the article's own date (a weekday, 'last month', a month or day without a year) is
resolved against that date only, never against today: a past weekday is the latest such day on or
before the article's date, a future one ('will meet on Thursday', 'a hearing for Thursday') the
next. In an article with no date such mentions are left out and reported, never guessed.

Corpus (`index_events`): mentions with the same date and precision whose sentences report the
same thing (shared rare words, or the same corroborated point) are one `Event`; candidates come
from an inverted index of rare words inside each date, so nothing compares all pairs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any

from generator.article import Article
from generator.corroborate import ArticleLookups, Point, PointIndex, SourceCounter, SourceGroup
from generator.entities import sentence_spans
from generator.event_memo import Bucket, EventMemo, KeptEvent, Places
from generator.ordering import descending
from generator.problems import Problem, Severity
from generator.records import pickled_as_tuple, shared_string
from generator.sentences import content_words

PRECISIONS = ("day", "week", "month", "year")
RARE_WORDS = 6
MAX_POSTINGS = 200
SIMILARITY = 0.3
"""Share of the smaller sentence's weighted words two mentions of one date must share."""
MIN_SHARED = 2
SMALL_BUCKET = 30
"""A date with this few distinct events so far is compared leader by leader (bounded work)."""

MONTHS = {name: i for i, names in enumerate((
    ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",),
    ("June", "Jun"), ("July", "Jul"), ("August", "Aug"), ("September", "Sep", "Sept"),
    ("October", "Oct"), ("November", "Nov"), ("December", "Dec")), start=1) for name in names}
WEEKDAYS = {name: i for i, name in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}

_M = r"(?P<m>January|February|March|April|May|June|July|August|September|October|November|December|" \
     r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_Y = r"(?P<y>(?:19|20)\d{2})(?![\d-])"
_REL_YEAR = r"(?P<rel>this year|last year|next year|that year|the same year|the following year|the previous year)"

# Every pattern starts with its most selective part (a month, a weekday, a year...); the words
# before it ('on', 'late', 'in') are read from the text by `_hit`, which keeps scanning fast.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<mo>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("month_day", re.compile(rf"\b{_M}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*(?:%|percent|per cent|"
                             rf"million|billion|kilo|tonne|barrel|people))(?:,?\s+{_Y})?")),
    ("day_month", re.compile(rf"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}\b(?:,?\s+{_Y})?")),
    ("month", re.compile(rf"\b{_M}(?![\w-])(?:,?\s+{_Y}|\s+{_REL_YEAR})?")),
    ("year", re.compile(rf"(?<![\d,.$€£-]){_Y}")),
    ("same_year", re.compile(r"\b(?P<rel>that year|the same year)\b")),
    ("weekday", re.compile(r"\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:['’]s)?"
                           r"(?:\s+(?P<part>morning|afternoon|evening|night))?\b")),
    ("yesterday", re.compile(r"\b(?P<word>yesterday|tonight|(?:earlier|later) today|this (?:morning|afternoon|"
                             r"evening))\b", re.IGNORECASE)),
    ("this_unit", re.compile(r"\b(?P<which>[Tt]his|[Ll]ast|[Nn]ext)\s+(?P<unit>week|weekend|month|year)\b")),
    ("ago", re.compile(r"\b(?P<num>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                       r"twelve)\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.IGNORECASE)),
)
_MONTH_PREFIXES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ANY_MONTH = re.compile("|".join(_MONTH_PREFIXES))


def _has_month(text: str, low: str) -> bool:
    return _ANY_MONTH.search(text) is not None


_GATES: dict[str, Any] = {
    "iso": lambda text, low: "-" in text and ("19" in text or "20" in text),
    "month_day": _has_month,
    "day_month": _has_month,
    "month": _has_month,
    "year": lambda text, low: "19" in text or "20" in text,
    "same_year": lambda text, low: " year" in low,
    "weekday": lambda text, low: "day" in text,
    "yesterday": lambda text, low: "yesterday" in low or "tonight" in low or "today" in low or "this mor" in low
    or "this aft" in low or "this eve" in low,
    "this_unit": lambda text, low: ("this " in low or "last " in low or "next " in low)
    and ("week" in low or "month" in low or "year" in low),
    "ago": lambda text, low: " ago" in low,
}
"""Cheap substring tests that must pass before a pattern is run over a sentence; the three
month patterns share one, tested once per sentence (see `_scan`)."""
_MAY_HAVE_DATE = re.compile(r"19|20|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|day|year|tonight|"
                            r"this (?:mor|aft|eve)|week|month| ago")
"""On lower-case text, what some gate needs: a sentence with none of these passes none of them."""
_QUALIFIER_BEFORE = re.compile(r"\b(early|mid|late|the end of|the beginning of|the start of|the middle of|"
                               r"earlier|later)[\s-]+$", re.IGNORECASE)
YEAR_CUES = frozenset("in since during until throughout by from early mid late before after of".split())
WEEKDAY_CUES = frozenset("on last this next by until from since for early late that before after".split())

MONTH_CUES = frozenset("""in since during until by from early mid late last this next a the of through
throughout before after between and or to""".split())
NOT_WEEKDAY_BEFORE = frozenset("black good super cyber ash holy easter palm maundy shrove".split())
_FUTURE = re.compile(r"\b(?:will|shall|'ll|’ll|is|are) (?:\w+ )?(?:be|due|scheduled|expected|set|to)\b|"
                     r"\bwill\b|\bscheduled\b|\bupcoming\b|\bplans? to\b|\bexpected to\b|\bset to\b|"
                     r"\bdue to\b|\bhearing for\b", re.IGNORECASE)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class DatedMention:
    """A date the text gives, with the sentence it dates."""

    article: str
    n: int
    """Paragraph number (the `#p-N` anchor)."""
    index: int
    """Sentence number within the paragraph, from 1."""
    sentence: str
    date: str
    """ISO: 'YYYY-MM-DD' (day; the Monday for a week), 'YYYY-MM' (month) or 'YYYY' (year)."""
    precision: str
    """'day', 'week', 'month' or 'year'."""
    mention: str
    """As written: 'on Thursday', 'January 2019'."""
    relative: bool
    """True when resolving it took the article's own date."""
    how: str
    """'on Thursday' before 2026-03-06 (the article's date) -> 2026-03-05, and the like."""
    qualifier: str | None = None
    """'early', 'mid' or 'late' for 'In late January'."""


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class UndatedMention:
    """A relative date in an article that gives no date: left off the timeline, reported."""

    article: str
    n: int
    index: int
    sentence: str
    mention: str
    reason: str


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class ArticleEvents:
    mentions: tuple[DatedMention, ...]
    left_out: tuple[UndatedMention, ...]


@dataclass(frozen=True, slots=True)
class Event:
    """One dated event and every passage that reports it."""

    id: str
    date: str
    precision: str
    qualifier: str | None
    text: str
    """The earliest report's sentence."""
    mentions: tuple[DatedMention, ...]
    sources: tuple[SourceGroup, ...]
    topics: tuple[str, ...]

    @property
    def label(self) -> str:
        return date_label(self.date, self.precision, self.qualifier)

    @property
    def single_source(self) -> bool:
        return len(self.sources) == 1


@dataclass(frozen=True, slots=True)
class Timeline:
    events: tuple[Event, ...]
    """Newest date first; within a date, most sources first."""
    left_out: tuple[UndatedMention, ...]
    by_topic: dict[str, tuple[Event, ...]]


def by_month(events: Sequence[Event]) -> list[tuple[str, str, list[Event]]]:
    """('2026-03', 'March 2026', events) sections, newest first; events dated only to a year
    have a section of their own ('2019', '2019, month unknown')."""
    groups: dict[str, list[Event]] = {}
    for event in events:
        groups.setdefault(event.date[:7] if event.precision != "year" else event.date[:4], []).append(event)
    return [(key, f"{key}, month not given" if len(key) == 4 else
             f"{MONTH_NAMES[int(key[5:7]) - 1]} {key[:4]}", events) for key, events in groups.items()]


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def date_label(date: str, precision: str, qualifier: str | None = None) -> str:
    """'3 January 2026', 'week of 2 March 2026', 'late January 2026', '2019'."""
    year = date[:4]
    if precision == "year":
        return f"{qualifier} {year}" if qualifier else year
    month = MONTH_NAMES[int(date[5:7]) - 1]
    if precision == "month":
        return f"{qualifier} {month} {year}" if qualifier else f"{month} {year}"
    day = int(date[8:10])
    return f"week of {day} {month} {year}" if precision == "week" else f"{day} {month} {year}"


# ---------------------------------------------------------------------------------------------
# Per article.

def _article_day(article: Article) -> dt.date | None:
    if not article.date:
        return None
    try:
        return dt.date.fromisoformat(article.date[:10])
    except ValueError:
        return None


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    mention: str
    date: str | None
    precision: str
    relative: bool
    how: str
    qualifier: str | None = None
    problem: str | None = None


def article_events(article: Article) -> ArticleEvents:
    """Every dated mention in the article; relative ones in an undated article are left out."""
    today = _article_day(article)
    mentions: list[DatedMention] = []
    left_out: list[UndatedMention] = []
    last_year: int | None = None
    for paragraph in article.paragraphs:
        text = paragraph.text
        for index, (start_at, end_at) in enumerate(sentence_spans(text), start=1):
            sentence = text[start_at:end_at]
            seen: set[tuple[str, str]] = set()
            for hit in _scan(sentence):
                future = bool(_FUTURE.search(sentence[max(0, hit.start - 60): hit.start]))
                item = _resolve(hit, sentence, today, future, last_year)
                if item is None:
                    continue
                if item.date is None:
                    if item.problem:
                        left_out.append(UndatedMention(article.id, paragraph.n, index, sentence.strip(),
                                                       item.mention, item.problem))
                    continue
                if item.precision == "year" or item.precision == "month":
                    last_year = int(item.date[:4])
                elif item.precision == "day" and not item.relative:
                    last_year = int(item.date[:4])
                if (item.date, item.precision) in seen:
                    continue
                seen.add((item.date, item.precision))
                mentions.append(DatedMention(article.id, paragraph.n, index, shared_string(sentence.strip()),
                                             shared_string(item.date), item.precision, shared_string(item.mention),
                                             item.relative, shared_string(item.how), item.qualifier))
    return ArticleEvents(tuple(mentions), tuple(left_out))


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str
    match: re.Match[str]
    start: int
    """Where the mention starts, with the words before it that belong to it ('late January')."""
    pre: str
    """The word before the expression, lower-case ('on', 'in', 'last')."""
    qualifier: str | None


@lru_cache(maxsize=8192)
def _scan(text: str) -> tuple[_Hit, ...]:
    """Every date expression in a sentence, earlier patterns first; a span taken by one is not read
    again. Read sentence by sentence, which finds what reading the paragraph would: no expression
    runs across a sentence's end, and what `_hit` looks at before one is never a cue when it is
    the end of the previous sentence. Cached: sentences recur in every copy of a wire story."""
    low = text.lower()
    if not _MAY_HAVE_DATE.search(low):
        return ()  # most sentences: no gate below would pass
    taken: list[tuple[int, int]] = []
    out: list[_Hit] = []
    passed: dict[Any, bool] = {}
    for kind, pattern in PATTERNS:
        gate = _GATES[kind]
        if gate not in passed:
            passed[gate] = gate(text, low)
        if not passed[gate]:
            continue
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            hit = _hit(kind, match, text)
            if hit is None:
                continue
            taken.append((hit.start, match.end()))
            out.append(hit)
    out.sort(key=lambda hit: hit.start)
    return tuple(out)


def _hit(kind: str, match: re.Match[str], text: str) -> _Hit | None:
    """The words before an expression decide whether it is a date ('in May', not 'May'), and
    belong to it ('late January', 'on Thursday')."""
    before = text[max(0, match.start() - 30): match.start()]
    words = before.split()
    pre = words[-1].lower().strip(",;:(\"“") if words else ""
    start = match.start()
    qualifier = None
    if kind in {"month", "this_unit"}:
        found = _QUALIFIER_BEFORE.search(before)
        if found:
            qualifier = _qualifier(found.group(1))
            start -= len(found.group())
            rest = before[: len(before) - len(found.group())].split()
            pre = rest[-1].lower().strip(",;:(\"“") if rest else ""
    if kind in {"month_day", "day_month"}:
        if not 1 <= int(match.group("d")) <= 31:
            return None
    elif kind == "month":
        month = match.group("m")
        if not (match.group("y") or match.group("rel") or qualifier):
            if month in {"May", "Mar", "Mar."} or (month.startswith(("Jun", "Jan")) and len(month) <= 4):
                if pre not in {"in", "since", "during", "until", "by"}:
                    return None
            elif pre not in MONTH_CUES:
                return None
    elif kind == "year":
        if before.rstrip().lower().endswith("mid-") or before.lower().endswith("mid-"):
            pre, qualifier = "mid", "mid"
        if pre not in YEAR_CUES:
            return None
        if pre in {"early", "mid", "late"}:
            qualifier = pre
        start -= len(before) - before.lower().rfind(pre)
    elif kind == "same_year":
        if pre not in {"in", "during", "later", "earlier", "by"}:
            return None
        start -= len(before) - before.lower().rfind(pre)
    elif kind == "weekday":
        if pre in NOT_WEEKDAY_BEFORE:
            return None
        if pre in WEEKDAY_CUES:
            start -= len(before) - before.lower().rfind(pre)
        else:
            pre = ""
    return _Hit(kind, match, start, pre, qualifier)


_SPACES = re.compile(r"\s+")


def _resolve(hit: _Hit, text: str, today: dt.date | None, future: bool,
             last_year: int | None) -> _Found | None:
    kind, match = hit.kind, hit.match
    start, end = hit.start, match.end()
    mention = _SPACES.sub(" ", text[start:end].strip())
    anchor = f"the article's date, {today.isoformat()}" if today else ""

    def needs_date(what: str) -> _Found:
        return _Found(start, end, mention, None, "", True, "",
                      problem=f"{what}, and the article has no date")

    if kind == "iso":
        try:
            day = dt.date(int(match.group("y")), int(match.group("mo")), int(match.group("d")))
        except ValueError:
            return None
        return _Found(start, end, mention, day.isoformat(), "day", False, f"'{mention}'")
    if kind in {"month_day", "day_month"}:
        month = MONTHS[match.group("m").rstrip(".")]
        day_number = int(match.group("d"))
        if match.group("y"):
            try:
                day = dt.date(int(match.group("y")), month, day_number)
            except ValueError:
                return None
            return _Found(start, end, mention, day.isoformat(), "day", False, f"'{mention}'")
        if today is None:
            return needs_date(f"'{mention}' gives no year")
        nearest = _nearest_day(today, month, day_number, future)
        if nearest is None:
            return None
        way = "next" if future else "latest"
        return _Found(start, end, mention, nearest.isoformat(), "day", True,
                      f"'{mention}' with no year: the {way} {mention} from {anchor}")
    if kind == "month":
        month = MONTHS[match.group("m").rstrip(".")]
        qualifier = hit.qualifier
        if match.group("y"):
            return _Found(start, end, mention, f"{int(match.group('y')):04d}-{month:02d}", "month", False,
                          f"'{mention}'", qualifier)
        rel = (match.group("rel") or "").lower()
        if rel in {"that year", "the same year"}:
            if last_year is None:
                return None
            return _Found(start, end, mention, f"{last_year:04d}-{month:02d}", "month", False,
                          f"'{mention}': the year named just before, {last_year}", qualifier)
        if today is None:
            return needs_date(f"'{mention}' gives no year" if not rel else f"'{mention}' is relative")
        if rel in {"this year", "last year", "next year", "the following year", "the previous year"}:
            shift = {"this year": 0, "last year": -1, "next year": 1, "the following year": 1,
                     "the previous year": -1}[rel]
            year = today.year + shift
            return _Found(start, end, mention, f"{year:04d}-{month:02d}", "month", True,
                          f"'{mention}' from {anchor}", qualifier)
        if future:
            year = today.year if month >= today.month else today.year + 1
        else:
            year = today.year if month <= today.month else today.year - 1
        way = "next" if future else "latest"
        return _Found(start, end, mention, f"{year:04d}-{month:02d}", "month", True,
                      f"'{mention}' with no year: the {way} {MONTH_NAMES[month - 1]} from {anchor}", qualifier)
    if kind == "year":
        return _Found(start, end, mention, match.group("y"), "year", False, f"'{mention}'", hit.qualifier)
    if kind == "same_year":
        if last_year is None:
            return None
        return _Found(start, end, mention, f"{last_year:04d}", "year", False,
                      f"'{mention}': the year named just before, {last_year}")
    if kind == "weekday":
        if today is None:
            return needs_date(f"'{mention}' is relative")
        weekday = WEEKDAYS[match.group("w")]
        pre = hit.pre
        forward = pre in {"next", "for"} or (future and pre not in {"last", "since", "that", "after"})
        if forward:
            delta = (weekday - today.weekday()) % 7
            if pre == "next" and delta == 0:
                delta = 7
            day = today + dt.timedelta(days=delta)
        else:
            delta = (today.weekday() - weekday) % 7
            if pre == "last" and delta == 0:
                delta = 7
            day = today - dt.timedelta(days=delta)
        way = "next" if forward else "latest"
        return _Found(start, end, mention, day.isoformat(), "day", True,
                      f"'{mention}': the {way} {match.group('w')} from {anchor}")
    if kind == "yesterday":
        if today is None:
            return needs_date(f"'{mention}' is relative")
        word = match.group("word").lower()
        day = today - dt.timedelta(days=1) if word == "yesterday" else today
        return _Found(start, end, mention, day.isoformat(), "day", True, f"'{mention}' from {anchor}")
    if kind == "this_unit":
        if today is None:
            return needs_date(f"'{mention}' is relative")
        which, unit = match.group("which").lower(), match.group("unit").lower()
        shift = {"this": 0, "last": -1, "next": 1}[which]
        qualifier = hit.qualifier
        how = f"'{mention}' from {anchor}"
        if unit in {"week", "weekend"}:
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=shift)
            if unit == "weekend":
                saturday = monday + dt.timedelta(days=5)
                if which == "this" and not future and saturday > today:
                    saturday -= dt.timedelta(weeks=1)
                return _Found(start, end, mention, saturday.isoformat(), "week", True, how)
            return _Found(start, end, mention, monday.isoformat(), "week", True, how, qualifier)
        if unit == "month":
            year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
            return _Found(start, end, mention, f"{year:04d}-{month + 1:02d}", "month", True, how, qualifier)
        return _Found(start, end, mention, f"{today.year + shift:04d}", "year", True, how, qualifier)
    if kind == "ago":
        if today is None:
            return needs_date(f"'{mention}' is relative")
        raw = match.group("num").lower()
        number = int(raw) if raw.isdigit() else NUMBERS[raw]
        unit = match.group("unit").lower()
        how = f"'{mention}' from {anchor}"
        if unit == "day":
            return _Found(start, end, mention, (today - dt.timedelta(days=number)).isoformat(), "day", True, how)
        if unit == "week":
            day = today - dt.timedelta(weeks=number)
            return _Found(start, end, mention, (day - dt.timedelta(days=day.weekday())).isoformat(), "week",
                          True, how)
        if unit == "month":
            year, month = divmod(today.year * 12 + today.month - 1 - number, 12)
            return _Found(start, end, mention, f"{year:04d}-{month + 1:02d}", "month", True, how)
        return _Found(start, end, mention, f"{today.year - number:04d}", "year", True, how)
    return None


def _qualifier(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.lower()
    return {"the end of": "late", "the beginning of": "early", "the start of": "early",
            "the middle of": "mid", "later": "late", "earlier": "early"}.get(raw, raw)


def _nearest_day(today: dt.date, month: int, day: int, future: bool) -> dt.date | None:
    """'January 3' in an article of 2026-03-06: 2026-01-03 (the latest one), or the next for the future."""
    for year in ((today.year, today.year + 1) if future else (today.year, today.year - 1)):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if (candidate >= today) if future else (candidate <= today):
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# Corpus.

def index_events(articles: Iterable[Article], mentions: Mapping[str, ArticleEvents] | None = None,
                 points: Iterable[Point] = (), point_index: PointIndex | None = None,
                 lookups: ArticleLookups | None = None) -> Timeline:
    """One `Event` per date and fact, with every passage that reports it. `point_index`: the
    points' passages as `corroborate_indexed` found them; else looked up from `points`."""
    return index_events_kept(articles, mentions, points, point_index, lookups)[0]


def index_events_kept(articles: Iterable[Article], mentions: Mapping[str, ArticleEvents] | None = None,
                      points: Iterable[Point] = (), point_index: PointIndex | None = None,
                      lookups: ArticleLookups | None = None,
                      memo: EventMemo | None = None) -> tuple[Timeline, EventMemo]:
    """`index_events`, taking from `memo` (what an earlier build kept) the events of every date
    whose mentions are grouped as they were then (see generator/event_memo.py); with what this
    build keeps for the next."""
    articles = tuple(articles)
    lookups = lookups or ArticleLookups(articles)
    found, left_out, start = _gathered(articles, mentions)
    point_at = (point_index if point_index is not None else PointIndex.of_points(points)).at
    point_of = [point_at(m.article, m.n, m.index) for m in found]
    bucket_of = _buckets(found)
    places = _places(articles, start, len(found), bucket_of, point_of)
    words = _bags([m.sentence for m in found])
    weight = word_weights(Counter(chain.from_iterable(words)), len(found))
    date_of = {a.id: a.date or "9999" for a in articles}
    buckets: dict[Bucket, list[int]] = defaultdict(list)
    for i, bucket in enumerate(bucket_of):
        buckets[bucket].append(i)
    inputs = {a.id: a.inputs_digest for a in articles}
    again = memo.affected(inputs, places, weight, words, bucket_of) if memo is not None else None
    grouping = _Grouping(found, words, weight, point_of)
    topics_of, sources = lookups.topics_of, lookups.sources
    events: list[Event] = []
    kept: dict[Bucket, list[KeptEvent]] = {}
    ids = {a.id: a.id for a in articles}  # one string per article in what is kept, not one per mention
    for bucket, members in buckets.items():
        old = memo.buckets.get(bucket) if memo is not None and again is not None and bucket not in again else None
        made = _kept_events(old, bucket, found, start) if old is not None else None
        if made is not None:
            events += made
            kept[bucket] = old
            continue
        members.sort(key=lambda i: (date_of[found[i].article], found[i].article, found[i].n, found[i].index))
        grouped = [(group, _event([found[i] for i in group], sources, date_of, topics_of))
                   for group in grouping.groups(members)]
        events += [event for _, event in grouped]
        kept[bucket] = [(e.id, e.qualifier, tuple((ids[found[i].article], i - start[found[i].article]) for i in group),
                         e.sources, e.topics) for group, e in grouped]
    return _timeline(events, left_out), EventMemo(weight, inputs, places, kept)


def _gathered(articles: tuple[Article, ...], mentions: Mapping[str, ArticleEvents] | None,
              ) -> tuple[list[DatedMention], list[UndatedMention], dict[str, int]]:
    """Every article's dated mentions, in the order of the articles, the mentions left out, and
    where each article's dated mentions begin in the first list."""
    found: list[DatedMention] = []
    left_out: list[UndatedMention] = []
    start: dict[str, int] = {}
    for article in articles:
        result = mentions[article.id] if mentions is not None and article.id in mentions \
            else article_events(article)
        start[article.id] = len(found)
        found.extend(result.mentions)
        left_out.extend(result.left_out)
    return found, left_out, start


def _timeline(events: list[Event], left_out: list[UndatedMention]) -> Timeline:
    events.sort(key=lambda e: (_desc(e.date), -len(e.sources), -len(e.mentions), e.id))
    by_topic: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        for topic in event.topics:
            by_topic[topic].append(event)
    return Timeline(tuple(events), tuple(left_out), {k: tuple(v) for k, v in by_topic.items()})


WEIGHT_STEPS = 32
"""A word's weight (the log of how much rarer than a mention it is) is counted in 32nds, and
against the number of mentions rounded to two significant digits: one edit then leaves every
weight as it was but for a word whose count crosses a step, so the dates it did not touch keep
their events (see generator/event_memo.py). Whole steps also add up exactly in any order."""


def word_weights(counts: Mapping[str, int], mentions: int) -> dict[str, int]:
    """Word -> weight in steps, from how many of the `mentions` have it."""
    total = mentions + 1
    if total >= 100:
        total = round(total, 2 - len(str(total)))
    return {w: round(math.log(total / c) * WEIGHT_STEPS) for w, c in counts.items()}


def _buckets(found: list[DatedMention]) -> list[Bucket]:
    """Each mention's (date, precision), one tuple per bucket (kept once, not once per mention)."""
    one: dict[Bucket, Bucket] = {}
    return [one.setdefault(bucket, bucket) for bucket in zip(map(_DATE, found), map(_PRECISION, found))]


_DATE = attrgetter("date")
_PRECISION = attrgetter("precision")


def _places(articles: tuple[Article, ...], start: dict[str, int], end: int, bucket_of: list[Bucket],
            point_of: list[str | None]) -> dict[str, Places]:
    """Article id -> the bucket and the point of each of its dated mentions (slices: copied in C)."""
    bounds = [start[a.id] for a in articles] + [end]
    return {a.id: (tuple(bucket_of[bounds[k]:bounds[k + 1]]), tuple(point_of[bounds[k]:bounds[k + 1]]))
            for k, a in enumerate(articles)}


def _kept_events(kept: list[KeptEvent], bucket: Bucket, found: list[DatedMention],
                 start: dict[str, int]) -> list[Event] | None:
    """A bucket's events as an earlier build kept them, with this build's mentions; None if the
    places do not fit them (then the bucket is grouped again)."""
    events = []
    try:
        for event_id, qualifier, at, sources, topics in kept:
            group = tuple(found[start[article] + position] for article, position in at)
            first = group[0]
            if event_id != f"{first.date}-{first.article}-{first.n}-{first.index}" \
                    or any((m.date, m.precision) != bucket for m in group):
                return None
            events.append(Event(event_id, first.date, first.precision, qualifier, first.sentence, group,
                                sources, topics))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return events


class _Grouping:
    """Groups a date's mentions into events: a mention joins the group of an earlier mention of
    its point, else of the first leader it resembles (leaders compared one by one while there are
    few, else through an index of their rarest words), else leads a group of its own."""

    def __init__(self, found: list[DatedMention], words: list[frozenset[str]], weight: dict[str, int],
                 point_of: list[str | None]) -> None:
        self.found, self.words, self.weight, self.point_of = found, words, weight, point_of
        self._rarity: Callable[[str], int] | None = None
        self._totals: dict[int, int] = {}

    def rare(self, i: int) -> list[str]:
        """Rarest first, then alphabetical. The words are ranked once for the corpus, on first use."""
        if self._rarity is None:
            weight = self.weight
            self._rarity = {w: r for r, w in enumerate(sorted(weight, key=lambda w: (-weight[w], w)))}.__getitem__
        return sorted(self.words[i], key=self._rarity)[:RARE_WORDS]

    def total(self, i: int) -> int:
        """A mention's words' summed weight, for the mentions of the dates grouped here only."""
        found = self._totals.get(i)
        if found is None:
            found = self._totals[i] = sum(map(self.weight.__getitem__, self.words[i]))
        return found

    def similar(self, i: int, lead: int) -> bool:
        return _similar(self.words[i], self.words[lead], self.weight, min(self.total(i), self.total(lead)))

    def groups(self, members: list[int]) -> list[list[int]]:
        groups: list[list[int]] = []
        leaders: list[int] = []
        group_of: dict[int, int] = {}
        postings: dict[str, list[int]] = defaultdict(list)
        point_leader: dict[str, int] = {}
        for i in members:
            point = self.point_of[i]
            chosen = point_leader.get(point) if point is not None else None
            if chosen is None and len(leaders) <= SMALL_BUCKET:
                chosen = next((lead for lead in leaders if self.similar(i, lead)), None)
            elif chosen is None:
                chosen = self._through_postings(i, postings)
            if chosen is None:
                chosen = i
                leaders.append(i)
                group_of[i] = len(groups)
                groups.append([])
                for word in self.rare(i):
                    if len(postings[word]) < MAX_POSTINGS:
                        postings[word].append(i)
            groups[group_of[chosen]].append(i)
            if point is not None:
                point_leader.setdefault(point, chosen)
        return groups

    def _through_postings(self, i: int, postings: dict[str, list[int]]) -> int | None:
        seen: set[int] = set()
        for word in self.rare(i):
            for lead in postings.get(word, ()):
                if lead not in seen:
                    seen.add(lead)
                    if self.similar(i, lead):
                        return lead
        return None


def _bags(sentences: list[str]) -> list[frozenset[str]]:
    """Content words of each sentence, found once per distinct sentence (wire copies repeat them)."""
    found: dict[str, frozenset[str]] = {}
    out = []
    for sentence in sentences:
        bag = found.get(sentence)
        if bag is None:
            bag = found[sentence] = content_words(sentence)
        out.append(bag)
    return out


def _similar(a: frozenset[str], b: frozenset[str], weight: dict[str, int], smaller: int) -> bool:
    """`smaller`: the lesser of the two bags' total weights, summed once per bag by the caller."""
    shared = a & b
    if len(shared) < MIN_SHARED:
        return False
    return sum(map(weight.__getitem__, shared)) >= SIMILARITY * smaller


def _desc(value: str) -> str:
    """Newest first, and a day before its month ('2026-01-03' before '2026-01')."""
    return descending(value.ljust(10, "~"))


def _event(group: list[DatedMention], sources: SourceCounter, date_of: dict[str, str],
           topics_of: Callable[[list[DatedMention]], tuple[str, ...]]) -> Event:
    group.sort(key=lambda m: (date_of[m.article], m.article, m.n, m.index))
    first = group[0]
    qualifiers = {m.qualifier for m in group}
    qualifier = first.qualifier if len(qualifiers) == 1 else None
    event_id = f"{first.date}-{first.article}-{first.n}-{first.index}"
    return Event(event_id, first.date, first.precision, qualifier, first.sentence, tuple(group),
                 sources(group), topics_of(group))


def events_json(timeline: Timeline) -> dict[str, Any]:
    """`data/events.json`: see the README."""
    return {"events": [event_json(e) for e in timeline.events],
            "left_out": [left_out_json(u) for u in timeline.left_out]}


def event_json(e: Event) -> dict[str, Any]:
    return {
        "id": e.id, "date": e.date, "precision": e.precision, "qualifier": e.qualifier, "label": e.label,
        "text": e.text, "single_source": e.single_source, "topics": list(e.topics),
        "independent_sources": [{"name": s.name, "via": list(s.via), "articles": list(s.articles)}
                                for s in e.sources],
        "mentions": [{"article": m.article, "n": m.n, "sentence": m.index, "mention": m.mention,
                      "relative": m.relative, "how": m.how} for m in e.mentions],
    }


def left_out_json(u: UndatedMention) -> dict[str, Any]:
    return {"article": u.article, "n": u.n, "sentence": u.index, "mention": u.mention, "reason": u.reason}


def left_out_notes(timeline: Timeline, by_id: Mapping[str, Article]) -> list[Problem]:
    """One build note per article whose relative dates were left off the timeline (for the report)."""
    per_article: dict[str, list[UndatedMention]] = defaultdict(list)
    for item in timeline.left_out:
        per_article[item.article].append(item)
    notes = []
    for article_id, items in sorted(per_article.items()):
        article = by_id[article_id]
        listed = ", ".join(f"'{u.mention}' (¶{u.n})" for u in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        notes.append(Problem(article.source_path,
                             f"{len(items)} date{'s' if len(items) > 1 else ''} left off the events timeline: "
                             f"{listed}{more} need the article's date, which it does not give",
                             hint="add a date line or a 'date:' in front matter", severity=Severity.NOTE))
    return notes
