"""Per-source pages: every outlet and agency with its articles and the topics it covers."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from slugify import slugify

from generator.article import Article
from generator.corroborate import Point

UNKNOWN = "Unknown source"
MAX_ARTICLES_PER_POINT_FOR_RELATED = 50
"""A point carried by more articles than this is common knowledge, not a sign of kinship."""


@dataclass(frozen=True, slots=True)
class SourceSummary:
    name: str
    slug: str
    kind: str
    """'outlet', 'agency' or 'unknown'."""
    articles: tuple[Article, ...]
    topics: tuple[tuple[str, int], ...]
    """Topic slug and how many of this source's articles touch it, most first."""


def source_slug(name: str) -> str:
    return slugify(name) or "source"


def index_sources(articles: tuple[Article, ...]) -> tuple[SourceSummary, ...]:
    """An article appears under its outlet and under its agency (an AP story run by The Gleaner)."""
    members: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in articles:
        if article.outlet:
            members[(article.outlet, "outlet")].append(article)
        if article.agency and article.agency != article.outlet:
            members[(article.agency, "agency")].append(article)
        if not article.outlet and not article.agency:
            members[(UNKNOWN, "unknown")].append(article)
    summaries = []
    used: set[str] = set()
    for (name, kind), items in sorted(members.items(), key=lambda kv: (kv[0][0].lower(), kv[0][1])):
        slug = source_slug(name)
        while slug in used:
            slug += f"-{kind}"
        used.add(slug)
        topics = Counter(t for a in items for t in a.topics)
        summaries.append(SourceSummary(name, slug, kind, tuple(items),
                                       tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])))))
    return tuple(summaries)


def related_articles(points: tuple[Point, ...]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Articles that share points, with how many: the reader's 'see also'."""
    shared: dict[str, Counter[str]] = defaultdict(Counter)
    for point in points:
        ids = sorted({p.article for p in point.passages})
        if len(ids) < 2 or len(ids) > MAX_ARTICLES_PER_POINT_FOR_RELATED:
            continue
        for a in ids:
            for b in ids:
                if a != b:
                    shared[a][b] += 1
    return {a: tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for a, c in shared.items()}
