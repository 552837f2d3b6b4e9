"""What a topic page briefs: its passages, points, sources and neighbours, from the whole corpus."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from generator.article import Article, TopicMatch
from generator.config import TopicRule
from generator.corroborate import Passage, Point
from generator.ordering import descending


@dataclass(frozen=True, slots=True)
class TopicPassage:
    passage: Passage
    match: TopicMatch
    point: str


@dataclass(frozen=True, slots=True)
class TopicSummary:
    rule: TopicRule
    articles: tuple[Article, ...]
    """Newest first."""
    passages: tuple[TopicPassage, ...]
    points: tuple[Point, ...]
    """Most corroborated first, then most recent."""
    outlets: tuple[str, ...]
    independent_sources: int
    first_date: str | None
    last_date: str | None
    related: tuple[tuple[str, int], ...]
    """Other topics sharing paragraphs with this one, with how many."""

    @property
    def slug(self) -> str:
        return self.rule.slug

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def description(self) -> str:
        return self.rule.description


def summarise_topics(rules: tuple[TopicRule, ...], articles: tuple[Article, ...],
                     points: tuple[Point, ...], sentences: dict[str, list[Passage]]) -> tuple[TopicSummary, ...]:
    point_of = {p.key: point.id for point in points for p in point.passages}
    by_id = {a.id: a for a in articles}
    return tuple(_summary(rule, articles, points, point_of, by_id, sentences) for rule in rules)


def _summary(rule: TopicRule, articles: tuple[Article, ...], points: tuple[Point, ...],
             point_of: dict[tuple[str, int, int], str], by_id: dict[str, Article],
             sentences: dict[str, list[Passage]]) -> TopicSummary:
    members = [a for a in articles if rule.slug in a.topics]
    passages = []
    related: Counter[str] = Counter()
    for article in members:
        matches = {p.n: next(m for m in p.topics if m.topic == rule.slug)
                   for p in article.paragraphs if any(m.topic == rule.slug for m in p.topics)}
        for paragraph in article.paragraphs:
            if paragraph.n in matches:
                related.update(m.topic for m in paragraph.topics if m.topic != rule.slug)
        for passage in sentences[article.id]:
            if passage.n in matches:
                passages.append(TopicPassage(passage, matches[passage.n], point_of[passage.key]))
    in_topic = {p.point for p in passages}
    chosen = [p for p in points if p.id in in_topic]
    chosen.sort(key=lambda p: (-len(p.sources), _newest(p, by_id), p.id))
    dates = sorted(a.date[:10] for a in members if a.date)
    sources = {s.name for p in chosen for s in p.sources}
    outlets = sorted({a.outlet or a.agency for a in members if a.outlet or a.agency})
    return TopicSummary(rule, tuple(members), tuple(passages), tuple(chosen), tuple(outlets),
                        len(sources), dates[0] if dates else None, dates[-1] if dates else None,
                        tuple(sorted(related.items(), key=lambda kv: (-kv[1], kv[0]))))


def _newest(point: Point, by_id: dict[str, Article]) -> str:
    """Sort key putting the most recent first: inverted characters of the newest date."""
    newest = max((by_id[p.article].date or "" for p in point.passages), default="")
    return descending(newest)
