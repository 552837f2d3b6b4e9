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
import os
import pickle
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator import __version__
from generator.article import Article

MAGIC = "briefing-cache-v17"
"""Bumped whenever what the per-article stages make changes (v7: `categories` add to the tags;
v8: decks under headlines and names above date lines are header furniture; v9: glued web dates,
'Reporting from' lines, names above a role line, two-place datelines; v10: 'By:', 'Author:' and
'Story by' bylines, dash-less and TASS lede datelines; v11: 'Por' bylines, several 'NAME in PLACE',
'DATE / TIME', WSJ and CNN datelines; v12: TOML front matter; v13: agency credit lines, roles
after a byline; v14: entity mentions packed; v15: each sentence's figures, for discrepancies;
v16: packs say which topic rules classified their articles), so a cache made by older code is
thrown away rather than trusted."""
ARTICLES_DIR = "articles"
"""Analysed articles in pack files of up to PACK_SIZE: a build that changed one article rewrites
the pack that held it, not the whole cache. A pool worker sends its chunk of articles back as
one pickled pack, which is written as it came (pickling 10,000 articles again took 6 s), and
unpickling a pack shares the strings its articles share (per-article pickles took 70% more
memory once loaded)."""
PACK_SIZE = 64
SMALL_PACK = 16
"""Packs smaller than this (new articles added a few per build) are merged once there are more
than MAX_SMALL_PACKS of them, so the number of files stays bounded."""
MAX_SMALL_PACKS = 8


def article_key(display_path: str, data_hash: str, fingerprint: str) -> str:
    made_by = f"{__version__}\0{library_versions()}"
    return hashlib.sha256(f"{made_by}\0{fingerprint}\0{display_path}\0{data_hash}".encode()).hexdigest()


LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "pyyaml", "dateparser", "python-slugify",
             "charset-normalizer", "orjson", "pagefind")
"""The libraries whose upgrade can change what a build writes (dates read, slugs, escaping, JSON)."""


@lru_cache(maxsize=1)
def library_versions() -> str:
    """Part of every key: an upgraded library may read or write differently, so what the old one
    made (analysed articles, kept pages) is not kept. Read from the names of the installed
    packages' `.dist-info` folders: one listing per folder of sys.path (importlib.metadata took
    50 ms for these nine, on every build)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, _, version = name[:-len(".dist-info")].rpartition("-")
                found.setdefault(_normalised(project), version)
    return " ".join(f"{name}={found.get(_normalised(name), 'none')}" for name in LIBRARIES)


def _normalised(project: str) -> str:
    return re.sub(r"[-_.]+", "_", project).lower()


def pack_bytes(entries: dict[str, Article], fingerprint: str, topics: str) -> bytes:
    """One pack file's content: the articles with what they were made by (`Config.reading_fingerprint`)
    and the topic rules that classified their paragraphs (`Config.topics_fingerprint`)."""
    return pickle.dumps({"magic": MAGIC, "version": __version__, "fingerprint": fingerprint, "topics": topics,
                         "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes) -> tuple[dict[str, Article], str]:
    """A pack's articles, and the topic rules they were classified under."""
    pack = pickle.loads(data)
    return pack["entries"], pack["topics"]


@dataclass
class ArticleCache:
    """Article key -> normalised, analysed Article. The key covers the article's bytes and what
    reading it depends on, but not the topic rules: an entry classified under other rules
    (`classified_under`) is classified again, not analysed again."""

    entries: dict[str, Article] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    """Article key -> the topic rules (`Config.topics_fingerprint`) its paragraphs were classified under."""
    used: set[str] = field(default_factory=set)
    note: str | None = None
    """Why the cache on disk was not used, when it was not."""
    packs: dict[str, frozenset[str]] = field(default_factory=dict)
    """Pack file name -> the keys it holds, for the packs on disk."""
    pack_topics: dict[str, str] = field(default_factory=dict)
    """Pack file name -> the topic rules its articles were classified under."""
    sent: list[tuple[frozenset[str], bytes, str]] = field(default_factory=list)
    """Packs as pool workers sent them, not yet on disk (a cache with no `folder`)."""
    folder: Path | None = None
    """Where the packs are: a pack a worker sends is written there at once, not held in memory
    until the cache is written (2.5 GB at 100,000 articles)."""

    def get(self, key: str) -> Article | None:
        article = self.entries.get(key)
        if article is not None:
            self.used.add(key)
        return article

    def classified_under(self, key: str) -> str | None:
        return self.topics.get(key)

    def put(self, key: str, article: Article, topics: str) -> None:
        self.entries[key] = article
        self.topics[key] = topics
        self.used.add(key)

    def put_pack(self, data: bytes) -> dict[str, Article]:
        """A pack from a pool worker: its articles, its bytes written as the cache file for them."""
        entries, topics = unpack(data)
        for key, article in entries.items():
            self.put(key, article, topics)
        keys = frozenset(entries)
        if self.folder is None:
            self.sent.append((keys, data, topics))
        else:  # every article in it is used by this build: it will be kept
            name = _pack_name(keys)
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / f"{name}.pickle", data)
            self.packs[name], self.pack_topics[name] = keys, topics
        return entries

    def next_build(self) -> None:
        """In a long-lived process: forget what the last build did not use, then start counting
        afresh, so every saved version of an edited article does not pile up."""
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.topics = {k: v for k, v in self.topics.items() if k in self.used}
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
            _settle()


def _settle() -> None:
    """Move what was made with the collector paused straight to the oldest generation: left in the
    youngest, the next few hundred allocations would make the collector scan all of it, then scan it
    again on its way up (a second after reading the cache at 10,000 articles). Inside a build's
    `long_lived` it stays frozen until the build ends."""
    gc.freeze()
    if _FROZEN_DEPTH == 0:
        gc.unfreeze()


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
    cache = _read_packs(cache_dir / ARTICLES_DIR, fingerprint)
    cache.folder = cache_dir / ARTICLES_DIR
    return cache


def _read_packs(folder: Path, fingerprint: str) -> ArticleCache:
    entries: dict[str, Article] = {}
    topics: dict[str, str] = {}
    packs: dict[str, frozenset[str]] = {}
    pack_topics: dict[str, str] = {}
    try:
        with many_new_objects():
            for path in sorted(folder.glob("*.pickle")):
                data = pickle.loads(path.read_bytes())
                if not isinstance(data, dict) or data.get("magic") != MAGIC or data.get("version") != __version__:
                    return ArticleCache(note="cache from another version of the generator: rebuilt")
                if data.get("fingerprint") != fingerprint:
                    return ArticleCache(note="cache from another configuration: rebuilt")
                pack, classified = data["entries"], data["topics"]
                if not all(isinstance(a, Article) for a in pack.values()) or not isinstance(classified, str):
                    raise TypeError("unexpected entry")
                entries.update(pack)
                topics.update(dict.fromkeys(pack, classified))
                packs[path.stem], pack_topics[path.stem] = frozenset(pack), classified
    except Exception:  # noqa: BLE001 - any failure to read the cache means: do not trust it
        return ArticleCache(note="cache file unreadable or corrupt: rebuilt")
    return ArticleCache(entries, topics, packs=packs, pack_topics=pack_topics)


def write_article_cache(cache_dir: Path, cache: ArticleCache, fingerprint: str, topics: str,
                        keep: set[str] | None = None) -> None:
    """Keep what this build used (`keep`, by default), so the cache does not grow without bound.
    A pack on disk or sent by a worker is kept as it is while every article in it is kept (and, on
    disk, was classified under the `topics` rules); the others' articles that are kept, and those
    no pack holds, are packed anew."""
    folder = cache_dir / ARTICLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    keep = {k for k in (cache.used if keep is None else keep) if cache.topics.get(k) == topics}

    def current(name: str) -> bool:
        """On disk as it should be: the pack's file holds its articles classified under `topics`."""
        return name in cache.packs and cache.pack_topics.get(name) == topics

    candidates = [(name, keys, None) for name, keys in sorted(cache.packs.items()) if current(name)]
    candidates += [(_pack_name(keys), keys, data) for keys, data, classified in cache.sent if classified == topics]
    small = [c for c in candidates if len(c[1]) < SMALL_PACK]
    merge_small = len(small) > MAX_SMALL_PACKS
    kept: dict[str, frozenset[str]] = {}
    covered: set[str] = set()
    for name, keys, data in candidates:
        if not keys <= keep or keys & covered or name in kept or (merge_small and len(keys) < SMALL_PACK):
            continue
        if data is not None and not current(name):
            write_atomically(folder / f"{name}.pickle", data)
        kept[name] = keys
        covered |= keys
    rest = sorted(k for k in keep - covered if k in cache.entries)
    for i in range(0, len(rest), PACK_SIZE):
        keys = frozenset(rest[i:i + PACK_SIZE])
        name = _pack_name(keys)
        if not current(name):
            write_atomically(folder / f"{name}.pickle",
                              pack_bytes({k: cache.entries[k] for k in sorted(keys)}, fingerprint, topics))
        kept[name] = keys
    (cache_dir / "articles.pickle").unlink(missing_ok=True)  # the single file of earlier versions
    for path in folder.glob("*.pickle"):
        if path.stem not in kept:
            path.unlink()
    cache.packs, cache.sent = kept, []
    cache.pack_topics = dict.fromkeys(kept, topics)


def _pack_name(keys: frozenset[str]) -> str:
    return hashlib.sha256("\0".join(sorted(keys)).encode()).hexdigest()[:20]


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


RACY_NS = 2_000_000_000
"""A file changed this close to when it was hashed may change again within its file system's
timestamp resolution without its size or times showing it (git's "racily clean" entries):
its hash is not trusted next time."""


@dataclass
class InputHashes:
    """Each input file's content hash with the size, times and inode it had when hashed, so a
    rebuild hashes only files whose metadata changed (stat is ~50x cheaper than reading and
    hashing: at 100,000 articles, seconds saved on every scheduled build)."""

    files: dict[str, list[Any]] = field(default_factory=dict)
    """Path -> [size, mtime_ns, ctime_ns, inode, sha256]."""
    taken_ns: int = 0
    """When the hashes were taken: entries changed in the RACY_NS before are hashed again."""
    changed: bool = False

    def digest(self, path: Path) -> str:
        name = str(path)
        stat = os.stat(name)
        signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        known = self.files.get(name)
        if known is not None and known[:4] == signature and max(signature[1:3]) < self.taken_ns - RACY_NS:
            return known[4]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.files[name] = [*signature, digest]
        self.changed = True
        return digest


def read_input_hashes(path: Path) -> InputHashes:
    data = read_state(path)
    try:
        return InputHashes(dict(data["files"]), int(data["taken_ns"]))
    except (KeyError, TypeError, ValueError):
        return InputHashes()


def write_input_hashes(path: Path, hashes: InputHashes, taken_ns: int, paths: list[Path]) -> None:
    """Only the files there are now; `taken_ns`: when this build began hashing."""
    files = {str(p): hashes.files[str(p)] for p in paths if str(p) in hashes.files}
    if not hashes.changed and files.keys() == hashes.files.keys():
        return
    write_state(path, {"taken_ns": taken_ns, "files": files})


def read_page_keys(path: Path) -> dict[str, Any]:
    return read_state(path)


def write_page_keys(path: Path, site_key: str, pages: dict[str, str], problems: list[list[Any]],
                    articles: int) -> None:
    """The site's key, each article page's key, and the build's problems (so a build that
    finds nothing to do can still report them)."""
    write_state(path, {"site": site_key, "pages": pages, "problems": problems, "articles": articles})


def forget_pages(path: Path, pages: list[str]) -> None:
    """Pages written into the live site outside a build (`serve`'s quick pass) no longer are what
    their keys say: drop their keys, and the site's (a build must not find 'nothing changed')."""
    state = read_page_keys(path)
    if state:
        kept = {page: key for page, key in state.get("pages", {}).items() if page not in pages}
        write_page_keys(path, "", kept, state.get("problems", []), state.get("articles", 0))


def read_state(path: Path) -> dict[str, Any]:
    """A small JSON file of build state in `.cache/` (page keys, input hashes, search shard keys):
    empty when it is missing, unreadable or from another version of the cache."""
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) and data.get("magic") == MAGIC else {}
    except (OSError, ValueError):
        return {}


def write_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps({"magic": MAGIC, **data}, sort_keys=True).encode())


def tree_fingerprint(folder: Path) -> str:
    """Hash of every file in a folder (the templates): a template edit re-renders everything."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """Hash of the generator's own code and its libraries' versions: a page kept because its inputs
    are unchanged must also have been made by the same code (a checkout or an upgrade without a new
    version number, or an upgraded library).
    The article cache is keyed by the library versions but not by the code: analysing 10,000
    articles again after every edit of the code would cost a minute; analysis changes bump MAGIC."""
    digest = hashlib.sha256(library_versions().encode())
    folder = Path(__file__).parent
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith(".") or not path.is_file():
            continue  # an editor's lock file (.#render.py) is a dangling link
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key_of(*parts: Any) -> str:
    """A page's input key, made for every page of a rebuild (14,000 at 10,000 articles): orjson
    writes the parts 5x faster than `json` (1.4 us against 7.6 us for an article page's). Imported
    here: a no-change rebuild makes one key and need not load it first."""
    import orjson

    return hashlib.sha256(orjson.dumps(parts, default=str,
                                       option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)).hexdigest()[:24]
