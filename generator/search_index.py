"""Make Pagefind's output byte-identical between runs.

Pagefind writes its filter indexes from a hash map, so the order of filter
values (and with it the file names that hash them) changes on every run
(upstream issue #638: fragments became stable in 1.3, filters did not). Our
builds promise byte-identical output, so after Pagefind runs we re-encode each
filter file with its values sorted, name it by its content, and point the
metadata at the new names. Only the small CBOR subset Pagefind uses is handled.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


def canonicalise(bundle: Path) -> None:
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text())
    for language in entry["languages"].values():
        meta_path = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_path)
        renamed = {}
        for item in _filters(meta):
            old = item[1]
            new = _rewrite_filter(bundle / "filter", old)
            renamed[old] = new
            item[1] = new
        _filters(meta).sort(key=lambda item: item[0])
        data = _pack(meta)
        language["hash"] = _name(meta_path.name.split(".")[1].split("_")[0], data, 10)
        meta_path.unlink()
        _write(bundle / f"pagefind.{language['hash']}.pf_meta", data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))


def _filters(meta: list[Any]) -> list[list[Any]]:
    """The [name, file hash] pairs: the list of two-item lists whose items are both strings."""
    for item in meta:
        if isinstance(item, list) and item and all(
                isinstance(f, list) and len(f) == 2 and isinstance(f[0], str) and isinstance(f[1], str)
                and f[1].count("_") == 1 for f in item):
            return item
    return []


def _rewrite_filter(folder: Path, name: str) -> str:
    path = folder / f"{name}.pf_filter"
    value = _read(path)
    value[1].sort(key=lambda pair: pair[0])
    data = _pack(value)
    new = _name(name.split("_")[0], data, 7)
    path.unlink()
    _write(folder / f"{new}.pf_filter", data)
    return new


def _name(language: str, data: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind file")
    value, _ = _decode(raw, len(SIGNATURE))
    return value


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def _pack(value: Any) -> bytes:
    return SIGNATURE + _encode(value)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        length = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        length = int.from_bytes(data[at: at + size], "big")
        at += size
    if major == 0:
        return length, at
    if major == 3:
        return data[at: at + length].decode(), at + length
    if major == 4:
        items = []
        for _ in range(length):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if length < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, length)
    raise ValueError("length too large")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise ValueError(f"unsupported value {value!r}")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    return _head(4, len(value)) + b"".join(_encode(v) for v in value)
