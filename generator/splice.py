"""A data file's unchanged items copied from the previous build's file instead of encoded again.

After one edit at 10,000 articles, `data/topics.json` (155 MB: 161,000 topic paragraphs, 33,000
points) was encoded whole again, 1.4-1.6 s of a core alone and 3.7 s of a render worker beside
the others: the longest job of the rebuild's middle pass. Yet each item of the file is made from
few inputs (a point from its passages' places and articles; a paragraph from its article, topic
and points; an article from its file), so an item whose inputs are unchanged has the bytes it had.

A file written with a `Splice` gets an index in the cache folder: the file's identity (device,
inode, size, modification time) and, per item key, where the item's bytes are. The next build
reads an unchanged item out of the previous file (mapped, not read whole) and encodes only the
others; the result is byte for byte what encoding every item gives. The index is used only while
the file it describes is the live site's (the identity matches) and it was made by the same code
and configuration (`base`); otherwise every item is encoded and a new index made.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1


def item_key(text: str) -> bytes:
    """A short digest of what an item is made from (its inputs, written out as text)."""
    return hashlib.blake2b(text.encode(), digest_size=12).digest()


@dataclass
class Splice:
    """The previous build's bytes of one data file, by item key, and the index of the new file."""

    previous: Path | None
    """The live site's file, as the previous build wrote it."""
    index: Path
    """Where its index is kept (in the cache folder)."""
    base: str
    """What every item is also made by (code, configuration): an index made by others is not used."""
    found: dict[bytes, tuple[int, int]] = field(default_factory=dict)
    made: dict[bytes, tuple[int, int]] = field(default_factory=dict)
    reused: int = 0
    _map: mmap.mmap | None = None

    def open(self) -> None:
        """Map the previous file when its index describes it; else splice nothing."""
        self.found, self.made, self.reused = {}, {}, 0
        try:
            recorded = pickle.loads(self.index.read_bytes())
            if (self.previous is None or recorded.get("version") != VERSION or recorded.get("base") != self.base
                    or recorded.get("file") != _identity(self.previous)):
                return
            with self.previous.open("rb") as file:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if recorded["file"][2] else None
            self.found = recorded["items"]
        except (OSError, ValueError, KeyError, TypeError, EOFError, pickle.UnpicklingError):
            self.found = {}

    def get(self, key: bytes) -> bytes | None:
        span = self.found.get(key)
        if span is None or self._map is None:
            return None
        self.reused += 1
        return self._map[span[0]:span[1]]

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def save(self, written: Path, unchanged: bool) -> None:
        """Once the new file is final in the staging folder. `unchanged`: it is the previous file,
        linked (same bytes), which the index found still describes (when one was found)."""
        self.close()
        if unchanged and self.found:
            return
        temporary = self.index.with_name(f".{self.index.name}.{os.getpid()}")
        try:
            data = pickle.dumps({"version": VERSION, "base": self.base, "file": _identity(written),
                                 "items": self.made}, protocol=pickle.HIGHEST_PROTOCOL)
            self.index.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, self.index)
        except OSError:  # a full disk, say: the file is written, only the next build's shortcut lost
            with suppress(OSError):  # an index left behind describes another file: never used
                temporary.unlink()


def _identity(path: Path) -> tuple[int, int, int, int]:
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class Position:
    """How many bytes of a data file have been handed on: where the next piece starts."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = 0


class SplicedItems:
    """A JSON array (or, with `keyed`, an object) whose items are made by `make(obj)` from
    `objects`, except those whose `key(obj)` the splice has: those are copied. `keyed(obj)`: the
    item's name in the object, written anew (only its value is spliced). `encoded`: `make` gives
    the bytes, maybe of several items (an article's paragraphs on a topic, comma-separated): a key
    and a lookup per item cost about as much as encoding it (topics.json at 10,000 articles: 1.0 s
    spliced whole, item by item, against 1.2 s encoded), so the many small items go by runs.
    Not a dataclass, like `datafiles.Items`: orjson would write one as an object."""

    __slots__ = ("objects", "key", "make", "splice", "keyed", "encoded")

    def __init__(self, objects: Iterable[Any], key: Callable[[Any], bytes], make: Callable[[Any], Any],
                 splice: Splice, keyed: Callable[[Any], str] | None = None, encoded: bool = False) -> None:
        self.objects, self.key, self.make, self.splice, self.keyed = objects, key, make, splice, keyed
        self.encoded = encoded


GROUP = 256
"""Items handed on as one piece: a piece per item went up through four generators each."""


def spliced_pieces(items: SplicedItems, position: Position, encode: Callable[[Any], bytes],
                   encode_key: Callable[[str], bytes]) -> Iterator[bytes]:
    """The array or object, GROUP items a piece; `position` says where each piece starts, so
    where each item does (the index of the file being written)."""
    splice, made, key_of, make, name_of = items.splice, items.splice.made, items.key, items.make, items.keyed
    if not items.encoded:
        make = _encoding(make, encode)
    yield b"{" if name_of else b"["
    parts: list[bytes] = []
    placed: list[tuple[bytes, int, int]] = []  # key, start and end from the start of the piece
    at = 0
    for i, obj in enumerate(items.objects):
        if i:
            parts.append(b",")
            at += 1
        if name_of is not None:
            name = encode_key(name_of(obj)) + b":"
            parts.append(name)
            at += len(name)
        key = key_of(obj)
        piece = splice.get(key)
        if piece is None:
            piece = make(obj)
        parts.append(piece)
        placed.append((key, at, at + len(piece)))
        at += len(piece)
        if len(placed) == GROUP:
            base = position.at
            made.update((key, (base + start, base + end)) for key, start, end in placed)
            yield b"".join(parts)
            parts, placed, at = [], [], 0
    if placed:
        base = position.at
        made.update((key, (base + start, base + end)) for key, start, end in placed)
        yield b"".join(parts)
    yield b"}" if name_of else b"]"


def _encoding(make: Callable[[Any], Any], encode: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    return lambda obj: encode(make(obj))
