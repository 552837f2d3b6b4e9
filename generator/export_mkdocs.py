"""`briefing export mkdocs`: the briefing as a MkDocs docs tree, for teams whose docs live there.

The export is Markdown with YAML front matter and an `mkdocs.yml`; MkDocs >=1.6,<2 or ProperDocs
builds it with the default theme or Material. Attribution survives: every point links to
`articles/<id>.md#p-N`, and each paragraph carries that id through `attr_list`, so MkDocs'
strict anchor validation proves the links resolve. Like `render`, the tree is made in memory
first (path -> bytes, byte-identical for the same inputs); `write_tree` then touches only
files whose bytes changed, so a running `mkdocs serve` rebuilds only when something changed.
"""

from __future__ import annotations

import html
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

import yaml
from slugify import slugify

from generator.article import FIELDS, Article, Paragraph
from generator.assemble import Site
from generator.corroborate import Passage, Point
from generator.problems import BriefingError, Problem
from generator.topics import TopicSummary

Files = dict[str, bytes]
MANIFEST = ".briefing-export"
"""Lists the files the last export wrote: only those are ever removed, never a user's own."""
UNKNOWN = "Unknown source"


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Paths relative to the output folder, sorted."""

    files_written: tuple[str, ...]
    files_unchanged: tuple[str, ...]
    files_removed: tuple[str, ...]


def export_mkdocs(site: Site, output_dir: Path, theme: str = "mkdocs") -> ExportResult:
    """Write `output_dir/mkdocs.yml` and `output_dir/docs/`; `theme` is any installed MkDocs
    theme name (`mkdocs`, `readthedocs`, `material`), checked by MkDocs when it builds."""
    return write_tree(export_files(site, theme), output_dir)


def export_files(site: Site, theme: str = "mkdocs") -> Files:
    """The whole export as path -> bytes: pure, so it can be compared between runs."""
    sources = source_slugs(site.articles)
    pages = {"index.md": home_page(site), "timeline.md": timeline_page(site),
             "sources/index.md": sources_index(site, sources)}
    pages.update((f"topics/{t.slug}.md", topic_page(site, t)) for t in site.topics)
    pages.update((f"articles/{a.id}.md", article_page(site, a)) for a in site.articles)
    pages.update((f"sources/{slug}.md", source_page(name, group))
                 for name, (slug, group) in sources.items())
    files = {f"docs/{path}": text.encode() for path, text in pages.items()}
    files["mkdocs.yml"] = mkdocs_yml(site, theme).encode()
    return files


# --- Markdown text -------------------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_INLINE = re.compile(r"[\\`*_{}\[\]<>]|&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z0-9]+;)")
_LINE_START = re.compile(r"^(?:[#+\-=~:|]|\d+[.)])")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def md(value: str) -> str:
    """Article text is data, not markup: escape what Markdown or raw HTML would act on.

    The text goes on one line, so no line of it can open a heading, list, fence or table,
    and what could open one at its start is written as a character reference.
    """
    flat = _WHITESPACE.sub(" ", value).strip()
    escaped = _INLINE.sub(lambda m: _ENTITY.get(m[0]) or "\\" + m[0], flat)
    return _LINE_START.sub(_start_entity, escaped)


def _start_entity(match: re.Match[str]) -> str:
    """`1.` opens a list, `#` a heading...: the sign becomes a character reference."""
    return f"{match[0][:-1]}&#{ord(match[0][-1])};"


def md_heading(value: str) -> str:
    """Trailing `#` would close an ATX heading: escape every one (not those of `&#35;`)."""
    return _HASH.sub(r"\\#", md(value))


_HASH = re.compile(r"(?<!&)#")


def link(label: str, target: str) -> str:
    return f"[{md(label)}]({target})"


def external(label: str, url: str | None) -> str:
    """Only web links become links: a `javascript:` URL from front matter stays text."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return md(url or "")
    return f"[{md(label)}](<{quote(url, safe=_URL_SAFE)}>)"


_URL_SAFE = "/:?#&=+%@~!$,;'*-._"


def front_matter(data: dict[str, Any]) -> str:
    """Under one `briefing` key, so no theme takes a field for its own (`author`, `title`...)."""
    dumped = yaml.safe_dump({"briefing": data}, sort_keys=False, allow_unicode=True,
                            width=1 << 16, default_flow_style=False)
    return f"---\n{dumped}---\n\n"


def page(meta: dict[str, Any], blocks: Iterable[str]) -> str:
    return front_matter(meta) + "\n\n".join(b for b in blocks if b) + "\n"


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


# --- labels shared by pages ------------------------------------------------------------------

def source_name(article: Article) -> str:
    return article.outlet or article.agency or UNKNOWN


def source_label(article: Article) -> str:
    """Outlet, and the agency whose copy it ran, as the native site shows it."""
    name = source_name(article)
    if article.outlet and article.agency and article.outlet != article.agency:
        return f"{name} (via {article.agency})"
    return name


def day(article: Article) -> str:
    return article.date[:10] if article.date else "undated"


def title_of(article: Article) -> str:
    return article.title or article.id


def article_item(article: Article, prefix: str, dated: bool = True) -> str:
    target = f"{prefix}articles/{article.id}.md"
    item = f"{link(title_of(article), target)} · {md(source_label(article))}"
    return f"{item} · {day(article)}" if dated else item


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- home, timeline ----------------------------------------------------------------------------

def home_page(site: Site) -> str:
    meta = {"kind": "home", "title": site.config.site.title, "description":
            site.config.site.description, "url": site.config.site.base_url,
            "articles": len(site.articles), "topics": [t.slug for t in site.topics]}
    return page(meta, [f"# {md_heading(site.config.site.title)}", md(site.config.site.description),
                       *_home_topics(site), *_other_coverage(site), "## Browse", bullets([
                           f"{link('Timeline', 'timeline.md')}: every article, by day",
                           f"{link('Sources', 'sources/index.md')}: every article, by outlet "
                           "or agency"])])


def _home_topics(site: Site) -> list[str]:
    if not site.topics:
        return []
    items = [f"{link(t.title, f'topics/{t.slug}.md')}: {count(len(t.articles), 'article')} · "
             f"{count(len(t.points), 'point')} · "
             f"{count(t.independent_sources, 'independent source')}  \n"
             f"  {md(t.description)}" for t in site.topics]
    return ["## Topics", bullets(items)]


def _other_coverage(site: Site) -> list[str]:
    if not site.other_coverage:
        return []
    return ["## Other coverage", "Articles with no paragraph in any topic.",
            bullets(article_item(a, "") for a in site.other_coverage)]


def timeline_page(site: Site) -> str:
    """Articles by day, newest first (the site's order), undated last."""
    days: dict[str, list[Article]] = defaultdict(list)
    for article in site.articles:
        days[day(article)].append(article)
    blocks = ["# Timeline", f"{count(len(site.articles), 'article')}, newest first."]
    for name, articles in days.items():
        blocks += [f"## {name.capitalize()}", bullets(article_item(a, "", dated=False)
                                                      for a in articles)]
    return page({"kind": "timeline", "days": [d for d in days if d != "undated"]}, blocks)


# --- topics ------------------------------------------------------------------------------------

def topic_page(site: Site, topic: TopicSummary) -> str:
    meta = {"kind": "topic", "slug": topic.slug, "title": topic.title,
            "description": topic.description, "articles": [a.id for a in topic.articles],
            "points": len(topic.points), "independent_sources": topic.independent_sources,
            "first_date": topic.first_date, "last_date": topic.last_date}
    by_id = site.by_id
    blocks = [f"# {md_heading(topic.title)}", md(topic.description), _topic_counts(topic),
              f"## The briefing: {count(len(topic.points), 'point')}, most corroborated first"]
    blocks += [point_block(point, by_id) for point in topic.points]
    blocks += ["## Sources on this topic",
               bullets(article_item(a, "../") for a in topic.articles), *_related(site, topic)]
    return page(meta, blocks)


def _topic_counts(topic: TopicSummary) -> str:
    parts = [count(len(topic.articles), "article"), count(len(topic.outlets), "outlet"),
             count(topic.independent_sources, "independent source")]
    if topic.first_date:
        same = topic.first_date == topic.last_date
        parts.append(topic.first_date if same else f"{topic.first_date} to {topic.last_date}")
    return " · ".join(parts)


def point_block(point: Point, by_id: dict[str, Article]) -> str:
    """Representative passage, who carries it, and a link to every paragraph that says it."""
    if point.single_source:
        mark = "**Single source**"
    else:
        mark = f"**{len(point.sources)} independent sources**"
    labels = "; ".join(md(group.label) for group in point.sources)
    links = [_passage_link(p, by_id[p.article], quoted=i > 0) for i, p in enumerate(point.passages)]
    quote = f"> {md(point.passages[0].text)}\n> {{: #{point.id} }}"
    return f"{quote}\n\n{mark}: {labels}\n\n{bullets(links)}"


def _passage_link(passage: Passage, article: Article, quoted: bool) -> str:
    label = f"{md(source_label(article))}, *{md(title_of(article))}*, {day(article)}, ¶{passage.n}"
    item = f"[{label}](../articles/{article.id}.md#p-{passage.n})"
    return f"{item}: “{md(passage.text)}”" if quoted else item


def _related(site: Site, topic: TopicSummary) -> list[str]:
    if not topic.related:
        return []
    titles = {t.slug: t.title for t in site.config.topics}
    return ["## Related topics", bullets(f"{link(titles.get(slug, slug), f'{slug}.md')} "
                                         f"({count(shared, 'shared paragraph')})"
                                         for slug, shared in topic.related)]


# --- articles ----------------------------------------------------------------------------------

def article_page(site: Site, article: Article) -> str:
    titles = {t.slug: t.title for t in site.config.topics}
    blocks = [f"# {md_heading(title_of(article))}", _derived(article), _byline(article)]
    for paragraph in article.paragraphs:
        blocks += list(paragraph_blocks(paragraph, titles))
    blocks += _provenance(article)
    return page(article_meta(article), blocks)


def article_meta(article: Article) -> dict[str, Any]:
    """The fields of `data/articles.json`, so a docs tool can use them."""
    meta: dict[str, Any] = {"kind": "article", "id": article.id,
                            "source_path": article.source_path}
    meta.update((name, getattr(article, name)) for name in FIELDS)
    meta["tags"] = list(article.tags)
    meta.update(title_derived=article.title_derived, topics=list(article.topics),
                provenance=dict(article.provenance),
                warnings=[_warning(w) for w in article.warnings])
    return meta


def _derived(article: Article) -> str:
    if not article.title_derived:
        return ""
    return "*Derived title: the text has no headline; this title is taken from its lede.*"


def _byline(article: Article) -> str:
    parts = [md(source_label(article))]
    if article.author:
        parts.append(md(article.author))
    parts.append(md(article.date or "undated"))
    if article.url:
        parts.append(external("original article", article.url))
    return " · ".join(parts)


def paragraph_blocks(paragraph: Paragraph, topic_titles: dict[str, str]) -> Iterator[str]:
    """The paragraph keeps the native `#p-N` id (attr_list), so attribution links resolve."""
    if paragraph.heading:
        yield f"## {md_heading(paragraph.heading)}"
    anchor = f"p-{paragraph.n}"
    yield f"[¶{paragraph.n}](#{anchor}) {md(paragraph.text)}\n{{: #{anchor} }}"
    if paragraph.topics:
        yield "*Topics:* " + "; ".join(
            f"{link(topic_titles.get(m.topic, m.topic), f'../topics/{m.topic}.md')} "
            f"(score {m.score:g}: {md(', '.join(m.evidence))})" for m in paragraph.topics)


def _provenance(article: Article) -> list[str]:
    rows = [f"**id**: {md(article.id)} ({md(article.provenance.get('id', ''))})"]
    for name in FIELDS:
        value = getattr(article, name)
        shown = ", ".join(value) if name == "tags" else value
        how = article.provenance.get(name, "not in the text")
        rows.append(f"**{name}**: {md(str(shown)) if shown else '*missing*'} ({md(how)})")
    blocks = ["## How this page was made", f"Normalised metadata of {md(article.source_path)}:",
              bullets(rows)]
    if article.furniture:
        blocks += ["### Lines that are not body text", bullets(
            f"line {f.line}, {md(f.kind)}: “{md(f.text)}”" for f in article.furniture)]
    if article.warnings:
        blocks += ["### Warnings", bullets(md(_warning(w)) for w in article.warnings)]
    return blocks


def _warning(problem: Problem) -> str:
    return f"line {problem.line}: {problem.message}" if problem.line else problem.message


# --- sources -----------------------------------------------------------------------------------

def source_slugs(articles: Iterable[Article]) -> dict[str, tuple[str, list[Article]]]:
    """Source name -> (page slug, its articles). Names that slugify alike get -2, -3..."""
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[source_name(article)].append(article)
    taken = {"index"}
    out = {}
    for name in sorted(groups):
        base = slugify(name) or "source"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[name] = (slug, groups[name])
    return out


def sources_index(site: Site, sources: dict[str, tuple[str, list[Article]]]) -> str:
    items = [f"{link(name, f'{slug}.md')}: {count(len(group), 'article')}"
             for name, (slug, group) in sources.items()]
    blocks = ["# Sources", "Every article, grouped by outlet (or agency, when no outlet is "
              "named).", bullets(items)]
    return page({"kind": "sources", "sources": list(sources)}, blocks)


def source_page(name: str, articles: list[Article]) -> str:
    meta = {"kind": "source", "name": name, "articles": [a.id for a in articles]}
    blocks = [f"# {md_heading(name)}", f"{count(len(articles), 'article')}, newest first.",
              bullets(article_item(a, "../") for a in articles)]
    return page(meta, blocks)


# --- mkdocs.yml --------------------------------------------------------------------------------

def mkdocs_yml(site: Site, theme: str) -> str:
    """Strict link and anchor validation, so `mkdocs build --strict` proves every link resolves.

    Themes print `site_name` and `site_description` as HTML, so they are escaped here.
    Articles and source pages stay out of the nav (linked from topics, the timeline and
    the sources page): the nav is by topic, and stays small for large corpora.
    """
    settings = site.config.site
    config = {
        "site_name": html.escape(settings.title, quote=False),
        "site_description": html.escape(settings.description),
        **_site_url(settings.base_url),
        "docs_dir": "docs",
        "theme": {"name": theme},
        "nav": _nav(site),
        "not_in_nav": "/articles/\n/sources/*.md\n!/sources/index.md\n",
        "markdown_extensions": ["attr_list", "toc"],
        "validation": {
            "nav": {"omitted_files": "warn", "not_found": "warn", "absolute_links": "warn"},
            "links": {"not_found": "warn", "absolute_links": "warn",
                      "unrecognized_links": "warn", "anchors": "warn"},
        },
    }
    header = "# Written by `briefing export mkdocs`: edits are overwritten by the next export.\n"
    return header + yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True,
                              width=1 << 16)


class _ConfigDumper(yaml.SafeDumper):
    """Multi-line values (`not_in_nav`) as `|` blocks, as people write them."""


_ConfigDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def _site_url(base_url: str) -> dict[str, str]:
    """MkDocs rejects a `site_url` without scheme and host (the default base_url is `/`)."""
    parts = urlsplit(base_url)
    return {"site_url": base_url} if parts.scheme in ("http", "https") and parts.netloc else {}


def _nav(site: Site) -> list[Any]:
    """Page titles come from each page's escaped `#` heading, not from here."""
    nav: list[Any] = [{"Home": "index.md"}]
    if site.topics:
        nav.append({"Topics": [f"topics/{t.slug}.md" for t in site.topics]})
    return nav + [{"Timeline": "timeline.md"}, {"Sources": "sources/index.md"}]


# --- writing -----------------------------------------------------------------------------------

def write_tree(files: Files, output_dir: Path) -> ExportResult:
    """Rewrite only changed files; remove what the last export wrote and this one did not."""
    previous = _previous_export(output_dir)
    written, unchanged = [], []
    for path in sorted(files):
        target = output_dir / path
        if target.is_file() and target.read_bytes() == files[path]:
            unchanged.append(path)
        else:
            _write_atomic(target, files[path])
            written.append(path)
    removed = [path for path in sorted(previous - files.keys()) if _remove(output_dir, path)]
    manifest = "".join(f"{path}\n" for path in sorted(files)).encode()
    if not (output_dir / MANIFEST).is_file() or (output_dir / MANIFEST).read_bytes() != manifest:
        _write_atomic(output_dir / MANIFEST, manifest)
    return ExportResult(tuple(written), tuple(unchanged), tuple(removed))


def _previous_export(output_dir: Path) -> set[str]:
    """Refuse to overwrite an `mkdocs.yml` this command did not write."""
    manifest = output_dir / MANIFEST
    if not manifest.is_file():
        if (output_dir / "mkdocs.yml").exists():
            raise BriefingError(f"{output_dir / 'mkdocs.yml'} exists and was not written by "
                                "briefing export", str(output_dir),
                                hint="choose another --output folder, or remove that file")
        return set()
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if _inside(line)}


def _inside(path: str) -> bool:
    """A hand-edited manifest must not make the export delete files outside its folder."""
    parts = PurePosixPath(path).parts
    return bool(parts) and not PurePosixPath(path).is_absolute() and ".." not in parts


def _write_atomic(target: Path, data: bytes) -> None:
    """`mkdocs serve` may be watching: it must never read a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _remove(output_dir: Path, path: str) -> bool:
    target = output_dir / path
    if not target.is_file():
        return False
    target.unlink()
    parent = target.parent
    while parent != output_dir and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
    return True
