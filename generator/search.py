"""Full-text search with Pagefind, run over the article pages as soon as they are written.

Pagefind cannot index incrementally (its issue #71), so `serve` runs it after
the new pages are live, off the critical path of a preview.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.problems import BriefingError
from generator.search_index import canonicalise

INDEXED = "articles/**/*.html"
"""Only article pages carry `data-pagefind-body`; not reading the others halves Pagefind's time."""


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


class SearchIndexing:
    """Pagefind running over a site folder while the build goes on: it reads only article pages,
    so it starts once they are written and indexes them (16 s, 26 CPU-seconds at 10,000 articles)
    while the other pages and data files are rendered."""

    def __init__(self, site_dir: Path, bundle: Path | None = None) -> None:
        self.site_dir = site_dir
        self.bundle = (bundle or site_dir / "pagefind").resolve()
        """Where the index goes: `site_dir/pagefind`, or a folder to be swapped in later (`serve`)."""
        self.cancelled = False
        self.output = tempfile.TemporaryFile()
        try:
            self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                dying_with_this_process(pagefind_command(site_dir, self.bundle)), stdout=self.output,
                stderr=subprocess.STDOUT)
            self.failure: str | None = None
        except OSError as exc:
            self.process, self.failure = None, str(exc)

    def finish(self) -> bool:
        """Wait for the index, and make it byte-identical from build to build. False if it was
        cancelled meanwhile (from another thread)."""
        try:
            if self.process is None:
                raise BriefingError(f"search index failed: {self.failure}", "pagefind",
                                    hint="install the project again (pagefind[bin]) or build with --no-search")
            try:
                code = self.process.wait(timeout=600)
                if self.cancelled:
                    return False
            except subprocess.TimeoutExpired:
                self.cancel()
                raise BriefingError("search index failed: Pagefind ran for over 10 minutes", "pagefind",
                                    hint="build with --no-search to publish without search") from None
            if code != 0:
                self.output.seek(0)
                last = self.output.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise BriefingError(f"search index failed: {last[0]}", "pagefind",
                                    hint="build with --no-search to publish without search")
            canonicalise(self.bundle)
            return True
        finally:
            self.output.close()

    def cancel(self) -> None:
        """The build failed, or `serve` has newer pages to index: stop Pagefind now."""
        self.cancelled = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
