"""`briefing normalise --write`: put the normalised fields into a file's front matter.

The body's bytes are kept exactly; only the front matter block is added or
replaced, so running it twice changes nothing the second time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.article import FIELDS, Article
from generator.frontmatter import render_front_matter


def front_matter_values(article: Article) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(article, name)
        if value:
            values[name] = list(value) if isinstance(value, tuple) else value
        if name == "title" and article.title_derived and value:
            values["title_derived"] = True
    if article.provenance.get("id", "").startswith("front matter"):
        values["slug"] = article.id
    for key, value in article.extra.items():
        values.setdefault(key, value)
    return values


def rewrite_file(path: Path, article: Article, encoding: str) -> bool:
    """True when the file changed."""
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    raw = raw[len(bom):]
    newline = b"\r\n" if b"\r\n" in raw[:4096] else b"\n"
    body = raw[_front_matter_end(raw):]
    block = render_front_matter(front_matter_values(article))
    new = bom + block.replace("\n", newline.decode()).encode(encoding) + body
    if new == bom + raw:
        return False
    path.write_bytes(new)
    return True


def _front_matter_end(raw: bytes) -> int:
    """Byte offset just after an existing closing fence, or 0 when there is no front matter."""
    lines = raw.split(b"\n")
    if not lines or lines[0].strip() != b"---":
        return 0
    offset = len(lines[0]) + 1
    for line in lines[1:]:
        offset += len(line) + 1
        if line.strip() in (b"---", b"..."):
            return min(offset, len(raw))
    return 0
