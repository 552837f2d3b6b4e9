"""What a topic page briefs: its paragraphs, points, sources and neighbours, from the whole corpus."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter

from generator.article import Article, TopicMatch
from generator.config import TopicRule
from generator.corroborate import Passage, Point, PointIndex
from generator.ordering import descending
from generator.records import pickled_as_tuple


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class TopicParagraph:
    """A paragraph on the topic: why (`match`, one per paragraph), its sentences and the point each
    belongs to. Kept per paragraph, not per sentence: a row per sentence repeated the paragraph's
    match in every row (4.3 sentences a paragraph), 590,000 rows at 10,000 articles."""

    article: str
    n: int
    match: TopicMatch
    passages: tuple[Passage, ...]
    points: tuple[str, ...]


class _Named:
    """A topic's slug, title and description, from its rule: what every topic page shows."""

    __slots__ = ()
    rule: TopicRule

    @property
    def slug(self) -> str:
        return self.rule.slug

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def description(self) -> str:
        return self.rule.description


@dataclass(frozen=True, slots=True)
class TopicSummary(_Named):
    rule: TopicRule
    articles: tuple[Article, ...]
    """Newest first."""
    paragraphs: tuple[TopicParagraph, ...]
    points: tuple[Point, ...]
    """Most corroborated first, then most recent."""
    outlets: tuple[str, ...]
    independent_sources: int
    first_date: str | None
    last_date: str | None
    related: tuple[tuple[str, int], ...]
    """Other topics sharing paragraphs with this one, with how many."""


@dataclass(frozen=True, slots=True)
class TopicHead(_Named):
    """What a topic's later pages are given of it: its rule, not its summary. Those pages list
    points; the counts and lists of the whole topic are on its first page. Given the summary, each
    showed the topic's counts, and any edit to the topic made them all again (874 of the 1,347 later
    pages after a sentence added to one article at 10,000 articles); now only those from the new
    point's page on, which list other points than before, and those showing the edited article
    (462 after that edit)."""

    rule: TopicRule


def summarise_topics(rules: tuple[TopicRule, ...], articles: tuple[Article, ...],
                     points: tuple[Point, ...], sentences: dict[str, list[Passage]],
                     point_of: Mapping[str, tuple[str, ...]] | None = None) -> tuple[TopicSummary, ...]:
    """`point_of`: the point of each article's passages, in order (`corroborate.PointIndex`);
    found here from `points` when not given."""
    if point_of is None:
        point_of = PointIndex.of_points(points)
    matched = {a.id: _matches(a) for a in articles}
    newest = _newest_first({a.id: a.date or "" for a in articles})
    runs = _Runs(sentences, point_of)
    return tuple(_summary(rule, articles, points, matched, newest, runs) for rule in rules)


_Run = tuple[int, tuple[Passage, ...], tuple[str, ...]]
"""A paragraph number, its passages in order, and the point of each."""


class _Runs(dict[str, list[_Run]]):
    """Article id -> its passages, in order, cut where the paragraph changes, with their points.
    Made once per article for all topics: a topic then checks each paragraph, not each sentence."""

    def __init__(self, sentences: dict[str, list[Passage]], point_of: Mapping[str, tuple[str, ...]]) -> None:
        super().__init__()
        self.sentences, self.point_of = sentences, point_of

    def __missing__(self, article_id: str) -> list[_Run]:
        """A paragraph's passages are consecutive (`passages_of` makes them paragraph by paragraph,
        and no two paragraphs share a number), so counting them by paragraph, in C, gives the
        runs' bounds: grouping the 316,000 passages of 10,000 articles with `groupby` took 0.6 s."""
        runs = []
        passages = self.sentences[article_id]
        point_ids, start = self.point_of.get(article_id, ()), 0
        for n, count in Counter(map(_N, passages)).items():
            end = start + count
            runs.append((n, tuple(passages[start:end]), point_ids[start:end]))
            start = end
        self[article_id] = runs
        return runs


_N = attrgetter("n")
_ARTICLE = attrgetter("article")


def _matches(article: Article) -> dict[str, dict[int, TopicMatch]]:
    """Topic -> {paragraph n: that paragraph's first match for the topic}. One pass over an
    article's paragraphs serves every topic, instead of one pass per topic."""
    out: dict[str, dict[int, TopicMatch]] = {}
    for paragraph in article.paragraphs:
        first: dict[str, TopicMatch] = {}
        for match in paragraph.topics:
            first.setdefault(match.topic, match)
        for topic, match in first.items():
            out.setdefault(topic, {})[paragraph.n] = match
    return out


def _summary(rule: TopicRule, articles: tuple[Article, ...], points: tuple[Point, ...],
             matched: dict[str, dict[str, dict[int, TopicMatch]]], newest: Callable[[Point], str],
             runs: _Runs) -> TopicSummary:
    slug = rule.slug
    members = [a for a in articles if slug in matched[a.id]]
    paragraphs = []
    related: dict[str, int] = defaultdict(int)
    for article in members:
        matches = matched[article.id][slug]
        for paragraph in article.paragraphs:
            if paragraph.n in matches:
                for m in paragraph.topics:
                    if m.topic != slug:
                        related[m.topic] += 1
        for n, run, points_of_run in runs[article.id]:
            match = matches.get(n)
            if match is not None:
                paragraphs.append(TopicParagraph(article.id, n, match, run, points_of_run))
    in_topic = {point for paragraph in paragraphs for point in paragraph.points}
    chosen = [p for p in points if p.id in in_topic]
    chosen.sort(key=lambda p: (-len(p.source_names), newest(p), p.id))
    dates = [a.date[:10] for a in members if a.date]
    sources = set().union(*(p.source_names for p in chosen))
    outlets = sorted({a.outlet or a.agency for a in members if a.outlet or a.agency})
    return TopicSummary(rule, tuple(members), tuple(paragraphs), tuple(chosen), tuple(outlets),
                        len(sources), min(dates, default=None), max(dates, default=None),
                        tuple(sorted(related.items(), key=lambda kv: (-kv[1], kv[0]))))


def _newest_first(date_of: dict[str, str]) -> Callable[[Point], str]:
    """Point -> sort key putting the most recent first (inverted characters of its newest date).
    Kept per point and per date: a point is on several topics, and many articles share a date."""
    of_point: dict[str, str] = {}
    of_date: dict[str, str] = {}

    def key(point: Point) -> str:
        found = of_point.get(point.id)
        if found is None:
            newest = max(map(date_of.__getitem__, map(_ARTICLE, point.passages)), default="")
            found = of_date.get(newest)
            if found is None:
                found = of_date[newest] = descending(newest)
            of_point[point.id] = found
        return found
    return key
