"""The built site as a whole: structure, links, data files, determinism."""

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin

import pytest

from generator.config import load_config
from generator.datafiles import ARTICLE_KEYS
from generator.pipeline import build


def build_project(project: Path, output: str = "site") -> Path:
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / output, project / "templates")
    return project / output


@pytest.fixture()
def site(project: Path) -> Path:
    return build_project(project)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.base: str | None = None
        """A <base href>: the site's root as published (site.base_url's path)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "base":
            self.base = values.get("href")
            return
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in ("href", "src"):
            if values.get(name):
                self.hrefs.append(values[name] or "")


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text())
    return links


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    assert_links_resolve(site)


def assert_links_resolve(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6
    parsed = {p: parse(p) for p in pages}
    checked = 0
    for page, links in parsed.items():
        for href in links.hrefs:
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            document = "http://host/" if links.base else "http://host/" + page.relative_to(site).as_posix()
            absolute, fragment = urldefrag(urljoin(document, href))
            target = absolute.removeprefix("http://host/")
            assert absolute.startswith("http://host/"), f"{page}: link {href} leaves the site"
            path = site / unquote(target)
            if target == "" or target.endswith("/"):
                path = path / "index.html"
            assert path.is_file(), f"{page}: broken link {href}"
            if fragment:
                ids = parsed[path].ids if path in parsed else parse(path).ids
                assert fragment in ids, f"{page}: missing anchor {href}"
            checked += 1
    assert checked > 20


def test_article_pages_have_paragraph_anchors_and_provenance(site: Path) -> None:
    data = json.loads((site / "data/articles.json").read_text())
    for article in data["articles"]:
        html = (site / "articles" / article["id"] / "index.html").read_text()
        for paragraph in article["paragraphs"]:
            assert f'id="p-{paragraph["n"]}"' in html
        assert "How it was found" in html
        for how in article["provenance"].values():
            assert how.replace("'", "&#39;") in html


def test_articles_json_has_exactly_the_documented_keys(site: Path) -> None:
    data = json.loads((site / "data/articles.json").read_text())
    assert list(data) == ["articles"] and len(data["articles"]) == 5
    for article in data["articles"]:
        assert tuple(article) == ARTICLE_KEYS
        assert [p["n"] for p in article["paragraphs"]] == list(range(1, len(article["paragraphs"]) + 1))
        assert all(set(p) == {"n", "text", "topics"} for p in article["paragraphs"])
    dates = [a["date"] for a in data["articles"] if a["date"]]
    assert dates == sorted(dates, reverse=True)


def test_report_lists_every_input_with_found_and_missing_fields(project: Path) -> None:
    (project / "seeds/empty.txt").write_bytes(b"")
    (project / "seeds/picture.jpg").write_bytes(b"\xff\xd8\xff")
    site = build_project(project)
    report = json.loads((site / "data/report.json").read_text())
    paths = [entry["path"] for entry in report["inputs"]]
    assert len(paths) == 7 and paths == sorted(paths)
    empty = next(e for e in report["inputs"] if e["path"] == "seeds/empty.txt")
    assert empty["article"] is None and "empty" in empty["reason"]
    undated = next(e for e in report["inputs"] if e["path"].startswith("seeds/004"))
    assert "date" in undated["missing"] and "title" in undated["found"]
    assert report["summary"] == {"inputs": 7, "articles": 5, "skipped": 2, "warnings": 2}


def test_duplicate_ids_are_disambiguated_and_reported(project: Path) -> None:
    (project / "seeds/000_7bc5df4f94addd73.md").write_text("A second copy with one id\n\nBody text.\n")
    site = build_project(project)
    ids = [a["id"] for a in json.loads((site / "data/articles.json").read_text())["articles"]]
    assert len(ids) == len(set(ids)) == 6 and "000-7bc5df4f94addd73-2" in ids
    report = json.loads((site / "data/report.json").read_text())
    entry = next(e for e in report["inputs"] if e["path"] == "seeds/000_7bc5df4f94addd73.txt")
    assert any("already used" in w for w in entry["warnings"])


def digest_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical(project: Path) -> None:
    first = digest_tree(build_project(project, "one"))
    second = digest_tree(build_project(project, "two"))
    assert first == second and len(first) > 8


def test_bodies_are_escaped_not_trusted(project: Path) -> None:
    (project / "seeds/evil.txt").write_text("Headline of the evil one\n\n<script>alert(1)</script> and "
                                            "<img src=x onerror=alert(1)> in text.\n")
    html = (build_project(project) / "articles/evil/index.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_indexes_article_text_not_page_furniture(project: Path) -> None:
    """Topic chips ("score 13.0 matched: ...") and paragraph numbers are for reading the page,
    not words to find it by: Pagefind must not put them in results."""
    import gzip

    from generator.search_index import SIGNATURE

    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=True)
    fragments = sorted((project / "site/pagefind").glob("shard-*/fragment/*.pf_fragment"))
    assert len(fragments) == 5
    contents = [json.loads(gzip.decompress(f.read_bytes())[len(SIGNATURE):])["content"] for f in fragments]
    assert any("diplomatic ties" in c for c in contents), "the article text is indexed"
    assert not any("matched:" in c or re.search(r"\bscore \d", c) for c in contents)


def test_search_index_comes_in_shards_and_a_rebuild_reindexes_only_the_changed_one(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind reads every page again on each run: with the pages in shards, one changed article
    costs one shard's run. The shards together index every article page once, and the index is
    the same bytes whether it was made in one build or kept from the last."""
    import gzip

    from generator import search
    from generator.search_index import SIGNATURE

    yml = project / "briefing.yml"
    yml.write_text(yml.read_text().replace("site:\n", "site:\n  search_shard_size: 2\n", 1))
    config = load_config(yml)
    assert config.site.search_shard_size == 2
    runs: list[Path] = []
    real = search.pagefind_command
    monkeypatch.setattr(search, "pagefind_command", lambda site, bundle: runs.append(bundle) or real(site, bundle))
    build(config, project / "seeds", project / "site", project / "templates", search=True)
    bundle = project / "site/pagefind"
    shards = json.loads((bundle / "shards.json").read_text())["bundles"]
    assert len(shards) >= 2 and len(runs) == len(shards)
    assert (bundle / "pagefind-ui.js").is_file() and (bundle / "pagefind-ui.css").is_file()
    urls = []
    for shard in shards:
        for fragment in (bundle / shard / "fragment").glob("*.pf_fragment"):
            urls.append(json.loads(gzip.decompress(fragment.read_bytes())[len(SIGNATURE):])["url"])
    articles = sorted(p.parent.name for p in (project / "site/articles").glob("*/index.html"))
    assert sorted(u.strip("/").split("/")[-1] for u in urls) == articles, "each article in one shard"

    seed = next((project / "seeds").glob("004_*"))
    seed.write_text(seed.read_text().replace("pivotal moment", "decisive moment"))
    runs.clear()
    build(config, project / "seeds", project / "site", project / "templates", search=True)
    assert len(runs) == 1, "only the shard holding the changed article is indexed again"
    fresh = project / "fresh"
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=True)
    tree = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in sorted(bundle.rglob("*")) if p.is_file()}
    assert tree == {p.relative_to(fresh / "pagefind").as_posix(): p.read_bytes()
                    for p in sorted((fresh / "pagefind").rglob("*")) if p.is_file()}
