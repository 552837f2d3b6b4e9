"""Stage 6: write the rendered site, all or nothing.

Pages go to a staging folder beside the output, which is then swapped in, so
a web server never serves a half-written site and a failed or killed build
leaves the previous one exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def publish(pages: dict[str, bytes], output_dir: Path,
            finish: Callable[[Path], None] | None = None) -> int:
    """`finish` runs on the complete staging folder before the swap (the search index)."""
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = output_dir.with_name(f".{output_dir.name}.staging-{os.getpid()}")
    old = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_all(pages, staging)
        if finish:
            finish(staging)
        if output_dir.exists():
            output_dir.rename(old)
        staging.rename(output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not output_dir.exists():
            old.rename(output_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return len(pages)


def _write_all(pages: dict[str, bytes], root: Path) -> None:
    made: set[Path] = set()
    for path in sorted(pages):
        target = root / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(pages[path])
