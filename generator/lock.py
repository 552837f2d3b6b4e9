"""One build at a time per output folder, so overlapping scheduled runs never write at once."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.problems import BriefingError


class BuildLocked(BriefingError):
    """Another build holds the lock; schedulers can retry later (EX_TEMPFAIL)."""

    exit_code = 75


@contextmanager
def build_lock(output_dir: Path, wait: bool) -> Iterator[None]:
    """An advisory lock beside the output folder; the kernel releases it if the build dies."""
    path = output_dir.resolve().with_name(f".{output_dir.resolve().name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BuildLocked(f"another build is writing {output_dir}", str(path),
                              hint="wait for it, or pass --wait to queue behind it") from None
        yield
    finally:
        os.close(handle)
