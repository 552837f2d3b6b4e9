"""The build cache under `.cache/`: normalised articles by content hash, and page keys.

Everything here is an optimisation that must never change the output: a
missing, corrupt, stale or foreign cache is detected and thrown away (the build
then simply does the work), and every key includes the generator's version and
the configuration's fingerprint.
"""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import __version__
from generator.article import Article

MAGIC = "briefing-cache-v1"
ARTICLES_DIR = "articles"
"""Analysed articles in 256 shard files by the first two hex digits of their key: a build that
changed one article rewrites one shard (about 1/256 of the cache), not all of it."""


def article_key(display_path: str, data_hash: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{__version__}\0{fingerprint}\0{display_path}\0{data_hash}".encode()).hexdigest()


@dataclass
class ArticleCache:
    """Article key -> normalised, analysed Article."""

    entries: dict[str, Article] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    note: str | None = None
    """Why the cache on disk was not used, when it was not."""
    stored: dict[str, frozenset[str]] = field(default_factory=dict)
    """Shard name -> the keys its file on disk holds, so unchanged shards are not rewritten."""

    def get(self, key: str) -> Article | None:
        article = self.entries.get(key)
        if article is not None:
            self.used.add(key)
        return article

    def put(self, key: str, article: Article) -> None:
        self.entries[key] = article
        self.used.add(key)

    def next_build(self) -> None:
        """In a long-lived process: forget what the last build did not use, then start counting
        afresh, so every saved version of an edited article does not pile up."""
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used = set()


@contextmanager
def many_new_objects() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are created (unpickling
    the cache or the pool's results): it would scan them again and again, which made reading the
    cache at 10,000 articles 7x slower. Nothing made here forms cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def long_lived() -> Iterator[None]:
    """Move every object alive now out of the collector's sight until the outermost `long_lived`
    ends: the analysed corpus (millions of acyclic objects) lives through the whole build, and each
    full collection would otherwise walk all of it again (seconds each at 10,000 articles). Forked
    render workers inherit it frozen, so their collectors do not copy it either."""
    global _FROZEN_DEPTH
    _FROZEN_DEPTH += 1  # not gc.get_freeze_count(): it walks every frozen object
    gc.freeze()
    try:
        yield
    finally:
        _FROZEN_DEPTH -= 1
        if _FROZEN_DEPTH == 0:
            gc.unfreeze()


_FROZEN_DEPTH = 0


def read_article_cache(cache_dir: Path, fingerprint: str) -> ArticleCache:
    folder = cache_dir / ARTICLES_DIR
    entries: dict[str, Article] = {}
    stored: dict[str, frozenset[str]] = {}
    try:
        with many_new_objects():
            for path in sorted(folder.glob("*.pickle")):
                data = pickle.loads(path.read_bytes())
                if not isinstance(data, dict) or data.get("magic") != MAGIC or data.get("version") != __version__:
                    return ArticleCache(note="cache from another version of the generator: rebuilt")
                if data.get("fingerprint") != fingerprint:
                    return ArticleCache(note="cache from another configuration: rebuilt")
                shard = data["entries"]
                if not all(isinstance(a, Article) and k[:2] == path.stem for k, a in shard.items()):
                    raise TypeError("unexpected entry")
                entries.update(shard)
                stored[path.stem] = frozenset(shard)
    except Exception:  # noqa: BLE001 - any failure to read the cache means: do not trust it
        return ArticleCache(note="cache file unreadable or corrupt: rebuilt")
    return ArticleCache(entries, stored=stored)


def write_article_cache(cache_dir: Path, cache: ArticleCache, fingerprint: str,
                        keep: set[str] | None = None) -> None:
    """Keep what this build used (`keep`, by default), so the cache does not grow without bound;
    write only the shards whose keys changed, and remove the rest."""
    folder = cache_dir / ARTICLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    keep = cache.used if keep is None else keep
    shards: dict[str, dict[str, Article]] = {}
    for key, article in cache.entries.items():
        if key in keep:
            shards.setdefault(key[:2], {})[key] = article
    for name, entries in sorted(shards.items()):
        if cache.stored.get(name) == frozenset(entries):
            continue
        tmp = folder / f"{name}.pickle.tmp"
        tmp.write_bytes(pickle.dumps({"magic": MAGIC, "version": __version__, "fingerprint": fingerprint,
                                      "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(folder / f"{name}.pickle")
        cache.stored[name] = frozenset(entries)
    (cache_dir / "articles.pickle").unlink(missing_ok=True)  # the single file of earlier versions
    for path in folder.glob("*.pickle"):
        if path.stem not in shards:
            path.unlink()
            cache.stored.pop(path.stem, None)


def read_page_keys(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) and data.get("magic") == MAGIC else {}
    except (OSError, ValueError):
        return {}


def write_page_keys(path: Path, site_key: str, pages: dict[str, str], problems: list[list[Any]],
                    articles: int) -> None:
    """The site's key, each article page's key, and the build's problems (so a build that
    finds nothing to do can still report them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"magic": MAGIC, "site": site_key, "pages": pages, "problems": problems,
                               "articles": articles}, sort_keys=True))
    tmp.replace(path)


def tree_fingerprint(folder: Path) -> str:
    """Hash of every file in a folder (the templates): a template edit re-renders everything."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key_of(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]
