"""Stage 4: the whole corpus at once — unique ids, ordering, and the build report.

The only stage that sees every article; it does nothing that compares all
pairs (ids are grouped with a dict, ordering is one sort).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from generator.article import FIELDS, Article
from generator.cache import key_of, many_new_objects, source_fingerprint
from generator.config import Config
from generator.corroborate import ArticleLookups, Passage, Point, PointIndex, corroborate_indexed, passages_of
from generator.discrepancies import NOTHING_REUSED, ArticleFigures, DiscrepancyIndex, Reuse, find_discrepancies
from generator.discrepancy_memo import DiscrepancyMemo, Reused, shown_digest
from generator.entities import EntityIndex, Gazetteer, index_entities, unpacked_mentions
from generator.event_memo import EventMemo
from generator.events import ArticleEvents, Timeline, index_events_kept
from generator.findings import gazetteer_for, with_findings
from generator.load import Unreadable
from generator.problems import Problem, Severity
from generator.quotes import QuoteIndex, QuoteMention, index_quotes, kept_index, quote_inputs, restored_index
from generator.saved_indexes import SavedIndexes
from generator.source_index import SourceSummary, index_sources, related_articles
from generator.topics import TopicSummary, summarise_topics


@dataclass(frozen=True, slots=True)
class InputReport:
    """What became of one input file."""

    path: str
    article: str | None
    found: dict[str, str]
    missing: tuple[str, ...]
    derived: tuple[str, ...]
    warnings: tuple[Problem, ...]
    reason: str | None = None
    """Why the file gave no article, when it gave none."""


def corpus_step() -> AbstractContextManager[None]:
    """Run a corpus-wide step (an index, a data file) without the cyclic garbage collector.

    A step makes hundreds of thousands of small acyclic objects, most of which live as long as
    the site (points, passages, mentions). Each time enough of them pile up, the collector scans
    them, finding nothing: at 10,000 articles that was a third of the time of these steps. So it
    is paused, and what the step made then joins the corpus out of the collector's sight (see
    `cache.many_new_objects`). Usable as a decorator; nested steps leave it to the outermost."""
    return many_new_objects()


class Findings:
    """Quotes, dated events, people/organisations/places and discrepancies (generator/quotes.py,
    events.py, entities.py, discrepancies.py). Computed on first use — by render, not by
    `briefing check` or a no-change rebuild — and then kept.

    Each is computed as a `corpus_step`."""

    def __init__(self, articles: tuple[Article, ...], config: Config, points: tuple[Point, ...],
                 sentences: dict[str, list[Passage]] | None = None, point_index: PointIndex | None = None,
                 lookups: ArticleLookups | None = None) -> None:
        self.articles, self.config, self.points, self.point_index = articles, config, points, point_index
        if lookups is not None:  # else made when first read (the cached property below)
            self.lookups = lookups
        if sentences is not None:  # else split when first read (the cached property below)
            self.sentences = sentences
        self._renamed: dict[str, tuple[str, tuple[Any, Any, Any, Any], bytes, bytes]] = {}
        self.saved: SavedIndexes | None = None
        """Where an index made from the same inputs may have been saved by an earlier build (set by
        render, for a build of a site; see `quotes`)."""
        self._reused: Reused | None = None
        """What the discrepancies took from the previous build (kept as they were when saved again)."""
        self._event_memo: EventMemo | None = None
        """What this build's timeline keeps for the next, until saved."""
        self.made: set[str] = set()
        """The saved indexes this build made, not read: saved for the next by `save_made`, which
        render calls once the findings are made."""

    @cached_property
    @corpus_step()
    def sentences(self) -> dict[str, list[Passage]]:
        """Each article's passages: given by assemble, which splits them once for all its steps."""
        return {a.id: passages_of(a) for a in self.articles}

    @cached_property
    def lookups(self) -> ArticleLookups:
        """Shared by the steps below (and by the points', given by assemble)."""
        return ArticleLookups(self.articles)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return gazetteer_for(self.config)

    @cached_property
    @corpus_step()
    def per_article(self) -> dict[str, tuple[bytes, tuple[QuoteMention, ...], ArticleEvents, ArticleFigures]]:
        """Pure per-article extraction, one article at a time (its sentence splits are shared);
        the entity mentions packed (`entities.unpacked_mentions`)."""
        return {article.id: self._done(article)[1] for article in self.articles}

    def _done(self, article: Article) -> tuple[str, tuple[Any, Any, Any, Any], bytes, bytes]:
        """What the analyse stage extracted, or, for an article whose id assemble changed, the same
        made now (once: both `per_article` and `entity_inputs` ask)."""
        done = article.findings
        if done and done[0] == article.id:
            return done
        if article.id not in self._renamed:
            self._renamed[article.id] = with_findings(article, self.config)
        return self._renamed[article.id]

    @cached_property
    @corpus_step()
    def entities(self) -> EntityIndex:
        return index_entities(self.articles, self.gazetteer,
                              {k: unpacked_mentions(v[0]) for k, v in self.per_article.items()}, self.sentences)

    @cached_property
    def entity_inputs(self) -> str:
        """A digest of what `entities` is made from (see `entities.entity_digest`)."""
        digest = hashlib.blake2b(digest_size=16)
        for article in self.articles:
            digest.update(self._done(article)[2])
        return digest.hexdigest()

    @cached_property
    def _quote_mentions(self) -> dict[str, tuple[QuoteMention, ...]]:
        """Read to make or restore the index, and again to save it."""
        return {k: v[1] for k, v in self.per_article.items()}

    @cached_property
    def quote_inputs(self) -> str:
        """A digest of what `quotes` is made from, and of what the pages showing quotes read of the
        articles (see `quotes.quote_inputs`): unchanged by an edit that touches no quotation."""
        digest = hashlib.blake2b(digest_size=16)
        for article in self.articles:
            done = self._done(article)
            digest.update(quote_inputs(article, done[1][1], done[3]))
        return digest.hexdigest()

    @cached_property
    def quotes_key(self) -> str:
        """The key of the quote index: its inputs, the code and the configuration (the speakers'
        names come from the configured entities)."""
        return key_of("quotes", source_fingerprint(), self.config.fingerprint, self.quote_inputs)

    @cached_property
    @corpus_step()
    def quotes(self) -> QuoteIndex:
        saved = self.saved.load("quotes", self.quotes_key) if self.saved is not None else None
        if saved is not None:
            try:
                return restored_index(saved, self._quote_mentions)
            except (TypeError, ValueError, KeyError, IndexError):
                pass  # not what `kept_index` makes: made again below
        self.made.add("quotes")
        return index_quotes(self.articles, self.gazetteer, self._quote_mentions, lookups=self.lookups)

    def save_made(self) -> None:
        """Save the indexes this build made (see `saved`), for the next build."""
        if self.saved is None:
            return
        if "quotes" in self.made:
            self.saved.save("quotes", self.quotes_key, kept_index(self.quotes, self._quote_mentions))
        if "discrepancies" in self.made and self.point_index is not None:
            self.saved.save("discrepancies", self.discrepancies_key,
                            DiscrepancyMemo.of(self.discrepancies, self.articles, self.point_index, self.sentences,
                                               self.discrepancies_shown, self._reused))
        if "timeline" in self.made and self._event_memo is not None:
            self.saved.save("events", self.events_key, self._event_memo)
        self._reused = self._event_memo = None  # the previous build's memos: `serve` keeps this site
        self.made.clear()

    @cached_property
    def events_key(self) -> str:
        """The key of what a build keeps of its timeline for the next (`event_memo.EventMemo`)."""
        return key_of("events", source_fingerprint(), self.config.fingerprint)

    @cached_property
    @corpus_step()
    def timeline(self) -> Timeline:
        memo = self.saved.load("events", self.events_key) if self.saved is not None else None
        timeline, self._event_memo = index_events_kept(
            self.articles, {k: v[2] for k, v in self.per_article.items()}, self.points, self.point_index,
            self.lookups, memo if isinstance(memo, EventMemo) else None)
        self.made.add("timeline")
        return timeline

    @cached_property
    def discrepancies_key(self) -> str:
        """The key of what a build keeps of its discrepancies for the next (`DiscrepancyMemo`)."""
        return key_of("discrepancies", source_fingerprint(), self.config.fingerprint)

    @cached_property
    @corpus_step()
    def discrepancies(self) -> DiscrepancyIndex:
        memo = self.saved.load("discrepancies", self.discrepancies_key) if self.saved is not None else None
        reuse: Reuse = NOTHING_REUSED
        if isinstance(memo, DiscrepancyMemo) and self.point_index is not None:
            reuse = memo.reuse(self.articles, self.point_index, self.sentences)
        self.made.add("discrepancies")
        index = find_discrepancies(self.articles, self.points, {k: v[2] for k, v in self.per_article.items()},
                                   self.sentences, {k: v[3] for k, v in self.per_article.items()}, self.lookups,
                                   reuse)
        if isinstance(memo, DiscrepancyMemo) and isinstance(reuse, Reused):
            self._reused = reuse
            if reuse.untouched(index):
                self.__dict__["discrepancies_shown"] = memo.shown  # what `cached_property` would keep
        return index

    @cached_property
    def discrepancies_shown(self) -> str:
        """What the discrepancy pages show (`discrepancy_memo.shown_digest`): the previous build's
        when its discrepancies were all taken as they were."""
        return shown_digest(self.discrepancies, {a.id: a for a in self.articles})


@dataclass(frozen=True, slots=True)
class Site:
    config: Config
    articles: tuple[Article, ...]
    """Newest first; undated articles last, by id."""
    inputs: tuple[InputReport, ...]
    """One per input file, sorted by path."""
    problems: tuple[Problem, ...]
    """Every warning of the build, for the terminal and `--strict`."""
    points: tuple[Point, ...] = ()
    """Facts reported by one or more sources, most corroborated first."""
    topics: tuple[TopicSummary, ...] = ()
    sources: tuple[SourceSummary, ...] = ()
    related: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    """Article id -> articles sharing points with it, most shared first."""
    findings: Findings | None = None
    """Quotes, events, entities and discrepancies, computed when first used."""

    @property
    def latest_date(self) -> str | None:
        return max((a.date[:10] for a in self.articles if a.date), default=None)

    @property
    def source_of(self) -> dict[str, str]:
        """Source name -> page slug."""
        return {s.name: s.slug for s in self.sources}

    @property
    def by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    @property
    def other_coverage(self) -> tuple[Article, ...]:
        """Articles with no paragraph in any topic: still on the site, listed apart."""
        return tuple(a for a in self.articles if not any(p.topics for p in a.paragraphs))


def assemble(articles: list[Article], unreadable: list[Unreadable], config: Config) -> Site:
    return Assembly(articles, unreadable, config).finish()


class Assembly:
    """A site assembled in two steps. `corpus`, made at once, has the articles with their unique
    ids and order, the build report and the sources: all that the pages listing articles show.
    `finish()` adds what the rest need (points, topics, related articles, findings): most of this
    stage's time (3 s at 10,000 articles), on one core, which render gives the other core pages
    to make meanwhile (see `render.render`)."""

    def __init__(self, articles: list[Article], unreadable: list[Unreadable], config: Config) -> None:
        self.corpus = _corpus(articles, unreadable, config)
        self._site: Site | None = None

    @cached_property
    def corpus_findings(self) -> Findings:
        """The findings of the corpus before its points exist: only the entity index, which needs
        none, may be read from it. Render makes the entity pages from it in a process of their own
        while the assembly finishes (the index took 30 s of this process at 100,000 articles)."""
        return Findings(self.corpus.articles, self.corpus.config, ())

    def finish(self) -> Site:
        if self._site is None:
            self._site = _with_points(self.corpus)
        return self._site


@corpus_step()
def _corpus(articles: list[Article], unreadable: list[Unreadable], config: Config) -> Site:
    articles = _unique_ids(articles)
    ordered = sorted(articles, key=lambda a: a.id)
    ordered.sort(key=lambda a: a.date or "", reverse=True)
    ordered.sort(key=lambda a: a.date is None)
    reports = [_report(a) for a in articles] + [_unreadable(u) for u in unreadable]
    reports.sort(key=lambda r: r.path)
    problems = [p for r in reports for p in r.warnings]
    problems += _extra_keys(articles)
    return Site(config, tuple(ordered), tuple(reports), tuple(problems), sources=index_sources(tuple(ordered)))


@corpus_step()
def _with_points(corpus: Site) -> Site:
    articles, config = corpus.articles, corpus.config
    sentences = {a.id: passages_of(a) for a in articles}
    lookups = ArticleLookups(articles)
    points, point_index = corroborate_indexed(articles, sentences, lookups)
    topics = summarise_topics(config.topics, articles, points, sentences, point_index)
    return replace(corpus, points=points, topics=topics, related=related_articles(points),
                   findings=Findings(articles, config, points, sentences, point_index, lookups))


def _unique_ids(articles: list[Article]) -> list[Article]:
    """Two files with one id: the first by path keeps it, the others get -2, -3... and a warning."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.source_path):
        groups[article.id].append(article)
    taken = set(groups)
    out = []
    for article_id, group in groups.items():
        out.append(group[0])
        for n, article in enumerate(group[1:], start=2):
            new_id = f"{article_id}-{n}"
            while new_id in taken:
                new_id += "-x"
            taken.add(new_id)
            warning = Problem(article.source_path, f"id '{article_id}' is already used by "
                              f"{group[0].source_path}; this article gets '{new_id}'",
                              hint="rename the file or set a unique 'slug' in its front matter")
            out.append(replace(article, id=new_id, warnings=(*article.warnings, warning)))
    return out


def _report(article: Article) -> InputReport:
    found = {name: article.provenance[name] for name in FIELDS if name in article.provenance}
    derived = tuple(n for n, how in found.items() if how.startswith("derived"))
    return InputReport(article.source_path, article.id, found, tuple(article.missing()), derived,
                       article.warnings)


def _unreadable(item: Unreadable) -> InputReport:
    problem = Problem(item.path, f"skipped: {item.reason}")
    return InputReport(item.path, None, {}, FIELDS, (), (problem,), item.reason)


def _extra_keys(articles: list[Article]) -> list[Problem]:
    """Unknown front matter keys are kept, and reported once per key, not once per file."""
    files: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        for key in article.extra:
            files[key].append(article.source_path)
    return [Problem(paths[0], f"front matter key '{key}' is not one of ours; kept as given "
                    f"(in {len(paths)} file{'s' if len(paths) > 1 else ''})", severity=Severity.NOTE)
            for key, paths in sorted(files.items())]
