"""What a build keeps of its timeline of events, and what the next build may take from it.

Events are grouped date by date (`events.index_events`): the mentions of one date and precision (a
bucket) are grouped by their words' weights and their points, and by nothing outside the bucket. So
a bucket gives the same events as before when its mentions are the same (no article that has, or
had, a mention in it changed, came or went), each is in the same point, and their words weigh the
same. Word weights are counted in whole steps (`events.WEIGHT_STEPS`) against a rounded count of
mentions, so one edit seldom moves one. A build keeps each bucket's events with what decided them,
and the next groups again only the buckets whose inputs differ: after one sentence added to one
article at 10,000 articles, 7 of 468 buckets (12,000 of 68,000 mentions) instead of all of them
(grouping them all took 0.9-1.4 s, in the process every later step of a rebuild waits for).

Events are kept as their mentions' places (article, position among the article's dated mentions)
with their sources and topics, and made again from the mentions of the new build.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Bucket = tuple[str, str]
"""(date, precision) of a group of mentions."""
KeptEvent = tuple[Any, ...]
"""(id, qualifier, ((article, position), ...), sources, topics): an event without its mentions."""
Places = tuple[tuple[Bucket, ...], tuple[str | None, ...]]
"""An article's dated mentions' buckets, and the point of each (None if in none)."""


@dataclass(frozen=True, slots=True)
class EventMemo:
    weights: dict[str, int]
    """Word -> its weight, in steps."""
    inputs: dict[str, bytes]
    """Article id -> `Article.inputs_digest`."""
    places: dict[str, Places]
    """Article id -> its dated mentions' buckets and points."""
    buckets: dict[Bucket, list[KeptEvent]]
    """Bucket -> its events."""

    def affected(self, inputs: dict[str, bytes], places: dict[str, Places], weights: dict[str, int],
                 bags: Sequence[frozenset[str]], buckets: Sequence[Bucket]) -> set[Bucket]:
        """The buckets to group again: those with a mention (now or before) of an article that
        changed, came or went (`inputs`: article id -> `Article.inputs_digest`), or whose mentions
        changed point, and those with a mention whose words include one whose weight changed (`bags`
        and `buckets`: each mention's words and bucket, in the order of the corpus's mentions)."""
        out: set[Bucket] = set()
        empty: Places = ((), ())
        for article_id, digest in inputs.items():
            now, before = places.get(article_id, empty), self.places.get(article_id, empty)
            if before != now or self.inputs.get(article_id) != digest:
                out.update(now[0])
                out.update(before[0])
        for article_id, before in self.places.items():
            if article_id not in inputs:
                out.update(before[0])
        moved = {word for word, weight in weights.items() if self.weights.get(word) != weight}
        if moved:
            out.update(bucket for bag, bucket in zip(bags, buckets) if not moved.isdisjoint(bag))
        return out
