"""The public JSON interface of the site (`data/*.json`), documented in the README.

Downstream tools read these files: keys are stable, values deterministic.
"""

from __future__ import annotations

import orjson
from typing import Any

from generator import discrepancies, entities, events, quotes
from generator.article import Article, Paragraph
from generator.assemble import InputReport, Site, corpus_step
from generator.corroborate import Point
from generator.changes import History
from generator.problems import Problem, Severity

ARTICLE_KEYS = ("id", "source_path", "title", "title_derived", "date", "outlet", "agency", "author",
                "dateline", "url", "tags", "topics", "paragraphs", "provenance", "warnings")


def dumps(value: Any) -> bytes:
    """Compact, UTF-8, by orjson: the data files are hundreds of megabytes at 10,000 articles, and
    making them took 7.0 s with the json module, 3.0 s with orjson. Pipe through `python -m json.tool`
    to read. The builders below are `corpus_step`s (no cycle collection while they run): a data
    file is a tree of hundreds of thousands of fresh dicts and lists, and holds no cycles."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)


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


@corpus_step()
def articles_json(site: Site) -> bytes:
    return dumps({"articles": [article_json(a) for a in site.articles]})


def report_entry(report: InputReport) -> dict[str, Any]:
    return {
        "path": report.path, "article": report.article, "found": report.found,
        "missing": list(report.missing), "derived": list(report.derived),
        "warnings": [problem_text(w) for w in report.warnings if w.severity != Severity.NOTE],
        "notes": [problem_text(w) for w in report.warnings if w.severity == Severity.NOTE],
        "reason": report.reason,
    }


@corpus_step()
def report_json(site: Site) -> bytes:
    skipped = [r for r in site.inputs if r.article is None]
    return dumps({
        "summary": {"inputs": len(site.inputs), "articles": len(site.articles),
                    "skipped": len(skipped),
                    "warnings": sum(1 for p in site.problems if p.severity != Severity.NOTE)},
        "inputs": [report_entry(r) for r in site.inputs],
    })


@corpus_step()
def topics_json(site: Site) -> bytes:
    """Each point once, under `points`; topics refer to them by id (a point is often on several
    topics, and repeating it made this file 400 MB at 10,000 articles). Tuples are left as they
    are (json writes them as arrays, byte for byte like lists): no copy per passage row."""
    topics = []
    used: dict[str, Point] = {}
    for topic in site.topics:
        used.update((point.id, point) for point in topic.points)
        topics.append({
            "slug": topic.slug, "title": topic.rule.title, "description": topic.rule.description,
            "articles": [a.id for a in topic.articles],
            "passages": [{"article": p.passage.article, "n": p.passage.n, "sentence": p.passage.index,
                          "score": p.match.score, "evidence": p.match.evidence,
                          "cluster": p.point} for p in topic.passages],
            "points": [point.id for point in topic.points],
        })
    return dumps({"topics": topics, "points": {pid: point_json(used[pid]) for pid in sorted(used)}})


def point_json(point: Point) -> dict[str, Any]:
    """Tuples left as they are, as in `topics_json`."""
    return {"id": point.id, "single_source": point.single_source,
            "independent_sources": [{"name": s.name, "via": s.via, "articles": s.articles}
                                    for s in point.sources],
            "passages": [{"article": p.article, "n": p.n, "sentence": p.index} for p in point.passages]}


@corpus_step()
def quotes_json(site: Site) -> bytes:
    return dumps(quotes.quotes_json(site.findings.quotes))


@corpus_step()
def events_json(site: Site) -> bytes:
    return dumps(events.events_json(site.findings.timeline))


@corpus_step()
def entities_json(site: Site) -> bytes:
    return dumps(entities.entities_json(site.findings.entities))


@corpus_step()
def discrepancies_json(site: Site) -> bytes:
    return dumps(discrepancies.discrepancies_json(site.findings.discrepancies))


def changes_json(history: History) -> bytes:
    return dumps({"builds": [e.as_json() for e in reversed(history.entries)]})
