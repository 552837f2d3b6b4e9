"""Full-text search with Pagefind, in shards, run over the article pages as soon as they are written.

Pagefind cannot index incrementally (its issue #71): it reads every page again, 2.8 ms each, and
holds the whole index in memory (3.1 GB at 10,000 articles). So the article pages are split into
shards by a hash of their path, each indexed by its own Pagefind run into `pagefind/shard-NN/`,
and the search page merges them (Pagefind's `mergeIndex`, made for searching several sites at
once). A rebuild re-indexes only the shards whose pages changed, no Pagefind run holds more
than one shard, and shards are indexed as many at once as there are cores (`concurrent_runs`).
`serve` runs it after the new pages are live, off the critical path of a preview.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from generator import __version__
from generator.cache import read_state, write_state
from generator.config import SEARCH_SHARD_SIZE
from generator.problems import BriefingError
from generator.publish import BUNDLE, link_file, link_tree
from generator.search_index import canonicalise

INDEXED = "articles/**/*.html"
"""Only article pages carry `data-pagefind-body`; not reading the others halves Pagefind's time."""
SHARD_TIMEOUT_S = 600.0
"""A Pagefind run on one shard takes seconds: one that runs this long is stuck."""
POLL_S = 0.02
"""How often the runs are checked for having ended."""
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
"""What the search page loads from the bundle's top (the same in every shard)."""


def pagefind_command(site_dir: Path, bundle: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(bundle),
            "--glob", INDEXED, "--quiet"]


WITH_PARENT = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit(1)
os.execv(sys.argv[2], sys.argv[2:])
"""
"""Runs a command that the kernel kills when the build that started it dies (killed by a
scheduler, Ctrl-C twice...): Pagefind orphaned by a killed build went on indexing a deleted
staging folder. The signal setting survives exec (`python -m pagefind` execs the binary)."""


def dying_with_this_process(command: list[str]) -> list[str]:
    return [sys.executable, "-c", WITH_PARENT, str(os.getpid()), *command]


@dataclass(frozen=True, slots=True)
class Shard:
    name: str
    pages: tuple[str, ...]
    """Article pages, relative to the site folder."""
    key: str
    """Changes when a page is added, removed or written anew: the build links an unchanged page
    from the previous site (same file), and writes a changed one as a new file."""


SPLIT_FROM = 400
"""Article pages from which the index is split in two even when one shard could hold them all: two
Pagefind runs side by side use both cores, and a one-page change re-indexes half the pages (at 1,000
articles: 1.57 s for both halves at once against 2.53 s for one index; 1.09 s for one half). Fewer
pages than this index in about a second. A fixed number, not the machine's cores: the site must
be the same wherever it is built."""


def shard_count(pages: int, size: int) -> int:
    """A power of two, so that a growing site re-shards rarely (each time it doubles)."""
    count = 2 if pages >= SPLIT_FROM else 1
    while count * size < pages:
        count *= 2
    return count


def plan_shards(site_dir: Path, size: int) -> list[Shard]:
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.glob(INDEXED) if p.is_file())
    count = shard_count(len(pages), size)
    groups: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        groups[int.from_bytes(hashlib.sha256(page.encode()).digest()[:8], "big") % count].append(page)
    width = len(str(count - 1))
    made_by = f"{__version__}\0{pagefind_version()}\0{count}\0{INDEXED}"
    shards = []
    # An empty shard gets no index; a site with no article pages keeps one (Pagefind reports it).
    for number, group in [(n, g) for n, g in enumerate(groups) if g] or [(0, [])]:
        digest = hashlib.sha256(made_by.encode())
        for page in group:
            stat = (site_dir / page).stat()
            digest.update(f"\0{page}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
        shards.append(Shard(f"shard-{number:0{width}d}", tuple(group), digest.hexdigest()[:32]))
    return shards


def pagefind_version() -> str:
    try:
        from importlib.metadata import version
        return version("pagefind")
    except Exception:  # noqa: BLE001 - not installed: the run will say so
        return "unknown"


MAX_RUNS = 4
"""Pagefind runs at once, at most: one uses about 1.3 cores (measured: 8 shards of 1,250 pages took
23.3 s one after another, 15.9 s two at a time on 2 cores), and each holds its shard's index in
memory (about 0.3 MB a page)."""


def concurrent_runs() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_RUNS))


@dataclass(frozen=True, slots=True)
class _Run:
    """One Pagefind process indexing one shard; its output kept for the error message."""

    shard: Shard
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    started: float


class SearchIndexing:
    """Pagefind running over a site folder while the build goes on, a run per shard, as many at
    once as there are cores (up to MAX_RUNS). It reads only article pages, so it starts once they
    are written, while the other pages and data files are rendered. Shards whose pages are the same
    files as when `previous` (the last site's bundle) was made are linked from it, not indexed
    again."""

    def __init__(self, site_dir: Path, bundle: Path | None = None, previous: Path | None = None,
                 shard_size: int = SEARCH_SHARD_SIZE, keys_file: Path | None = None) -> None:
        self.site_dir = site_dir
        self.bundle = (bundle or site_dir / BUNDLE).resolve()
        """Where the index goes: `site_dir/pagefind`, or a folder to be swapped in later (`serve`)."""
        self.keys_file = keys_file
        """Each shard's key, kept out of the site (keys name files, which differ between machines)."""
        self.cancelled = False
        self.failure: tuple[str, str] | None = None
        self.shards = plan_shards(site_dir, shard_size)
        self.reused: list[tuple[Shard, Path]] = []
        """Unchanged shards and their folders in the previous bundle."""
        if previous is not None and keys_file is not None:
            known = read_state(keys_file).get("shards", {})
            self.reused = [(s, previous / s.name) for s in self.shards
                           if known.get(s.name) == s.key and (previous / s.name).is_dir()]
        reused = {shard.name for shard, _ in self.reused}
        self.todo = deque(s for s in self.shards if s.name not in reused)
        self.running: list[_Run] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        """Every Pagefind process started, for those who must know that none is left."""
        self.lock = threading.Lock()
        for _ in range(concurrent_runs()):  # the first runs start now, the rest from the thread
            self._start_next()
        self.thread = threading.Thread(target=self._run, name="search index", daemon=True)
        self.thread.start()

    def _start_next(self) -> None:
        with self.lock:
            if self.cancelled or not self.todo or self.failure:
                return
            shard = self.todo.popleft()
            pages = self.bundle / f".pages-{shard.name}"
            shutil.rmtree(pages, ignore_errors=True)
            for page in shard.pages:
                (pages / page).parent.mkdir(parents=True, exist_ok=True)
                link_file(self.site_dir / page, pages / page)
            pages.mkdir(parents=True, exist_ok=True)
            output = tempfile.TemporaryFile()
            try:
                process = subprocess.Popen(dying_with_this_process(pagefind_command(pages, self.bundle / shard.name)),
                                           stdout=output, stderr=subprocess.STDOUT)
            except OSError as exc:
                output.close()
                self.failure = (f"search index failed: {exc}",
                                "install the project again (pagefind[bin]) or build with --no-search")
                return
            self.processes.append(process)
            self.running.append(_Run(shard, process, output, time.monotonic()))

    def _run(self) -> None:
        try:
            for shard, folder in self.reused:
                link_tree(folder, self.bundle / shard.name)
            while self.running:
                run = self._next_finished()
                if run is None or not self._finished(run):
                    self._stop_all()
                    return
                self._start_next()
            if not self.cancelled and self.failure is None:
                self._write_top()
        except Exception as exc:  # noqa: BLE001 - reported by finish(), in the build's thread
            self.failure = (f"search index failed: {exc}", "build with --no-search to publish without search")
            self._stop_all()

    def _next_finished(self) -> _Run | None:
        """The first run to end; None when one has run too long (it is stuck)."""
        while True:
            for run in list(self.running):
                if run.process.poll() is not None:
                    return run
                if time.monotonic() - run.started > SHARD_TIMEOUT_S:
                    self.failure = (f"search index failed: Pagefind ran for over {SHARD_TIMEOUT_S:g} s on one shard",
                                    "build with --no-search to publish without search")
                    return None
            time.sleep(POLL_S)

    def _finished(self, run: _Run) -> bool:
        """Check an ended run and make its index canonical; False when the indexing must stop."""
        with self.lock:
            self.running.remove(run)
        shutil.rmtree(self.bundle / f".pages-{run.shard.name}", ignore_errors=True)
        with run.output:
            if self.cancelled:
                return False
            if run.process.returncode != 0:
                run.output.seek(0)
                last = run.output.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                self.failure = (f"search index failed: {last[0]}", "build with --no-search to publish without search")
                return False
        canonicalise(self.bundle / run.shard.name)
        return True

    def _stop_all(self) -> None:
        """Kill the runs still going (another failed, or the build was cancelled)."""
        with self.lock:
            running, self.running = self.running, []
        for run in running:
            if run.process.poll() is None:
                run.process.kill()
            run.process.wait()
            run.output.close()
            shutil.rmtree(self.bundle / f".pages-{run.shard.name}", ignore_errors=True)

    def _write_top(self) -> None:
        """`shards.json` for the search page, Pagefind's UI files beside it, and the keys."""
        first = self.bundle / self.shards[0].name
        for name in UI_FILES:
            if (first / name).is_file():
                link_file(first / name, self.bundle / name)
        (self.bundle / "shards.json").write_text(json.dumps({"bundles": [f"{s.name}/" for s in self.shards]}))
        if self.keys_file is not None:
            write_state(self.keys_file, {"shards": {s.name: s.key for s in self.shards}})

    def progress(self) -> tuple[int, int]:
        """(shards indexed or kept from the last build, all shards)."""
        with self.lock:
            return len(self.shards) - len(self.todo) - len(self.running), len(self.shards)

    def wait(self, seconds: float) -> bool:
        """Wait at most `seconds` for every shard to end; whether they have."""
        self.thread.join(seconds)
        return not self.thread.is_alive()

    def finish(self) -> bool:
        """Wait for the index, made byte-identical from build to build (generator/search_index.py).
        False if it was cancelled meanwhile (from another thread)."""
        self.thread.join()
        if self.cancelled:
            return False
        if self.failure is not None:
            raise BriefingError(self.failure[0], "pagefind", hint=self.failure[1])
        return True

    def cancel(self) -> None:
        """The build failed, or `serve` has newer pages to index: stop Pagefind now."""
        with self.lock:
            self.cancelled = True
            processes = list(self.processes)
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
