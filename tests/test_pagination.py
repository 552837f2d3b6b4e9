"""Lists that grow with the corpus are split into pages: each page bounded, every item on exactly one."""

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator import render
from generator.config import load_config
from generator.pagination import paginate, url_of_item
from generator.pipeline import build
from tests.conftest import ROOT
from tests.test_site import assert_links_resolve

PAGE_SIZE = 2


def test_paginate_splits_a_list_into_numbered_pages() -> None:
    pages = paginate("quotes/", list("abcde"), 2)
    assert [(path, list(items)) for path, items, _ in pages] == [
        ("quotes/index.html", ["a", "b"]), ("quotes/page/2/index.html", ["c", "d"]),
        ("quotes/page/3/index.html", ["e"])]
    first, middle, last = (pager for _, _, pager in pages)
    assert (first.previous, first.next) == (None, "quotes/page/2/")
    assert (middle.previous, middle.next) == ("quotes/", "quotes/page/3/")
    assert (last.previous, last.next, last.count) == ("quotes/page/2/", None, 3)
    assert [path for path, _, _ in paginate("other/", [], 2)] == ["other/index.html"]
    assert [url_of_item("quotes/", i, 2) for i in range(5)] == [
        "quotes/", "quotes/", "quotes/page/2/", "quotes/page/2/", "quotes/page/3/"]


@pytest.fixture(scope="module")
def small_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, two articles in no topic, an empty file and a bad date, built with two items a page."""
    project = tmp_path_factory.mktemp("pages")
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copytree(ROOT / "seeds", project / "seeds")
    config = (ROOT / "briefing.yml").read_text()
    (project / "briefing.yml").write_text(config.replace("site:\n", f"site:\n  page_size: {PAGE_SIZE}\n", 1))
    (project / "seeds/football.txt").write_text("Caracas derby ends level\n\nThe match ended 1-1 after a late "
                                               "equaliser in front of 30,000 fans on Sunday.\n")
    (project / "seeds/weather.txt").write_text("Rain expected in Caracas\n\nForecasters expect heavy rain "
                                              "over the weekend, with cooler nights to follow.\n")
    (project / "seeds/zz-empty.txt").write_text("")
    (project / "seeds/zz-bad-date.md").write_text("---\ntitle: Talks resume\ndate: 31/31/2026\n---\n\n"
                                                 "Officials said talks on oil licences would resume.\n")
    build(load_config(project / "briefing.yml"), project / "seeds", project / "site", project / "templates")
    return project / "site"


def pages_of(site: Path, base: str) -> list[str]:
    """A list's pages in order, found by following each page's rel="next" link from the first."""
    html, pages, at = [], [], base
    while at is not None:
        text = (site / at / "index.html").read_text()
        html.append(text)
        pages.append(at)
        found = re.search(r'<a href="([^"]+)" rel="next">', text)
        at = urljoin("http://host/" + at, found.group(1)).removeprefix("http://host/") if found else None
    on_disk = {base, *(f"{base}page/{p.parent.name}/" for p in (site / base).glob("page/*/index.html"))}
    assert set(pages) == on_disk, f"{base}: the pager chain misses pages on disk"
    return html


def data(site: Path, name: str) -> dict:
    return json.loads((site / "data" / name).read_text())


def items_across(site: Path, base: str, pattern: str) -> list[str]:
    found: list[str] = []
    for html in pages_of(site, base):
        main = html.split("<main", 1)[1].split("</main>", 1)[0]
        on_page = re.findall(pattern, main)
        assert len(on_page) <= PAGE_SIZE, f"{base}: {len(on_page)} items on one page"
        found += on_page
    return found


def test_every_list_shows_each_item_on_exactly_one_bounded_page(small_pages: Path) -> None:
    site = small_pages
    articles = [a["id"] for a in data(site, "articles.json")["articles"]]
    assert items_across(site, "timeline/", r'<li><a href="[./]*articles/([^/"]+)/">') == articles
    other = [a["id"] for a in data(site, "articles.json")["articles"] if not a["topics"]]
    assert {"football", "weather"} <= set(other) and items_across(site, "other/", r'<li><a href="[./]*articles/([^/"]+)/">') == other
    report = data(site, "report.json")["inputs"]
    problems_first = sorted(report, key=lambda r: 0 if r["article"] is None else 1 if r["warnings"] else 2)
    assert [r["path"].rsplit("/", 1)[-1] for r in problems_first[:2]] == ["zz-empty.txt", "zz-bad-date.md"]
    assert items_across(site, "about/", r"<tr><td><code>([^<]+)</code>") == [r["path"] for r in problems_first]
    quotes = [q["id"] for q in data(site, "quotes.json")["quotes"]]
    assert len(quotes) > PAGE_SIZE and items_across(site, "quotes/", r'<article class="point quote" id="q-([^"]+)"') == quotes
    events = data(site, "events.json")
    assert items_across(site, "timeline/events/", r'<li id="ev-([^"]+)">') == [e["id"] for e in events["events"]]
    left_out = items_across(site, "timeline/events/left-out/", r"<li>“([^”]+)” in ")
    assert left_out == [u["mention"] for u in events["left_out"]] and left_out
    found = [d["id"] for d in data(site, "discrepancies.json")["discrepancies"]]
    assert items_across(site, "discrepancies/", r'<article class="point discrepancy" id="d-([^"]+)"') == found
    by_source: dict[str, list[str]] = {}
    for article in data(site, "articles.json")["articles"]:
        by_source.setdefault(article["outlet"] or article["agency"], []).append(article["id"])
    for source in (site / "sources").glob("*/index.html"):
        listed = items_across(site, f"sources/{source.parent.name}/", r'<li><a href="[./]*articles/([^/"]+)/">')
        assert listed in by_source.values()


def test_home_page_shows_the_newest_articles_and_links_to_the_rest(small_pages: Path) -> None:
    home = (small_pages / "index.html").read_text()
    newest = home.split('id="all-h"', 1)[1].split("</section>", 1)[0]
    articles = [a["id"] for a in data(small_pages, "articles.json")["articles"]]
    assert re.findall(r'<li><a href="articles/([^/"]+)/">', newest) == articles[:PAGE_SIZE]
    assert f'<a href="timeline/">All {len(articles)} articles, newest first, on the timeline</a>' in newest
    added = home.split('id="new-h"', 1)[1].split("</section>", 1)[0]
    assert len(re.findall(r"<li>Added:", added)) == PAGE_SIZE and f"{len(articles)} added" in added


def test_links_into_paginated_lists_reach_their_anchors(small_pages: Path) -> None:
    assert_links_resolve(small_pages)


def test_a_site_beyond_the_sitemap_limit_gets_a_sitemap_index(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "SITEMAP_LIMIT", 10)
    build(load_config(project / "briefing.yml"), project / "seeds", project / "site", project / "templates",
          search=False)
    site = project / "site"
    index = (site / "sitemap.xml").read_text()
    assert "<sitemapindex" in index
    names = re.findall(r"<loc>https?://[^<]*?(sitemap-\d+\.xml)</loc>", index)
    urls = []
    for name in names:
        listed = re.findall(r"<loc>([^<]+)</loc>", (site / name).read_text())
        assert 0 < len(listed) <= 10
        urls += listed
    pages = {p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html")} - {"404.html"}
    base = load_config(project / "briefing.yml").site.base_url
    assert sorted(u.removeprefix(base) for u in urls) == sorted(pages) and len(names) == -(-len(pages) // 10)
