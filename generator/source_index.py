"""Per-source pages: every outlet and agency with its articles and the topics it covers."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from operator import itemgetter

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
    shared: dict[str, dict[str, int]] = defaultdict(dict)
    for point in points:
        if len(point.passages) < 2:
            continue  # one passage is one article: nothing shared
        ids = sorted({p.article for p in point.passages})
        if len(ids) < 2 or len(ids) > MAX_ARTICLES_PER_POINT_FOR_RELATED:
            continue
        for a in ids:
            counts = shared[a]
            for b in ids:
                if a != b:
                    counts[b] = counts.get(b, 0) + 1
    return {a: _most_first(c) for a, c in shared.items()}


def _most_first(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """Highest count first, ties by id: sorted by id, then by count alone (a stable sort keeps the
    id order among equal counts, `reverse` included). Two C-level sorts, no key function call per item."""
    items = sorted(counts.items())  # ids are unique, so this compares ids only
    items.sort(key=itemgetter(1), reverse=True)
    return tuple(items)
