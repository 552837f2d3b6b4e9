"""`briefing export mkdocs`: the export builds strictly with MkDocs and ProperDocs, every link and
anchor in the built HTML resolves, attribution survives, and re-exports are deterministic and
incremental. Strict builds run without `-q`: `-q` hides the warnings that make them fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from generator.assemble import Site
from generator.config import Config
from generator.export_mkdocs import MANIFEST, export_files, export_mkdocs, md, md_heading
from generator.pipeline import check
from generator.problems import BriefingError

ROOT = Path(__file__).resolve().parent.parent
HOST = "http://host/"
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
"""Material prints an end-of-life banner otherwise; it is not a build warning."""

HOSTILE = """---
title: "<script>alert('title')</script> & *stars* {#x} #"
date: 2026-03-07
source: Evil & Co <b>
---
The embassy reopened on Thursday, officials said in a short statement to reporters.

Officials said <script>alert(1)</script> was found & *not emphasis* _nor this_ `code` \
[a](http://x.org) ![i](x.png) &amp; &#60; \\back {: #evil } <http://auto.link> [TOC] end #

1. not a list

~~~ not a fence
"""


def mkdocs_build(tool: str, export_dir: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", tool, "build", "--strict",
               "-f", str(export_dir / "mkdocs.yml"), "--site-dir", str(site_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, env=BUILD_ENV)


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output, output


def tool_available(tool: str) -> None:
    if tool == "properdocs":
        pytest.importorskip("properdocs")
        pytest.importorskip("properdocs_theme_mkdocs",
                            reason="ProperDocs needs it for the 'mkdocs' theme")


class Page(HTMLParser):
    """Ids, link targets, and script elements of one built page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append(values.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


class ParagraphText(HTMLParser):
    """The text of `<p id=...>` elements, as a reader sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and dict(attrs).get("id"):
            self._current = dict(attrs)["id"]
            self.text[self._current or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current:
            self.text[self._current] += data


def resolve(site_dir: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points to; None for links off the site."""
    if href.startswith(("http:", "https:", "mailto:", "//")):
        return None
    absolute, fragment = urldefrag(urljoin(HOST + page.relative_to(site_dir).as_posix(), href))
    assert absolute.startswith(HOST), f"{page}: {href} leaves the site"
    target = site_dir / unquote(absolute.removeprefix(HOST))
    if target.is_dir():
        target /= "index.html"
    return target, fragment


@pytest.fixture(scope="module")
def seeds_site(config: Config) -> Site:
    return check(config, ROOT / "seeds")


@pytest.fixture(scope="module")
def exported(seeds_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    export_mkdocs(seeds_site, out)
    return out


class Built(NamedTuple):
    tool: str
    site_dir: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module", params=["mkdocs", "properdocs"])
def built(request: pytest.FixtureRequest, exported: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The seeds' export built once per tool; the tests below read its HTML."""
    tool_available(request.param)
    site_dir = tmp_path_factory.mktemp(f"{request.param}-site")
    return Built(request.param, site_dir, mkdocs_build(request.param, exported, site_dir))


def test_strict_build_has_no_warnings(built: Built) -> None:
    assert_clean(built.result)


def test_every_internal_link_and_anchor_resolves(built: Built) -> None:
    site_dir = built.site_dir
    pages = {p: parse(p) for p in site_dir.rglob("*.html") if p.name != "404.html"}
    anchors = 0
    for path, page in pages.items():
        for href in page.hrefs:
            target = resolve(site_dir, path, href)
            if target is None:
                continue
            file, fragment = target
            assert file.is_file(), f"{path}: {href} -> missing {file}"
            if fragment and file.suffix == ".html":
                assert fragment in pages[file].ids, f"{path}: {href} -> no #{fragment} in {file}"
                anchors += 1
    assert anchors > 100


def test_every_point_links_to_its_paragraphs(seeds_site: Site, built: Built) -> None:
    site_dir = built.site_dir
    for topic in seeds_site.topics:
        page = parse(site_dir / "topics" / topic.slug / "index.html")
        links = {href for href in page.hrefs if "#p-" in href}
        for point in topic.points:
            assert point.id in page.ids
            for passage in point.passages:
                assert f"../../articles/{passage.article}/#p-{passage.n}" in links


def test_articles_keep_native_paragraph_ids(seeds_site: Site, built: Built) -> None:
    site_dir = built.site_dir
    for article in seeds_site.articles:
        ids = parse(site_dir / "articles" / article.id / "index.html").ids
        assert {f"p-{p.n}" for p in article.paragraphs} <= ids


def test_material_theme_builds_strictly(seeds_site: Site, tmp_path: Path) -> None:
    pytest.importorskip("material")
    export_mkdocs(seeds_site, tmp_path / "export", theme="material")
    assert "name: material" in (tmp_path / "export" / "mkdocs.yml").read_text()
    assert_clean(mkdocs_build("mkdocs", tmp_path / "export", tmp_path / "site"))


def test_export_is_deterministic(seeds_site: Site, config: Config, tmp_path: Path) -> None:
    again = check(config, ROOT / "seeds")
    export_mkdocs(seeds_site, tmp_path / "a")
    export_mkdocs(again, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert export_files(seeds_site) == export_files(again)


def tree(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_export_is_incremental(project: Path, config: Config) -> None:
    out = project / "export"
    first = export_mkdocs(check(config, project / "seeds"), out)
    assert first.files_written and not first.files_unchanged
    second = export_mkdocs(check(config, project / "seeds"), out)
    assert second.files_written == () and second.files_removed == ()
    assert second.files_unchanged == first.files_written

    seed = project / "seeds" / "004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text().replace("growing urgency", "growing necessity"))
    third = export_mkdocs(check(config, project / "seeds"), out)
    page = "docs/articles/004-66bcc8fb033b93b3.md"
    assert page in third.files_written
    assert "necessity" in (out / page).read_text()
    topics = {p for p in first.files_written if p.startswith("docs/topics/")}
    assert set(third.files_written) <= {page, "docs/index.md"} | topics


def test_files_no_longer_produced_are_removed(project: Path, config: Config) -> None:
    out = project / "export"
    export_mkdocs(check(config, project / "seeds"), out)
    (out / "docs" / "extra.md").write_text("# Mine\n")
    (project / "seeds" / "003_7cfe30551297bae2.txt").unlink()
    result = export_mkdocs(check(config, project / "seeds"), out)
    assert "docs/articles/003-7cfe30551297bae2.md" in result.files_removed
    assert "docs/sources/ap.md" in result.files_removed
    assert not (out / "docs/articles/003-7cfe30551297bae2.md").exists()
    assert (out / "docs" / "extra.md").exists(), "a file the export did not write is left alone"
    assert "003-7cfe30551297bae2" not in (out / MANIFEST).read_text()


def test_refuses_to_overwrite_a_foreign_mkdocs_yml(seeds_site: Site, tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: Someone else's docs\n")
    with pytest.raises(BriefingError, match="not written by briefing export"):
        export_mkdocs(seeds_site, tmp_path)
    assert (tmp_path / "mkdocs.yml").read_text() == "site_name: Someone else's docs\n"


def test_article_text_is_escaped_not_markup(config: Config, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "hostile.md").write_text(HOSTILE)
    shutil.copy(ROOT / "seeds" / "000_7bc5df4f94addd73.txt", tmp_path / "in")
    site = check(config, tmp_path / "in")
    export_mkdocs(site, tmp_path / "export")
    assert_clean(mkdocs_build("mkdocs", tmp_path / "export", tmp_path / "site"))
    html = (tmp_path / "site" / "articles" / "hostile" / "index.html").read_text()
    assert not any("alert" in script for script in parse_scripts(html))
    assert "<b>" not in html and "<code>" not in html.split('role="main"')[-1]
    reader = ParagraphText()
    reader.feed(html)
    for paragraph in site.by_id["hostile"].paragraphs:
        shown = reader.text[f"p-{paragraph.n}"].removeprefix(f"¶{paragraph.n} ")
        assert shown == " ".join(paragraph.text.split())


def parse_scripts(html: str) -> list[str]:
    page = Page()
    page.feed(html)
    return page.scripts


@pytest.mark.parametrize("text", ["# heading", "- item", "+ item", "1. item", "> quote", "~~~",
                                  "```", "=== ", "a  \nb", "[x]: http://y", "<div>", "&copy;"])
def test_md_escapes_block_and_inline_syntax(text: str) -> None:
    escaped = md(text)
    assert "\n" not in escaped and "<" not in escaped
    assert not escaped.startswith(("#", "-", "+", "1.", ">", "~", "`", "=", "["))


def test_site_url_only_when_base_url_is_absolute(seeds_site: Site) -> None:
    """MkDocs rejects `site_url: /`, the default base_url."""
    relative = replace(seeds_site.config, site=replace(seeds_site.config.site, base_url="/"))
    assert b"site_url:" not in export_files(replace(seeds_site, config=relative))["mkdocs.yml"]
    assert b"site_url: https://" in export_files(seeds_site)["mkdocs.yml"]


def test_headings_escape_every_hash() -> None:
    assert md_heading("# Who won? #1 ##") == "&#35; Who won? \\#1 \\#\\#"


def test_mkdocs_serve_previews_the_export(exported: Path, config: Config) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(exported / "mkdocs.yml"),
               "-a", f"127.0.0.1:{port}", "--no-livereload"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=BUILD_ENV)
    try:
        path = urlsplit(config.site.base_url).path
        assert "Diplomacy" in fetch(f"http://127.0.0.1:{port}{path}topics/diplomacy/")
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str, timeout: float = 30) -> str:
    """Poll until the server has built the site and answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_cli_export_writes_a_tree_that_builds(project: Path, tmp_path: Path) -> None:
    """Skipped until `briefing export` is wired into generator/cli.py."""
    from generator.cli import main, parser

    try:
        parser().parse_args(["export", "mkdocs"])
    except SystemExit:
        pytest.skip("the 'export' subcommand is not wired into generator/cli.py yet")
    out = tmp_path / "out"
    args = ["export", "mkdocs", "--config", str(project / "briefing.yml"), "--output", str(out)]
    assert main(args) == 0
    assert (out / "mkdocs.yml").is_file() and (out / "docs" / "index.md").is_file()
    assert main(args) == 0
    assert_clean(mkdocs_build("mkdocs", out, tmp_path / "site"))
