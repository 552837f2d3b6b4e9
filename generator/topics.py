"""What a topic page briefs: its paragraphs, points, sources and neighbours, from the whole corpus."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
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
    found here from `points` when not given. One pass over the articles serves every topic, and
    the points are ranked once for all of them: topic by topic, the 90,000 paragraphs of 10,000
    articles were read once per topic of their article, and each topic sorted its points again."""
    if point_of is None:
        point_of = PointIndex.of_points(points)
    gathered = {rule.slug: _Gathered() for rule in rules}
    runs = _Runs(sentences, point_of)
    for article in articles:
        on = _topics_by_paragraph(article, gathered)
        if on:
            _gather(article, on, runs[article.id], gathered)
    newest_first = lru_cache(maxsize=None)(descending)  # many points share a newest date
    ranked = sorted(points, key=lambda p: (-len(p.source_names), newest_first(p.newest), p.id))
    return tuple(_summary(rule, gathered[rule.slug], ranked) for rule in rules)


@dataclass(slots=True)
class _Gathered:
    """What the pass over the articles collects for one topic."""

    members: list[Article] = field(default_factory=list)
    paragraphs: list[TopicParagraph] = field(default_factory=list)
    related: dict[str, int] = field(default_factory=dict)


def _topics_by_paragraph(article: Article, gathered: dict[str, _Gathered]) -> dict[int, dict[str, TopicMatch]]:
    """Paragraph n -> {topic: the first match for it of a paragraph numbered n}, for the topics
    summarised."""
    on: dict[int, dict[str, TopicMatch]] = {}
    for paragraph in article.paragraphs:
        first: dict[str, TopicMatch] = {}
        for match in paragraph.topics:
            if match.topic in gathered:
                first.setdefault(match.topic, match)
        if first:
            on.setdefault(paragraph.n, {}).update(first)
    return on


def _gather(article: Article, on: dict[int, dict[str, TopicMatch]], runs: list[_Run],
            gathered: dict[str, _Gathered]) -> None:
    """The article joins the members of each topic it is on (in the articles' order); a paragraph
    on a topic counts the paragraph's other topics as related to it, and each of its runs of
    passages is one of the topic's paragraphs."""
    joined = {slug for here in on.values() for slug in here}
    for slug in gathered:
        if slug in joined:
            gathered[slug].members.append(article)
    for paragraph in article.paragraphs:
        here = on.get(paragraph.n)
        if here:
            for slug in here:
                related = gathered[slug].related
                for m in paragraph.topics:
                    if m.topic != slug:
                        related[m.topic] = related.get(m.topic, 0) + 1
    for n, run, points_of_run in runs:
        here = on.get(n)
        if here:
            for slug, match in here.items():
                gathered[slug].paragraphs.append(TopicParagraph(article.id, n, match, run, points_of_run))


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


def _summary(rule: TopicRule, gathered: _Gathered, ranked: list[Point]) -> TopicSummary:
    members, paragraphs = gathered.members, gathered.paragraphs
    in_topic = {point for paragraph in paragraphs for point in paragraph.points}
    chosen = [p for p in ranked if p.id in in_topic]
    dates = [a.date[:10] for a in members if a.date]
    sources = set().union(*(p.source_names for p in chosen))
    outlets = sorted({a.outlet or a.agency for a in members if a.outlet or a.agency})
    return TopicSummary(rule, tuple(members), tuple(paragraphs), tuple(chosen), tuple(outlets),
                        len(sources), min(dates, default=None), max(dates, default=None),
                        tuple(sorted(gathered.related.items(), key=lambda kv: (-kv[1], kv[0]))))
