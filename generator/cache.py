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
ARTICLES_FILE = "articles.pickle"


def article_key(display_path: str, data_hash: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{__version__}\0{fingerprint}\0{display_path}\0{data_hash}".encode()).hexdigest()


@dataclass
class ArticleCache:
    """Article key -> normalised, analysed Article."""

    entries: dict[str, Article] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    note: str | None = None
    """Why the cache on disk was not used, when it was not."""

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


def read_article_cache(cache_dir: Path, fingerprint: str) -> ArticleCache:
    path = cache_dir / ARTICLES_FILE
    if not path.exists():
        return ArticleCache()
    try:
        with path.open("rb") as handle, many_new_objects():
            data = pickle.load(handle)
        if not isinstance(data, dict) or data.get("magic") != MAGIC or data.get("version") != __version__:
            return ArticleCache(note="cache from another version of the generator: rebuilt")
        if data.get("fingerprint") != fingerprint:
            return ArticleCache(note="cache from another configuration: rebuilt")
        entries = data["entries"]
        if not all(isinstance(a, Article) for a in entries.values()):
            raise TypeError("unexpected entry")
        return ArticleCache(dict(entries))
    except Exception:  # noqa: BLE001 - any failure to read the cache means: do not trust it
        return ArticleCache(note="cache file unreadable or corrupt: rebuilt")


def write_article_cache(cache_dir: Path, cache: ArticleCache, fingerprint: str) -> None:
    """Keep only what this build used, so the cache does not grow without bound."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    entries = {k: v for k, v in cache.entries.items() if k in cache.used}
    tmp = cache_dir / f"{ARTICLES_FILE}.tmp"
    with tmp.open("wb") as handle:
        pickle.dump({"magic": MAGIC, "version": __version__, "fingerprint": fingerprint,
                     "entries": entries}, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache_dir / ARTICLES_FILE)


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
