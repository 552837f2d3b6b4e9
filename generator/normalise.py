"""Stage 2: one decoded file -> one `Article`.

A pure function of the file and the configuration, so it can run in a process
pool and be cached by content hash. Precedence, lowest to highest: what the
text reveals (header lines, lede, cues), then front matter given by the user.
Every value records how it was found; a value the text does not give is None.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from slugify import slugify

from generator.analyse import last_config
from generator.article import Article, Furniture, Paragraph, SourceFile
from generator.body import read_body
from generator.config import Config
from generator.dates import read_date
from generator.frontmatter import FrontMatter, split_front_matter, tag_items
from generator.header import Header, clean_names, read_header
from generator.lede import derive_title, read_dateline
from generator.problems import Problem
from generator.registry import SourceRegistry, registry_for, url_host

LEDE_PARAGRAPHS = 6
"""A dateline is looked for in the first paragraphs: bullets or a standfirst may come first."""
CUE_PARAGRAPHS = 2
"""Cues such as 'AzerNEWS reports' are looked for in the header and the first paragraphs only."""


def normalise(source: SourceFile, config: Config) -> Article:
    registry = _registry(config)
    front = split_front_matter(source.path, source.text)
    lines = source.text.split("\n")[front.body_line - 1:]
    header = read_header(source.path, lines, front.body_line, config.dates)
    body_lines = [(front.body_line + i, line) for i, line in enumerate(lines)][header.body_start:]
    if header.first_body_text is not None and body_lines:
        body_lines[0] = (body_lines[0][0], header.first_body_text)
    body = read_body(body_lines)
    found = _Found(source.path)
    furniture = sorted([*header.furniture, *body.furniture], key=lambda f: f.line)
    _from_text(found, header, body.paragraphs, furniture, body, registry)
    _from_front_matter(found, front, registry, config)
    _safe_url(found)
    _outlet_from_url(found, registry)
    _title(found, body.paragraphs)
    return Article(
        id=_article_id(source.path, front), source_path=source.path,
        title=found.values.get("title"), title_derived=found.values.get("title_derived", False),
        date=found.values.get("date"), outlet=found.values.get("outlet"),
        agency=found.values.get("agency"), author=found.values.get("author"),
        dateline=found.values.get("dateline"), url=found.values.get("url"),
        tags=tuple(found.values.get("tags") or ()), paragraphs=body.paragraphs,
        provenance=dict(sorted({**found.how, "id": _id_how(front)}.items())),
        warnings=(*source.problems, *front.problems, *header.problems, *found.problems,
                  *_empty_body(source.path, body.paragraphs)),
        furniture=tuple(furniture), extra=front.extra, content_hash=source.raw_sha256)


_registry = last_config(registry_for)


class _Found:
    """Values with how each was found; a later `set` wins (the cascade's precedence)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.values: dict[str, Any] = {}
        self.how: dict[str, str] = {}
        self.problems: list[Problem] = []

    def set(self, name: str, value: Any, how: str) -> None:
        if value is None or value == "" or value == ():
            return
        self.values[name] = value
        self.how[name] = how

    def first(self, name: str, value: Any, how: str) -> None:
        if name not in self.values:
            self.set(name, value, how)


def _from_text(found: _Found, header: Header, paragraphs: tuple[Paragraph, ...],
               furniture: list[Furniture], body: Any, registry: SourceRegistry) -> None:
    if header.title:
        found.set("title", header.title, header.title_how)
    if header.date:
        found.set("date", header.date.iso, f"{header.date_how} ({header.date.how})")
    if header.author:
        found.set("author", header.author, header.author_how)
    if header.dateline:
        found.set("dateline", header.dateline, header.dateline_how)
    found.first("url", header.url, header.url_how)
    if body.url:
        found.first("url", body.url, f"line {body.url_line}: source URL line")
    if body.tags:
        found.set("tags", body.tags, f"line {body.tags_line}: hashtags")
    for paragraph in paragraphs[:LEDE_PARAGRAPHS]:
        if _lede(found, paragraph, registry):
            break
    _cues(found, header, paragraphs, furniture, registry)
    if header.affiliation:
        entry = registry.named(header.affiliation)
        field = entry.kind if entry else "outlet"
        found.first(field, entry.name if entry else header.affiliation, "byline affiliation "
                    f"'{header.affiliation}'")
    if header.source_name:
        found.first("outlet", registry.canonical(header.source_name),
                    f"header line {header.source_line}: 'Source:' label")
    if header.credit:
        entry = registry.named(header.credit)
        found.first(entry.kind if entry else "agency", entry.name if entry else header.credit,
                    f"header line {header.credit_line}: credit line" + ("" if entry else " (not in the registry)"))


def _safe_url(found: _Found) -> None:
    """Only web addresses become links: a `javascript:` or `data:` url would run in readers' browsers."""
    url = found.values.get("url")
    if url and not re.match(r"^https?://[^\s/$.?#][^\s]*$", url, re.I):
        del found.values["url"]
        found.how.pop("url", None)
        found.problems.append(Problem(found.path, f"url {url[:60]!r} is not an http(s) address; ignored",
                                      hint="give the article's web address, starting with https://"))


def _outlet_from_url(found: _Found, registry: SourceRegistry) -> None:
    """Where it was published: the URL's site, named by the registry or by its host."""
    url = found.values.get("url")
    if "outlet" in found.values or not url or not url_host(url):
        return
    entry = registry.by_url(url)
    if entry:
        found.set("outlet", entry.name, f"domain of url ({url_host(url)})")
    else:
        found.set("outlet", url_host(url), "domain of url (not in the registry)")


def _lede(found: _Found, lede: Paragraph, registry: SourceRegistry) -> bool:
    """A dateline opening the lede; a summary of bullets may come before the lede."""
    dateline = read_dateline(lede.text)
    if dateline is None:
        return False
    if dateline.place:
        found.first("dateline", dateline.place, f"line {lede.line_start}: dateline opening the lede")
    if dateline.credit:
        entry = registry.named(dateline.credit)
        if entry is None and not re.fullmatch(r"[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,2}", dateline.credit):
            return True
        field = entry.kind if entry else "agency"
        note = "" if entry else " (not in the registry)"
        found.first(field, entry.name if entry else dateline.credit,
                    f"line {lede.line_start}: credit '({dateline.credit})' in the dateline{note}")
    return True


def _cues(found: _Found, header: Header, paragraphs: tuple[Paragraph, ...],
          furniture: list[Furniture], registry: SourceRegistry) -> None:
    places = [(f.line, f.kind, f.text) for f in furniture if f.kind not in ("trailer", "rule")]
    places += [(p.line_start, "paragraph", p.text) for p in paragraphs[:CUE_PARAGRAPHS]]
    header_cue = _any_cue(registry, "header")
    for line, kind, text in places:
        if not header_cue.search(text):
            continue
        for hit in registry.find_cues(text, "header"):
            where = "photo caption" if kind == "caption" else kind
            found.first(hit.entry.kind, hit.entry.name, f"line {line}: cue '{hit.cue.text}' in {where}")
    trailer = [f for f in furniture if f.kind == "trailer"]
    for item in trailer:
        for hit in registry.find_cues(item.text, "trailer"):
            found.first(hit.entry.kind, hit.entry.name,
                        f"line {item.line}: trailer '{item.text[:40]}' ({hit.entry.name} style)")


@lru_cache(maxsize=8)
def _any_cue(registry: SourceRegistry, where: str) -> re.Pattern[str]:
    """Any cue's text, as written: a line with none has no cue, and one search says so where
    `find_cues` makes one per cue."""
    texts = sorted({cue.text for entry in registry.entries for cue in entry.cues if cue.where == where})
    return re.compile("|".join(map(re.escape, texts))) if texts else re.compile("(?!)")


def _from_front_matter(found: _Found, front: FrontMatter, registry: SourceRegistry,
                       config: Config) -> None:
    if not front.present:
        return
    for name, value in front.fields.items():
        key = front.keys[name]
        how = "front matter" if key == name else f"front matter ('{key}')"
        if name == "date":
            _front_date(found, value, how, key, front, config)
        elif name in ("outlet", "agency"):
            found.set(name, registry.canonical(str(value)), how)
        elif name == "author":
            found.set(name, _join_names(value), how)
        elif name == "tags":
            found.set(name, _tag_list(value), how)
        elif name == "title_derived":
            found.values["title_derived"] = value is True
        elif name in ("title", "dateline", "url"):
            found.set(name, str(value).strip(), how)
            if name == "title":
                found.values.setdefault("title_derived", False)


def _front_date(found: _Found, value: Any, how: str, key: str, front: FrontMatter,
                config: Config) -> None:
    if isinstance(value, dt.datetime):
        found.set("date", value.replace(microsecond=0).isoformat(), how)
    elif isinstance(value, dt.date):
        found.set("date", value.isoformat(), how)
    else:
        reading = read_date(str(value), config.dates)
        if reading:
            found.set("date", reading.iso, f"{how} ({reading.how})")
            if reading.ambiguous:
                found.problems.append(Problem(found.path, reading.ambiguous, hint="write YYYY-MM-DD"))
        else:
            found.problems.append(Problem(
                found.path, f"front matter '{key}: {value}' is not a date we can read; date left empty",
                hint="write it as YYYY-MM-DD, optionally with a time and zone"))


def _join_names(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        names = [_name(str(v)) for v in value if str(v).strip()]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return _name(str(value))


def _name(text: str) -> str:
    return clean_names(re.sub(r"^\s*by\s+", "", text, flags=re.I))


def _tag_list(value: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(t).strip().lstrip("#") for t in tag_items(value) if str(t).strip()))


def _title(found: _Found, paragraphs: tuple[Paragraph, ...]) -> None:
    if found.values.get("title") or not paragraphs:
        found.values.setdefault("title_derived", False)
        return
    title = derive_title(paragraphs[0].text)
    if title:
        found.set("title", title, f"derived from lede (line {paragraphs[0].line_start})")
        found.values["title_derived"] = True


def _empty_body(path: str, paragraphs: tuple[Paragraph, ...]) -> list[Problem]:
    if paragraphs:
        return []
    return [Problem(path, "no body text found: every line was read as header furniture",
                    hint="check the file; see the article page for what each line was taken as")]


def _id_how(front: FrontMatter) -> str:
    given = front.fields.get("slug")
    return "front matter (slug)" if given is not None and slugify(str(given)) else "file name"


def _article_id(path: str, front: FrontMatter) -> str:
    """Stable across title fixes and normaliser changes: the `slug` given, else the file name."""
    given = front.fields.get("slug")
    if given is not None and slugify(str(given)):
        return slugify(str(given))
    return slugify(PurePosixPath(path).stem) or "article"
