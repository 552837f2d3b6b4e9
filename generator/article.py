"""The records that flow through the pipeline: one `Article` per input file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from generator.problems import Problem
from generator.records import pickled_as_tuple

FIELDS = ("title", "date", "outlet", "agency", "author", "dateline", "url", "tags")
"""Metadata fields the normaliser fills, in the order reports show them."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """An input file decoded to text, with what decoding it took."""

    path: str
    """Path relative to the input folder's parent, as users see it."""
    text: str
    """Decoded text with line ends normalised to `\\n` and any BOM removed."""
    raw_sha256: str
    """Hash of the bytes on disk: the cache key of everything derived from this file."""
    encoding: str = "utf-8"
    problems: tuple[Problem, ...] = ()


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Why a paragraph belongs to a topic."""

    topic: str
    score: float
    evidence: tuple[str, ...]


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a paragraph and its content words: what corroboration compares. Computed in
    the per-article stage, so it runs in parallel and is cached with the article."""

    index: int
    start: int
    end: int
    """Where it is in its paragraph's text (`text_in`): a copy of its text was a fifth of an
    analysed article's memory, and every article stays in memory for the whole build."""
    words: str
    """Its content words (`sentences.word_key`), sorted, one space between: a frozenset per
    sentence was 40% of an analysed article's memory."""

    def text_in(self, paragraph: str) -> str:
        return paragraph[self.start:self.end]


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph, exactly as written, with the lines it came from."""

    n: int
    """1-based position in the body: the `#p-N` anchor."""
    text: str
    line_start: int
    line_end: int
    heading: str | None = None
    """A sub-heading line that stood just before this paragraph, if any."""
    topics: tuple[TopicMatch, ...] = ()
    sentences: tuple[Sentence, ...] = ()


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Furniture:
    """A line that is not body text (date line, byline, caption, trailer...) and what it was taken as."""

    line: int
    kind: str
    text: str


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Article:
    """One input file, normalised. Fields the text does not give are None, never guessed."""

    id: str
    """URL slug: from front matter `slug`, else from the file name, so it survives title fixes."""
    source_path: str
    title: str | None
    title_derived: bool
    date: str | None
    """ISO 8601 date, or date-time with offset when the text gives a zone, without one when not."""
    outlet: str | None
    agency: str | None
    author: str | None
    dateline: str | None
    url: str | None
    tags: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]
    provenance: dict[str, str]
    """Field name -> how its value was found ("front matter", "header line 1: date prefix", ...)."""
    warnings: tuple[Problem, ...] = ()
    furniture: tuple[Furniture, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    """Front matter keys we do not use, kept as given."""
    content_hash: str = ""
    findings: Any = field(default=None, compare=False, repr=False)
    """(id, (packed entity mentions, quotes, events), entity digest) from the analyse stage; see
    generator/findings.py."""

    @property
    def topics(self) -> tuple[str, ...]:
        """An article's topics follow from its paragraphs."""
        seen: dict[str, None] = {}
        for paragraph in self.paragraphs:
            for match in paragraph.topics:
                seen.setdefault(match.topic, None)
        return tuple(seen)

    @property
    def inputs(self) -> str:
        """What fixes everything the stages make of the article, given the code and configuration:
        its file, the hash of its bytes, and its id (which assemble may have changed). Pages and
        data file items are kept by it."""
        return f"{self.source_path}\0{self.content_hash}\0{self.id}"

    @property
    def inputs_digest(self) -> bytes:
        """`inputs` in 8 bytes, for what keeps it for every article from one build to the next
        (the findings' memos): 2.7 MB of the 9 MB one of them took at 10,000 articles."""
        return hashlib.blake2b(self.inputs.encode(), digest_size=8).digest()

    @property
    def source_name(self) -> str | None:
        return self.outlet or self.agency

    def missing(self) -> list[str]:
        return [name for name in FIELDS if not getattr(self, name)]
