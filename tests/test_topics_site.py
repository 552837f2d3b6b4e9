"""Topic pages: every passage attributed and linked to the paragraph that carries it."""

import json
import re
from html import unescape
from pathlib import Path

from generator.config import load_config
from generator.corroborate import corroborate, corroborate_indexed, passages_of
from generator.pipeline import build, read_corpus

TOPICS = ("diplomacy", "mining", "oil", "maduro-trial")


def build_site(project: Path) -> Path:
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates")
    return project / "site"


def paragraphs(site: Path) -> dict[tuple[str, int], str]:
    data = json.loads((site / "data/articles.json").read_text())
    return {(a["id"], p["n"]): p["text"] for a in data["articles"] for p in a["paragraphs"]}


def test_every_passage_on_every_topic_page_is_linked_to_its_paragraph(project: Path) -> None:
    site = build_site(project)
    texts = paragraphs(site)
    for slug in TOPICS:
        html = (site / "topics" / slug / "index.html").read_text()
        points = re.findall(r'<article class="point" id="[^"]+">(.*?)</article>', html, re.S)
        assert points, slug
        for point in points:
            quote = unescape(re.search(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", point, re.S).group(1))
            items = re.findall(r'<li><a href="\.\./\.\./articles/([^/]+)/#p-(\d+)">(.*?)</a>(?:: <q>(.*?)</q>)?</li>',
                               point, re.S)
            assert items, f"{slug}: a point without sources"
            first_id, first_n = items[0][0], int(items[0][1])
            assert quote in texts[(first_id, first_n)]
            for article_id, n, label, text in items:
                assert (article_id, int(n)) in texts, f"{slug}: link to a missing paragraph"
                assert "¶" in label and re.search(r"\d{4}-\d{2}-\d{2}|undated", label)
                if text:
                    assert unescape(text) in texts[(article_id, int(n))]


def test_topics_json_lists_paragraphs_with_score_evidence_and_each_sentences_point(project: Path) -> None:
    site = build_site(project)
    data = json.loads((site / "data/topics.json").read_text())
    assert [t["slug"] for t in data["topics"]] == list(TOPICS)
    texts = paragraphs(site)
    clusters = set(data["points"])
    assert all(pid in clusters for t in data["topics"] for pid in t["points"])
    for topic in data["topics"]:
        assert topic["articles"] and topic["paragraphs"] and topic["title"] and topic["description"]
        for paragraph in topic["paragraphs"]:
            assert (paragraph["article"], paragraph["n"]) in texts
            assert paragraph["score"] > 0 and paragraph["evidence"]
            numbers = [s["sentence"] for s in paragraph["sentences"]]
            assert numbers == list(range(1, len(numbers) + 1))
            for sentence in paragraph["sentences"]:
                point = data["points"][sentence["point"]]
                here = {"article": paragraph["article"], "n": paragraph["n"], "sentence": sentence["sentence"]}
                assert here in point["passages"]
        keys = [(p["article"], p["n"]) for p in topic["paragraphs"]]
        assert len(keys) == len(set(keys))
    articles = json.loads((site / "data/articles.json").read_text())["articles"]
    tagged = {(a["id"], p["n"]) for a in articles for p in a["paragraphs"] if "mining" in p["topics"]}
    mining = next(t for t in data["topics"] if t["slug"] == "mining")
    assert {(p["article"], p["n"]) for p in mining["paragraphs"]} == tagged


def test_corroboration_on_the_seeds(project: Path) -> None:
    config = load_config(project / "briefing.yml")
    articles, _ = read_corpus(project / "seeds", config)
    points = corroborate(tuple(articles), {a.id: passages_of(a) for a in articles})
    phased = [p for p in points if any("phased process" in x.text for x in p.passages)]
    assert len(phased) == 1 and len({x.article for x in phased[0].passages}) >= 4
    visit = [p for p in points if any("two-day visit" in x.text for x in p.passages)]
    assert len(visit) == 1 and len({x.article for x in visit[0].passages}) == 5
    assert len(visit[0].sources) == 5 and not visit[0].single_source
    assert any(p.single_source for p in points)


def test_the_point_index_gives_each_passage_the_point_that_holds_it(project: Path) -> None:
    config = load_config(project / "briefing.yml")
    articles, _ = read_corpus(project / "seeds", config)
    sentences = {a.id: passages_of(a) for a in articles}
    points, index = corroborate_indexed(tuple(articles), sentences)
    holder = {p.key: point.id for point in points for p in point.passages}
    assert len(holder) == sum(map(len, sentences.values())) > 90
    for article, passages in sentences.items():
        assert index[article] == tuple(holder[p.key] for p in passages)
        assert [index.at(*p.key) for p in passages] == list(index[article])
    assert index.at(articles[0].id, 999, 1) is None and index.at("no-such-article", 1, 1) is None
    assert points == corroborate(tuple(articles), sentences)


WIRE = ("---\ntitle: {title}\noutlet: {outlet}\nagency: AP\ndate: 2026-03-07\n---\n"
        "CARACAS (AP) — Venezuela's interim government reopened the Orinoco gold mining arc to foreign "
        "companies on Friday, granting the first concessions to miners from Canada and Australia.\n\n"
        "Officials said the mining code would be published next week.\n")


def test_copies_of_one_wire_story_count_once(project: Path) -> None:
    seeds = project / "seeds"
    for name, outlet in (("gleaner", "The Gleaner"), ("factors", "factorsways.com")):
        (seeds / f"{name}.md").write_text(WIRE.format(title=f"Gold arc reopens ({name})", outlet=outlet))
    (seeds / "own.md").write_text("---\ntitle: Own report\noutlet: El País\ndate: 2026-03-07\n---\n"
                                  "Venezuela reopened the Orinoco gold mining arc to foreign companies on Friday, "
                                  "with first concessions for Canadian and Australian miners.\n")
    site = build_site(project)
    html = re.sub(r"\s+", " ", unescape((site / "topics/mining/index.html").read_text()))
    assert "2 independent sources</span>: AP, via The Gleaner and factorsways.com; El País" in html
    data = json.loads((site / "data/topics.json").read_text())
    points = [data["points"][pid] for pid in data["topics"][1]["points"]]
    arc = next(p for p in points if {x["article"] for x in p["passages"]} >= {"gleaner", "factors", "own"})
    assert [s["name"] for s in arc["independent_sources"]] == ["AP", "El País"]


def test_article_in_no_topic_is_listed_as_other_coverage(project: Path) -> None:
    (project / "seeds/football.txt").write_text("Caracas derby ends level\n\nThe match ended 1-1 after a "
                                                "late equaliser in front of 30,000 fans.\n")
    site = build_site(project)
    index = (site / "index.html").read_text()
    other = index.split('id="other-h"')[1].split("</section>")[0]
    assert "Caracas derby ends level" in other
    assert (site / "articles/football/index.html").is_file()


def test_article_pages_show_topic_chips_with_evidence(project: Path) -> None:
    site = build_site(project)
    html = (site / "articles/001-3a454840917e6663/index.html").read_text()
    assert re.search(r'<a href="\.\./\.\./topics/mining/">Mining</a> <details><summary>score [\d.]+</summary>'
                     r'matched: [^<]*gold', html)


def test_long_topics_are_paginated_with_a_windowed_pager_and_topic_extras_on_page_one(project: Path) -> None:
    config_file = project / "briefing.yml"
    config_file.write_text(config_file.read_text().replace("site:\n", "site:\n  page_size: 1\n", 1))
    site = build_site(project)
    topic = site / "topics" / "diplomacy"
    pages = sorted(topic.glob("page/*/index.html"), key=lambda p: int(p.parent.name))
    count = len(pages) + 1
    assert count >= 8, "the seeds' diplomacy topic should have at least 8 points"
    first = (topic / "index.html").read_text()
    middle = (topic / f"page/{count // 2}/index.html").read_text()
    assert 'id="sources-h"' in first and 'id="sources-h"' not in middle
    assert "its first page" in middle and "its first page" not in first
    for html, number in ((first, 1), (middle, count // 2)):
        assert len(re.findall(r'<article class="point"', html)) == 1
        listed = [int(n) for n in re.findall(r'<(?:a href="[^"]*"|span aria-current="page")>(\d+)</', html)]
        assert listed[0] == 1 and listed[-1] == count and number in listed
        assert len(listed) <= 2 + 5, "the pager shows a window, not every page"
        assert listed == sorted(set(listed))
    assert "…" in middle


def test_a_topics_later_pages_are_made_without_the_findings_and_its_first_page_with_them(project: Path) -> None:
    """The later pages are rendered while the findings are computed, so they must not need them;
    between them, the two lists hold every page of every topic once."""
    from generator import render
    from generator.assemble import assemble
    from generator.pagination import paginate

    config_file = project / "briefing.yml"
    config_file.write_text(config_file.read_text().replace("site:\n", "site:\n  page_size: 2\n", 1))
    config = load_config(config_file)
    articles, unreadable = read_corpus(project / "seeds", config)
    site = assemble(articles, unreadable, config)
    env = render.environment(str(project / "templates"), "test")
    later = list(render._later_topic_pages(site))
    assert later and all("/page/" in path for path, _, _ in later)
    for path, template, context in later:
        render._render_one(env, site, path, template, context, render.shared_context(site))
    assert not {"quotes", "timeline", "discrepancies", "entities"} & set(vars(site.findings)), \
        "rendering a topic's later pages computed a finding"
    first = [path for path, template, _ in render._findings_pages(site) if template == "topic.html"]
    assert first == [f"topics/{t.slug}/index.html" for t in site.topics]
    every = [path for t in site.topics for path, _, _ in paginate(f"topics/{t.slug}/", t.points, 2)]
    assert sorted(first + [path for path, _, _ in later]) == sorted(every)


def test_the_pages_made_while_the_site_is_assembled_are_those_of_the_assembled_site(project: Path) -> None:
    """Render starts on the pages that list articles from `Assembly.corpus`, before the points and
    topics exist: each of them (and every other file) must be what the finished site gives."""
    from generator.assemble import Assembly, assemble
    from generator.changes import History
    from generator.publish import ARTICLE_PAGES_DONE
    from generator.render import _listing_pages, render

    config = load_config(project / "briefing.yml")
    articles, unreadable = read_corpus(project / "seeds", config)

    def files(site) -> dict[str, bytes]:
        pages = (page for page in render(site, project / "templates") if page != ARTICLE_PAGES_DONE)
        return {path: content if isinstance(content, bytes) else b"".join(content) for path, content in pages}

    assembly = Assembly(articles, unreadable, config)
    assert assembly.corpus.points == () and assembly.corpus.topics == () and assembly.corpus.findings is None
    early = files(assembly)
    assert early == files(assemble(articles, unreadable, config))
    listed = [path for path, _, _ in _listing_pages(assembly.corpus, History((), {}))]
    assert {"sources/index.html", "timeline/index.html", "about/index.html", "feed.xml"} <= set(listed) <= set(early)


def test_a_points_sources_are_grouped_when_read_and_its_source_names_rank_it(project: Path) -> None:
    """Corroboration ranks points by how many independent sources they have without grouping them
    (that is left to the pages and files that show a point); the groups, once read, agree with the
    names, and a pickled point carries its groups, not the corpus."""
    import pickle

    config = load_config(project / "briefing.yml")
    articles, _ = read_corpus(project / "seeds", config)
    points = corroborate(tuple(articles), {a.id: passages_of(a) for a in articles})
    assert any(len(p.source_names) > 1 for p in points)
    assert all(not p.found for p in points), "not grouped while corroborating"
    for point in points:
        assert frozenset(group.name for group in point.sources) == point.source_names
        assert point.single_source == (len(point.sources) == 1)
    ranks = [(-len(p.sources), -len(p.passages), p.id) for p in points]
    assert ranks == sorted(ranks)
    copies = pickle.loads(pickle.dumps(points))
    assert copies == points and [c.sources for c in copies] == [p.sources for p in points]
    assert len(pickle.dumps(points[0])) < 20_000, "the counter (the whole corpus) is not pickled"
