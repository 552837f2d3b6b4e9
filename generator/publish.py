"""Stage 6: write the rendered site, all or nothing.

Pages go to a staging folder beside the output, which is then swapped in, so
a web server never serves a half-written site and a failed or killed build
leaves the previous one exactly as it was. The site the swap replaces is kept
as the next build's staging folder (the spare, `.site.spare/`): its folders are
already there, and most of its files are already the pages the next build keeps.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO, Protocol


class Background(Protocol):
    def finish(self) -> None: ...
    def cancel(self) -> None: ...


ARTICLE_PAGES_DONE = "article pages done"
"""What `render` yields between the article pages and the rest: search can start indexing."""
ARTICLES_SWEPT = "articles swept"
"""What `render` yields once a worker has swept the article folders (`sweep_articles`)."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A file another process (a render worker) has already put into the staging folder through
    its own `StagingWriter`: this process only counts it."""

    changed: bool
    reused: bool = False
    """Linked from the previous site without being made again (its inputs had not changed)."""


@dataclass(frozen=True, slots=True)
class StagingWriter:
    """Puts files into a build's staging folder: a new file, or, when its bytes equal the previous
    site's, a hard link to that file (its timestamp kept, for rsync and browsers). `publish` writes
    through one; in a parallel build each render worker writes through its own copy, so a page is
    written where it is made instead of being sent to this process first (at 10,000 articles,
    creating and writing the files alone kept this process busy for seconds)."""

    root: Path
    previous: Path | None
    made: set[Path] = field(default_factory=set, compare=False)
    """Folders this process has made: a page's folder is made once, not checked per page."""

    def put(self, path: str, content: bytes | Iterable[bytes]) -> bool:
        """Write `path`; False when it is the previous site's file, unchanged."""
        target = self._target(path)
        old = self.previous / path if self.previous is not None else None
        if isinstance(content, bytes):
            if old is not None and _same_bytes(old, content):
                link_file(old, target)
                return False
            with _new_file(target) as out:
                out.write(content)
            return True
        write_pieces(target, content)
        if old is not None and _same_file(old, target):
            link_file(old, target)
            return False
        return True

    def link(self, path: str, old: Path) -> None:
        link_file(old, self._target(path))

    def _target(self, path: str) -> Path:
        target = self.root / path
        if target.parent not in self.made:
            _make_folder(self.root, target.parent)
            self.made.add(target.parent)
        return target


def staging_writer(output_dir: Path) -> StagingWriter:
    """The writer `publish` will use for `output_dir` in this process, for workers to copy."""
    output_dir = output_dir.resolve()
    return StagingWriter(staging_dir(output_dir), output_dir if output_dir.is_dir() else None)


def publish(pages: Iterable[tuple[str, bytes | Path | Placed | Iterable[bytes]] | str], output_dir: Path,
            index: Callable[[Path], Background] | None = None, carry: tuple[str, ...] = (),
            before_swap: Callable[[], None] | None = None) -> PublishCount:
    """`index` starts the search index over the staging folder once the article pages are in it
    (at ARTICLE_PAGES_DONE); the swap waits for it. `carry`: folders of the previous site kept as
    they are when this build does not make them (`serve` keeps the last search index live until
    its refresh is ready). `before_swap`: what must not outlive the site it describes if the build
    dies between the swap and the end (the page keys)."""
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    writer = staging_writer(output_dir)
    staging = writer.root
    old = output_dir.with_name(f".{output_dir.name}.old-{time.time_ns()}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    _remove_leftovers(output_dir)
    recycled = _claim_spare(output_dir, staging)
    written: set[str] = set()
    indexing: list[Background] = []
    swept: list[bool] = []  # the article folders, by a worker (`sweep_articles`)

    def start_index() -> None:
        if index is not None and not indexing:
            if recycled and not swept:  # the indexer reads the article pages: none of the spare's may be left
                _sweep(staging, written, under=ARTICLES)
            indexing.append(index(staging))

    try:
        count = _write_all(pages, writer, start_index, written, partial(swept.append, True))
        start_index()
        if recycled:
            _sweep(staging, written, skip=(BUNDLE, ARTICLES) if indexing or swept else (BUNDLE,))
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
    _keep_as_spare(old, output_dir)
    return count


SPARE = "spare"
DATA = "data"
ARTICLES = "articles"
"""The folder of the article pages, all of which come before ARTICLE_PAGES_DONE."""
BUNDLE = "pagefind"
"""The site's folder for the search index, made by the indexer (generator/search.py), never by a
page: `shards.json` names the shards' folders in it."""


def spare_dir(output_dir: Path) -> Path:
    return output_dir.with_name(f".{output_dir.name}.{SPARE}")


def _claim_spare(output_dir: Path, staging: Path) -> bool:
    """Take the site the last swap replaced as this build's staging folder. Making a folder per
    article page again (and removing the old ones) was a third of a one-edit rebuild's system time
    at 10,000 articles; most of the spare's files are also the pages this build keeps, already
    in place (`link_file` leaves them be). What this build does not make is swept before the swap.
    Builds of one output never run at once (the lock), so one rename claims it."""
    try:
        spare_dir(output_dir).rename(staging)
    except OSError:
        return False
    shutil.rmtree(staging / BUNDLE, ignore_errors=True)  # the indexer writes a whole new one
    return True


def _keep_as_spare(old: Path, output_dir: Path) -> None:
    """The replaced site, as the spare; less its data files that the new site does not share (a
    few, but 390 MB at 10,000 articles): made again by every build that changes an article."""
    if not old.exists():
        return
    spare = spare_dir(output_dir)
    try:
        old.rename(spare)
    except OSError:
        remove_in_background(old)
        return
    for path in (spare / DATA).glob("*"):
        if path.is_file() and path.stat().st_nlink == 1:
            path.unlink()


def sweep_articles(staging: Path, pages: AbstractSet[str]) -> None:
    """Remove from a recycled staging folder the spare's article pages that are not `pages` (every
    article page of this build), while other processes write into it: the sweep of the whole site,
    after the last page, walked its 10,400 folders at 10,000 articles (0.5-0.7 s after one edit,
    this process alone), 10,000 of them article folders, which a render worker can sweep at the start,
    on the core the points leave idle. The folders of `pages` stay, empty or not: a writer may have
    just made one for its page."""
    _sweep(staging, pages, under=ARTICLES, kept={page.rpartition("/")[0] for page in pages})


def _sweep(staging: Path, written: AbstractSet[str], under: str = "", skip: tuple[str, ...] = (),
           kept: AbstractSet[str] = frozenset()) -> None:
    """Remove what the spare held and this build did not write (under `under`, or everywhere but
    the top-level folders in `skip`), and the folders that leaves empty but those `kept`. Walked
    with `os.scandir` alone: `os.walk` made a list of every folder's entries first, and the sweep
    after one edit at 10,000 articles (10,400 folders) took 0.3-0.75 s instead of 0.15-0.3 s."""
    root = staging.as_posix()
    top = f"{root}/{under}" if under else root
    _sweep_folder(top, len(root) + 1, written, skip if not under else (), kept)


def _sweep_folder(here: str, cut: int, written: AbstractSet[str], skip: tuple[str, ...] = (),
                  kept: AbstractSet[str] = frozenset()) -> bool:
    """True if `here` was left empty (and so removed, unless it is where the sweep began). A folder
    that is not there (a spare without article pages) or cannot be read is left as it is."""
    left = False
    try:
        entries = os.scandir(here)
    except OSError:
        return False
    with entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name in skip or not _sweep_folder(entry.path, cut, written, kept=kept) \
                        or entry.path[cut:] in kept:
                    left = True
                    continue
                try:
                    os.rmdir(entry.path)
                except OSError:
                    left = True
            elif entry.path[cut:] in written:
                left = True
            else:
                os.unlink(entry.path)
    return not left


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


_LEFTOVER = re.compile(r"\.(?:staging|old(?:-\d+)?)-(\d+)")


def _remove_leftovers(output_dir: Path) -> None:
    """Staging and old folders of builds that were killed (their process is gone)."""
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


def _write_all(pages: Iterable[tuple[str, bytes | Path | Placed | Iterable[bytes]] | str], writer: StagingWriter,
               articles_done: Callable[[], None], written: set[str], articles_swept: Callable[[], None]) -> PublishCount:
    changed: list[str] = []
    rendered = reused = 0
    for page in pages:
        if page == ARTICLE_PAGES_DONE:
            articles_done()
            continue
        if page == ARTICLES_SWEPT:
            articles_swept()
            continue
        path, content = page
        written.add(path)
        if isinstance(content, Path) or (isinstance(content, Placed) and content.reused):
            if isinstance(content, Path):
                writer.link(path, content)
            reused += 1
            continue
        rendered += 1
        if content.changed if isinstance(content, Placed) else writer.put(path, content):
            changed.append(path)
    return PublishCount(rendered, reused, tuple(changed))


def write_pieces(target: Path, pieces: Iterable[bytes]) -> None:
    """Into a new file, never into one already there: in a recycled staging folder (the spare),
    that file is often a hard link to a page of the live site."""
    with _new_file(target, buffering=1 << 20) as out:
        for piece in pieces:
            out.write(piece)


def _new_file(target: Path, buffering: int = -1) -> BinaryIO:
    try:
        return target.open("xb", buffering=buffering)
    except FileExistsError:
        _clear(target)
        return target.open("xb", buffering=buffering)


def _same_inode(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # a link that leads nowhere, say: not the file wanted
        return False


def _clear(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def _make_folder(root: Path, folder: Path) -> None:
    """`folder` and its parents up to `root`, where the spare may hold a file of the same name as
    one of them (only those inside `root` are the spare's: a link above it is the user's)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        inside = root
        for part in folder.relative_to(root).parts:
            inside /= part
            if inside.is_symlink() or inside.is_file():
                inside.unlink()
        folder.mkdir(parents=True, exist_ok=True)


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
    """`target` as a hard link to `source`; left as it is when it already is one (a page of the
    spare that this build keeps), replaced when it is another file."""
    try:
        os.link(source, target)
    except FileExistsError:
        if not _same_inode(source, target):
            _clear(target)
            link_file(source, target)
    except OSError:  # another file system, or one without hard links
        _clear(target)  # copyfile writes into a file already there: maybe one of the live site's
        shutil.copyfile(source, target)
