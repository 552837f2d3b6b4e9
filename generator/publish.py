"""Stage 6: write the rendered site, all or nothing.

Pages go to a staging folder beside the output, which is then swapped in, so
a web server never serves a half-written site and a failed or killed build
leaves the previous one exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


def publish(pages: Iterable[tuple[str, bytes | Path]], output_dir: Path,
            finish: Callable[[Path], None] | None = None) -> PublishCount:
    """`finish` runs on the complete staging folder before the swap (the search index)."""
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = output_dir.with_name(f".{output_dir.name}.staging-{os.getpid()}")
    old = output_dir.with_name(f".{output_dir.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        count = _write_all(pages, staging)
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
    return count


@dataclass(frozen=True, slots=True)
class PublishCount:
    rendered: int
    reused: int
    """Pages whose inputs had not changed, hard-linked from the previous site."""

    @property
    def total(self) -> int:
        return self.rendered + self.reused


def _write_all(pages: Iterable[tuple[str, bytes | Path]], root: Path) -> PublishCount:
    made: set[Path] = set()
    rendered = reused = 0
    for path, content in pages:
        target = root / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if isinstance(content, Path):
            _link(content, target)
            reused += 1
        else:
            target.write_bytes(content)
            rendered += 1
    return PublishCount(rendered, reused)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
