"""Where sources disagree: different figures, or different dates, for the same thing.

Fewer, correct flags over many noisy ones, so a flag needs two things: the same subject and a
place where sentences are known to report the same fact.

- **Figures**: a number with its unit and what it counts ('650 to 1,000 kilograms of gold',
  'around 100 people dead', '$2 billion'); the subject is the unit plus the 'of ...' noun or
  outcome word. Two figures are compared only (a) inside one corroborated point (sentences already
  grouped as reporting the same fact), between different articles, or (b) inside one article, in
  sentences at most one paragraph apart that share a number and two more content words ('as many
  as 1,000 kilograms of gold' and '650 to 1,000 kilograms of Gold Dore bars' in the same story).
  A sentence with two figures of one subject is ambiguous and left out.
- **Dates**: inside one corroborated point, sentences from different articles whose one date
  cannot be the same (3 March vs 5 March; March vs a day in January; a week that does not hold the
  day).

Each discrepancy lists its readings side by side, each with its passages and independent sources.
Work is linear: figures are grouped by point and by article, never compared corpus-wide.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter
from functools import cache, lru_cache
from typing import Any

from generator.article import Article
from generator.corroborate import (ArticleLookups, Passage, Point, SourceGroup, passages_of,
                                   sentences_of)
from generator.events import ArticleEvents, DatedMention, article_events, date_label
from generator.records import pickled_as_tuple
from generator.sentences import STOPWORDS, content_words, stem

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_HEDGE = (r"as many as|up to|at least|more than|over|nearly|almost|around|about|approximately|roughly|"
          r"some|an estimated|fewer than|less than|under|close to|at most|no more than|at least some")
FIGURE = re.compile(
    rf"(?P<hedge>\b(?:{_HEDGE})\s+)?(?:(?P<between>between)\s+)?(?P<cur>[$€£])?(?P<a>{_NUM})"
    rf"(?:\s*(?P<sa>million|billion|trillion|thousand)\b)?"
    rf"(?:\s*(?:to|-|–|and)\s*(?P<cur2>[$€£])?(?P<b>{_NUM}))?"
    rf"(?:\s*(?P<scale>million|billion|trillion|thousand|bn)\b)?"
    rf"(?:\s*(?P<pct>%|percent\b|per cent\b))?"
    rf"(?:[ -](?P<unit>[A-Za-z][a-z]+(?:-[a-z]+)?))?")
_DIGIT = re.compile(r"\d")
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
OUTCOMES = {"dead": "dead", "killed": "dead", "died": "dead", "deaths": "dead", "death": "dead",
            "injured": "injured", "wounded": "injured", "hurt": "injured", "arrested": "arrested",
            "detained": "detained", "displaced": "displaced", "missing": "missing"}
NOT_UNITS = frozenset("""am pm a.m p.m gmt utc est edt bst cet""".split()) | STOPWORDS
MONTH_WORDS = frozenset("""january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec""".split())
MIN_SHARED_WORDS = 2


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Figure:
    """A number with its unit in a sentence: '650 to 1,000 kilograms of gold'."""

    text: str
    """As written."""
    values: tuple[float, ...]
    """The numbers it gives (one, or both ends of a range), scaled."""
    unit: str
    """Stemmed unit: 'kilogram', 'people', 'percent', 'dollar'."""
    material: frozenset[str]
    """What it counts: content words of 'of ...' or an outcome ('dead')."""
    label: str
    """Subject in words: 'kilograms of gold'."""


ArticleFigures = dict[tuple[int, int], tuple["Figure", ...]]
"""(paragraph n, sentence index) -> the sentence's figures, for the sentences that have any."""


def article_figures(article: Article) -> ArticleFigures:
    """Per article, in the analyse stage (in the pool, and cached): finding them in the corpus-wide
    step read every sentence of the corpus out of its paragraph on each build, a second at 10,000
    articles on the one core the rest of the build waits for."""
    found: ArticleFigures = {}
    for paragraph, sentence in sentences_of(article):
        text = sentence.text_in(paragraph.text)
        if _DIGIT.search(text) and (items := _figures_of(text)):
            found[(paragraph.n, sentence.index)] = items
    return found


@lru_cache(maxsize=16_384)
def _figures_of(sentence: str) -> tuple[Figure, ...]:
    """Kept per process: a wire story's sentences recur in every outlet that ran it, and the
    figure pattern is slow on sentences with numbers (0.1 ms each)."""
    return tuple(figures(sentence))


def figures(sentence: str) -> list[Figure]:
    """Every figure with a unit in a sentence; years, dates and times are not figures."""
    out: list[Figure] = []
    if not _DIGIT.search(sentence):
        return out
    for match in FIGURE.finditer(sentence):
        before = sentence[: match.start("a") if not match.group("cur") else match.start("cur")]
        word_before = before.split()[-1].lower().strip(".,") if before.split() else ""
        after = sentence[match.end():]
        if word_before in MONTH_WORDS or after.lstrip().lower().startswith(tuple(MONTH_WORDS)) and \
                not match.group("unit"):
            continue
        if sentence[match.end("a"): match.end("a") + 1] == ":" or before.endswith((":", "/", "#")):
            continue
        a = _number(match.group("a"))
        scale = SCALES.get((match.group("sa") or match.group("scale") or "").lower(), 1.0)
        unit_word = (match.group("unit") or "").lower()
        if match.group("pct"):
            unit = "percent"
        elif match.group("cur") or match.group("cur2"):
            unit = "dollar" if (match.group("cur") or match.group("cur2")) == "$" else \
                {"€": "euro", "£": "pound"}[match.group("cur") or match.group("cur2")]
        elif unit_word and unit_word not in NOT_UNITS and unit_word not in MONTH_WORDS and unit_word.isalpha():
            unit = _unit(unit_word)
        else:
            continue
        if unit == "dollar" and unit_word in {"million", "billion"}:
            unit_word = ""
        if scale == 1.0 and "," not in match.group("a") and "." not in match.group("a") \
                and 1900 <= a <= 2100 and unit not in {"percent", "dollar", "euro", "pound"}:
            continue  # a year
        if match.group("a").startswith("0") and len(match.group("a")) > 1:
            continue
        values = [a * scale]
        if match.group("b"):
            values.append(_number(match.group("b")) * scale)
        hedge = (match.group("hedge") or "").strip().lower()
        if hedge in {"as many as", "up to", "at most", "no more than", "fewer than", "less than", "under"}:
            values = [min(values), max(values)] if len(values) > 1 else values
        material = _material(after, unit_word, sentence[: match.start()])
        label = unit_word or unit
        if unit in {"percent", "dollar", "euro", "pound"}:
            label = {"percent": "percent", "dollar": "dollars", "euro": "euros", "pound": "pounds"}[unit]
            if unit_word and unit_word not in NOT_UNITS:
                label = f"{label} ({unit_word})"
        words = re.findall(r"[a-z]+", after.lower())[:4]
        named = [w for w in words[1:3] if w not in STOPWORDS]
        if words and words[0] == "of" and named and material:
            label = f"{label} of {named[0]}"
        elif material & set(OUTCOMES.values()):
            label = f"{label} {sorted(material & set(OUTCOMES.values()))[0]}"
        shown = match.group().strip()
        if match.group("unit") and (unit_word in NOT_UNITS or unit in {"dollar", "euro", "pound", "percent"}):
            shown = sentence[match.start(): match.start("unit")].strip()
        out.append(Figure(shown, tuple(sorted(set(values))), unit, frozenset(material), label))
    return out


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _unit(word: str) -> str:
    word = word.lower()
    aliases = {"kilograms": "kilogram", "kilos": "kilogram", "kg": "kilogram", "tonnes": "ton", "tons": "ton",
               "tonne": "ton", "barrels": "barrel", "bpd": "barrel-per-day", "percent": "percent",
               "people": "people", "persons": "people", "dollars": "dollar", "usd": "dollar"}
    return aliases.get(word, stem(word))


def _material(after: str, unit_word: str, before: str) -> set[str]:
    """'kilograms of gold' -> {gold}; '100 people dead' / 'killed 100 people' -> {dead}."""
    words = re.findall(r"[A-Za-z][\w'-]*", after)[:6]
    low = [w.lower() for w in words]
    material: set[str] = set()
    if low[:1] == ["of"]:
        for word in low[1:4]:
            if word in STOPWORDS and material:
                break
            if word not in STOPWORDS:
                material.add(stem(word))
    for word in low[:3] + [w.lower() for w in re.findall(r"[A-Za-z]+", before)[-3:]]:
        if word in OUTCOMES:
            material.add(OUTCOMES[word])
    return material


@dataclass(frozen=True, slots=True)
class Reading:
    """One value and who gives it."""

    value: str
    """As written by the first passage: '650 to 1,000 kilograms', or a date label."""
    passages: tuple[Passage, ...]
    sources: tuple[SourceGroup, ...]


@dataclass(frozen=True, slots=True)
class Discrepancy:
    id: str
    kind: str
    """'figure' or 'date'."""
    subject: str
    """'kilograms of gold', or 'date' for dates."""
    scope: str
    """'point' (sentences corroborated as one fact) or 'article' (neighbouring sentences of one story)."""
    point: str | None
    readings: tuple[Reading, ...]
    """Most sources first."""
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiscrepancyIndex:
    discrepancies: tuple[Discrepancy, ...]
    by_topic: dict[str, tuple[Discrepancy, ...]]
    parts: tuple[dict[str, list[Discrepancy]], dict[str, list[Discrepancy]]] = field(
        default=({}, {}), compare=False, repr=False)
    """What each point and each article gave (those that gave any), before duplicates were dropped:
    what a later build reuses (`DiscrepancyMemo`)."""


class Reuse:
    """What a build may take from the previous one's `parts` instead of finding it again: None for
    a point or an article whose discrepancies must be found (see `DiscrepancyMemo.reuse`)."""

    def point(self, point_id: str) -> list[Discrepancy] | None:
        return None

    def article(self, article_id: str) -> list[Discrepancy] | None:
        return None


NOTHING_REUSED = Reuse()


def find_discrepancies(articles: Iterable[Article], points: Iterable[Point],
                       events: Mapping[str, ArticleEvents] | None = None,
                       sentences: Mapping[str, list[Passage]] | None = None,
                       figures_of: Mapping[str, ArticleFigures] | None = None,
                       lookups: ArticleLookups | None = None, reuse: Reuse = NOTHING_REUSED) -> DiscrepancyIndex:
    """Figures and dates that disagree, within a point or within neighbouring sentences of one article.
    `events`, `sentences` and `figures_of` (per article id), when given, are what the analyse and
    assemble stages found already; else found here. `reuse`: what a point or an article gave in an
    earlier build, when it is unchanged since; the result is the same as without."""
    articles = tuple(articles)
    lookups = lookups or ArticleLookups(articles)
    found: list[Discrepancy] = []
    by_point: dict[str, list[Discrepancy]] = {}
    by_article: dict[str, list[Discrepancy]] = {}
    todo: list[tuple[Point, list[Discrepancy] | None]] = []
    for point in points:
        if len(point.passages) < 2:
            continue
        kept = reuse.point(point.id)  # before counting the articles of a wire story's thousand passages
        if kept is not None or len(set(map(_ARTICLE, point.passages))) > 1:
            todo.append((point, kept))
    # The dates of the sentences of the points to look at: of every article, unless most are reused.
    looked_at = None if reuse is NOTHING_REUSED else \
        {p.article for point, kept in todo if kept is None for p in point.passages}
    dates: dict[tuple[str, int, int], list[DatedMention]] = defaultdict(list)
    for article in articles:
        if looked_at is not None and article.id not in looked_at:
            continue
        result = events[article.id] if events is not None and article.id in events else article_events(article)
        for m in result.mentions:
            dates[(m.article, m.n, m.index)].append(m)
    corpus = _Corpus(lookups, figures_of)
    dated = {key: mentions[0] for key, mentions in dates.items() if len(mentions) == 1}
    for point, kept in todo:
        got = kept if kept is not None else [*_point_figures(point, corpus), *_point_dates(point, dated, corpus)]
        if got:
            by_point[point.id] = got
            found.extend(got)
    for article in articles:
        got = reuse.article(article.id)
        if got is None:
            passages = sentences[article.id] if sentences is not None and article.id in sentences \
                else passages_of(article)
            got = _article_figures(article, passages, corpus)
        if got:
            by_article[article.id] = got
            found.extend(got)
    found = _dedupe(found)
    found.sort(key=lambda d: (-len({s.name for r in d.readings for s in r.sources}), d.kind, d.id))
    by_topic: dict[str, list[Discrepancy]] = defaultdict(list)
    for item in found:
        for topic in item.topics:
            by_topic[topic].append(item)
    return DiscrepancyIndex(tuple(found), {k: tuple(v) for k, v in by_topic.items()}, (by_point, by_article))


class _Corpus:
    """What the checks look up again and again, each worked out once for the whole corpus."""

    def __init__(self, lookups: ArticleLookups, figures_of: Mapping[str, ArticleFigures] | None) -> None:
        self.figures_of = _FiguresOf(lookups.by_id, figures_of)
        """article id -> its figures"""
        self.words = cache(content_words)
        """sentence -> its content words"""
        self.topics = lookups.topics_of
        """passages -> the topics of their paragraphs"""
        self.sources = lookups.sources
        """passages -> their independent sources"""


class _FiguresOf(dict[str, ArticleFigures]):
    """Article id -> its figures: as the analyse stage found them, or found on first use."""

    def __init__(self, by_id: dict[str, Article], found: Mapping[str, ArticleFigures] | None) -> None:
        super().__init__(found or {})
        self.by_id = by_id

    def __missing__(self, article_id: str) -> ArticleFigures:
        found = self[article_id] = article_figures(self.by_id[article_id])
        return found


_KEY = attrgetter("article", "n", "index")
_ARTICLE = attrgetter("article")


def _compatible(a: Figure, b: Figure) -> bool:
    return a.unit == b.unit and (not a.material or not b.material or bool(a.material & b.material))


def _point_figures(point: Point, corpus: _Corpus) -> list[Discrepancy]:
    of = corpus.figures_of
    found = [of[p.article].get((p.n, p.index), ()) for p in point.passages]
    if not any(found):
        return []  # most points: no figure at all, found without a Python loop
    per_passage: list[tuple[Passage, Figure]] = []
    for passage, items in compress(zip(point.passages, found), found):
        for figure in items:
            if sum(1 for other in items if _compatible(figure, other)) == 1:
                per_passage.append((passage, figure))
    out = []
    for unit in sorted({f.unit for _, f in per_passage}):
        group = [(p, f) for p, f in per_passage if f.unit == unit]
        anchor = max((f for _, f in group), key=lambda f: (len(f.material), f.text))
        group = [(p, f) for p, f in group if _compatible(f, anchor)]
        if len({p.article for p, _ in group}) < 2 or len({f.values for _, f in group}) < 2:
            continue
        out.append(_discrepancy("figure", _subject(group), "point", point.id, group,
                                f"{point.id}-{unit}", corpus))
    return out


def _article_figures(article: Article, passages: list[Passage], corpus: _Corpus) -> list[Discrepancy]:
    items: list[tuple[Passage, Figure, frozenset[str]]] = []
    of = corpus.figures_of[article.id]
    with_figures = [of.get((p.n, p.index), ()) for p in passages]
    for passage, found in compress(zip(passages, with_figures), with_figures):  # the loop sees only those
        for figure in found:
            if sum(1 for other in found if _compatible(figure, other)) == 1:
                items.append((passage, figure, corpus.words(passage.text)))
    out = []
    by_unit: dict[str, list[tuple[Passage, Figure, frozenset[str]]]] = defaultdict(list)
    for item in items:
        by_unit[item[1].unit].append(item)
    for unit, group in by_unit.items():
        for i, (p, f, words) in enumerate(group):
            for q, g, other_words in group[i + 1:]:
                if abs(q.n - p.n) > 1 or (q.n, q.index) == (p.n, p.index):
                    continue
                if not _compatible(f, g) or f.values == g.values or not set(f.values) & set(g.values):
                    continue
                ignore = {stem(unit), unit, *f.material, *g.material, "kg"}
                if len((words & other_words) - ignore) < MIN_SHARED_WORDS:
                    continue
                out.append(_discrepancy("figure", _subject([(p, f), (q, g)]), "article", None,
                                        [(p, f), (q, g)], f"{article.id}-{p.n}-{p.index}-{unit}", corpus))
    return out


def _subject(group: list[tuple[Passage, Figure]]) -> str:
    labels = [f.label for _, f in group]
    return max(sorted(set(labels)), key=lambda label: (labels.count(label), " of " in label, -len(label)))


def _point_dates(point: Point, dated: Mapping[tuple[str, int, int], DatedMention],
                 corpus: _Corpus) -> list[Discrepancy]:
    """`dated`: the sentences that give exactly one date, with it."""
    chosen = [(passage, mention) for passage, mention in zip(point.passages, map(dated.get, map(_KEY, point.passages)))
              if mention is not None]
    if len({p.article for p, _ in chosen}) < 2:
        return []
    # The same words resolved against two publication dates ('on Thursday' in articles a week
    # apart) are a stale copy, not two sources disagreeing: compare differently worded dates only.
    worded: dict[str, DatedMention] = {}
    for _, mention in chosen:
        worded.setdefault(_wording(mention), mention)
    firsts = list(worded.values())
    if not any(_clash(a, b) for i, a in enumerate(firsts) for b in firsts[i + 1:]):
        return []
    groups: dict[tuple[str, str], list[Passage]] = defaultdict(list)
    for passage, mention in chosen:
        groups[(mention.date, mention.precision)].append(passage)
    readings = []
    for (date, precision), passages in groups.items():
        readings.append(Reading(date_label(date, precision), tuple(passages),
                                corpus.sources(passages)))
    readings.sort(key=lambda r: (-len(r.sources), -len(r.passages), r.value))
    return [Discrepancy(f"{point.id}-date", "date", "date", "point", point.id, tuple(readings),
                        corpus.topics([p for p, _ in chosen]))]


def _clash(a: DatedMention, b: DatedMention) -> bool:
    """Can the two dates not be the same day?"""
    if a.precision == b.precision:
        return a.date != b.date
    order = {"day": 0, "week": 1, "month": 2, "year": 3}
    fine, coarse = (a, b) if order[a.precision] < order[b.precision] else (b, a)
    if coarse.precision == "year":
        return fine.date[:4] != coarse.date
    if coarse.precision == "month":
        if fine.precision == "week":
            return False
        return fine.date[:7] != coarse.date
    # a day against a week: the week starts on coarse.date (a Monday)
    start = dt.date.fromisoformat(coarse.date)
    day = dt.date.fromisoformat(fine.date)
    return not (start <= day < start + dt.timedelta(days=7))


def _wording(mention: DatedMention) -> str:
    """'On Thursday' and 'on Thursday' are one wording; an absolute date is its own wording."""
    if not mention.relative:
        return f"{mention.date}/{mention.precision}"
    return _LEADING_WORD.sub("", mention.mention.lower())


_LEADING_WORD = re.compile(r"^(?:on|in|the)\s+")


def _discrepancy(kind: str, subject: str, scope: str, point: str | None, group: list[tuple[Passage, Figure]],
                 key: str, corpus: _Corpus) -> Discrepancy:
    values: dict[tuple[float, ...], list[tuple[Passage, Figure]]] = defaultdict(list)
    for passage, figure in group:
        values[figure.values].append((passage, figure))
    readings = []
    for items in values.values():
        passages = [p for p, _ in items]
        readings.append(Reading(items[0][1].text, tuple(passages), corpus.sources(passages)))
    readings.sort(key=lambda r: (-len(r.sources), -len(r.passages), r.value))
    return Discrepancy(key, kind, subject, scope, point, tuple(readings), corpus.topics([p for p, _ in group]))


def _dedupe(items: list[Discrepancy]) -> list[Discrepancy]:
    """An in-article pair already shown inside a point's discrepancy is not shown twice."""
    seen: set[tuple[str, int, int]] = set()
    for item in items:
        if item.scope == "point":
            seen.update(p.key for r in item.readings for p in r.passages)
    out = []
    ids: set[str] = set()
    for item in items:
        keys = [p.key for r in item.readings for p in r.passages]
        if item.scope == "article" and all(k in seen for k in keys):
            continue
        if item.id in ids:
            continue
        ids.add(item.id)
        out.append(item)
    return out


def discrepancies_json(index: DiscrepancyIndex) -> dict[str, Any]:
    """`data/discrepancies.json`: see the README."""
    return {"discrepancies": [discrepancy_json(d) for d in index.discrepancies]}


def discrepancy_json(d: Discrepancy) -> dict[str, Any]:
    return {
        "id": d.id, "kind": d.kind, "subject": d.subject, "scope": d.scope, "point": d.point,
        "topics": list(d.topics),
        "readings": [{
            "value": r.value,
            "passages": [{"article": p.article, "n": p.n, "sentence": p.index, "text": p.text}
                         for p in r.passages],
            "independent_sources": [{"name": s.name, "via": list(s.via), "articles": list(s.articles)}
                                    for s in r.sources],
        } for r in d.readings],
    }
