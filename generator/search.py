"""Full-text search with Pagefind, run over the finished pages as the last build step.

Pagefind cannot index incrementally (its issue #71), so `serve` runs it after
the new pages are live, off the critical path of a preview.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.problems import BriefingError
from generator.search_index import canonicalise

INDEXED = "articles/**/*.html"
"""Only article pages carry `data-pagefind-body`; not reading the others halves Pagefind's time."""


def index_search(site_dir: Path) -> None:
    """Write `pagefind/` into the site: the search page loads it (over HTTP, not file://)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-subdir", "pagefind",
               "--glob", INDEXED, "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BriefingError(f"search index failed: {exc}", "pagefind",
                            hint="install the project again (pagefind[bin]) or build with --no-search") from None
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BriefingError(f"search index failed: {last[0]}", "pagefind",
                            hint="build with --no-search to publish without search") from None
    canonicalise(site_dir / "pagefind")
