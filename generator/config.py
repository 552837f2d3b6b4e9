"""One schema for `briefing.yml`, validated once.

Every problem found is collected and reported together (key and file named),
like MkDocs' config validation, and then the command stops once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from generator.entities import EntityRule, entity_rules
from generator.problems import ConfigError

DATE_ORDERS = ("DMY", "MDY", "YMD")


@dataclass(frozen=True, slots=True)
class Cue:
    """Text that reveals a source, e.g. `(AFP)` in a caption or `AzerNEWS reports` in the lede."""

    text: str
    where: str = "header"
    """`header` (header lines, the first paragraphs, captions) or `trailer` (after `___`)."""


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """An outlet or a news agency the registry can recognise."""

    name: str
    kind: str
    """`outlet` or `agency`."""
    aliases: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()
    domains: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True, slots=True)
class TopicRule:
    """How a paragraph earns a topic: weighted terms, co-occurrence, exclusions, a threshold."""

    slug: str
    title: str
    description: str
    terms: tuple[tuple[str, float], ...]
    """Words or phrases with weights; matched case-insensitively on word boundaries."""
    require_any: tuple[str, ...] = ()
    """At least one of these must also match, or the paragraph does not get the topic."""
    exclude: tuple[str, ...] = ()
    """Any of these vetoes the topic for the paragraph."""
    min_score: float = 3.0


SEARCH_SHARD_SIZE = 2000
"""Article pages per search index shard unless `site.search_shard_size` says otherwise: at 10,000
articles, 8 shards of about 1,250 (generator/search.py)."""


@dataclass(frozen=True, slots=True)
class SiteSettings:
    title: str
    description: str
    base_url: str
    language: str
    directory_urls: bool = True
    """Link to `articles/x/` (hosts) or to `articles/x/index.html` (browsing from disk)."""
    page_size: int = 50
    """Points per topic page; longer briefings continue on page/2/, page/3/..."""
    search_shard_size: int = SEARCH_SHARD_SIZE
    """Most article pages per search index shard (see generator/search.py)."""


@dataclass(frozen=True, slots=True)
class DateSettings:
    languages: tuple[str, ...]
    """Languages dateparser may try; fewer is faster (a failed parse costs ~0.65 ms per language)."""
    order: str
    """How to read ambiguous numeric dates like 05/03/2026."""


@dataclass(frozen=True, slots=True)
class Config:
    path: str
    site: SiteSettings
    input_dir: str
    output_dir: str
    templates_dir: str
    dates: DateSettings
    sources: tuple[SourceEntry, ...]
    topics: tuple[TopicRule, ...]
    entities: tuple[EntityRule, ...] = ()
    """People, organisations and places with their aliases (generator/entities.py)."""
    fingerprint: str = field(default="", compare=False)
    """Hash of the configuration's content: part of the keys of pages, which may show any of it."""
    reading_fingerprint: str = field(default="", compare=False)
    """Hash of what reading an article depends on besides its bytes (`dates`, `sources`,
    `entities`): part of the key of each analysed article in the cache. A new site title or page
    size keeps every analysed article."""
    topics_fingerprint: str = field(default="", compare=False)
    """Hash of the topic rules as classifying reads them: an analysed article made under other
    rules keeps everything but its paragraphs' topics, which are classified again
    (`analyse.classify`)."""


class _Reader:
    """Walks the raw YAML, collecting every problem instead of stopping at the first."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.errors.append(f"Config value '{key}': {message}")

    def get(self, data: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any,
            prefix: str = "") -> Any:
        value = data.get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, kind):
            name = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail(prefix + key, f"expected {name}, got {type(value).__name__} ({value!r})")
            return default
        return value

    def strings(self, data: dict[str, Any], key: str, prefix: str) -> tuple[str, ...]:
        value = self.get(data, key, list, [], prefix)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            else:
                self.fail(f"{prefix}{key}[{i}]", f"expected a non-empty string, got {item!r}")
        return tuple(out)

    def unknown(self, data: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(prefix + str(key), f"unknown key (allowed: {', '.join(sorted(allowed))})")


def _site(r: _Reader, raw: dict[str, Any]) -> SiteSettings:
    data = r.get(raw, "site", dict, {})
    r.unknown(data, {"title", "description", "base_url", "language", "directory_urls", "page_size",
                     "search_shard_size"}, "site.")
    page_size = r.get(data, "page_size", int, 50, "site.")
    if page_size < 1:
        r.fail("site.page_size", f"must be at least 1, got {page_size}")
        page_size = 50
    shard_size = r.get(data, "search_shard_size", int, SEARCH_SHARD_SIZE, "site.")
    if shard_size < 1:
        r.fail("site.search_shard_size", f"must be at least 1, got {shard_size}")
        shard_size = SEARCH_SHARD_SIZE
    base_url = r.get(data, "base_url", str, "/", "site.")
    if not base_url.endswith("/"):
        base_url += "/"
    return SiteSettings(
        title=r.get(data, "title", str, "Briefing", "site."),
        description=r.get(data, "description", str, "", "site."),
        base_url=base_url,
        language=r.get(data, "language", str, "en", "site."),
        directory_urls=r.get(data, "directory_urls", bool, True, "site."),
        page_size=page_size,
        search_shard_size=shard_size,
    )


def _dates(r: _Reader, raw: dict[str, Any]) -> DateSettings:
    data = r.get(raw, "dates", dict, {})
    r.unknown(data, {"languages", "order"}, "dates.")
    languages = r.strings(data, "languages", "dates.") if "languages" in data else ("en",)
    order = str(r.get(data, "order", str, "DMY", "dates.")).upper()
    if order not in DATE_ORDERS:
        r.fail("dates.order", f"must be one of {', '.join(DATE_ORDERS)}, got {order!r}")
        order = "DMY"
    return DateSettings(languages=languages or ("en",), order=order)


def _cue(r: _Reader, item: Any, key: str) -> Cue | None:
    if isinstance(item, str) and item:
        return Cue(item)
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        where = item.get("where", "header")
        if where not in ("header", "trailer"):
            r.fail(key + ".where", f"must be 'header' or 'trailer', got {where!r}")
        r.unknown(item, {"text", "where"}, key + ".")
        return Cue(item["text"], where)
    r.fail(key, f"expected a string or {{text, where}}, got {item!r}")
    return None


def _sources(r: _Reader, raw: dict[str, Any]) -> tuple[SourceEntry, ...]:
    entries = []
    seen: set[str] = set()
    for i, data in enumerate(r.get(raw, "sources", list, [])):
        prefix = f"sources[{i}]."
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            r.fail(f"sources[{i}]", "expected a mapping with at least a 'name'")
            continue
        r.unknown(data, {"name", "kind", "aliases", "cues", "domains", "url"}, prefix)
        kind = data.get("kind", "outlet")
        if kind not in ("outlet", "agency"):
            r.fail(prefix + "kind", f"must be 'outlet' or 'agency', got {kind!r}")
        if data["name"] in seen:
            r.fail(prefix + "name", f"{data['name']!r} is listed twice")
        seen.add(data["name"])
        cues = [_cue(r, c, f"{prefix}cues[{j}]") for j, c in enumerate(r.get(data, "cues", list, [], prefix))]
        entries.append(SourceEntry(
            name=data["name"], kind=kind, aliases=r.strings(data, "aliases", prefix),
            cues=tuple(c for c in cues if c), domains=r.strings(data, "domains", prefix),
            url=r.get(data, "url", str, None, prefix)))
    return tuple(entries)


def _terms(r: _Reader, data: dict[str, Any], prefix: str) -> tuple[tuple[str, float], ...]:
    terms = r.get(data, "terms", dict, {}, prefix)
    out = []
    for term, weight in terms.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            r.fail(f"{prefix}terms.{term}", f"weight must be a number, got {weight!r}")
            continue
        out.append((str(term).lower(), float(weight)))
    if not out:
        r.fail(prefix + "terms", "a topic needs at least one weighted term")
    return tuple(out)


def _topics(r: _Reader, raw: dict[str, Any]) -> tuple[TopicRule, ...]:
    topics = []
    seen: set[str] = set()
    for i, data in enumerate(r.get(raw, "topics", list, [])):
        prefix = f"topics[{i}]."
        if not isinstance(data, dict) or not isinstance(data.get("slug"), str):
            r.fail(f"topics[{i}]", "expected a mapping with at least a 'slug'")
            continue
        r.unknown(data, {"slug", "title", "description", "terms", "require_any", "exclude",
                         "min_score"}, prefix)
        slug = data["slug"]
        if slug in seen:
            r.fail(prefix + "slug", f"{slug!r} is listed twice")
        seen.add(slug)
        topics.append(TopicRule(
            slug=slug, title=r.get(data, "title", str, slug, prefix),
            description=r.get(data, "description", str, "", prefix),
            terms=_terms(r, data, prefix),
            require_any=tuple(t.lower() for t in r.strings(data, "require_any", prefix)),
            exclude=tuple(t.lower() for t in r.strings(data, "exclude", prefix)),
            min_score=float(r.get(data, "min_score", (int, float), 3.0, prefix))))
    return tuple(topics)


READING_KEYS = ("dates", "sources", "entities")
"""The sections the load, normalise and analyse stages read, apart from `topics` (see
`Config.reading_fingerprint`); `site`, `input`, `output` and `templates` only shape the pages."""


def _classifying(rule: TopicRule) -> list[Any]:
    """What classifying a paragraph reads of a topic rule, in the rules' order: not its title or
    description, which only the pages show (renaming a topic classifies nothing again)."""
    return [rule.slug, rule.terms, rule.require_any, rule.exclude, rule.min_score]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def load_config(path: str | Path) -> Config:
    """Read and validate `briefing.yml`; raise one ConfigError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", str(path),
                          hint="pass --config FILE or create briefing.yml") from None
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", str(path),
                          mark.line + 1 if mark else None) from None
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a mapping of keys", str(path), 1)
    r = _Reader(str(path))
    r.unknown(raw, {"site", "input", "output", "templates", "dates", "sources", "topics", "entities"}, "")
    entities, entity_errors = entity_rules(raw.get("entities"))
    r.errors.extend(entity_errors)
    config = Config(
        path=str(path), site=_site(r, raw), input_dir=r.get(raw, "input", str, "seeds"),
        output_dir=r.get(raw, "output", str, "site"),
        templates_dir=r.get(raw, "templates", str, "templates"), dates=_dates(r, raw),
        sources=_sources(r, raw), topics=_topics(r, raw), entities=entities, fingerprint=_digest(raw),
        reading_fingerprint=_digest({key: raw.get(key) for key in READING_KEYS}))
    if r.errors:
        raise ConfigError("; ".join(r.errors), str(path),
                          hint="fix these keys in the configuration file")
    return replace(config, topics_fingerprint=_digest([_classifying(rule) for rule in config.topics]))
