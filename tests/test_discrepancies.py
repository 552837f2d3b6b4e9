"""Discrepancies (generator/discrepancies.py): the seeds' gold figures, and few, correct flags."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from generator import discrepancies
from generator.article import Article, Paragraph
from generator.config import load_config
from generator.corroborate import corroborate, corroborate_indexed, passages_of, sentences_of
from generator.discrepancies import DiscrepancyIndex, discrepancies_json, figures, find_discrepancies
from generator.discrepancy_memo import DiscrepancyMemo, shown_digest
from generator.pipeline import read_corpus
from generator.render import discrepancy_pages

ROOT = Path(__file__).resolve().parent.parent


def article(*paragraphs: str, article_id: str, date: str | None = "2026-03-06", outlet: str = "Outlet") -> Article:
    return Article(article_id, f"{article_id}.txt", "Title", False, date, outlet, None, None, None, None, (),
                   tuple(Paragraph(n, text, n, n) for n, text in enumerate(paragraphs, start=1)), {})


def check(*articles: Article):
    sentences = {a.id: passages_of(a) for a in articles}
    return find_discrepancies(articles, corroborate(tuple(articles), sentences), sentences=sentences).discrepancies


@pytest.fixture(scope="module")
def seeds():
    config = load_config(ROOT / "briefing.yml")
    articles, _ = read_corpus(ROOT / "seeds", config)
    return articles


def test_seed_gold_figures_are_flagged_side_by_side(seeds) -> None:
    found = check(*seeds)
    assert len(found) == 1
    gold = found[0]
    assert gold.kind == "figure" and "kilograms" in gold.subject and "gold" in gold.subject
    assert sorted(r.value for r in gold.readings) == ["650 to 1,000 kilograms", "as many as 1,000 kilograms"]
    assert {(p.article, p.n) for r in gold.readings for p in r.passages} == {
        ("001-3a454840917e6663", 17), ("001-3a454840917e6663", 18)}
    data = discrepancies_json(type("Index", (), {"discrepancies": found})())
    assert data["discrepancies"][0]["readings"][0]["passages"][0]["text"]


def test_each_sentences_figures_are_found_per_article_and_used_as_found(seeds) -> None:
    """The analyse stage finds every sentence's figures (cached with the article); the corpus-wide
    step reads those instead of every sentence's text, and flags what it flags without them."""
    for a in seeds:
        expected = {(p.n, s.index): tuple(figures(s.text_in(p.text))) for p, s in sentences_of(a)}
        assert a.findings[1][3] == {key: found for key, found in expected.items() if found}
    sentences = {a.id: passages_of(a) for a in seeds}
    points = corroborate(tuple(seeds), sentences)
    given = find_discrepancies(seeds, points, None, sentences, {a.id: a.findings[1][3] for a in seeds})
    assert given == find_discrepancies(seeds, points, None, sentences) and len(given.discrepancies) == 1
    # what was given is what is read: without the gold sentences' figures, no flag
    emptied = {a.id: {} for a in seeds}
    assert find_discrepancies(seeds, points, None, sentences, emptied).discrepancies == ()


def test_figures() -> None:
    def read(sentence: str) -> list[tuple[str, tuple[float, ...], str]]:
        return [(f.text, f.values, f.unit) for f in figures(sentence)]

    assert read("the raid on January 3 that left around 100 people dead") == [("around 100 people", (100.0,), "people")]
    assert read("at least 50 million barrels of oil") == [("at least 50 million barrels", (50e6,), "barrel")]
    assert read("furnish 650 to 1,000 kilograms of gold") == [("650 to 1,000 kilograms", (650.0, 1000.0), "kilogram")]
    assert read("a $2.5 billion deal") == [("$2.5 billion", (2.5e9,), "dollar")]
    assert read("Ties were cut in 2019, on March 5, at 19:42, the 2025 Nobel Peace Prize.") == []
    assert figures("around 100 people dead")[0].label == "people dead"


def test_same_fact_with_different_numbers_in_two_articles() -> None:
    one = article("Prosecutors told the judge that the government had handed over more than 3,000 pages of "
                  "evidence to the defence.", article_id="one", outlet="Reuters")
    two = article("Prosecutors told the judge that the government had handed over more than 1,800 pages of "
                  "evidence to the defence.", article_id="two", outlet="AP")
    found = check(one, two)
    assert len(found) == 1 and found[0].scope == "point" and found[0].subject == "pages of evidence"
    assert sorted(r.value for r in found[0].readings) == ["more than 1,800 pages", "more than 3,000 pages"]
    assert {s.name for r in found[0].readings for s in r.sources} == {"Reuters", "AP"}


def test_no_flag_for_agreeing_or_unrelated_figures() -> None:
    same = [article("The bombing raid on January 3 left around 100 people dead, officials said on the radio.",
                    article_id="one", outlet="AFP"),
            article("The bombing raid on January 3 left about 100 people dead, officials said on the radio.",
                    article_id="two", outlet="AP")]
    assert check(*same) == ()
    story = article("Her government has transferred at least 50 million barrels of oil to the administration.",
                    "Separately, a tanker sold 3 million barrels of oil to a refiner in Asia.", article_id="three")
    assert check(story) == ()  # neighbouring figures of one unit that share no number are two things
    two_things = article("The firm shipped 12 kilograms of gold and 14 kilograms of gold to two buyers.",
                         article_id="four")
    assert check(two_things) == ()


def test_dates_that_disagree_within_one_fact() -> None:
    one = article("A US diplomatic mission arrived in Caracas on January 31, marking the resumption of contacts.",
                  article_id="one", outlet="AFP")
    two = article("A US diplomatic mission arrived in Caracas on January 25, marking the resumption of contacts.",
                  article_id="two", outlet="AP")
    found = check(one, two)
    assert len(found) == 1 and found[0].kind == "date"
    assert sorted(r.value for r in found[0].readings) == ["25 January 2026", "31 January 2026"]


def test_same_relative_words_in_articles_of_different_dates_are_not_a_disagreement() -> None:
    one = article("Supporters of the former president gathered outside the foreign ministry on Thursday.",
                  article_id="one", outlet="AFP", date="2026-03-06")
    two = article("Supporters of the former president gathered outside the foreign ministry on Thursday.",
                  article_id="two", outlet="AP", date="2026-03-13")
    assert check(one, two) == ()
    three = article("Supporters of the former president gathered outside the foreign ministry on Monday.",
                    article_id="three", outlet="EFE", date="2026-03-06")
    assert [d.kind for d in check(one, three)] == ["date"]


def test_discrepancies_page_renders(seeds) -> None:
    from tests.test_quotes import render_page

    found = check(*seeds)
    path, template, context = next(discrepancy_pages(found, 50))
    html = render_page(template, path, context, seeds)
    assert "650 to 1,000 kilograms" in html and "as many as 1,000 kilograms" in html
    assert 'href="../articles/001-3a454840917e6663/#p-18"' in html


def story(*paragraphs: str, article_id: str, date: str = "2026-03-06", outlet: str = "Outlet") -> Article:
    """An article with the content hash a build gives it: what tells an edited article."""
    made = article(*paragraphs, article_id=article_id, date=date, outlet=outlet)
    return replace(made, content_hash=hashlib.sha256(repr((paragraphs, date, outlet)).encode()).hexdigest())


EVIDENCE = "Prosecutors told the judge that the government had handed over more than {} pages of evidence to the defence."
MISSION = "A US diplomatic mission arrived in Caracas on {}, marking the resumption of contacts."
CORPUS = (
    story(EVIDENCE.format("3,000"), MISSION.format("January 31"), article_id="one", outlet="Reuters"),
    story(EVIDENCE.format("1,800"), MISSION.format("January 25"), article_id="two", outlet="AP"),
    story(EVIDENCE.format("3,000"), "The talks are expected to resume in the spring, officials said.",
          article_id="three", outlet="AFP"),
    story("The firm shipped as many as 1,000 kilograms of gold to Gunvor under the deal.",
          "The deal covers 650 to 1,000 kilograms of gold bars shipped from Caracas.", article_id="four",
          outlet="EFE"),
    story("Oil exports rose sharply in February as new licences took effect.", article_id="five", outlet="BBC"),
)


def shown(index: DiscrepancyIndex) -> list[object]:
    """Everything a discrepancy shows, passages with their text."""
    return [(d.id, d.kind, d.subject, d.scope, d.point, d.topics,
             [(r.value, [(p.key, p.text) for p in r.passages], r.sources) for r in d.readings])
            for d in index.discrepancies] + [sorted(index.by_topic)]


def found_again(before: tuple[Article, ...], after: tuple[Article, ...]) -> tuple[DiscrepancyIndex, bool]:
    """The discrepancies of `after`, taking what it may from those of `before` (through a pickle,
    as a build keeps them): asserted to be what finding them all gives. With whether they were told
    unchanged, as a whole, since `before`."""
    sentences = {a.id: passages_of(a) for a in before}
    points, assignment = corroborate_indexed(before, sentences)
    found = find_discrepancies(before, points, sentences=sentences)
    digest = shown_digest(found, {a.id: a for a in before})
    memo = pickle.loads(pickle.dumps(DiscrepancyMemo.of(found, before, assignment, sentences, digest)))
    sentences = {a.id: passages_of(a) for a in after}
    points, assignment = corroborate_indexed(after, sentences)
    reuse = memo.reuse(after, assignment, sentences)
    reused = find_discrepancies(after, points, sentences=sentences, reuse=reuse)
    assert shown(reused) == shown(find_discrepancies(after, points, sentences=sentences))
    # Told unchanged, the pages are kept: only when what they show is the same.
    untouched = reuse.untouched(reused)
    if untouched:
        assert shown_digest(reused, {a.id: a for a in after}) == digest
    return reused, untouched


@pytest.mark.parametrize("edit", ["none", "unrelated sentence", "figure changed", "figure agrees now",
                                  "carrier removed", "carrier added", "date changed", "in-article pair gone",
                                  "outlet renamed"])
def test_discrepancies_taken_from_the_previous_build_are_those_found_anew(edit: str) -> None:
    by_id = {a.id: a for a in CORPUS}
    one, four, five = by_id["one"], by_id["four"], by_id["five"]
    after = {
        "none": CORPUS,
        "unrelated sentence": (*CORPUS[:4], story("Oil exports rose in February as licences took effect.",
                                                  article_id="five", outlet="BBC")),
        "figure changed": (one, story(EVIDENCE.format("2,200"), MISSION.format("January 25"), article_id="two",
                                      outlet="AP"), *CORPUS[2:]),
        "figure agrees now": (one, story(EVIDENCE.format("3,000"), MISSION.format("January 25"), article_id="two",
                                         outlet="AP"), *CORPUS[2:]),
        "carrier removed": (one, *CORPUS[2:]),
        "carrier added": (*CORPUS, story(EVIDENCE.format("900"), article_id="six", outlet="Bloomberg")),
        "date changed": (one, story(EVIDENCE.format("1,800"), MISSION.format("January 31"), article_id="two",
                                    outlet="AP"), *CORPUS[2:]),
        "in-article pair gone": (*CORPUS[:3], story(four.paragraphs[0].text, article_id="four", outlet="EFE"), five),
        "outlet renamed": (one, story(EVIDENCE.format("1,800"), MISSION.format("January 25"), article_id="two",
                                      outlet="Associated Press"), *CORPUS[2:]),
    }[edit]
    found, untouched = found_again(CORPUS, CORPUS)
    assert len(found.discrepancies) == 3 and untouched  # evidence pages, mission date, gold
    assert found_again(CORPUS, tuple(after))[1] == (edit in ("none", "unrelated sentence"))


def test_an_edit_elsewhere_finds_no_discrepancy_again(monkeypatch: pytest.MonkeyPatch) -> None:
    sentences = {a.id: passages_of(a) for a in CORPUS}
    points, assignment = corroborate_indexed(CORPUS, sentences)
    memo = DiscrepancyMemo.of(find_discrepancies(CORPUS, points, sentences=sentences), CORPUS, assignment, sentences,
                              "digest")
    looked_at: list[str] = []
    real, real_article = discrepancies._point_figures, discrepancies._article_figures
    monkeypatch.setattr(discrepancies, "_point_figures", lambda point, corpus: looked_at.append(point.id) or
                        real(point, corpus))
    monkeypatch.setattr(discrepancies, "_article_figures", lambda article, *rest: looked_at.append(article.id) or
                        real_article(article, *rest))
    edited = (*CORPUS[:4], story("Oil exports rose in February as licences took effect.", article_id="five",
                                 outlet="BBC"))
    sentences = {a.id: passages_of(a) for a in edited}
    points, assignment = corroborate_indexed(edited, sentences)
    found = find_discrepancies(edited, points, sentences=sentences, reuse=memo.reuse(edited, assignment, sentences))
    assert len(found.discrepancies) == 3 and looked_at == ["five"]
    edited = (story(EVIDENCE.format("3,100"), MISSION.format("January 31"), article_id="one", outlet="Reuters"),
              *CORPUS[1:])
    sentences = {a.id: passages_of(a) for a in edited}
    points, assignment = corroborate_indexed(edited, sentences)
    find_discrepancies(edited, points, sentences=sentences, reuse=memo.reuse(edited, assignment, sentences))
    assert looked_at[1:] == ["one-1-1", "one-2-1", "one"]  # the edited article's two points and itself


def test_what_one_build_took_from_the_last_is_kept_right_for_the_next() -> None:
    """Each build keeps, for the next, what it took from the last as it was kept then: over a
    chain of edits, every build's discrepancies are still what finding them all gives."""
    one, two, three, four, five = CORPUS
    chain = [CORPUS,
             (one, two, three, four, story("Oil exports rose in February.", article_id="five", outlet="BBC")),
             (story(EVIDENCE.format("3,100"), MISSION.format("January 31"), article_id="one", outlet="Reuters"),
              two, three, four, five),
             (story(EVIDENCE.format("3,100"), MISSION.format("January 31"), article_id="one", outlet="Reuters"),
              two, three, five, story(EVIDENCE.format("900"), article_id="six", outlet="Bloomberg")),
             CORPUS]
    memo = None
    for corpus in chain:
        sentences = {a.id: passages_of(a) for a in corpus}
        points, assignment = corroborate_indexed(corpus, sentences)
        reuse = memo.reuse(corpus, assignment, sentences) if memo is not None else None
        found = find_discrepancies(corpus, points, sentences=sentences, **({"reuse": reuse} if reuse else {}))
        assert shown(found) == shown(find_discrepancies(corpus, points, sentences=sentences))
        memo = pickle.loads(pickle.dumps(DiscrepancyMemo.of(found, corpus, assignment, sentences, "", reuse)))
