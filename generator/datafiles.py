"""The public JSON interface of the site (`data/*.json`), documented in the README.

Downstream tools read these files: keys are stable, values deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice
from operator import attrgetter
from typing import Any

import orjson

from generator import discrepancies, entities, events, quotes
from generator.article import Article, Paragraph
from generator.assemble import InputReport, Site
from generator.corroborate import Point, PointDigests
from generator.changes import History
from generator.problems import Problem, Severity
from generator.splice import Position, Splice, SplicedItems, item_key, spliced_pieces
from generator.topics import TopicParagraph, TopicSummary

ARTICLE_KEYS = ("id", "source_path", "title", "title_derived", "date", "outlet", "agency", "author",
                "dateline", "url", "tags", "topics", "paragraphs", "provenance", "warnings")

DataStream = Iterator[bytes]
"""A data file, piece by piece: at 10,000 articles the files came to 480 MB, and made whole (a tree of
dicts, then its bytes, then a copy through a worker's pipe) they held the build's peak memory."""


GROUP = 256
"""Items encoded together, by one call to orjson: a call per item cost more than the encoding."""


class Items:
    """A JSON array (or, with `keyed`, an object of (key, value) pairs: string keys, each once)
    written GROUP items at a time, its items made only as they are written. `nested`: its items
    hold `Items` of their own, as direct values of a dict (each written piece by piece).

    Not a dataclass: orjson would encode one as an object. Left anywhere `stream` does not write
    it piece by piece, it makes orjson fail instead of writing the wrong JSON."""

    __slots__ = ("items", "keyed", "nested")

    def __init__(self, items: Iterable[Any], keyed: bool = False, nested: bool = False) -> None:
        self.items, self.keyed, self.nested = items, keyed, nested


def stream(document: dict[str, Any]) -> DataStream:
    """`document` as orjson writes it (with a final newline), byte for byte, but in pieces: its
    `Items` values are written a group at a time, so no more than a group is ever held at once;
    its `SplicedItems` an item at a time, each copied from the previous file when it can be."""
    position = Position()
    for piece in _pieces(document, position):
        yield piece
        position.at += len(piece)
    yield b"\n"


def _pieces(value: Any, position: Position) -> Iterator[bytes]:
    if isinstance(value, SplicedItems):
        yield from spliced_pieces(value, position, _encode, _key)
    elif isinstance(value, Items):
        yield from _nested(value, position) if value.nested else _batched(value)
    elif isinstance(value, dict) and any(isinstance(v, (Items, SplicedItems)) for v in value.values()):
        yield b"{"
        for i, (key, item) in enumerate(value.items()):
            yield (b"," if i else b"") + _key(key) + b":"
            yield from _pieces(item, position)
        yield b"}"
    else:
        yield _encode(value)


def _batched(items: Items) -> Iterator[bytes]:
    yield b"{" if items.keyed else b"["
    source, first = iter(items.items), True
    while group := list(islice(source, GROUP)):
        yield (b"" if first else b",") + _encode(dict(group) if items.keyed else group)[1:-1]
        first = False
    yield b"}" if items.keyed else b"]"


def _nested(items: Items, position: Position) -> Iterator[bytes]:
    yield b"{" if items.keyed else b"["
    for i, item in enumerate(items.items):
        if i:
            yield b","
        if items.keyed:
            yield _key(item[0]) + b":"
            item = item[1]
        yield from _pieces(item, position)
    yield b"}" if items.keyed else b"]"


def _key(key: Any) -> bytes:
    if not isinstance(key, str):
        raise TypeError(f"data file keys are strings, not {type(key).__name__}: {key!r}")
    return _encode(key)


def _encode(value: Any) -> bytes:
    """Compact, UTF-8, by orjson (the files took 7.0 s with the json module at 10,000 articles,
    3.0 s with orjson). Pipe through `python -m json.tool` to read."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def problem_text(problem: Problem) -> str:
    return f"line {problem.line}: {problem.message}" if problem.line else problem.message


def paragraph_json(paragraph: Paragraph) -> dict[str, Any]:
    return {"n": paragraph.n, "text": paragraph.text,
            "topics": [m.topic for m in paragraph.topics]}


def article_json(article: Article) -> dict[str, Any]:
    values = {
        "id": article.id, "source_path": article.source_path, "title": article.title,
        "title_derived": article.title_derived, "date": article.date, "outlet": article.outlet,
        "agency": article.agency, "author": article.author, "dateline": article.dateline,
        "url": article.url, "tags": list(article.tags), "topics": list(article.topics),
        "paragraphs": [paragraph_json(p) for p in article.paragraphs],
        "provenance": dict(article.provenance),
        "warnings": [problem_text(w) for w in article.warnings if w.severity != Severity.NOTE],
    }
    assert tuple(values) == ARTICLE_KEYS
    return values


def articles_json(site: Site, splice: Splice | None = None) -> DataStream:
    """With `splice`, an article unchanged since the previous build (same file, content, id and
    warnings; code and configuration are the splice's `base`) is copied from the previous file."""
    if splice is None:
        return stream({"articles": Items(article_json(a) for a in site.articles)})
    return stream({"articles": SplicedItems(site.articles, _article_item_key, article_json, splice)})


def _article_item_key(article: Article) -> bytes:
    """Its inputs and its warnings: assemble's warning about an id used twice names another file."""
    return item_key(f"article\0{article.inputs}\0{article.warnings!r}")


def report_entry(report: InputReport) -> dict[str, Any]:
    return {
        "path": report.path, "article": report.article, "found": report.found,
        "missing": list(report.missing), "derived": list(report.derived),
        "warnings": [problem_text(w) for w in report.warnings if w.severity != Severity.NOTE],
        "notes": [problem_text(w) for w in report.warnings if w.severity == Severity.NOTE],
        "reason": report.reason,
    }


def report_json(site: Site) -> DataStream:
    skipped = [r for r in site.inputs if r.article is None]
    return stream({
        "summary": {"inputs": len(site.inputs), "articles": len(site.articles),
                    "skipped": len(skipped),
                    "warnings": sum(1 for p in site.problems if p.severity != Severity.NOTE)},
        "inputs": Items(report_entry(r) for r in site.inputs),
    })


def topics_json(site: Site, splice: Splice | None = None,
                point_key: Callable[[Point], str] | None = None) -> DataStream:
    """Each point once, under `points`; topics refer to them by id (a point is often on several
    topics, and repeating it made this file 400 MB at 10,000 articles). A topic's passages are
    listed by paragraph, the paragraph's score and evidence once (see `TopicParagraph`). Tuples are
    left as they are (json writes them as arrays, byte for byte like lists): no copies."""
    used: dict[str, Point] = {}
    for topic in site.topics:
        used.update((point.id, point) for point in topic.points)
    if splice is None:
        topics = Items(({**_topic_head(topic), "paragraphs": Items(map(_paragraph_item, topic.paragraphs)),
                         "points": [point.id for point in topic.points]} for topic in site.topics), nested=True)
        return stream({"topics": topics, "points": Items(((pid, point_json(used[pid])) for pid in sorted(used)),
                                                         keyed=True)})
    # Spliced: a paragraph by its topic, its article's inputs, its number and its sentences' points;
    # a point by `point_key` (`PointDigests`: its passages' places and articles' inputs).
    inputs = {a.id: a.inputs for a in site.articles}
    point_key = point_key or PointDigests(site.articles).of

    def paragraphs(topic: TopicSummary) -> SplicedItems:
        """By runs of one article's paragraphs (they are consecutive), each run keyed by its
        article's inputs and its sentences' points."""
        head = f"paragraphs\0{topic.slug}\0"
        runs = [tuple(run) for _, run in groupby(topic.paragraphs, key=_ARTICLE)]
        return SplicedItems(runs, lambda run: item_key(head + inputs[run[0].article] + "".join(
            f"\1{p.n}\0" + "\0".join(p.points) for p in run)), _paragraph_run, splice, encoded=True)

    topics = Items(({**_topic_head(topic), "paragraphs": paragraphs(topic),
                     "points": [point.id for point in topic.points]} for topic in site.topics), nested=True)
    return stream({"topics": topics, "points": SplicedItems(
        sorted(used), lambda pid: item_key(f"point\0{point_key(used[pid])}"), lambda pid: point_json(used[pid]),
        splice, keyed=str)})


def _topic_head(topic: TopicSummary) -> dict[str, Any]:
    return {"slug": topic.slug, "title": topic.rule.title, "description": topic.rule.description,
            "articles": [a.id for a in topic.articles]}


def _paragraph_run(run: tuple[TopicParagraph, ...]) -> bytes:
    """Paragraphs as items of an array, comma-separated, without the brackets."""
    return _encode(list(map(_paragraph_item, run)))[1:-1]


_ARTICLE = attrgetter("article")


def _paragraph_item(p: TopicParagraph) -> dict[str, Any]:
    return {"article": p.article, "n": p.n, "score": p.match.score, "evidence": p.match.evidence,
            "sentences": [{"sentence": s.index, "point": point} for s, point in zip(p.passages, p.points)]}


def point_json(point: Point) -> dict[str, Any]:
    """Tuples left as they are, as in `topics_json`."""
    return {"id": point.id, "single_source": point.single_source,
            "independent_sources": [{"name": s.name, "via": s.via, "articles": s.articles}
                                    for s in point.sources],
            "passages": [{"article": p.article, "n": p.n, "sentence": p.index} for p in point.passages]}


def quotes_json(site: Site) -> DataStream:
    return stream({"quotes": Items(map(quotes.quote_json, site.findings.quotes.quotes))})


def events_json(site: Site) -> DataStream:
    timeline = site.findings.timeline
    return stream({"events": Items(map(events.event_json, timeline.events)),
                   "left_out": Items(map(events.left_out_json, timeline.left_out))})


def entities_json(site: Site) -> DataStream:
    return entity_index_json(site.findings.entities)


def entity_index_json(index: entities.EntityIndex) -> DataStream:
    return stream({"entities": Items(map(entities.entity_json, index.entities)), "left_out": index.left_out})


def discrepancies_json(site: Site) -> DataStream:
    return stream({"discrepancies": Items(map(discrepancies.discrepancy_json,
                                              site.findings.discrepancies.discrepancies))})


def changes_json(history: History) -> DataStream:
    return stream({"builds": Items(e.as_json() for e in reversed(history.entries))})
