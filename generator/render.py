"""Stage 5: the site as a mapping of output path -> bytes, rendered from `templates/`.

Pure: nothing is written here, so a failed render leaves the published site
untouched, and the result can be compared byte for byte between builds.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from generator import charts, datafiles, feeds
from generator.article import FIELDS, Article
from generator.assemble import Assembly, Findings, InputReport, Site
from generator.corroborate import Point, PointDigests
from generator.cache import key_of, long_lived, source_fingerprint, tree_fingerprint
from generator.changes import History
from generator.discrepancies import Discrepancy
from generator.entities import EntityIndex
from generator.events import Timeline, by_month
from generator.markup import inline_html, paragraph_html
from generator.pagination import page_count, paginate, url_of_item
from generator.page_workers import ChunkClaims, PageWorkers, WorkerDied, die_with_parent
from generator.problems import BriefingError, Severity
from generator.publish import ARTICLE_PAGES_DONE, ARTICLES, ARTICLES_SWEPT, Placed, StagingWriter, sweep_articles
from generator.quotes import Quote
from generator.saved_indexes import SavedIndexes
from generator.splice import Splice
from generator.topics import TopicHead

Page = tuple[str, "bytes | Path | Placed | Iterator[bytes]"]
"""(path, its bytes), (path, the unchanged file of the previous build), (path, its bytes in pieces),
or (path, what a worker did with the file it wrote into the staging folder)."""
MAX_RELATED = 8
FEED_SIZE = 50


@lru_cache(maxsize=4)
def environment(templates_dir: str, templates_key: str) -> Environment:
    """One environment per state of the templates (`templates_key`), so Jinja need not stat
    every template on every page (auto_reload), yet `serve` still sees template edits."""
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                      lstrip_blocks=True, auto_reload=False)
    env.filters["paragraph"] = paragraph_html
    env.filters["inline"] = inline_html
    return env


def url_maker(page_path: str, directory_urls: bool) -> Callable[[str], str]:
    """Relative links (up to the root, then down), so the site works from any sub-path of a host
    or from disk. Plain string work: posixpath.relpath costs more than the rest of a page."""
    up = "../" * page_path.count("/")

    def url(target: str) -> str:
        path, hash_, fragment = target.partition("#")
        if (path == "" or path.endswith("/")) and not directory_urls:
            path += "index.html"
        relative = up + path
        return (relative or "./") + hash_ + fragment

    return url


@dataclass(frozen=True, slots=True)
class PageMemory:
    """What the previous build rendered, so unchanged article pages are linked, not re-rendered."""

    site_dir: Path
    keys: dict[str, str]

    def unchanged(self, key: str) -> list[str] | None:
        """The files the previous build made under `key`, when they are all still there: a group
        of pages made from one index shares one key, the digest of what the index is made from."""
        paths = sorted(path for path, k in self.keys.items() if k == key)
        return paths if paths and all((self.site_dir / path).is_file() for path in paths) else None


def render(site: Site | Assembly, templates_dir: Path, history: History | None = None,
           memory: PageMemory | None = None, keys: dict[str, str] | None = None,
           workers: int = 1, writer: StagingWriter | None = None,
           splices: Path | None = None, indexes: Path | None = None) -> Iterator[Page | str]:
    """Yield (path, bytes) per page, (path, old file) for a page whose inputs did not change, or
    (path, pieces) for a data file written piece by piece.

    Pages are streamed so a 100,000-article site is never held in memory at once; `keys`
    collects each article page's input key for the next build. ARTICLE_PAGES_DONE follows the
    last article page: the search index can start on them while the rest is rendered. While
    the workers render pages, this process computes the quotes, events, entities and
    discrepancies the later pages show, then writes the data files. With `writer` (see
    `publish.StagingWriter`), the pages rendered in the pool are written by whoever renders them,
    the workers link the unchanged pages into the new site, and they also write the data files that
    show no findings: after one edit those are most of what is left once the findings are computed.
    In a recycled staging folder, one of them first sweeps away the article pages this build does
    not make (`_article_sweep`), while this process makes the points.
    `splices`: a folder for the indexes of the data files that copy their unchanged items from the
    previous site's (`splice.Splice`), used by whichever process writes such a file (a worker, or
    this one in a build without workers). `indexes`: a folder where corpus-wide indexes are saved
    with the digest of their inputs (`saved_indexes.SavedIndexes`), read back by a build whose edits
    left those inputs unchanged; the pages made from such an index are then kept too.

    Given an `Assembly`, the pages that list articles (and the data files made from the articles
    alone) are made first, from its corpus, while this process finishes it: assemble's points and
    topics keep one core busy for seconds, and these pages need neither. So does the entity index:
    with a writer, a `SideProcess` makes it, its pages and entities.json from the corpus, and may
    go on doing so beside the later passes; this process collects what it wrote at the end.
    """
    templates_key = tree_fingerprint(templates_dir)
    env = environment(str(templates_dir), templates_key)
    history = history or History((), {})
    keys = {} if keys is None else keys
    html_paths = []
    side: SideProcess | None = None
    prelinked: set[str] = set()
    try:
        forks = workers if workers > 1 else 0
        # Unchanged pages are linked by the workers when there are any (`offload`): after one edit at
        # 10,000 articles, linking the others here held this process for over a second before the
        # findings.
        offload = bool(forks and writer is not None)
        corpus = site.corpus if isinstance(site, Assembly) else site
        spliced = _Splices(splices if writer is not None else None, memory, corpus)
        listing: list[PageJob] = [*(spliced.job(path, make) for path, make in CORPUS_DATA_FILES if offload),
                                  *_listing_pages(corpus, history)]
        html_paths += [path for path, _, _ in listing if path.endswith(".html")]
        # Kept from the previous build when what they show is unchanged: after one edit, the 666 of
        # them at 10,000 articles were rendered again, 3.5 s of a core (of `serve`'s only one).
        listing_keys, fresh = ListingPageKeys(corpus, templates_key), []
        for path, template, context in listing:
            old = None if template == DATA_FILE else _kept(path, listing_keys.of(context), memory, keys)
            if old is None:
                fresh.append((path, template, context))
            elif offload:
                fresh.append((path, LINK, {"old": old}))
            else:
                yield path, old
        listing = fresh
        # The entity index, its pages and entities.json, kept whole from the previous build when
        # what the index is made from is unchanged (an edit that touches no name).
        names = site.corpus_findings if isinstance(site, Assembly) else site.findings
        entities_key = _entities_key(corpus, names, templates_key)
        kept = memory.unchanged(entities_key) if memory and entities_key else None
        if isinstance(site, Assembly):
            assembly = site
            # A worker for each core this process leaves free: more would share its core and slow
            # the assembly, which also costs it a copy of each page it writes while they share them.
            before = _workers_beside(forks - 1) if forks else 0
            # Not in a site's first build: every page is made, and the workers keep every core busy
            # all along, so the side process only ran when they paused, to the end, holding its own
            # copy of this process (full build at 10,000 articles: peak 1.95 GB with it, 1.63 GB
            # without, in 42.9 s against 43.6 s, medians of five).
            if offload and entities_key and kept is None and memory is not None \
                    and _workers_beside(before + 1) > before:
                side = SideProcess(partial(_entity_files, names, env, corpus, writer, templates_dir))
            early = _early_links(corpus, memory, templates_key, keys) if offload else []
            prelinked = {path for path, _, _ in early}
            yield from _make_pages([*_article_sweep(corpus, writer if offload else None), *listing, *early],
                                   env, corpus, shared_context(corpus), before,
                                   meanwhile=_finishing(assembly), writer=writer, yielding=True)
            site, listing = assembly.finish(), []
        shared = shared_context(site)
        if site.findings is not None and indexes is not None:
            site.findings.saved = SavedIndexes(indexes)
        links: list[PageJob] = []
        todo: list[tuple[str, str, dict[str, Any]]] = []
        for article in site.articles:
            path, context = article_page_path(article.id), _article_context(site, article)
            html_paths.append(path)
            old = _kept(path, _article_key(context, shared, templates_key, site), memory, keys)
            if old is None:
                todo.append((path, "article.html", context))  # over its early link, if any
            elif path in prelinked:
                yield path, Placed(False, reused=True)
            elif offload:
                links.append((path, LINK, {"old": old}))
            else:
                yield path, old
        # A topic's later pages too, unless what they show changed: after one edit, most are as
        # they were, and rendering them all (1,347 at 10,000 articles, 2.7 ms each) was most of the
        # rebuild's tail, after the findings.
        later: list[PageJob] = []
        topic_keys = TopicPageKeys(site, templates_key)
        for path, template, context in _later_topic_pages(site):
            old = _kept(path, topic_keys.of(context), memory, keys)
            if old is None:
                later.append((path, template, context))  # listed in html_paths with the rest of `plain`
                continue
            html_paths.append(path)
            if offload:
                links.append((path, LINK, {"old": old}))
            else:
                yield path, old
        # Made here unless they are kept or the side process makes them.
        entities = kept is None and side is None
        # While the workers render article pages and the pages that show no findings, this process
        # computes the findings, then renders pages too. What it makes meanwhile counts as one more
        # copy of it: when memory is short, one worker fewer (computing the findings first, alone,
        # made the serial part of a 100,000-article build grow faster than the corpus).
        findings = _findings(site, entities=entities)
        first = _workers_beside(forks) if forks and site.findings is not None else forks
        plain = [*_overview_pages(site, history), *later, *_topic_feeds(site)]
        offloaded: list[PageJob] = [spliced.job(path, make, point_key=topic_keys.point.of)
                                    for path, make in TOPIC_DATA_FILES if offload]
        yield from _make_pages([*links, *todo, *offloaded, *listing, *plain], env, site, shared, first,
                               marker_after=len(links) + len(todo), meanwhile=findings, writer=writer,
                               yielding=site.findings is not None)
        # The quote index's pages and quotes.json, kept when no quotation changed (the index itself,
        # which the topics' first pages show too, was read back from the cache in the findings).
        quotes_key = _quotes_key(site, templates_key)
        kept_quotes = memory.unchanged(quotes_key) if memory and quotes_key else None
        # The discrepancy pages and discrepancies.json, kept when what they show is unchanged (known
        # only now: the discrepancies are found anew, most of them taken from the previous build).
        discrepancies_key = _discrepancies_key(site, templates_key)
        kept_discrepancies = memory.unchanged(discrepancies_key) if memory and discrepancies_key else None
        # The findings' data files whose pages and file this pass does not make: kept, or made elsewhere.
        not_here = frozenset(path for path, made in ((ENTITIES_JSON, entities), (QUOTES_JSON, kept_quotes is None),
                                                     (DISCREPANCIES_JSON, kept_discrepancies is None)) if not made)
        # The data files here while the workers render the findings' pages: after one edit, few
        # article pages are left to render, and the findings alone keep this process as busy.
        links = []
        for path, key in [*((p, entities_key) for p in kept or ()), *((p, quotes_key) for p in kept_quotes or ()),
                          *((p, discrepancies_key) for p in kept_discrepancies or ())]:
            keys[path] = key
            if offload:
                links.append((path, LINK, {"old": memory.site_dir / path}))
            else:
                yield path, memory.site_dir / path
        # In a rebuild with a writer, the findings' data files are jobs for the pool too, biggest
        # first, while this process takes pages from the end: encoded here, they were the last second
        # and a half of a one-edit rebuild at 10,000 articles, on this process alone. In a site's first
        # build they are made here, the workers renewed between them: a worker making one read the
        # whole index, and its copy of it (300-360 MB at 10,000 articles) made the build's peak.
        found_data: list[PageJob] = [(path, DATA_FILE, {"make": make})
                                     for path, make in _findings_data_files(site, not_here)
                                     if offload and memory is not None]
        shown = [*found_data, *links, *_findings_pages(site, not_here)]
        data = _data_files(site, history, not_here, plain=not offloaded, findings=not found_data, spliced=spliced, writer=writer,
                           point_key=topic_keys.point.of)
        for data_file, key in ((ENTITIES_JSON, entities_key), (QUOTES_JSON, quotes_key),
                               (DISCREPANCIES_JSON, discrepancies_key)):
            if key and data_file not in not_here:
                keys.update((path, key) for path, _, _ in shown if path.startswith(PAGES_OF[data_file]))
                keys[data_file] = key
        yield from _make_pages(shown, env, site, shared, forks, meanwhile=data, writer=writer)
        html_paths += [path for path in [*(kept or ()), *(kept_quotes or ()), *(kept_discrepancies or ()),
                                         *(p for p, t, _ in [*plain, *shown] if t != LINK)]
                       if path.endswith(".html")]
        if side is not None:
            for path, placed in side.result():
                keys[path] = entities_key
                html_paths += [path] if path.endswith(".html") else []
                yield path, placed
            side = None
        yield from _sitemaps(env, site, shared, [p.removesuffix("index.html") for p in sorted(html_paths)
                                                 if p != "404.html"])
    except TemplateError as exc:
        raise _template_problem(exc, templates_dir) from None
    finally:
        if side is not None:  # render failed, or its consumer stopped early: the side's work is moot
            side.cancel()
    yield "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {site.config.site.base_url}sitemap.xml\n".encode()
    for asset in sorted((templates_dir / "assets").rglob("*")):
        if asset.is_file():
            yield f"assets/{asset.relative_to(templates_dir / 'assets').as_posix()}", asset.read_bytes()


SITEMAP_LIMIT = 50_000
"""URLs one sitemap may list (sitemaps.org); a bigger site gets a sitemap index over several."""


def _sitemaps(env: Environment, site: Site, shared: dict[str, Any], urls: list[str]) -> Iterator[Page]:
    limit = SITEMAP_LIMIT
    if len(urls) <= limit:
        yield "sitemap.xml", _render_one(env, site, "sitemap.xml", "sitemap.xml", {"pages": urls}, shared)
        return
    names = [f"sitemap-{n}.xml" for n in range(1, page_count(len(urls), limit) + 1)]
    for n, name in enumerate(names):
        yield name, _render_one(env, site, name, "sitemap.xml", {"pages": urls[n * limit:(n + 1) * limit]}, shared)
    yield "sitemap.xml", _render_one(env, site, "sitemap.xml", "sitemapindex.xml", {"sitemaps": names}, shared)


ENTITY_PAGES = "entities/"
ENTITIES_JSON = "data/entities.json"


def _entities_key(site: Site, findings: Findings | None, templates_key: str) -> str | None:
    """What the entity pages and entities.json are made from: the index's inputs, the code, the
    templates, the configuration and the source pages they link to."""
    if findings is None:
        return None
    return key_of("entities", templates_key, source_fingerprint(), site.config.fingerprint,
                  sorted(site.source_of.items()), findings.entity_inputs)


QUOTE_PAGES = "quotes/"
QUOTES_JSON = "data/quotes.json"


def _quotes_key(site: Site, templates_key: str) -> str | None:
    """What the quote pages and quotes.json are made from: the quote index's key (its inputs, the
    code, the configuration), the templates and the source pages they link to."""
    if site.findings is None:
        return None
    return key_of("quote pages", templates_key, site.findings.quotes_key, sorted(site.source_of.items()))


DISCREPANCY_PAGES = "discrepancies/"
DISCREPANCIES_JSON = "data/discrepancies.json"
PAGES_OF = {ENTITIES_JSON: ENTITY_PAGES, QUOTES_JSON: QUOTE_PAGES, DISCREPANCIES_JSON: DISCREPANCY_PAGES}
"""A findings' data file -> the folder of the pages made from the same index (kept together)."""


def _discrepancies_key(site: Site, templates_key: str) -> str | None:
    """What the discrepancy pages and discrepancies.json are made from: what they show
    (`discrepancy_memo.shown_digest`), the code, the configuration, the templates and the source
    pages they link to."""
    if site.findings is None:
        return None
    return key_of("discrepancy pages", templates_key, source_fingerprint(), site.config.fingerprint,
                  sorted(site.source_of.items()), site.findings.discrepancies_shown)


def _entity_files(findings: Findings, env: Environment, site: Site, writer: StagingWriter,
                  templates_dir: Path) -> list[tuple[str, Placed]]:
    """In a `SideProcess`: the entity index, its pages and entities.json, written into the staging
    folder. They need no points, so they are made while this process finishes the assembly, on
    the core it would leave idle once the pages listing articles are made."""
    try:
        index, shared = findings.entities, shared_context(site)
        # What the index was made from: this process's own (the passages of every sentence), not
        # needed for the pages, and alive beside the render workers until they end.
        del findings.sentences, findings.per_article
        placed = [(path, Placed(writer.put(path, _render_one(env, site, path, template, context, shared))))
                  for path, template, context in entity_pages(index)]
    except TemplateError as exc:  # as our own error: Jinja's do not survive the trip back
        raise _template_problem(exc, templates_dir) from None
    return [*placed, (ENTITIES_JSON, Placed(writer.put(ENTITIES_JSON, datafiles.entity_index_json(index))))]


class SideProcess:
    """One function run in a forked process beside this one (at the workers' lower priority), its
    result collected when this process needs it. Unlike a pool's job, it can outlast the pass of
    pages during which it started. Start it from the thread that collects it: the kernel kills it
    when the thread that forked it ends."""

    def __init__(self, function: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self.reader, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_side, args=(function, sender, os.getpid()), daemon=True)
        with long_lived():  # forked with the corpus frozen, as the pool's workers are
            self.process.start()
        sender.close()

    def result(self) -> Any:
        try:
            done, value = self.reader.recv()
        except EOFError:
            self.process.join()
            raise _worker_died() from None
        self.process.join()
        if not done:
            raise value
        return value

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _side(function: Callable[[], Any], sender: Any, parent: int) -> None:
    """The side process: dies with the build, steps back, and runs `function`."""
    die_with_parent(parent)
    os.nice(WORKER_NICENESS)
    try:
        outcome = (True, function())
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent by `result`
        outcome = (False, exc)
    sender.send(outcome)
    sender.close()


def _finishing(assembly: Assembly) -> Iterator[None]:
    """`Assembly.finish` as a step of `_make_pages`."""
    assembly.finish()
    yield None


def _findings(site: Site, entities: bool = True) -> Iterator[None]:
    """Quotes, events, entities and discrepancies, one index per step (see `_make_pages`); then
    what the next build may reuse of them is saved (0.2-0.3 s at 10,000 articles), while the
    workers, which now end this pass, still render its pages."""
    if site.findings is not None:
        for name in ("entities", "quotes", "timeline", "discrepancies"):
            if name != "entities" or entities:
                getattr(site.findings, name)
                yield None
        site.findings.save_made()
        yield None


PageJob = tuple[str, str, dict[str, Any]]
"""A page to render: (path, template, context)."""


CORPUS_DATA_FILES: tuple[tuple[str, Callable[[Site], Iterator[bytes]]], ...] = (
    ("data/articles.json", datafiles.articles_json),
    ("data/report.json", datafiles.report_json),
)
"""The data files made from the articles alone (`Assembly.corpus`), the biggest first."""
TOPIC_DATA_FILES: tuple[tuple[str, Callable[[Site], Iterator[bytes]]], ...] = (
    ("data/topics.json", datafiles.topics_json),
)
"""Made once the points and topics are."""
FINDINGS_DATA_FILES: tuple[tuple[str, Callable[[Site], Iterator[bytes]]], ...] = (
    (ENTITIES_JSON, datafiles.entities_json),
    ("data/quotes.json", datafiles.quotes_json),
    ("data/events.json", datafiles.events_json),
    ("data/discrepancies.json", datafiles.discrepancies_json),
)
"""Made once the findings are, the biggest first."""
PLAIN_DATA_FILES = (*TOPIC_DATA_FILES, *CORPUS_DATA_FILES)
"""The data files that show no findings, the biggest first: made from the assembled site alone."""
DATA_FILE = ""
"""The 'template' of a job that writes a data file (one of PLAIN_DATA_FILES or FINDINGS_DATA_FILES)."""


LINK = "\0link"
"""The 'template' of a job that links an unchanged page of the previous site into the new one."""
EARLY_LINK = "\0early link"
"""The same for an article page whose key is not known yet (see `_early_links`): not reported."""
SWEEP = "\0sweep"
"""The 'template' of the job that sweeps the article folders of a recycled staging folder."""
_NOTHING_RENDERED = frozenset((LINK, EARLY_LINK, SWEEP))
"""The 'templates' of jobs that render nothing (and read nothing of the corpus)."""
_ALONE = frozenset((DATA_FILE, SWEEP))
"""The 'templates' of jobs that take as long as hundreds of pages: a chunk each."""


def article_page_path(article_id: str) -> str:
    """Where an article's page is in the site: every step that makes, links or sweeps one uses this."""
    return f"{ARTICLES}/{article_id}/index.html"


def _article_sweep(corpus: Site, writer: StagingWriter | None) -> list[PageJob]:
    """The job that removes the spare's article pages this build does not make (`sweep_articles`),
    when the staging folder is a recycled spare (it has article folders before any page is written)
    and the pool writes the pages."""
    if writer is None or not (writer.root / ARTICLES).is_dir():
        return []
    return [("", SWEEP, {"pages": frozenset(article_page_path(a.id) for a in corpus.articles)})]


ARTICLE_PAGES_BASE = "#article pages"
"""Not a page: the key, among the pages' keys, of what every article page is made with."""


def _early_links(corpus: Site, memory: PageMemory | None, templates_key: str, keys: dict[str, str]) -> list[PageJob]:
    """Every article page of the previous site, linked into the staging folder while the points
    are made (an article page's key needs its related articles, which come from the points): on
    the core the points leave idle, instead of after them, when both cores are busy (after one edit
    at 10,000 articles, linking them took both workers 0.85 s then). A page whose key turns out
    changed is rendered over its link. None when what every article page is made with (code,
    templates, configuration, the sources' pages) changed: then all are made again, and linking
    them first made a new site title slower (18.9 s against 18.3 s, medians of four)."""
    base = keys[ARTICLE_PAGES_BASE] = key_of(templates_key, source_fingerprint(), corpus.config.fingerprint,
                                            sorted(corpus.source_of.items()))
    if memory is None or memory.keys.get(ARTICLE_PAGES_BASE) != base:
        return []
    jobs = []
    for article in corpus.articles:
        path = article_page_path(article.id)
        if path in memory.keys:
            jobs.append((path, EARLY_LINK, {"old": memory.site_dir / path}))
    return jobs


def _data_files(site: Site, history: History, not_here: frozenset[str] = frozenset(), plain: bool = True,
                findings: bool = True, spliced: _Splices | None = None, writer: StagingWriter | None = None,
                point_key: Callable[[Point], str] | None = None) -> Iterator[Page]:
    """`data/*.json`, each written piece by piece as it is yielded; without those of
    PLAIN_DATA_FILES or FINDINGS_DATA_FILES when the workers write them (`plain`, `findings`),
    nor those of `not_here` (kept, or made elsewhere). With `spliced` and `writer`
    (a build without workers: `serve`'s), those of SPLICED_DATA_FILES are written here, spliced."""
    if plain:
        for path, make in PLAIN_DATA_FILES:
            options = {"point_key": point_key} if (path, make) in TOPIC_DATA_FILES else {}
            path, _, context = spliced.job(path, make, **options) if spliced else (path, DATA_FILE, {})
            if writer is not None and context.get("splice") is not None:
                yield path, Placed(_spliced_file(path, context, site, writer))
            else:
                yield path, make(site)
    if findings:
        for path, make in _findings_data_files(site, not_here):
            yield path, make(site)
    yield "data/changes.json", datafiles.changes_json(history)


def _findings_data_files(site: Site, not_here: frozenset[str]) -> list[tuple[str, Callable[[Site], Iterator[bytes]]]]:
    """FINDINGS_DATA_FILES this pass makes: none without findings, none of `not_here`."""
    if site.findings is None:
        return []
    return [(path, make) for path, make in FINDINGS_DATA_FILES if path not in not_here]


def render_article_pages(site: Site, templates_dir: Path, articles: list[Article]) -> Iterator[Page]:
    """Edited articles' pages, rendered against an earlier build of the site (its related
    articles and source pages): what `serve` puts live before the full rebuild catches up."""
    env = environment(str(templates_dir), tree_fingerprint(templates_dir))
    shared = shared_context(site)
    shared["articles_by_id"] = {**shared["articles_by_id"], **{a.id: a for a in articles}}
    try:
        for article in articles:
            path = article_page_path(article.id)
            yield path, _render_one(env, site, path, "article.html", _article_context(site, article), shared)
    except TemplateError as exc:
        raise _template_problem(exc, templates_dir) from None


_POOL_STATE: tuple[Any, ...] = ()
"""Set just before forking, so workers inherit the site instead of receiving it by pickle."""
CHUNK = 64


def _make_pages(jobs: list[PageJob], env: Environment, site: Site, shared: dict[str, Any], forks: int,
                meanwhile: Iterable[Page | None] = (), marker_after: int | None = None,
                writer: StagingWriter | None = None, yielding: bool = False) -> Iterator[Page | str]:
    """Pages are independent: render them on every core, while this process works through
    `meanwhile` (steps that make no page, None, or pages this process makes itself, the data
    files, yielded as they come), then renders pages too, from the end of the list while the
    workers take them from the start (`ChunkClaims`). Pages come back in the order they are
    made; ARTICLE_PAGES_DONE follows the first `marker_after` jobs once they are all made.
    `forks`: the worker processes wanted; with none, or no memory for a forked copy, everything
    is made here. With `writer`, the pages rendered in the pool are written by whoever renders
    them (`publish.Placed`); without, they come back as bytes for `publish` to write.

    `yielding`: the workers run at a lower priority (`WORKER_NICENESS`), so that `meanwhile`, the
    step everything after waits for, gets a whole core while they use what it leaves.

    The workers are replaced by fresh forks along the pass, between this process's steps
    (`page_workers.PageWorkers`), so that none comes to hold a copy of most of the corpus; a
    worker that has made a data file (which reads all of it) is replaced at the next step."""
    global _POOL_STATE
    chunks = _chunks(jobs)
    workers = workers_memory_allows(forks) if forks and chunks else 0
    context = multiprocessing.get_context("fork") if workers else None
    claims = ChunkClaims(len(chunks), context) if workers else None
    _POOL_STATE = (jobs, env, site, shared, chunks, writer)
    articles_left = marker_after

    def rendered(chunk: range, pages: list[Page | str]) -> Iterator[Page | str]:
        nonlocal articles_left
        yield from pages
        if articles_left is not None and articles_left > 0:
            articles_left -= len(range(chunk.start, min(chunk.stop, marker_after or 0)))
            if articles_left <= 0:
                yield ARTICLE_PAGES_DONE

    try:
        if marker_after == 0:
            yield ARTICLE_PAGES_DONE
        if workers == 0:
            yield from (page for page in meanwhile if page is not None)
            for n, chunk in enumerate(chunks):
                yield from rendered(chunk, _render_chunk(n))
            return
        niceness = WORKER_NICENESS if yielding else 0
        heavy = frozenset(n for n, chunk in enumerate(chunks) if jobs[chunk.start][1] == DATA_FILE)
        work = tuple(sum(jobs[i][1] not in _NOTHING_RENDERED for i in chunk) for chunk in chunks)
        with long_lived(), PageWorkers(workers, claims, _chunk_outcomes, context, niceness, heavy=heavy,
                                       work=work) as pool:
            for page in meanwhile:
                if page is not None:
                    yield page
                for n, outcomes in pool.poll():
                    yield from rendered(chunks[n], _as_pages(n, outcomes))
            for n in range(len(chunks) - 1, -1, -1):  # from the end, until a worker has taken the chunk
                for done, outcomes in pool.poll():
                    yield from rendered(chunks[done], _as_pages(done, outcomes))
                if not claims.claim(n):
                    break
                yield from rendered(chunks[n], _render_chunk(n))
            for n, outcomes in pool.rest():
                yield from rendered(chunks[n], _as_pages(n, outcomes))
    except WorkerDied:
        raise _worker_died() from None
    finally:
        _POOL_STATE = ()


def _worker_died() -> BriefingError:
    """What a pool worker or the side process killed mid-build (out of memory, most likely) tells."""
    return BriefingError("a worker process rendering pages died (the system may have run out of memory)",
                         "render", hint="free some memory and build again")


WORKER_NICENESS = 10
"""How far render workers step back while this process does what the rest of the build waits for
(finishing the assembly, then the findings): with a worker per core, three processes shared two
cores, and the findings got two thirds of one (one edit at 10,000 articles: quotes, events and
discrepancies 4.3 s alone, 6 s beside the workers)."""


def _chunks(jobs: list[PageJob]) -> list[range]:
    """Runs of up to CHUNK pages; a data file or a sweep a chunk of its own (`_ALONE`)."""
    chunks: list[range] = []
    start = 0
    for end in [*(i for i, job in enumerate(jobs) if job[1] in _ALONE), len(jobs)]:
        chunks += [range(i, min(i + CHUNK, end)) for i in range(start, end, CHUNK)]
        if end < len(jobs):
            chunks.append(range(end, end + 1))
        start = end + 1
    return chunks


COPIED_SHARE = 1.0
"""How much of this process a forked worker may come to copy: pages are shared until written,
and reference counting writes to every object a worker touches. Measured at 100,000 articles:
a worker forked from a 9.5 GB process held 13.8 GB of its own when the system ran out."""


def workers_memory_allows(wanted: int) -> int:
    """Forked workers that fit in the memory available now (0: none; the caller works alone).
    At 100,000 articles two of them made the machine run out of memory."""
    ours, available = _meminfo("/proc/self/status", "VmRSS:"), _meminfo("/proc/meminfo", "MemAvailable:")
    if not ours or available is None:
        return wanted
    return max(0, min(wanted, int(available // (ours * COPIED_SHARE))))


def _workers_beside(wanted: int) -> int:
    """Workers to fork while this process goes on with work of its own, which grows it by about
    as much as a forked copy: one fewer than memory allows copies of it."""
    return min(wanted, max(workers_memory_allows(wanted + 1) - 1, 0))


def _meminfo(path: str, field: str) -> int | None:
    """A kB figure from a /proc file (None where there is none: not Linux)."""
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _render_chunk(n: int) -> list[Page | str]:
    """Chunk `n`'s pages, or, with a writer, what became of them once written."""
    return _as_pages(n, _chunk_outcomes(n))


def _as_pages(n: int, outcomes: list[Placed | bytes | None]) -> list[Page | str]:
    jobs, chunks = _POOL_STATE[0], _POOL_STATE[4]
    return [(jobs[i][0], outcome) if jobs[i][1] != SWEEP else ARTICLES_SWEPT
            for i, outcome in zip(chunks[n], outcomes) if outcome is not None]


def _chunk_outcomes(n: int) -> list[Placed | bytes | None]:
    """What became of each of chunk `n`'s jobs, in order (None for an early link, reported later):
    what a worker sends back, without the paths, so that the results of thousands of chunks fit in
    the pipe while this process is busy (`page_workers.PIPE_BYTES`)."""
    jobs, env, site, shared, chunks, writer = _POOL_STATE
    outcomes: list[Placed | bytes | None] = []
    for path, template, context in (jobs[i] for i in chunks[n]):
        if template == EARLY_LINK:  # reported later, by `render`, if its key says it is kept
            if context["old"].is_file():  # else `render` finds it is not kept, and renders it
                writer.link(path, context["old"])
            outcomes.append(None)
        elif template == LINK:  # only made with a writer (`render`)
            writer.link(path, context["old"])
            outcomes.append(Placed(False, reused=True))
        elif template == SWEEP:  # likewise
            sweep_articles(writer.root, context["pages"])
            outcomes.append(Placed(False))
        elif template == DATA_FILE and context.get("splice") is not None:
            outcomes.append(Placed(_spliced_file(path, context, site, writer)))
        else:
            content = context["make"](site) if template == DATA_FILE else _render_one(env, site, path, template,
                                                                                     context, shared)
            outcomes.append(Placed(writer.put(path, content)) if writer is not None else content)
    return outcomes


def _spliced_file(path: str, context: dict[str, Any], site: Site, writer: StagingWriter) -> bool:
    """A data file made with a `Splice`, whose index is kept for the next build once the file is
    final (a new file, or the previous one linked when its bytes are the same)."""
    splice: Splice = context["splice"]
    splice.open()
    try:
        changed = writer.put(path, context["make"](site, splice, **context.get("options", {})))
    except BaseException:
        splice.close()
        raise
    splice.save(writer.root / path, unchanged=not changed)
    return changed


SPLICED_DATA_FILES = ("data/articles.json", "data/topics.json")
"""The data files whose items are copied from the previous site's when unchanged (`splice`)."""


class _Splices:
    """The data file jobs of one build, each with its `Splice` when it has one: in a build that
    writes into a staging folder itself (`StagingWriter`) and has a folder for the indexes. A file
    written otherwise has another identity than its index says, which is then unused."""

    def __init__(self, folder: Path | None, memory: PageMemory | None, site: Site) -> None:
        # Not for a site's first build: written item by item to record where each is, topics.json
        # took 1.4-1.9 s instead of 1.2 s; the first rebuild records the index.
        self.folder = folder if memory is not None else None
        self.previous = memory.site_dir if memory is not None else Path()
        self.base = key_of(source_fingerprint(), site.config.fingerprint)

    def job(self, path: str, make: Callable[..., Any], **options: Any) -> PageJob:
        if self.folder is None or path not in SPLICED_DATA_FILES:
            return path, DATA_FILE, {"make": make}
        splice = Splice(self.previous / path, self.folder / f"{Path(path).name}.index", self.base)
        return path, DATA_FILE, {"make": make, "splice": splice, "options": options}


def _article_key(context: dict[str, Any], shared: dict[str, Any], templates_key: str, site: Site) -> str:
    """Everything an article page shows: the article itself, its related articles' names,
    its sources' page slugs, the code, the templates and the configuration."""
    article: Article = context["article"]
    by_id = shared["articles_by_id"]
    related = [(i, n, by_id[i].title, by_id[i].outlet, by_id[i].agency) for i, n in context["related"]]
    sources = [shared["source_of"].get(name) for name in (article.outlet, article.agency)]
    return key_of(templates_key, source_fingerprint(), site.config.fingerprint, article.source_path,
                  article.content_hash, article.id, related, sources)


def _kept(path: str, key: str, memory: PageMemory | None, keys: dict[str, str]) -> Path | None:
    """The previous build's file for a page made from the same inputs (`key`, recorded for the
    next build), when it is still there."""
    keys[path] = key
    if memory is None or memory.keys.get(path) != key:
        return None
    old = memory.site_dir / path
    return old if os.path.isfile(old) else None


class ListingPageKeys:
    """The input key of a page that lists articles, sources or inputs (`_listing_pages`): what its
    context holds, each article by its inputs (source file, content hash, id: they fix everything
    the stages make of it), with the code, templates, configuration, the sources' page slugs and
    the latest date, which every page may show. Read field by field, not by `repr`: an article's
    would be its whole text, and a set's order changes from one run to the next."""

    def __init__(self, site: Site, templates_key: str) -> None:
        self.base = key_of(templates_key, source_fingerprint(), site.config.fingerprint,
                           sorted(site.source_of.items()), site.latest_date)

    def of(self, context: dict[str, Any]) -> str:
        shown: list[str] = []
        _shown(context, shown)
        return key_of(self.base, shown)


def _shown(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(repr(value))
    elif isinstance(value, Article):
        out.append(f"\1{value.inputs}")
    elif isinstance(value, (int, float, bool, type(None), Severity)):
        out.append(repr(value))
    elif isinstance(value, dict):
        out.append("{")
        for key, item in value.items():
            _shown(key, out)
            _shown(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for item in value:
            _shown(item, out)
        out.append("]")
    elif isinstance(value, (set, frozenset)):
        out.append(repr(sorted(repr(item) for item in value)))
    elif is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__name__)
        for name in _field_names(type(value)):
            _shown(getattr(value, name), out)
    elif callable(value):  # a helper the template calls: part of the code
        out.append(getattr(value, "__qualname__", type(value).__name__))
    else:  # an object of unknown make: a key that never matches, so the page is always made
        out.append(f"{type(value).__qualname__}@{os.urandom(8).hex()}")


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's fields, found once per class: `fields` filters the class's attributes on each
    call, and the pages listing articles read thousands of records (build report entries)."""
    return tuple(f.name for f in fields(kind))


class TopicPageKeys:
    """The input key of a topic's later pages: what the page is given (the topic's rule as a
    `TopicHead`, its rank and pager) and, per point on the page, its passages, each by its article's
    inputs (source file, content hash, id), which fix the passage's text and its article's title,
    outlet, agency and date; the point's sources follow from those. With the code, templates,
    configuration, the sources' page slugs and the latest date, as for the pages listing articles.
    Whole points and whole articles, not the fields topic.html reads today: a customised template
    may show more of them. Not the content of every article of the topic, though: a later page
    shows only its own points' articles (see the README on templates)."""

    def __init__(self, site: Site, templates_key: str) -> None:
        self.base = key_of(templates_key, source_fingerprint(), site.config.fingerprint,
                           sorted(site.source_of.items()), site.latest_date)
        self.point = PointDigests(site.articles)

    def of(self, context: dict[str, Any]) -> str:
        head: TopicHead = context["topic"]
        return key_of(self.base, repr(head.rule), context["first_rank"], repr(context["pager"]),
                      list(map(self.point.of, context["points"])))


def _template_problem(exc: TemplateError, templates_dir: Path) -> BriefingError:
    path, line = _template_location(exc, templates_dir)
    return BriefingError(f"template error: {exc.message}", path, line,
                         hint="fix the template; the previous site is left as it was")


def _template_location(exc: TemplateError, templates_dir: Path) -> tuple[str, int | None]:
    """Jinja puts template lines into the traceback; the innermost one is where it failed."""
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename:
        return filename, line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(str(templates_dir)):
            return frame.filename, frame.lineno
    return str(templates_dir), None


def _overview_pages(site: Site, history: History) -> Iterator[PageJob]:
    """The home page and the topic index, which show the topics (see `_listing_pages`)."""
    rows = charts.coverage_rows(site.articles, site.config.topics)
    yield "index.html", "index.html", {"articles": site.articles, "topics": site.topics,
                                       "other": site.other_coverage, "changes": history.latest,
                                       "chart": charts.coverage_chart(rows, site.config.topics),
                                       "rows": rows}
    yield "topics/index.html", "topics.html", {"topics": site.topics}


def _listing_pages(site: Site, history: History) -> Iterator[PageJob]:
    """The pages that show the articles, sources and inputs but no points, topics or findings:
    made from `Assembly.corpus` (see `render`). Every list that grows with the corpus is split into
    pages of `site.page_size` (see generator/pagination.py)."""
    size = site.config.site.page_size
    yield "sources/index.html", "sources.html", {"sources": site.sources, "matrix": _matrix(site)}
    for source in site.sources:
        for path, articles, pager in paginate(f"sources/{source.slug}/", source.articles, size):
            yield path, "source.html", {"source": source, "articles": articles, "pager": pager}
    for path, articles, pager in paginate("timeline/", site.articles, size):
        yield path, "timeline.html", {"days": _days(articles), "undated": [a for a in articles if not a.date],
                                      "pager": pager, "count": len(site.articles)}
    other = site.other_coverage  # a property that reads every article's paragraphs: once, not per page
    for path, articles, pager in paginate("other/", other, size):
        yield path, "other.html", {"articles": articles, "pager": pager, "count": len(other)}
    inputs = _problems_first(site.inputs)
    skipped = sum(1 for r in inputs if r.article is None)
    warned = sum(1 for r in inputs if r.article is not None and _has_warnings(r))
    for path, listed, pager in paginate("about/", inputs, size):
        yield path, "about.html", {"inputs": listed, "pager": pager, "count": len(inputs), "skipped": skipped,
                                   "warned": warned}
    yield "search/index.html", "search.html", {}
    yield "changes/index.html", "changes.html", {"entries": tuple(reversed(history.entries))}
    yield "404.html", "404.html", {}
    updated = feeds.feed_updated(site.articles)
    yield "changes/feed.xml", "changes.xml", {"entries": tuple(reversed(history.entries)), "updated": updated}
    yield "feed.xml", "feed.xml", {"feed_articles": site.articles[:FEED_SIZE], "updated": updated,
                                   "feed_title": site.config.site.title, "feed_path": "feed.xml"}


def _problems_first(inputs: Sequence[InputReport]) -> list[InputReport]:
    """Skipped files, then files with warnings, then the rest, each in path order: what a reader
    of the build report looks for is on its first pages, not scattered over hundreds."""
    return sorted(inputs, key=lambda r: 0 if r.article is None else 1 if _has_warnings(r) else 2)


def _has_warnings(report: InputReport) -> bool:
    return any(w.severity != Severity.NOTE for w in report.warnings)


def _findings_pages(site: Site, not_here: frozenset[str] = frozenset()) -> Iterator[PageJob]:
    """The pages that show quotes, events, entities or discrepancies (topic pages show theirs);
    without the pages of the data files `not_here` (kept from the previous build, or made elsewhere)."""
    size = site.config.site.page_size
    found = site.findings
    disagreements = found.discrepancies.discrepancies if found is not None else ()
    discrepancy_urls = {d.id: url_of_item("discrepancies/", i, size) for i, d in enumerate(disagreements)}
    for topic in site.topics:
        path, points, pager = paginate(f"topics/{topic.slug}/", topic.points, size)[0]
        yield path, "topic.html", {"topic": topic, "points": points, "pager": pager, "first_rank": 0,
                                   "discrepancy_urls": discrepancy_urls, **_topic_findings(site, topic.slug)}
    if found is None:
        return
    yield from event_pages(found.timeline, size)
    if QUOTES_JSON not in not_here:
        yield from quote_pages(found.quotes.quotes, size)
    if ENTITIES_JSON not in not_here:
        yield from entity_pages(found.entities)
    if DISCREPANCIES_JSON not in not_here:
        yield from discrepancy_pages(disagreements, size)


def entity_pages(index: EntityIndex) -> Iterator[PageJob]:
    yield f"{ENTITY_PAGES}index.html", "entities.html", {"entities": index}
    for entity in index.entities:
        yield f"{ENTITY_PAGES}{entity.slug}/index.html", "entity.html", {"entity": entity}


def _later_topic_pages(site: Site) -> Iterator[PageJob]:
    """A topic's pages after the first show only its points, no findings (see topic.html), so they
    are rendered while the findings are computed: at 10,000 articles they are 1,347 of the 1,351
    topic pages, and rendered after the findings they were most of a one-edit rebuild's tail.
    They are given the topic's rule, not its summary (`TopicHead`)."""
    size = site.config.site.page_size
    for topic in site.topics:
        head = TopicHead(topic.rule)
        for path, points, pager in paginate(f"topics/{topic.slug}/", topic.points, size)[1:]:
            yield path, "topic.html", {"topic": head, "points": points, "pager": pager,
                                       "first_rank": (pager.number - 1) * size}


def quote_pages(quotes: Sequence[Quote], size: int) -> Iterator[PageJob]:
    attributed = sum(1 for q in quotes if q.speaker)
    for path, items, pager in paginate("quotes/", quotes, size):
        yield path, "quotes.html", {"quotes": items, "pager": pager, "count": len(quotes), "attributed": attributed}


def discrepancy_pages(disagreements: Sequence[Discrepancy], size: int) -> Iterator[PageJob]:
    for path, items, pager in paginate("discrepancies/", disagreements, size):
        yield path, "discrepancies.html", {"discrepancies": items, "pager": pager, "count": len(disagreements)}


def event_pages(timeline: Timeline, size: int) -> Iterator[PageJob]:
    """The timeline of events, `size` events a page in month sections, and the mentions left out
    (relative dates in undated articles) on pages of their own."""
    for path, events, pager in paginate("timeline/events/", timeline.events, size):
        yield path, "events.html", {"months": by_month(events), "pager": pager, "count": len(timeline.events),
                                    "left_out": len(timeline.left_out)}
    for path, mentions, pager in paginate("timeline/events/left-out/", timeline.left_out, size):
        yield path, "left-out.html", {"mentions": mentions, "pager": pager, "count": len(timeline.left_out)}


def _article_context(site: Site, article: Article) -> dict[str, Any]:
    return {"article": article, "related": site.related.get(article.id, ())[:MAX_RELATED]}


def _topic_findings(site: Site, slug: str) -> dict[str, Any]:
    """What a topic page shows besides its points: its quotes, dated events and discrepancies."""
    found = site.findings
    if found is None:
        return {"topic_quotes": (), "topic_events": (), "topic_discrepancies": ()}
    return {"topic_quotes": found.quotes.by_topic.get(slug, ()),
            "topic_events": found.timeline.by_topic.get(slug, ()),
            "topic_discrepancies": found.discrepancies.by_topic.get(slug, ())}


def _topic_feeds(site: Site) -> Iterator[PageJob]:
    for topic in site.topics:
        yield f"topics/{topic.slug}/feed.xml", "feed.xml", {
            "feed_articles": topic.articles[:FEED_SIZE], "updated": feeds.feed_updated(topic.articles),
            "feed_title": f"{topic.title} · {site.config.site.title}",
            "feed_path": f"topics/{topic.slug}/feed.xml"}


def _days(articles: Iterable[Article]) -> list[tuple[str, list[Article]]]:
    days: dict[str, list[Article]] = {}
    for article in articles:
        if article.date:
            days.setdefault(article.date[:10], []).append(article)
    return sorted(days.items(), reverse=True)


def _matrix(site: Site) -> dict[str, Any]:
    """Topics × sources: how many of each source's articles touch each topic."""
    counts = {(s.slug, slug): n for s in site.sources for slug, n in s.topics}
    peak = max(counts.values(), default=0)
    return {"counts": counts, "peak": peak, "cell": charts.matrix_cell}


def shared_context(site: Site) -> dict[str, Any]:
    """What every page may use, computed once per build (not once per page)."""
    return {"site": site.config.site, "site_root": urlsplit(site.config.site.base_url).path or "/",
            "fields": FIELDS, "articles_by_id": site.by_id,
            "source_of": site.source_of, "latest": site.latest_date, "rfc3339": feeds.rfc3339,
            "nav_topics": site.config.topics, "topic_titles": {t.slug: t.title for t in site.config.topics}}


def _render_one(env: Environment, site: Site, path: str, template: str,
                context: dict[str, Any], shared: dict[str, Any]) -> bytes:
    url = url_maker(path, site.config.site.directory_urls)
    canonical = site.config.site.base_url + (path[:-len("index.html")] if path.endswith("index.html") else path)
    html = env.get_template(template).render(url=url, page_path=path, canonical=canonical, **shared, **context)
    return html.encode()


