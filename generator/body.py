"""Split the body into numbered paragraphs, and set aside what is not body text.

Sub-headings, photo captions, trailers (`___` then "X reported from Y."),
Reuters-style reporting credits and a closing line of hashtags are kept as
`Furniture` (or as a paragraph's heading), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.article import Furniture, Paragraph
from generator.header import SENTENCE_END, URL_LINE, is_caption

RULE = re.compile(r"^(?:_{3,}|\*\s*\*\s*\*[\s*]*|-{3,}|—30—|-30-|#{3})$")
REPORTING_CREDIT = re.compile(r"^\(?(?:(?:reporting|additional reporting|writing|editing|compiled|"
                              r"contributing|with reporting)\b.*\bby\b|-{1,2}\s*with assistance from\b)", re.I)
HASHTAG = re.compile(r"^#[\w\u00C0-\u024F]+$")
TAGS_LINE = re.compile(r"^(?:tags|topics|keywords)\s*:\s*(.+)$", re.I)
BULLET = re.compile(r"^(?:[-*•▪◦·]|\d{1,2}[.)])\s+\S")
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b|all rights reserved)", re.I)


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive non-blank lines."""

    start: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    @property
    def end(self) -> int:
        return self.start + len(self.lines) - 1


@dataclass(frozen=True, slots=True)
class Body:
    paragraphs: tuple[Paragraph, ...]
    furniture: tuple[Furniture, ...]
    tags: tuple[str, ...]
    tags_line: int | None
    url: str | None
    url_line: int | None


def read_body(lines: list[tuple[int, str]]) -> Body:
    """Paragraphs from (line number, text) pairs."""
    blocks = _blocks(lines)
    furniture: list[Furniture] = []
    blocks, tags, tags_line = _take_hashtags(blocks, furniture)
    blocks = _take_trailer(blocks, furniture)
    blocks, url, url_line = _take_footer(blocks, furniture)
    units = [unit for block in blocks for unit in _split_block(block)]
    paragraphs: list[Paragraph] = []
    heading: str | None = None
    for i, unit in enumerate(units):
        text = unit.text
        if _is_body_caption(text, i, len(units)):
            furniture.append(Furniture(unit.start, "caption", text))
        elif _is_subheading(text, units, i):
            furniture.append(Furniture(unit.start, "sub-heading", text))
            heading = re.sub(r"^#+\s*", "", text).strip()
        else:
            paragraphs.append(Paragraph(len(paragraphs) + 1, text, unit.start, unit.end, heading))
            heading = None
    return Body(tuple(paragraphs), tuple(sorted(furniture, key=lambda f: f.line)), tags, tags_line,
                url, url_line)


def _blocks(lines: list[tuple[int, str]]) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, text in lines:
        if text.strip():
            if not current:
                start = number
            current.append(text)
        elif current:
            blocks.append(Block(start, tuple(current)))
            current = []
    if current:
        blocks.append(Block(start, tuple(current)))
    return blocks


def _take_hashtags(blocks: list[Block], furniture: list[Furniture]) -> tuple[list[Block], tuple[str, ...], int | None]:
    """A closing line of hashtags (or 'Tags: a, b') holds tags, not body."""
    if not blocks:
        return blocks, (), None
    last = blocks[-1]
    line = last.lines[-1].strip()
    tokens = line.split()
    labelled = TAGS_LINE.match(line)
    if tokens and all(HASHTAG.match(t) for t in tokens):
        tags = tuple(dict.fromkeys(t[1:] for t in tokens))
    elif labelled:
        tags = tuple(dict.fromkeys(t.strip().lstrip("#") for t in re.split(r"[,;]", labelled.group(1)) if t.strip()))
    else:
        return blocks, (), None
    number = last.end
    furniture.append(Furniture(number, "hashtags", line))
    rest = last.lines[:-1]
    blocks = blocks[:-1] + ([Block(last.start, rest)] if any(r.strip() for r in rest) else [])
    return blocks, tags, number


def _take_trailer(blocks: list[Block], furniture: list[Furniture]) -> list[Block]:
    """Everything after a closing rule (`___`), and a last 'Reporting by ...' credit."""
    for i in range(len(blocks) - 1, max(len(blocks) - 4, -1), -1):
        if RULE.match(blocks[i].text) and i > 0:
            furniture.append(Furniture(blocks[i].start, "rule", blocks[i].text))
            furniture.extend(Furniture(b.start, "trailer", b.text) for b in blocks[i + 1:])
            blocks = blocks[:i]
            break
    while blocks and REPORTING_CREDIT.match(blocks[-1].text) and len(blocks[-1].text) < 300:
        furniture.append(Furniture(blocks[-1].start, "trailer", blocks[-1].text))
        blocks = blocks[:-1]
    return blocks


def _take_footer(blocks: list[Block], furniture: list[Furniture]) -> tuple[list[Block], str | None, int | None]:
    url = url_line = None
    while blocks:
        text = blocks[-1].text
        match = URL_LINE.match(text)
        if match:
            url, url_line = url or match.group(1), url_line or blocks[-1].start
            furniture.append(Furniture(blocks[-1].start, "url", text))
        elif COPYRIGHT.match(text) and len(text) < 200:
            furniture.append(Furniture(blocks[-1].start, "copyright", text))
        else:
            break
        blocks = blocks[:-1]
    return blocks, url, url_line


def _split_block(block: Block) -> list[Block]:
    """One paragraph per line when lines are whole paragraphs (single-newline pastes, bullets);
    otherwise the block is one hard-wrapped paragraph."""
    lines = [line for line in block.lines]
    if len(lines) == 1:
        return [Block(block.start, (lines[0].strip(),))]
    bullets = [bool(BULLET.match(line.strip())) for line in lines]
    if all(bullets) or _lines_are_paragraphs(lines):
        return [Block(block.start + i, (line.strip(),)) for i, line in enumerate(lines) if line.strip()]
    if any(bullets):
        return _split_at_bullets(block, bullets)
    return [Block(block.start, tuple(lines))]


def _lines_are_paragraphs(lines: list[str]) -> bool:
    ends = [bool(SENTENCE_END.search(line.strip())) for line in lines[:-1]]
    short = [len(line.split()) <= 10 for line in lines]
    return all(e or s for e, s in zip(ends, short)) and sum(ends) >= max(1, len(ends) // 2)


def _split_at_bullets(block: Block, bullets: list[bool]) -> list[Block]:
    units: list[Block] = []
    current: list[str] = []
    start = block.start
    for i, (line, bullet) in enumerate(zip(block.lines, bullets)):
        if bullet and current:
            units.append(Block(start, tuple(current)))
            current = []
        if not current:
            start = block.start + i
        current.append(line)
    units.append(Block(start, tuple(current)))
    return units


def _is_body_caption(text: str, i: int, count: int) -> bool:
    """Captions inside the body are short and never the last paragraph, which may end with a
    credit as written ('... on the ground". (ANI)')."""
    return is_caption(text) and not BULLET.match(text) and i < count - 1 and len(text.split()) <= 30


def _is_subheading(text: str, units: list[Block], i: int) -> bool:
    """A short line standing alone between paragraphs, like "'Right kind of security'"."""
    if re.match(r"^#{1,6}\s+\S", text):
        return True
    if i == len(units) - 1 or "\n" in text or BULLET.match(text):
        return False
    words = text.split()
    if not 1 <= len(words) <= 10 or len(text) > 80:
        return False
    if text.endswith((".", ",", ";")) or text.endswith(":") and not BULLET.match(units[i + 1].text):
        return False
    following = units[i + 1].text
    if BULLET.match(following):
        return len(words) <= 6
    return len(following.split()) > len(words) and bool(SENTENCE_END.search(following))
