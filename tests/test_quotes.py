"""Quotations and their speakers (generator/quotes.py): the seeds' known quotes, and precision checks
on small texts (nothing attributed that the sentence does not say)."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from generator.article import Article, Paragraph
from generator.config import load_config
from generator.entities import build_gazetteer
from generator.pipeline import read_corpus
from generator.render import quote_pages
from generator.quotes import (QuoteMention, article_quotes, index_quotes, kept_index, quote_spans, quotes_json,
                              restored_index)

ROOT = Path(__file__).resolve().parent.parent
STATE_QUOTE = "Our engagement is focused on helping the Venezuelan people"


def article(*paragraphs: str, article_id: str = "a", date: str | None = "2026-03-06",
            outlet: str | None = "Outlet", agency: str | None = None) -> Article:
    return Article(article_id, f"{article_id}.txt", "Title", False, date, outlet, agency, None, None, None, (),
                   tuple(Paragraph(n, text, n, n) for n, text in enumerate(paragraphs, start=1)), {})


def quotes_of(*paragraphs: str) -> tuple[QuoteMention, ...]:
    return article_quotes(article(*paragraphs), build_gazetteer())


@pytest.fixture(scope="module")
def seeds():
    config = load_config(ROOT / "briefing.yml")
    articles, _ = read_corpus(ROOT / "seeds", config)
    gazetteer = build_gazetteer(None, config.sources)
    return articles, gazetteer, index_quotes(articles, gazetteer)


def test_state_department_quote_is_one_quote_with_its_three_carriers(seeds) -> None:
    _, _, index = seeds
    quote = next(q for q in index.quotes if q.text.startswith(STATE_QUOTE))
    assert quote.speaker in {"State Department", "the State Department"}
    assert {m.article for m in quote.mentions} == {"000-7bc5df4f94addd73", "001-3a454840917e6663",
                                                   "003-7cfe30551297bae2"}
    assert len(quote.sources) == 3 and not quote.single_source
    partial = next(m for m in quote.mentions if m.article == "003-7cfe30551297bae2")
    assert partial.text.startswith("focused on helping") and partial.speaker == "State Department"
    bare = next(m for m in quote.mentions if m.article == "000-7bc5df4f94addd73")
    assert bare.speaker is None and bare.attribution == "none"  # its own sentence names no one: not guessed
    assert sum(1 for q in index.quotes if STATE_QUOTE.lower() in q.text.lower()) == 1


def test_burgum_said_and_resolved_pronouns_on_the_seeds(seeds) -> None:
    articles, gazetteer, _ = seeds
    by_id = {a.id: a for a in articles}
    afp = article_quotes(by_id["000-7bc5df4f94addd73"], gazetteer)
    think = next(q for q in afp if q.text.startswith("I think you're going to see"))
    assert (think.speaker, think.speaker_as, think.attribution) == ("Doug Burgum", "Burgum", "named")
    assert "Burgum said" in think.how
    positive = next(q for q in afp if q.text.startswith("fantastically positive"))
    assert (positive.speaker, positive.attribution) == ("Doug Burgum", "pronoun")
    ap = article_quotes(by_id["003-7cfe30551297bae2"], gazetteer)
    happiness = next(q for q in ap if q.text.startswith("These relations ought to result"))
    assert (happiness.speaker, happiness.speaker_as, happiness.attribution) == ("Delcy Rodríguez", "she", "pronoun")
    strengthen = next(q for q in ap if q.text.startswith("will strengthen relations"))
    assert strengthen.speaker == "Delcy Rodríguez" and strengthen.speaker_as == "Acting President Delcy Rodríguez"
    other = article_quotes(by_id["001-3a454840917e6663"], gazetteer)
    committed = next(q for q in other if q.text.startswith("The United States remains committed"))
    assert (committed.speaker, committed.speaker_as) == ("State Department", "it")
    posted = next(q for q in other if q.text.startswith("Just wrapped a trip"))
    assert posted.speaker == "Doug Burgum"


def test_seed_counts_and_every_mention_links_to_a_paragraph(seeds) -> None:
    articles, _, index = seeds
    paragraphs = {(a.id, p.n): p.text for a in articles for p in a.paragraphs}
    mentions = [m for q in index.quotes for m in q.mentions]
    assert len(mentions) == 21 and len(index.quotes) == 14
    for m in mentions:
        assert m.text.split()[0] in paragraphs[(m.article, m.n)]
    data = quotes_json(index)
    assert set(data["quotes"][0]) == {"id", "text", "speaker", "speakers", "single_source", "independent_sources",
                                      "topics", "mentions"}


def test_straight_and_curly_quotes_and_apostrophes() -> None:
    text = "He said “we will go” and “right now”."
    assert [text[a + 1: b] for a, b in quote_spans(text)] == ["we will go", "right now"]
    assert quote_spans('She said "it is done" today.') == [(9, 20)]
    assert quote_spans('“An unfinished quotation runs on') == [(0, 32)]  # continues in the next paragraph
    assert quote_spans('He said “an unfinished one') == []
    assert quote_spans("The countries' ties and Trump's plan, the '90s.") == []
    found = quotes_of("Officials called it a 'new stage' of ties, Trump's aides said.")
    assert [q.text for q in found] == ["new stage"]


def test_quote_split_around_he_said_is_one_quotation() -> None:
    found = quotes_of('"We will not stop," Maria Lopez said, "until the job is done."')
    assert len(found) == 1
    assert found[0].text == "We will not stop, until the job is done."
    assert found[0].speaker == "Maria Lopez"
    found = quotes_of('"It is over," Maria Lopez said. "We start again."')
    assert [q.text for q in found] == ["It is over. We start again."]


def test_attribution_forms() -> None:
    def speaker(text: str) -> str | None:
        found = quotes_of(text)
        assert len(found) == 1, found
        return found[0].speaker

    assert speaker('"The question is who controls the revenue," said David Alvarado, a former diplomat.') == \
        "David Alvarado"
    assert speaker('Victor Ortiz, a lawyer at Caribbean Policy Institute, said: "Investors want guarantees."') == \
        "Victor Ortiz"
    assert speaker('The State Department in a statement on Thursday said that talks were "focused on helping people."') \
        == "State Department"
    assert speaker('The March 5 statement by the US State Department read, "Our engagement is focused on people."') \
        == "State Department"
    assert speaker("Venezuela's foreign ministry said it would \"move forward in a new stage of dialogue.\"") == \
        "Venezuela's foreign ministry"


def test_never_guessed() -> None:
    assert quotes_of('"We are ready for anything that comes," she said.')[0].speaker is None  # no one named before
    assert quotes_of('"Prices will rise again next year."')[0].speaker is None
    assert quotes_of('They called it "a historic day for the region."')[0].speaker is None
    found = quotes_of("Ana Ruiz arrived.", "Carlos Pena spoke first.", "The weather was fine.", "Nothing else.",
                      '"It went well," she said.')
    assert found[0].speaker is None  # the last named speaker is too far back
    assert quotes_of('He recommended "The Big Short" to everyone.') == ()  # a title, not a quotation


def test_same_quote_in_full_and_in_part_from_several_sources_is_one_quote() -> None:
    gazetteer = build_gazetteer()
    one = article('"Our engagement is focused on helping the people move forward," the ministry spokesman Juan Diaz said.',
                  article_id="one", outlet="Reuters")
    two = article('Juan Diaz said the work was "focused on helping the people move forward."', article_id="two",
                  outlet="El País", date="2026-03-07")
    three = article('"An entirely different statement about the weather today," Juan Diaz said.', article_id="three",
                    outlet="AP")
    index = index_quotes([one, two, three], gazetteer)
    assert len(index.quotes) == 2
    merged = next(q for q in index.quotes if len(q.mentions) == 2)
    assert merged.text.startswith("Our engagement is focused") and merged.speaker == "Juan Diaz"
    assert [s.name for s in merged.sources] == ["El País", "Reuters"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        merged.text = "x"  # type: ignore[misc]


def test_short_fragment_joins_the_one_quotation_containing_it() -> None:
    gazetteer = build_gazetteer()
    full = article('The ministry said it would "enter a new stage of constructive dialogue with everyone."',
                   article_id="full")
    fragment = article('The government wants a “new stage” of relations.', article_id="fragment", outlet="Other")
    lone = article('It was a “bold move” by the envoy.', article_id="lone", outlet="Third")
    index = index_quotes([full, fragment, lone], gazetteer)
    texts = {q.text: len(q.mentions) for q in index.quotes}
    assert texts == {"enter a new stage of constructive dialogue with everyone.": 2, "bold move": 1}


def test_copies_of_one_quotation_are_one_quote_however_many_others_come_between() -> None:
    """A quotation joins the quotation it mostly repeats; its later copies join the same one, even
    when, by then, the words it shares with it are in so many other quotations that they no longer
    count (a copy once went to a quote of its own: 280 quotes at 10,000 articles, 273 now)."""
    gazetteer = build_gazetteer()
    tail = "interests in the {} and strengthen cooperation on energy trade security migration and the transition"
    opening = "we just wrapped a trip to caracas to advance our"
    longer = f"{opening} {tail.format('hemisphere')} this week"
    variant = f"{opening} {tail.format('region')}"
    others = [f"{opening} plan number {n} " + " ".join(f"w{n}x{k}" for k in range(len(variant.split()) - 13))
              for n in range(60)]

    def said(text: str, article_id: str, day: int, outlet: str) -> Article:
        return article(f'"{text}," the envoy Juan Diaz said.', article_id=article_id, outlet=outlet,
                       date=f"2026-03-{day:02d}")

    articles = [said(longer, "long", 1, "Reuters"), said(variant, "first", 2, "AP"), said(variant, "last", 28, "AFP"),
                *(said(text, f"other{n}", 3 + n % 20, f"Outlet {n}") for n, text in enumerate(others))]
    index = index_quotes(articles, gazetteer)
    carrying = [q for q in index.quotes if {"first", "last"} & {m.article for m in q.mentions}]
    assert len(carrying) == 1 and {m.article for m in carrying[0].mentions} == {"long", "first", "last"}
    assert len(index.quotes) == 61


def render_page(template: str, path: str, context: dict, articles) -> str:
    """Render one of the new page templates as the site would (base.html, _macros.html, autoescape)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    from generator.assemble import assemble
    from generator.render import shared_context, url_maker

    config = load_config(ROOT / "briefing.yml")
    site = assemble(list(articles), [], config)
    env = Environment(loader=FileSystemLoader(str(ROOT / "templates")), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(template).render(
        **shared_context(site), url=url_maker(path, site.config.site.directory_urls), page_path=path,
        canonical=site.config.site.base_url + path, page_depth=path.count("/"), **context)


def test_quotes_page_links_every_carrier_and_escapes_text(seeds) -> None:
    articles, gazetteer, index = seeds
    path, template, context = next(quote_pages(index.quotes, 50))
    html = render_page(template, path, context, articles)
    assert "14 quotations" in html and "— <strong>State Department</strong>" in html
    assert 'href="../articles/003-7cfe30551297bae2/#p-2"' in html
    hostile = article('"<script>alert(1)</script> is not markup," said Ana <b>Ruiz</b>.', article_id="x")
    path, template, context = next(quote_pages(index_quotes([hostile], gazetteer).quotes, 50))
    html = render_page(template, path, context, [hostile])
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_index_a_build_keeps_is_read_back_the_same(seeds) -> None:
    """Kept by where each quotation is among its article's, not with its text: read back against
    the same quotations (the cached analysis), it is the index, quote for quote and topic for topic."""
    articles, gazetteer, _ = seeds
    mentions = {a.id: a.findings[1][1] for a in articles}
    index = index_quotes(articles, gazetteer, mentions)
    kept = pickle.loads(pickle.dumps(kept_index(index, mentions)))
    assert restored_index(kept, mentions) == index
    assert len(pickle.dumps(kept)) < len(pickle.dumps(index)) / 2
