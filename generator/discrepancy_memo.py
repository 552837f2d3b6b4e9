"""What a build keeps of the discrepancies it found, and what the next build may take from it.

A discrepancy is found inside one point or inside one article (`discrepancies.find_discrepancies`).
An edit changes few points (those with a passage of the edited article, and those whose passages
moved) and one article; every other point and article gives what it gave before. So a build keeps
what each point and article gave, with the point of every passage and each article's inputs
(`Article.inputs_digest`), and the next compares those with its own to tell which points and
articles are unchanged (`DiscrepancyMemo.reuse`). Finding them all took 1.0-1.4 s at 10,000
articles, in the process every later step of a rebuild waits for.

Passages are kept as (article, position among the article's passages), and taken back from the
passages of the new build: the same objects a search would have found, without their text.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import orjson

from generator.article import Article
from generator.corroborate import Passage
from generator.discrepancies import Discrepancy, DiscrepancyIndex, Reading, Reuse

_Kept = tuple[Any, ...]
"""A discrepancy without its passages' objects: (id, kind, subject, scope, point, readings, topics),
each reading (value, ((article, position), ...), sources)."""


@dataclass(frozen=True, slots=True)
class DiscrepancyMemo:
    inputs: dict[str, bytes]
    """Article id -> `Article.inputs_digest`."""
    assignment: dict[str, tuple[str, ...]]
    """Article id -> the point of each of its passages (`corroborate.PointIndex`)."""
    points: dict[str, list[_Kept]]
    """Point id -> what it gave (only points that gave some)."""
    articles: dict[str, list[_Kept]]
    """Article id -> what it gave (only articles that gave some)."""
    shown: str
    """`shown_digest` of the index: what its pages show."""

    @classmethod
    def of(cls, index: DiscrepancyIndex, articles: Iterable[Article], assignment: Mapping[str, tuple[str, ...]],
           sentences: Mapping[str, list[Passage]], shown: str, reused: Reused | None = None) -> DiscrepancyMemo:
        """`reused`: what `index` was found with; what it took from the previous build is kept as
        it was kept then, not made again."""
        by_point, by_article = index.parts
        kept = _Keeper(sentences)
        before = reused.memo if reused is not None else None
        points = {k: before.points[k] if before is not None and k not in reused.affected and k in before.points
                  else list(map(kept, v)) for k, v in by_point.items()}
        from_articles = {k: before.articles[k] if before is not None and k not in reused.changed
                         and k in before.articles else list(map(kept, v)) for k, v in by_article.items()}
        return cls({a.id: a.inputs_digest for a in articles}, dict(assignment), points, from_articles, shown)

    def reuse(self, articles: Iterable[Article], assignment: Mapping[str, tuple[str, ...]],
              sentences: Mapping[str, list[Passage]]) -> Reused:
        """What this build may take: all but the points any of whose passages changed point, or are
        in an article that changed, came or went (both the old and the new point), and all but the
        changed and new articles. A point whose id is untouched has the same passages as before, in
        unchanged articles: the same discrepancies."""
        changed: set[str] = set()
        affected: set[str] = set()
        seen: set[str] = set()
        for article in articles:
            article_id = article.id
            seen.add(article_id)
            digest = article.inputs_digest
            ids, before = assignment.get(article_id, ()), self.assignment.get(article_id)
            if before == ids and self.inputs.get(article_id) == digest:
                continue  # most articles
            if before is None or self.inputs.get(article_id) != digest or len(before) != len(ids):
                changed.add(article_id)
                affected.update(ids)
                affected.update(before or ())
            else:
                for old, new in zip(before, ids):
                    if old != new:
                        affected.add(old)
                        affected.add(new)
        for article_id, before in self.assignment.items():
            if article_id not in seen:  # gone: what it gave is gone too
                changed.add(article_id)
                affected.update(before)
        return Reused(self, changed, affected, sentences)


class Reused(Reuse):
    """`Reuse` of a `DiscrepancyMemo`."""

    def __init__(self, memo: DiscrepancyMemo, changed: set[str], affected: set[str],
                 sentences: Mapping[str, list[Passage]]) -> None:
        self.memo, self.changed, self.affected, self.sentences = memo, changed, affected, sentences

    def point(self, point_id: str) -> list[Discrepancy] | None:
        if point_id in self.affected:
            return None
        return [self._restore(k) for k in self.memo.points.get(point_id, ())]

    def article(self, article_id: str) -> list[Discrepancy] | None:
        if article_id in self.changed:
            return None
        return [self._restore(k) for k in self.memo.articles.get(article_id, ())]

    def untouched(self, index: DiscrepancyIndex) -> bool:
        """Is `index` (found with this) the previous build's? Yes when no point or article found
        anew gave anything, then or now: the rest is taken as it was."""
        by_point, by_article = index.parts
        return not any(point in by_point or self.memo.points.get(point) for point in self.affected) \
            and not any(article in by_article or self.memo.articles.get(article) for article in self.changed)

    def _restore(self, kept: _Kept) -> Discrepancy:
        d_id, kind, subject, scope, point, readings, topics = kept
        sentences = self.sentences
        return Discrepancy(d_id, kind, subject, scope, point,
                           tuple([Reading(value, tuple([sentences[a][i] for a, i in places]), sources)
                                  for value, places, sources in readings]), topics)


_PLACE = attrgetter("n", "index")


class _Keeper:
    """Discrepancy -> `_Kept`, each passage by its position among its article's passages (which are
    in reading order: paragraph, then sentence)."""

    def __init__(self, sentences: Mapping[str, list[Passage]]) -> None:
        self.sentences = sentences

    def __call__(self, d: Discrepancy) -> _Kept:
        return (d.id, d.kind, d.subject, d.scope, d.point,
                tuple((r.value, tuple(map(self._place, r.passages)), r.sources) for r in d.readings), d.topics)

    def _place(self, passage: Passage) -> tuple[str, int]:
        return passage.article, bisect_left(self.sentences[passage.article], (passage.n, passage.index), key=_PLACE)


_KEY = attrgetter("article", "n", "index")


def shown_digest(index: DiscrepancyIndex, by_id: Mapping[str, Article]) -> str:
    """A digest of what the discrepancy pages and discrepancies.json show: every discrepancy, and
    the inputs of the articles of its passages (their text, title, source and date)."""
    rows, articles = [], set()
    for d in index.discrepancies:
        readings = []
        for r in d.readings:
            keys = list(map(_KEY, r.passages))
            articles.update(k[0] for k in keys)
            readings.append((r.value, keys, [(s.name, s.via, s.articles) for s in r.sources]))
        rows.append((d.id, d.kind, d.subject, d.scope, d.point, d.topics, readings))
    digest = hashlib.blake2b(orjson.dumps(rows), digest_size=16)
    digest.update("\0".join(by_id[a].inputs for a in sorted(articles)).encode())
    return digest.hexdigest()
