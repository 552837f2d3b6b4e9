"""The pipeline, in order: load → normalise → analyse → assemble → render → publish.

Read the stage modules in this order to follow one article from file to page.
`load`, `normalise` and `analyse` work on one file at a time (pure functions,
run in a process pool for large corpora); `assemble` is the one corpus-wide
step; `render` and `publish` turn the site into files.
"""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.article import Article
from generator.cache import (
    PACK_SIZE,
    ArticleCache,
    InputHashes,
    article_key,
    key_of,
    long_lived,
    many_new_objects,
    pack_bytes,
    read_article_cache,
    read_input_hashes,
    read_page_keys,
    source_fingerprint,
    tree_fingerprint,
    unpack,
    write_article_cache,
    write_input_hashes,
    write_page_keys,
)
from generator.changes import ChangeSet, next_history, read_history, write_history
from generator.config import Config
from generator.load import Unreadable, display_path, find_inputs, load
from generator.problems import BriefingError, Problem
from generator.progress import QUIET, BuildProgress
from generator.publish import PublishCount, publish, staging_writer
from generator.search import BUNDLE, SearchIndexing

if TYPE_CHECKING:
    from generator.assemble import Site

# The stages that analyse, assemble and render are imported where they are first needed: their
# modules take about 0.25 s to import (word lists, patterns), which was most of a no-change
# rebuild (0.30 s at 1,000 articles), a build that needs none of them.

POOL_THRESHOLD = 400
"""Below this many files a process pool costs more than it saves."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    articles: int
    inputs: int
    problems: tuple[Problem, ...]
    pages: PublishCount
    """Pages rendered and pages reused; both 0 when nothing changed and nothing was written."""
    changes: ChangeSet | None
    """What this build changed since the previous one (None when nothing did)."""
    cache_note: str | None = None
    site: Site | None = None
    """The assembled site (None when nothing changed): `serve` keeps it for its quick pass."""


def read_article(path: Path, input_dir: Path, config: Config) -> Article | Unreadable:
    """load → normalise → analyse for one file: the unit of parallel and cached work."""
    from generator.analyse import analyse
    from generator.normalise import normalise

    source = load(path, input_dir)
    if isinstance(source, Unreadable):
        return source
    return analyse(normalise(source, config), config)


def _read_pack(jobs: list[tuple[Path, Path, Config, str | None]]) -> tuple[bytes | None, list[Article | Unreadable | None]]:
    """In a pool worker: a chunk of files. The keyed articles come back as one cache pack (see
    generator/cache.py), the rest (unreadable files, articles without a key) one by one. The
    collector is paused meanwhile: analysis makes tens of thousands of small objects per article,
    and scanning them cost 8% of the analysis time."""
    pack: dict[str, Article] = {}
    others: list[Article | Unreadable | None] = []
    with many_new_objects():
        for path, input_dir, config, key in jobs:
            result = read_article(path, input_dir, config)
            if key is not None and isinstance(result, Article):
                pack[key] = result
                others.append(None)
            else:
                others.append(result)
        config = jobs[0][2]
        return (pack_bytes(pack, config.reading_fingerprint, config.topics_fingerprint) if pack else None), others


def input_keys(input_dir: Path, config: Config, hashes: InputHashes | None = None) -> list[tuple[Path, str | None]]:
    """Every input file with its cache key (content hash, path, configuration, version). With
    `hashes`, a file whose size, times and inode are unchanged is not read again."""
    hashes = hashes if hashes is not None else InputHashes()
    keyed: list[tuple[Path, str | None]] = []
    for path in _inputs(input_dir):
        try:
            digest = hashes.digest(path)
        except OSError:
            keyed.append((path, None))
            continue
        keyed.append((path, article_key(display_path(path, input_dir), digest, config.reading_fingerprint)))
    return keyed


def read_corpus(input_dir: Path, config: Config, cache: ArticleCache | None = None,
                keyed: list[tuple[Path, str | None]] | None = None,
                progress: BuildProgress = QUIET) -> tuple[list[Article], list[Unreadable]]:
    """Every input, from the cache when its bytes are unchanged, else through the stages
    (counted on `progress`)."""
    if cache is None:
        paths = [(p, None) for p in _inputs(input_dir)]
    else:
        paths = keyed if keyed is not None else input_keys(input_dir, config)
    results: list[Article | Unreadable | None] = [cache.get(k) if cache and k else None for _, k in paths]
    if cache is not None:
        _classify_again(results, paths, cache, config)
    todo = [i for i, r in enumerate(results) if r is None]
    progress.analysing(len(todo))
    if _worth_a_pool(len(todo)):
        jobs = [(paths[i][0], input_dir, config, paths[i][1] if cache is not None else None) for i in todo]
        chunks = [jobs[i:i + PACK_SIZE] for i in range(0, len(jobs), PACK_SIZE)]
        with ProcessPoolExecutor() as pool, many_new_objects():
            at = 0
            for pack, others in pool.map(_read_pack, chunks):
                packed = cache.put_pack(pack) if cache is not None and pack is not None else {}
                for job, other in zip(jobs[at:at + len(others)], others):
                    results[todo[at]] = other if other is not None else packed[job[3]]
                    at += 1
                progress.analysed(len(others))
    else:
        for i in todo:
            results[i] = read_article(paths[i][0], input_dir, config)
            if cache is not None and paths[i][1] and isinstance(results[i], Article):
                cache.put(paths[i][1], results[i], config.topics_fingerprint)
            progress.analysed(1)
    progress.close()
    articles = [r for r in results if isinstance(r, Article)]
    unreadable = [r for r in results if isinstance(r, Unreadable)]
    return articles, unreadable


def _worth_a_pool(files: int) -> bool:
    return files >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1


def _classify_again(results: list[Article | Unreadable | None], paths: list[tuple[Path, str | None]],
                    cache: ArticleCache, config: Config) -> None:
    """Cached articles classified under other topic rules get their paragraphs' topics anew, in
    place: an edit to the rules (the edit a desk makes most to its configuration) costs the topic
    scores, about a fifth of an analysis, not the analysis. Many are done a pack file at a time in
    the pool, each worker reading the pack itself and sending it back as the new cache file."""
    from generator.analyse import classify

    stale = {key: i for i, (_, key) in enumerate(paths) if key is not None and results[i] is not None
             and cache.classified_under(key) != config.topics_fingerprint}
    if _worth_a_pool(len(stale)) and cache.folder is not None:
        packs = [cache.folder / f"{name}.pickle" for name, keys in sorted(cache.packs.items())
                 if cache.pack_topics.get(name) != config.topics_fingerprint and not keys.isdisjoint(stale)]
        with ProcessPoolExecutor() as pool, many_new_objects():
            for data in pool.map(_classify_pack, packs, repeat(config)):
                for key, article in cache.put_pack(data).items():
                    if key in stale:
                        results[stale.pop(key)] = article
    for key, i in stale.items():  # few, or not in a pack file (a long-lived process's own cache)
        results[i] = classify(results[i], config)
        cache.put(key, results[i], config.topics_fingerprint)


def _classify_pack(path: Path, config: Config) -> bytes:
    """In a pool worker: a cache pack's articles classified under `config`'s topic rules, as a pack."""
    from generator.analyse import classify

    with many_new_objects():
        entries, _ = unpack(path.read_bytes())
        return pack_bytes({key: classify(article, config) for key, article in entries.items()},
                          config.reading_fingerprint, config.topics_fingerprint)


def _inputs(input_dir: Path) -> list[Path]:
    if not input_dir.is_dir():
        raise BriefingError(f"input folder not found: {input_dir}", str(input_dir),
                            hint="pass --input DIR or set 'input' in briefing.yml")
    return find_inputs(input_dir)


def check(config: Config, input_dir: Path, cache: ArticleCache | None = None,
          progress: BuildProgress = QUIET) -> Site:
    """Everything but writing: what `briefing check` reports."""
    from generator.assemble import assemble

    articles, unreadable = read_corpus(input_dir, config, cache, progress=progress)
    return assemble(articles, unreadable, config)


def cache_to_read(output_dir: Path, config: Config) -> ArticleCache:
    """What `build` analysed for `output_dir`, for a command that writes no site (`check`, `export`):
    read, never written (a build may be writing it meanwhile), so articles new since are analysed
    and kept in memory only. At 10,000 articles, `check` after a build read the cache in about a
    second instead of analysing every article again."""
    cache = read_article_cache(default_cache_dir(output_dir), config.reading_fingerprint)
    cache.folder = None
    return cache


def build(config: Config, input_dir: Path, output_dir: Path, templates_dir: Path,
          cache_dir: Path | None = None, search: bool = True, parallel: bool = True,
          cache: ArticleCache | None = None, carry: tuple[str, ...] = (),
          progress: BuildProgress = QUIET, shortcut: bool = True) -> BuildResult:
    """`parallel=False` in long-lived processes with threads (serve), where forking is unsafe.
    A long-lived process passes its own `cache`, kept in memory between builds, and saves it
    with `write_article_cache` when it has time (reading it back costs seconds at 10,000).
    `carry`: folders of the previous site to keep (see `publish`). `shortcut=False`: a site found
    up to date is assembled all the same (its pages kept from the previous build), for `serve`,
    whose quick pass renders edited articles against the last assembled site."""
    cache_dir = cache_dir or default_cache_dir(output_dir)
    state = CacheFiles(cache_dir, output_dir)
    hashes, hashing_from = read_input_hashes(state.inputs), time.time_ns()
    keyed = input_keys(input_dir, config, hashes)
    write_input_hashes(state.inputs, hashes, hashing_from, [p for p, _ in keyed])
    site_key = key_of(__version__, source_fingerprint(), config.fingerprint, tree_fingerprint(templates_dir),
                      search, sorted(f"{p.name}:{k}" for p, k in keyed))
    remembered = read_page_keys(state.pages)
    if shortcut and remembered.get("site") == site_key and (output_dir / "data/articles.json").is_file():
        # Nothing changed: not even the article cache needs reading (10 s of unpickling at 10,000).
        problems = tuple(Problem(*p) for p in remembered.get("problems", []))
        return BuildResult(remembered.get("articles", 0), len(keyed), problems, PublishCount(0, 0), None)
    from generator.assemble import Assembly
    from generator.render import PageMemory, render

    in_memory = cache is not None
    cache = cache if cache is not None else read_article_cache(cache_dir, config.reading_fingerprint)
    articles, unreadable = read_corpus(input_dir, config, cache, keyed, progress)
    if not in_memory:
        # Now, not after publishing: a build that fails later keeps what it analysed.
        write_article_cache(cache_dir, cache, config.reading_fingerprint, config.topics_fingerprint)
    with long_lived():  # the corpus lives through the build: keep the collector off it
        # Render finishes the assembly (points, topics) while it makes the pages that need none.
        assembly = Assembly(articles, unreadable, config)
        previous = read_history(state.history)
        history = next_history(previous, assembly.corpus.articles, __version__)
        keys: dict[str, str] = {}
        memory = PageMemory(output_dir, remembered.get("pages", {})) if output_dir.is_dir() else None
        workers = (os.cpu_count() or 1) if len(assembly.corpus.articles) >= POOL_THRESHOLD and parallel else 1
        index = partial(SearchIndexing, previous=output_dir / BUNDLE, shard_size=config.site.search_shard_size,
                        keys_file=state.search) if search else None
        pages = render(assembly, templates_dir, history, memory, keys, workers, staging_writer(output_dir),
                       state.splices, state.indexes)
        # The keys describe the site on disk: gone before it is replaced, written once it is.
        written = publish(progress.writing(pages), output_dir, progress.searching(index), carry,
                          before_swap=partial(state.pages.unlink, missing_ok=True))
        site = assembly.finish()
        write_page_keys(state.pages, site_key, keys, [_plain(p) for p in site.problems], len(site.articles))
        write_history(state.history, history)
        new = history.latest if history.latest is not previous.latest else None
        return BuildResult(len(site.articles), len(site.inputs), site.problems, written, new, cache.note, site)


def default_cache_dir(output_dir: Path) -> Path:
    return output_dir.resolve().parent / ".cache"


def _plain(problem: Problem) -> list[object]:
    return [problem.path, problem.message, problem.line, problem.hint, problem.severity.value]


class CacheFiles:
    """Per-output files in the shared cache folder: two sites built beside each other keep
    separate histories, while normalised articles (keyed by content) are shared."""

    def __init__(self, cache_dir: Path, output_dir: Path) -> None:
        tag = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:10]
        self.pages = cache_dir / f"pages-{tag}.json"
        self.history = cache_dir / f"history-{tag}.json"
        self.search = cache_dir / f"search-{tag}.json"
        self.inputs = cache_dir / f"inputs-{tag}.json"
        self.splices = cache_dir / f"splices-{tag}"
        """The indexes of the data files whose unchanged items a build copies (`splice.Splice`)."""
        self.indexes = cache_dir / f"indexes-{tag}"
        """Corpus-wide indexes saved with the digest of their inputs (`saved_indexes.SavedIndexes`)."""
