"""Stage 1: find the input files and decode each to text.

Decoding problems are the file's own business: a file that cannot be read at
all becomes an `Unreadable` with the reason, so it still reaches the report.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from generator.article import SourceFile
from generator.problems import Problem, Severity

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".text")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input file that yields no article, and why."""

    path: str
    reason: str


def find_inputs(input_dir: Path) -> list[Path]:
    """Every file under the input folder (what `rglob("*")` and `is_file` find: links to files
    followed, links to folders not), sorted so builds are deterministic. Walked with `os.scandir`
    on strings: pathlib's walk and per-path parsing were 0.16 s of a 0.47 s no-change rebuild at
    10,000 articles."""
    found: list[str] = []
    _walk(str(input_dir), "", found)
    found.sort()
    return [input_dir / relative for relative in found]


def _walk(folder: str, prefix: str, found: list[str]) -> None:
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        _walk(entry.path, f"{prefix}{entry.name}/", found)
                    elif entry.is_file():
                        found.append(prefix + entry.name)
                except OSError:
                    continue
    except PermissionError:
        return


def display_path(path: Path, input_dir: Path) -> str:
    """`input/relative/path`, cut from the strings (`relative_to` parses both paths: 0.14 s per
    10,000 files, on every build)."""
    text, root = str(path), str(input_dir)
    if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:
        return f"{input_dir.name}/{text[len(root) + 1:].replace(os.sep, '/')}"
    return f"{input_dir.name}/{path.relative_to(input_dir).as_posix()}"


def load(path: Path, input_dir: Path) -> SourceFile | Unreadable:
    shown = display_path(path, input_dir)
    if path.name.startswith(".") or path.suffix.lower() not in ARTICLE_SUFFIXES:
        return Unreadable(shown, f"not an article file (expected {', '.join(ARTICLE_SUFFIXES)})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Unreadable(shown, f"cannot read the file: {exc.strerror}")
    return decode(shown, data)


LATIN_TEXT = set("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
                 "‘’“”–—…€£°«»¡¿·©®ºª´")


def _detect(data: bytes) -> tuple[str, str] | None:
    """Western European text first: when the bytes read as cp1252 and every non-ASCII character
    is a Latin letter or typographic punctuation, that is what they are. Statistical detection
    (charset-normalizer) ties or guesses wrong on such short texts (cp1250 turns 'ñ' into 'ń';
    big5 was seen), so it only decides the rest."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    extra = [c for c in text if ord(c) > 127]
    if text and extra and all(c in LATIN_TEXT for c in extra):
        return "cp1252", text
    guess = from_bytes(data).best()
    if guess is None:
        return None
    return guess.encoding, str(guess)


def decode(shown: str, data: bytes) -> SourceFile | Unreadable:
    """Bytes to text: UTF-8 first, then a detected encoding, and say which."""
    if not data.strip():
        return Unreadable(shown, "the file is empty")
    if b"\x00" in data[:8192]:
        return Unreadable(shown, "binary file (contains NUL bytes), not text")
    problems: list[Problem] = []
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        problems.append(Problem(shown, "UTF-8 byte order mark removed", 1, severity=Severity.NOTE))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guessed = _detect(data)
        if guessed is None:
            return Unreadable(shown, "binary or unknown encoding: not UTF-8 and no text encoding fits")
        encoding, text = guessed
        problems.append(Problem(shown, f"encoding is not UTF-8 (first bad byte on this line); "
                                f"decoded as {encoding}", line,
                                hint="check the accents, or save the file as UTF-8"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        problems.append(Problem(shown, "CRLF line ends read as LF", severity=Severity.NOTE))
    digest = hashlib.sha256(data).hexdigest()
    return SourceFile(shown, text, digest, encoding, tuple(problems))
