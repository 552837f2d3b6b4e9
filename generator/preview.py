"""What `briefing serve` keeps between builds, and its quick pass.

At 10,000 articles a full build takes many seconds even after a one-word edit,
because topic pages, indexes and data files depend on every article. The
editor wants to see the article they just fixed: the quick pass re-reads only
the edited files, renders their pages against the last full build (its related
articles and source pages) and puts them live; the full rebuild follows in the
background and brings every other page into line. Hugo's server does the same
("fast render mode").
"""

from __future__ import annotations

import gc
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.article import Article
from generator.cache import ArticleCache, forget_pages, read_article_cache, write_article_cache
from generator.config import SEARCH_SHARD_SIZE, load_config
from generator.lock import build_lock
from generator.pipeline import BuildResult, CacheFiles, build, default_cache_dir, read_article
from generator.render import render_article_pages
from generator.search import BUNDLE, SearchIndexing


@dataclass
class Preview:
    config_path: Path
    input_dir: Path
    output_dir: Path
    templates_dir: Path
    cache: ArticleCache = field(default_factory=ArticleCache)
    """Analysed articles, kept in memory: unpickling the cache file costs seconds at 10,000, so it
    is read once, by the first build."""
    site_articles: dict[str, Article] = field(default_factory=dict)
    """The last good build's articles by source path."""
    last: BuildResult | None = None
    failed: bool = False
    indexing: SearchIndexing | None = None
    """The search index being made, if one is."""
    index_stopped: bool = False
    shard_size: int = SEARCH_SHARD_SIZE
    """`site.search_shard_size`, as the last full build read it."""

    @property
    def cache_files(self) -> CacheFiles:
        """This site's files in the cache folder `build` uses for it (serve passes it no other)."""
        return CacheFiles(default_cache_dir(self.output_dir), self.output_dir)

    def full(self, assemble: bool = False) -> BuildResult:
        """A complete build, as `briefing build` would make it, but keeping the last search index
        (search works meanwhile, on the previous pages) until `index` has made a new one.
        `assemble`: even if the site is up to date (see `warm`)."""
        self.failed, self.index_stopped = True, False
        # What the last build left frozen (below) is let go, and the collector's one full pass over
        # it made here, in the background, rather than wherever its thresholds fall: at 10,000
        # articles one takes 2-3.6 s, and one that fell in a quick pass held it that long.
        gc.unfreeze()
        gc.collect()
        config = load_config(self.config_path)
        self.shard_size = config.site.search_shard_size
        with build_lock(self.output_dir, wait=True):
            if not self.cache.entries and self.cache.folder is None:
                # The first build starts from what `briefing build` analysed: without it, serve
                # analysed every article again (tens of seconds at 10,000).
                self.cache = read_article_cache(default_cache_dir(self.output_dir), config.reading_fingerprint)
            result = build(config, self.input_dir, self.output_dir, self.templates_dir, search=False,
                           parallel=False, cache=self.cache, carry=(BUNDLE,), shortcut=not assemble)
        if result.site is not None:  # not when the site was up to date: then no article was read
            self.cache.next_build()
            self.last = result
            self.site_articles = {a.source_path: a for a in result.site.articles}
        self.failed = False
        gc.freeze()  # the site and the cache, kept until the next build: out of the collector's sight
        return result

    def warm(self) -> None:
        """Serve found the site up to date at its start and served it as it was, without assembling
        it: do that now, off the edit loop, so the quick pass has a site to render edited articles
        against. Until then an edit waits for the full build, which would otherwise be the first
        to assemble it."""
        if self.last is None and not self.failed:
            self.full(assemble=True)

    def quick(self, touched: set[Path]) -> tuple[str, ...]:
        """Pages of edited articles that the last build already had, written into the live site.
        Anything else (new or removed files, configuration, templates) waits for the full build."""
        site = self.last.site if self.last else None
        inputs = self.input_dir.resolve()
        touched = {p for p in touched if not p.is_dir()}  # watchdog also reports the folder itself
        if site is None or self.failed or not touched or any(inputs not in p.resolve().parents for p in touched):
            return ()
        fresh = []
        for path in sorted(self.input_dir / p.resolve().relative_to(inputs) for p in touched):
            article = read_article(path, self.input_dir, site.config) if path.is_file() else None
            old = self.site_articles.get(article.source_path) if isinstance(article, Article) else None
            if old is not None and old.id == article.id:  # type: ignore[union-attr]
                fresh.append(article)
        written = []
        pages = list(render_article_pages(site, self.templates_dir, fresh))
        if pages:  # stopped before the full build, serve must not leave keys that claim the old pages
            forget_pages(self.cache_files.pages, [p for p, _ in pages])
        for path, html in pages:
            target = self.output_dir / path
            temporary = target.with_name(f".{target.name}.quick")
            temporary.write_bytes(html)
            temporary.replace(target)  # a reader sees the old page or the new one, never half
            written.append(path)
        return tuple(written)

    def index(self) -> None:
        """A new search index for the live pages, made beside the one in use and swapped in when
        complete; only the shards whose pages changed are indexed again, the others are linked from
        the live index. `stop_index` (from another thread: a new edit) abandons it, so the next full
        build never waits for Pagefind (30 s for every shard at 10,000 articles)."""
        with build_lock(self.output_dir, wait=True):
            live = self.output_dir / BUNDLE
            fresh, stale = live.with_name(".pagefind-next"), live.with_name(".pagefind-old")
            shutil.rmtree(fresh, ignore_errors=True)
            self.indexing = SearchIndexing(self.output_dir, fresh, live, self.shard_size, self.cache_files.search)
            if self.index_stopped:  # an edit came before there was anything to cancel
                self.indexing.cancel()
            done = False
            try:
                done = self.indexing.finish()
            finally:
                self.indexing = None
                if not done:
                    shutil.rmtree(fresh, ignore_errors=True)
            if not done:
                return
            shutil.rmtree(stale, ignore_errors=True)
            if live.exists():
                live.rename(stale)
            fresh.rename(live)
            shutil.rmtree(stale, ignore_errors=True)

    def stop_index(self) -> None:
        """Newer edits are coming: the index being made would be stale. Until the next full build."""
        self.index_stopped = True
        indexing = self.indexing
        if indexing is not None:
            indexing.cancel()

    def save_cache(self) -> None:
        """For the next `briefing build` or `serve`; the in-memory cache holds only what the last
        build used (see ArticleCache.next_build)."""
        if self.last and self.last.site:
            config = self.last.site.config
            write_article_cache(default_cache_dir(self.output_dir), self.cache, config.reading_fingerprint,
                                config.topics_fingerprint, keep=set(self.cache.entries))
