"""Full-text search with Pagefind, run over the article pages as soon as they are written.

Pagefind cannot index incrementally (its issue #71), so `serve` runs it after
the new pages are live, off the critical path of a preview.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from generator.problems import BriefingError
from generator.search_index import canonicalise

INDEXED = "articles/**/*.html"
"""Only article pages carry `data-pagefind-body`; not reading the others halves Pagefind's time."""


def pagefind_command(site_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind",
            "--glob", INDEXED, "--quiet"]


class SearchIndexing:
    """Pagefind running over a site folder while the build goes on: it reads only article pages,
    so it starts once they are written and indexes them (20-30 s at 10,000 articles, on one core)
    while the other pages and data files are rendered on the other."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.output = tempfile.TemporaryFile()
        try:
            self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
                pagefind_command(site_dir), stdout=self.output, stderr=subprocess.STDOUT)
            self.failure: str | None = None
        except OSError as exc:
            self.process, self.failure = None, str(exc)

    def finish(self) -> None:
        """Wait for the index, and make it byte-identical from build to build."""
        try:
            if self.process is None:
                raise BriefingError(f"search index failed: {self.failure}", "pagefind",
                                    hint="install the project again (pagefind[bin]) or build with --no-search")
            try:
                code = self.process.wait(timeout=600)
            except subprocess.TimeoutExpired:
                self.cancel()
                raise BriefingError("search index failed: Pagefind ran for over 10 minutes", "pagefind",
                                    hint="build with --no-search to publish without search") from None
            if code != 0:
                self.output.seek(0)
                last = self.output.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                raise BriefingError(f"search index failed: {last[0]}", "pagefind",
                                    hint="build with --no-search to publish without search")
            canonicalise(self.site_dir / "pagefind")
        finally:
            self.output.close()

    def cancel(self) -> None:
        """The build failed: stop writing into a staging folder that is about to be removed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.output.close()


def index_search(site_dir: Path) -> None:
    """Write `pagefind/` into the site: the search page loads it (over HTTP, not file://)."""
    SearchIndexing(site_dir).finish()
