"""Sort keys shared by the corpus-wide stages."""

from __future__ import annotations


def descending(text: str) -> str:
    """A key that sorts strings (ISO dates) newest first inside an otherwise ascending sort key."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)
