"""The pipeline, in order: load → normalise → analyse → assemble → render → publish.

Read the stage modules in this order to follow one article from file to page.
`load`, `normalise` and `analyse` work on one file at a time (pure functions,
run in a process pool for large corpora); `assemble` is the one corpus-wide
step; `render` and `publish` turn the site into files.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.analyse import analyse
from generator.article import Article
from generator.assemble import Site, assemble
from generator.changes import ChangeSet, next_history, read_history, write_history
from generator.config import Config
from generator.load import Unreadable, find_inputs, load
from generator.normalise import normalise
from generator.problems import BriefingError
from generator.publish import publish
from generator.search import index_search
from generator.render import render

POOL_THRESHOLD = 400
"""Below this many files a process pool costs more than it saves."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Site
    pages_written: int
    changes: ChangeSet | None
    """What this build changed since the previous one (None when nothing did)."""


def read_article(path: Path, input_dir: Path, config: Config) -> Article | Unreadable:
    """load → normalise → analyse for one file: the unit of parallel and cached work."""
    source = load(path, input_dir)
    if isinstance(source, Unreadable):
        return source
    return analyse(normalise(source, config), config)


def _read_one(job: tuple[Path, Path, Config]) -> Article | Unreadable:
    return read_article(*job)


def read_corpus(input_dir: Path, config: Config) -> tuple[list[Article], list[Unreadable]]:
    if not input_dir.is_dir():
        raise BriefingError(f"input folder not found: {input_dir}", str(input_dir),
                            hint="pass --input DIR or set 'input' in briefing.yml")
    paths = find_inputs(input_dir)
    jobs = [(p, input_dir, config) for p in paths]
    if len(jobs) >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor() as pool:
            results = list(pool.map(_read_one, jobs, chunksize=64))
    else:
        results = [_read_one(job) for job in jobs]
    articles = [r for r in results if isinstance(r, Article)]
    unreadable = [r for r in results if isinstance(r, Unreadable)]
    return articles, unreadable


def check(config: Config, input_dir: Path) -> Site:
    """Everything but writing: what `briefing check` reports."""
    articles, unreadable = read_corpus(input_dir, config)
    return assemble(articles, unreadable, config)


def build(config: Config, input_dir: Path, output_dir: Path, templates_dir: Path,
          cache_dir: Path | None = None, search: bool = True) -> BuildResult:
    cache_dir = cache_dir or output_dir.parent / ".cache"
    site = check(config, input_dir)
    previous = read_history(cache_dir)
    history = next_history(previous, site.articles, __version__)
    pages = render(site, templates_dir, history)
    written = publish(pages, output_dir, index_search if search else None)
    write_history(cache_dir, history)
    new = history.latest if history.latest is not previous.latest else None
    return BuildResult(site, written, new)
