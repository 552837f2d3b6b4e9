"""What a long build shows on the terminal while it runs: the articles analysed (of how many),
then the files written, then the search index's shards done. A first build of 10,000 articles
takes most of a minute and one of 100,000 about eight; without this, the terminal stayed blank
until the summary line.

Only on a terminal, and only once a stage has run for `DELAY` seconds: logs, CI, tests and quick
rebuilds see the summary line alone, as before. tqdm draws the bars (redrawn at most a few times
a second, so counting costs well under a microsecond a page); it is imported only when a bar is
actually made (`briefing --help` must stay quick).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

DELAY = 1.0
"""Seconds a stage runs before its bar appears."""
REFRESH = 0.25
"""Seconds between two drawings of a bar."""

T = TypeVar("T")


class BuildProgress:
    """`enabled`: None to decide from the stream (a terminal or not)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self._bar: Any = None

    def analysing(self, total: int) -> None:
        """`total` articles are about to go through load → normalise → analyse."""
        self._start("analysing", total, " articles")

    def analysed(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def writing(self, pages: Iterable[T]) -> Iterator[T]:
        """`pages` (render's stream, to `publish`), counted as they pass: items that are
        (path, content) pairs, not the markers between them."""
        self._start("writing", None, " files")
        bar = self._bar
        try:
            for page in pages:
                if bar is not None and isinstance(page, tuple):
                    bar.update()
                yield page
        finally:
            self.close()

    def searching(self, indexing: Callable[[Path], Any] | None) -> Callable[[Path], Any] | None:
        """The search index's factory (`publish`'s `index`, None without search), its end awaited
        with a bar of the shards done: Pagefind goes on for seconds after the last file is written."""
        if not self.enabled or indexing is None:
            return indexing

        def start(site_dir: Path) -> _ShownIndexing:
            return _ShownIndexing(indexing(site_dir), self)
        return start

    def awaiting(self, indexing: Any) -> None:
        """Until the search index (`search.SearchIndexing`) is done, its shards done of all."""
        self._start("search index", indexing.progress()[1], "shard")  # slower than one a second: s/shard
        try:
            while not indexing.wait(REFRESH):
                if self._bar is not None:
                    self._bar.update(indexing.progress()[0] - self._bar.n)
        finally:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _start(self, stage: str, total: int | None, unit: str) -> None:
        self.close()
        if not self.enabled:
            return
        from tqdm import tqdm

        # The size from shutil, which falls back to $COLUMNS, $LINES or 80x24 where the terminal reports
        # 0x0 (a pseudo-terminal nobody sized): from tqdm's own reading, it drew nothing.
        size = shutil.get_terminal_size()
        self._bar = tqdm(total=total, desc=stage, unit=unit, file=self.stream, delay=DELAY,
                         leave=False, ncols=size.columns, nrows=size.lines, mininterval=REFRESH)


QUIET = BuildProgress(enabled=False)
"""What callers that show nothing (serve, tests, the library's own users) get: it never makes a bar."""


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _ShownIndexing:
    """A `search.SearchIndexing` whose `finish` shows the shards done while it waits."""

    def __init__(self, indexing: Any, progress: BuildProgress) -> None:
        self.indexing, self.progress = indexing, progress

    def finish(self) -> Any:
        self.progress.awaiting(self.indexing)
        return self.indexing.finish()

    def cancel(self) -> None:
        self.indexing.cancel()
