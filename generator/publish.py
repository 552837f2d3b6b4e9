"""Stage 6: write the rendered site, all or nothing.

Pages go to a staging folder beside the output, which is then swapped in, so
a web server never serves a half-written site and a failed or killed build
leaves the previous one exactly as it was.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Background(Protocol):
    def finish(self) -> None: ...
    def cancel(self) -> None: ...


ARTICLE_PAGES_DONE = "article pages done"
"""What `render` yields between the article pages and the rest: search can start indexing."""


@dataclass(frozen=True, slots=True)
class Made:
    """A file written whole by another process (a render worker writing a data file) into the
    build's scratch folder: moved into the site, then treated like a page written here."""

    file: Path


@contextmanager
def scratch_dir(output_dir: Path) -> Iterator[Path]:
    """A folder beside the output, on its file system, for files written by worker processes and
    moved into the staging folder (`Made`); gone when the build ends, or with the next build
    when this one was killed (`_remove_leftovers`)."""
    output_dir = output_dir.resolve()
    folder = output_dir.with_name(f".{output_dir.name}.data-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(pages: Iterable[tuple[str, bytes | Path | Made | Iterable[bytes]] | str], output_dir: Path,
            index: Callable[[Path], Background] | None = None, carry: tuple[str, ...] = (),
            before_swap: Callable[[], None] | None = None) -> PublishCount:
    """`index` starts the search index over the staging folder once the article pages are in it
    (at ARTICLE_PAGES_DONE); the swap waits for it. `carry`: folders of the previous site kept as
    they are when this build does not make them (`serve` keeps the last search index live until
    its refresh is ready). `before_swap`: what must not outlive the site it describes if the build
    dies between the swap and the end (the page keys)."""
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_dir(output_dir)
    old = output_dir.with_name(f".{output_dir.name}.old-{time.time_ns()}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    _remove_leftovers(output_dir)
    indexing: list[Background] = []

    def start_index() -> None:
        if index is not None and not indexing:
            indexing.append(index(staging))

    try:
        count = _write_all(pages, staging, output_dir if output_dir.is_dir() else None, start_index)
        start_index()
        for running in indexing:
            running.finish()
        for folder in carry:
            link_tree(output_dir / folder, staging / folder)
        if before_swap is not None:
            before_swap()
        if output_dir.exists():
            output_dir.rename(old)
        staging.rename(output_dir)
    except BaseException:
        for running in indexing:
            running.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not output_dir.exists():
            old.rename(output_dir)
        raise
    remove_in_background(old)
    return count


def remove_in_background(folder: Path) -> None:
    """The previous site is out of the way once the new one is in: removing its files (a second at
    10,000 articles) is left to `rm`, detached, so the build ends when the site is ready. Its name
    is unique, so a build that follows at once never meets it; one left behind (the machine went
    down) is removed by the next build."""
    if not folder.exists():
        return
    try:  # sh starts rm in the background and exits: nothing is left for this process to wait for
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(folder)],
                       check=True, stdin=subprocess.DEVNULL, start_new_session=True)
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(folder, ignore_errors=True)


_LEFTOVER = re.compile(r"\.(?:staging|data|old(?:-\d+)?)-(\d+)")


def _remove_leftovers(output_dir: Path) -> None:
    """Staging, scratch and old folders of builds that were killed (their process is gone)."""
    for folder in output_dir.parent.glob(f".{output_dir.name}.*-*"):
        match = _LEFTOVER.fullmatch(folder.name[len(output_dir.name) + 1:])
        if match and not _alive(int(match.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(output_dir: Path) -> Path:
    """This process's staging folder: a process that dies mid-build leaves only this behind."""
    return output_dir.with_name(f".{output_dir.name}.staging-{os.getpid()}")


@dataclass(frozen=True, slots=True)
class PublishCount:
    rendered: int
    reused: int
    """Pages whose inputs had not changed, hard-linked from the previous site."""
    changed: tuple[str, ...] = ()
    """Paths whose bytes differ from the previous site's, or that it did not have: what an open
    browser tab must reload (`serve`). Removed pages are not listed."""

    @property
    def total(self) -> int:
        return self.rendered + self.reused


def _write_all(pages: Iterable[tuple[str, bytes | Path | Made | Iterable[bytes]] | str], root: Path, previous: Path | None,
               articles_done: Callable[[], None]) -> PublishCount:
    made: set[Path] = set()
    changed: list[str] = []
    rendered = reused = 0
    for page in pages:
        if page == ARTICLE_PAGES_DONE:
            articles_done()
            continue
        path, content = page
        target = root / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if isinstance(content, Path):
            link_file(content, target)
            reused += 1
            continue
        rendered += 1
        old = previous / path if previous else None
        if isinstance(content, bytes):
            if old is not None and _same_bytes(old, content):
                link_file(old, target)  # unchanged: keep the file (and its timestamp) for rsync and browsers
                continue
            target.write_bytes(content)
        else:
            if isinstance(content, Made):
                shutil.move(content.file, target)
            else:
                write_pieces(target, content)
            if old is not None and _same_file(old, target):
                target.unlink()
                link_file(old, target)
                continue
        changed.append(path)
    return PublishCount(rendered, reused, tuple(changed))


def write_pieces(target: Path, pieces: Iterable[bytes]) -> None:
    with target.open("wb", buffering=1 << 20) as out:
        for piece in pieces:
            out.write(piece)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def link_tree(source: Path, target: Path) -> None:
    if not source.is_dir() or target.exists():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            link_file(path, target / path.relative_to(source))


def _same_bytes(path: Path, content: bytes) -> bool:
    try:
        return path.stat().st_size == len(content) and path.read_bytes() == content
    except OSError:
        return False


def link_file(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
