"""Build the site once for the browser and HTML-validity tests, with hostile articles in its seeds.

The project copy is laid out as the `project` fixture in tests/conftest.py lays it out (configuration,
templates and seeds in a temporary folder), plus two articles whose text and metadata try to run script.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "tests" / "artifacts"

# A pasted article: markup, event handlers and javascript: links in the headline, byline and body.
EVIL_TEXT = """<b>Evil headline</b> with <script>alert("title")</script>

By <img src=x onerror=alert("byline")>

<script>alert("body")</script> Officials said the <img src=x onerror=alert("img")> gold mining arc reopened.

A link: [click me](javascript:alert("md")) and <a href="javascript:alert('a')" onclick="alert('click')">raw</a> \
and <svg onload=alert("svg")></svg> and <iframe src="javascript:alert('iframe')"></iframe>.

[Another](  JaVaScRiPt:alert("spaced") ) and <javascript:alert("autolink")> and <http://x" onmouseover="alert(1)>.
"""

# Front matter: HTML in the title, author, outlet and tags, and a javascript: url.
EVIL_FRONT_MATTER = """---
title: '<img src=x onerror=alert("fmtitle")> Evil <b>front</b> matter'
author: '<script>alert("author")</script> Mallory'
outlet: '<i onmouseover=alert("outlet")>Evil</i> Times'
date: 2026-03-07
url: 'javascript:alert("url")'
tags: ['<script>alert("tag")</script>', 'mining']
---
Venezuela reopened the Orinoco gold <script>alert("fmbody")</script> mining arc, Mallory wrote.

More text with an [evil link](javascript:alert("fmlink")) and <a href=javascript:alert(1)>x</a> and \
![img](javascript:alert("image")) and <form action="javascript:alert(2)"><button>go</button></form>.
"""

EVIL_IDS = ("evil", "evil-front")


def build_site(tmp: Path) -> Path:
    """Copy the project into `tmp`, add the hostile articles, build (search index too, in shards),
    return site/."""
    from generator.config import load_config
    from generator.pipeline import build

    # Search shards of two articles: every search test then searches a merged, sharded index.
    (tmp / "briefing.yml").write_text((ROOT / "briefing.yml").read_text().replace(
        "site:\n", "site:\n  search_shard_size: 2\n", 1))
    shutil.copytree(ROOT / "templates", tmp / "templates")
    shutil.copytree(ROOT / "seeds", tmp / "seeds")
    (tmp / "seeds" / "evil.txt").write_text(EVIL_TEXT)
    (tmp / "seeds" / "evil-front.md").write_text(EVIL_FRONT_MATTER)
    build(load_config(tmp / "briefing.yml"), tmp / "seeds", tmp / "site", tmp / "templates")
    return tmp / "site"


def page_types(site: Path) -> dict[str, str]:
    """One page of every type the generator writes, by name -> path under the site root."""
    def first(folder: str, prefer: str) -> str:
        names = sorted(p.parent.name for p in (site / folder).glob("*/index.html"))
        assert names, f"no pages under {folder}/"
        return f"{folder}/{prefer if prefer in names else names[0]}/"

    paged = sorted(p.parent.relative_to(site).as_posix() + "/"
                   for p in site.glob("topics/*/page/2/index.html"))
    return {
        "home": "",
        "topics": "topics/",
        "topic": first("topics", "mining"),
        **({"topic-page-2": paged[0]} if paged else {}),
        "article": first("articles", "001-3a454840917e6663"),
        "sources": "sources/",
        "source": first("sources", "ap"),
        "timeline": "timeline/",
        "events": "timeline/events/",
        "left-out": "timeline/events/left-out/",
        "other": "other/",
        "quotes": "quotes/",
        "entities": "entities/",
        "entity": first("entities", "delcy-rodriguez"),
        "discrepancies": "discrepancies/",
        "about": "about/",
        "search": "search/",
        "changes": "changes/",
        "404": "404.html",
        "evil-article": "articles/evil/",
        "evil-front-matter": "articles/evil-front/",
    }


class _SiteHandler(SimpleHTTPRequestHandler):
    """Like a static host (GitHub Pages): the site lives at `prefix`, and any missing address gets
    404.html with status 404."""

    prefix = "/"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return
        self.path = "/" + self.path[len(self.prefix):]
        target = Path(self.translate_path(self.path))
        if not target.exists() and (Path(self.directory) / "404.html").is_file():
            body = (Path(self.directory) / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(site: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `site` at `prefix` on 127.0.0.1 (a free port) from a background thread; yields its URL."""
    handler = functools.partial(type("Handler", (_SiteHandler,), {"prefix": prefix}), directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def require(path: Path, how: str) -> None:
    """Skip when a test tool is missing on a developer's machine; in CI (CI set) that is a failure."""
    if path.exists():
        return
    message = f"{path} is missing ({how})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
