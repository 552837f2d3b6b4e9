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

from dataclasses import dataclass, field
from pathlib import Path

from generator.article import Article
from generator.cache import ArticleCache, write_article_cache
from generator.config import load_config
from generator.lock import build_lock
from generator.pipeline import BuildResult, build, default_cache_dir, read_article
from generator.render import render_article_pages
from generator.search import index_search


@dataclass
class Preview:
    config_path: Path
    input_dir: Path
    output_dir: Path
    templates_dir: Path
    cache: ArticleCache = field(default_factory=ArticleCache)
    """Analysed articles, kept in memory: unpickling the cache file costs seconds at 10,000."""
    site_articles: dict[str, Article] = field(default_factory=dict)
    """The last good build's articles by source path."""
    last: BuildResult | None = None
    failed: bool = False

    def full(self) -> BuildResult:
        """A complete build, as `briefing build` would make it (without the search index)."""
        self.failed = True
        config = load_config(self.config_path)
        with build_lock(self.output_dir, wait=True):
            result = build(config, self.input_dir, self.output_dir, self.templates_dir, search=False,
                           parallel=False, cache=self.cache)
        self.cache.next_build()
        if result.site is not None:
            self.last = result
            self.site_articles = {a.source_path: a for a in result.site.articles}
        self.failed = False
        return result

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
        for path, html in render_article_pages(site, self.templates_dir, fresh):
            target = self.output_dir / path
            temporary = target.with_name(f".{target.name}.quick")
            temporary.write_bytes(html)
            temporary.replace(target)  # a reader sees the old page or the new one, never half
            written.append(path)
        return tuple(written)

    def index(self) -> None:
        with build_lock(self.output_dir, wait=True):
            index_search(self.output_dir)

    def save_cache(self) -> None:
        """For the next `briefing build` or `serve`; the in-memory cache holds only what the last
        build used (see ArticleCache.next_build)."""
        if self.last and self.last.site:
            write_article_cache(default_cache_dir(self.output_dir), self.cache, self.last.site.config.fingerprint,
                                keep=set(self.cache.entries))
