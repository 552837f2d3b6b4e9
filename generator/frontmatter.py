"""YAML front matter: split it from the body and map its keys onto our fields."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.problems import Problem

ALIASES = {
    "title": "title", "headline": "title",
    "date": "date", "published": "date", "pubdate": "date", "published_at": "date",
    "publish_date": "date", "date_published": "date", "datetime": "date",
    "outlet": "outlet", "source": "outlet", "publication": "outlet", "publisher": "outlet",
    "agency": "agency", "wire": "agency",
    "author": "author", "byline": "author", "authors": "author", "by": "author",
    "dateline": "dateline", "location": "dateline",
    "url": "url", "link": "url", "source_url": "url", "canonical_url": "url", "original_url": "url",
    "tags": "tags", "keywords": "tags", "tag": "tags", "categories": "tags", "category": "tags",
    "slug": "slug",
    "title_derived": "title_derived",
}
"""Front matter key (lower case) -> our field. Keys not listed are kept as extras."""
MERGED = frozenset({"tags"})
"""Fields whose values several keys add up to: Hugo and Jekyll files give `tags` and `categories`."""
TAG_SEPARATOR = re.compile(r"[,;]")
"""Between tags given as one string ("oil, mining")."""

_CH = r"[A-Za-z0-9_.+/\-]"
_PLAIN = rf"[A-Za-z0-9]{_CH}*(?::{_CH}+)*(?: {_CH}+(?::{_CH}+)*)*"  # 2025-06-11 08:00 -0500, a://b
_ITEM = rf"[A-Za-z0-9]{_CH}*(?: {_CH}+)*"
_QUOTED = r'"[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]*"'
_SIMPLE_LINE = re.compile(rf"[A-Za-z_][A-Za-z0-9_\-]*:(?: (?:{_QUOTED}|\[{_ITEM}(?:, {_ITEM})*\]|{_PLAIN}))?")
"""One `key: value` line of the kinds nearly every file uses, which libyaml and PyYAML's own
parser read alike. They disagree on rarer YAML (tabs, '?', a BOM inside, ':' in a flow list),
so anything else is read by the pure-Python parser, whose results and messages the tests fix."""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    fields: dict[str, Any]
    """Our field name -> value as given, plus the key it came from under '<field>_key'."""
    extra: dict[str, Any]
    body_line: int
    """1-based line where the body starts."""
    problems: tuple[Problem, ...] = ()
    present: bool = True
    lines: tuple[int, int] = (0, 0)
    keys: dict[str, str] = field(default_factory=dict)
    """Our field name -> the key as the user wrote it."""


def split_front_matter(path: str, text: str) -> FrontMatter:
    """Front matter when the file starts with a `---` fence (YAML) or a `+++` fence (TOML, as Hugo
    writes it) and has a closing one."""
    lines = text.split("\n")
    fence = lines[0].strip() if lines else ""
    if fence not in ("---", "+++"):
        return FrontMatter({}, {}, 1, present=False)
    closing = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closing), None)
    if end is None:
        return FrontMatter({}, {}, 1, (Problem(
            path, f"front matter opened with '{fence}' is never closed; read the file as plain text", 1,
            hint=f"add a closing '{fence}' line"),), present=False)
    block = "\n".join(lines[1:end])
    if fence == "+++":
        return _toml_front_matter(path, block, end)
    try:
        raw = _load_yaml(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(exc, "problem", None) or "not valid YAML"
        return FrontMatter({}, {}, end + 2, (Problem(
            path, f"broken YAML front matter: {reason}; its fields were ignored", line,
            hint="fix the YAML; the body was still read"),), lines=(1, end + 1))
    if not isinstance(raw, dict):
        return FrontMatter({}, {}, end + 2, (Problem(
            path, "front matter is not a mapping of keys; its fields were ignored", 2),),
            lines=(1, end + 1))
    return _map_keys(path, raw, end)


def _toml_front_matter(path: str, block: str, end: int) -> FrontMatter:
    try:
        raw = tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))  # else "(at end of document)": its last line
        reason = str(exc)[: at.start()].strip() if at else str(exc)
        return FrontMatter({}, {}, end + 2, (Problem(
            path, f"broken TOML front matter: {reason}; its fields were ignored",
            int(at.group(1)) + 1 if at else end, hint="fix the TOML; the body was still read"),), lines=(1, end + 1))
    return _map_keys(path, raw, end)


def _load_yaml(block: str) -> Any:
    """yaml.safe_load, through libyaml (ten times faster) when every line is a simple one."""
    if _C_LOADER is not None and all(_SIMPLE_LINE.fullmatch(line) for line in block.split("\n")):
        try:
            return yaml.load(block, Loader=_C_LOADER)
        except yaml.YAMLError:
            pass  # read again below, for PyYAML's own message and line
    return yaml.safe_load(block)


_C_LOADER = getattr(yaml, "CSafeLoader", None)


def _map_keys(path: str, raw: dict[Any, Any], end: int) -> FrontMatter:
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    keys: dict[str, str] = {}
    problems = []
    for key, value in raw.items():
        ours = ALIASES.get(str(key).strip().lower())
        if ours == "outlet" and isinstance(value, str) and value.strip().startswith(("http://", "https://")):
            ours = "url"
        if ours is None:
            extra[str(key)] = _plain(value)
        elif ours in fields and ours in MERGED:
            if value is not None and value != "" and value != []:
                fields[ours] = [*tag_items(fields[ours]), *tag_items(value)]
                keys[ours] = f"{keys[ours]}', '{key}"
        elif ours in fields:
            problems.append(Problem(path, f"front matter gives {ours} twice ('{keys[ours]}' and "
                                    f"'{key}'); kept '{keys[ours]}'"))
        elif value is not None and value != "" and value != []:
            fields[ours] = value
            keys[ours] = str(key)
    return FrontMatter(fields, extra, end + 2, tuple(problems), lines=(1, end + 1), keys=keys)


def tag_items(value: Any) -> list[Any]:
    """A tags value as a list: given as a list, or one string of separated tags."""
    return list(value) if isinstance(value, (list, tuple)) else TAG_SEPARATOR.split(str(value))


def _plain(value: Any) -> Any:
    """YAML dates become ISO strings so extras serialise to JSON deterministically."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def render_front_matter(values: dict[str, Any]) -> str:
    """The YAML block `briefing normalise --write` puts at the top of a file."""
    return "---\n" + yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=1000) + "---\n"
