"""Stage 5: the site as a mapping of output path -> bytes, rendered from `templates/`.

Pure: nothing is written here, so a failed render leaves the published site
untouched, and the result can be compared byte for byte between builds.
"""

from __future__ import annotations

import posixpath
import traceback
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

from generator import datafiles
from generator.article import FIELDS, Article
from generator.assemble import Site
from generator.markup import inline_html, paragraph_html
from generator.problems import BriefingError

Pages = dict[str, bytes]


@lru_cache(maxsize=4)
def environment(templates_dir: str) -> Environment:
    env = Environment(loader=FileSystemLoader(templates_dir), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["paragraph"] = paragraph_html
    env.filters["inline"] = inline_html
    return env


def url_maker(page_path: str, directory_urls: bool) -> Callable[[str], str]:
    """Relative links, so the site works from any sub-path of a host."""
    here = posixpath.dirname(page_path)

    def url(target: str) -> str:
        target, _, fragment = target.partition("#")
        is_dir = target == "" or target.endswith("/")
        if is_dir and not directory_urls:
            target += "index.html"
            is_dir = False
        relative = posixpath.relpath(target or ".", here or ".")
        if is_dir:
            relative = "./" if relative == "." else relative + "/"
        return relative + (f"#{fragment}" if fragment else "")

    return url


def render(site: Site, templates_dir: Path) -> Pages:
    env = environment(str(templates_dir))
    pages: Pages = {}
    try:
        for path, template, context in _html_pages(site):
            pages[path] = _render_one(env, site, path, template, context)
    except TemplateError as exc:
        path, line = _template_location(exc, templates_dir)
        raise BriefingError(f"template error: {exc.message}", path, line,
                            hint="fix the template; the previous site is left as it was") from None
    pages["data/articles.json"] = datafiles.articles_json(site)
    pages["data/report.json"] = datafiles.report_json(site)
    pages["data/topics.json"] = datafiles.topics_json(site)
    for asset in sorted((templates_dir / "assets").rglob("*")):
        if asset.is_file():
            pages[f"assets/{asset.relative_to(templates_dir / 'assets').as_posix()}"] = asset.read_bytes()
    return pages


def _template_location(exc: TemplateError, templates_dir: Path) -> tuple[str, int | None]:
    """Jinja puts template lines into the traceback; the innermost one is where it failed."""
    filename = getattr(exc, "filename", None)
    line = getattr(exc, "lineno", None)
    if filename:
        return filename, line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(str(templates_dir)):
            return frame.filename, frame.lineno
    return str(templates_dir), None


def _html_pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield "index.html", "index.html", {"articles": site.articles, "topics": site.topics,
                                       "other": site.other_coverage}
    for article in site.articles:
        yield f"articles/{article.id}/index.html", "article.html", {"article": article}
    for topic in site.topics:
        yield f"topics/{topic.slug}/index.html", "topic.html", {"topic": topic}


def _render_one(env: Environment, site: Site, path: str, template: str,
                context: dict[str, Any]) -> bytes:
    url = url_maker(path, site.config.site.directory_urls)
    canonical = site.config.site.base_url + (path[:-len("index.html")] if path.endswith("index.html") else path)
    html = env.get_template(template).render(
        site=site.config.site, articles_by_id=site.by_id, url=url, page_path=path, canonical=canonical, fields=FIELDS,
        nav_topics=site.config.topics, topic_titles={t.slug: t.title for t in site.config.topics},
        **context)
    return html.encode()


def source_label(article: Article) -> str:
    return article.outlet or article.agency or "Unknown source"
