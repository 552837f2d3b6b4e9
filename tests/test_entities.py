"""People, organisations and places (generator/entities.py): measured on the seeds, and precision
checks on small texts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from generator.article import Article, Paragraph
from generator.config import load_config
from generator.entities import (EntityMention, article_entities, build_gazetteer, entity_rules, fold,
                                index_entities, name_key)
from generator.pipeline import read_corpus

ROOT = Path(__file__).resolve().parent.parent

ENTITIES = [
    {"name": "Delcy Rodríguez", "kind": "person", "aliases": ["Delcy Rodriguez", "Rodríguez", "Rodriguez"]},
    {"name": "Nicolás Maduro", "kind": "person", "aliases": ["Nicolas Maduro", "Maduro"], "always": ["Maduro"]},
    {"name": "State Department", "kind": "organisation",
     "aliases": ["US State Department", "U.S. State Department"]},
]


def article(*paragraphs: str, date: str | None = "2026-03-06", article_id: str = "a", outlet: str = "Outlet") -> Article:
    return Article(article_id, f"{article_id}.txt", "Title", False, date, outlet, None, None, None, None, (),
                   tuple(Paragraph(n, text, n, n) for n, text in enumerate(paragraphs, start=1)), {})


@pytest.fixture(scope="module")
def seeds() -> tuple[list[Article], object]:
    config = load_config(ROOT / "briefing.yml")
    articles, _ = read_corpus(ROOT / "seeds", config)
    return articles, config


def names(found: tuple[EntityMention, ...]) -> list[tuple[str, str | None]]:
    return [(m.name, m.kind) for m in found]


def test_seeds_merge_delcy_rodriguez_across_accents_without_configuration(seeds) -> None:
    articles, config = seeds
    index = index_entities(articles, build_gazetteer(None, config.sources))
    entity = next(e for e in index.entities if e.name == "Delcy Rodríguez")
    assert entity.kind == "person"
    assert {"Delcy Rodriguez", "Delcy Rodríguez", "Rodriguez", "Rodríguez"} <= set(entity.variants)
    assert set(entity.articles) == {"000-7bc5df4f94addd73", "001-3a454840917e6663", "003-7cfe30551297bae2",
                                    "004-66bcc8fb033b93b3"}
    assert not [e for e in index.entities if e.name in {"Delcy Rodriguez", "Acting President Delcy Rodríguez"}]


def test_seeds_index_people_organisations_and_places(seeds) -> None:
    articles, config = seeds
    index = index_entities(articles, build_gazetteer(ENTITIES, config.sources))
    kinds = {e.name: e.kind for e in index.entities}
    assert kinds["Doug Burgum"] == "person" and kinds["Chris Wright"] == "person"
    assert kinds["Nicolás Maduro"] == "person" and "Maduro" not in kinds  # `always: [Maduro]`
    assert kinds["State Department"] == "organisation" and kinds["National Energy Dominance Council"] == "organisation"
    assert kinds["Trafigura"] == "organisation" and kinds["Minerven"] == "organisation"
    assert kinds["Venezuela"] == "place" and kinds["United States"] == "place" and kinds["Caracas"] == "place"
    assert kinds["Orinoco Mining Arc"] == "place"
    for noise in ("Golden Age", "Gold Dore", "Mining", "Meanwhile", "The", "Besides", "Thursday", "January"):
        assert noise not in kinds
    state = next(e for e in index.entities if e.name == "State Department")
    assert len(state.articles) == 5 and len(state.sources) >= 3
    for passage in state.passages:
        assert passage.text and passage.n >= 1 and passage.index >= 1


def test_surname_counts_only_after_the_full_name_in_the_same_article() -> None:
    gazetteer = build_gazetteer(ENTITIES)
    found = article_entities(article(
        "Rodriguez spoke first, officials said.",
        "Acting President Delcy Rodríguez said the talks went well.",
        "Rodriguez added that more would follow."), gazetteer)
    people = [(m.n, m.text, m.name) for m in found if m.kind == "person" or m.name.startswith(("Rod", "Delcy"))]
    assert people[0] == (1, "Rodriguez", "Rodriguez")
    assert (2, "Delcy Rodríguez", "Delcy Rodríguez") in people
    assert (3, "Rodriguez", "Delcy Rodríguez") in people


def test_unconfigured_surname_resolves_within_the_article_and_titles_are_stripped() -> None:
    found = article_entities(article(
        "U.S. Interior Secretary Doug Burgum arrived in Caracas on Monday.",
        "Burgum met ministers."), build_gazetteer())
    assert ("United States", "place") in names(found)
    assert ("Doug Burgum", "person") in names(found)
    assert ("Caracas", "place") in names(found)
    burgum = [m for m in found if m.text == "Burgum"]
    assert burgum and burgum[0].name == "Doug Burgum" and burgum[0].how == "full name earlier in the article"


def test_sentence_initial_words_and_shouting_are_not_names() -> None:
    found = article_entities(article(
        "Meanwhile, officials met. Mining activity is concentrated there. Experts said little.",
        'He said the US is "moving at TRUMP SPEED" now.'), build_gazetteer())
    assert [m.text for m in found] == ["US"]


def test_kinds_come_from_local_evidence_only() -> None:
    found = article_entities(article(
        "The gold goes to commodities trader Trafigura, said Ana Escobar, a consultant at Caribbean Mining Partners.",
        "The delegation travelled to Quixote and met the Hemisphere Policy Council.",
        "Golden Age was the slogan."), build_gazetteer())
    kinds = dict(names(found))
    assert kinds["Trafigura"] == "organisation"
    assert kinds["Ana Escobar"] == "person"
    assert kinds["Caribbean Mining Partners"] == "organisation"  # not split into a place + a name
    assert kinds["Quixote"] == "place"
    assert kinds["Hemisphere Policy Council"] == "organisation"
    assert kinds.get("Golden Age") is None


def test_mentions_locate_their_paragraph_sentence_and_offsets() -> None:
    text = "Talks went on. Later, Delcy Rodríguez spoke."
    found = article_entities(article("First paragraph.", text, article_id="x"), build_gazetteer(ENTITIES))
    mention = next(m for m in found if m.name == "Delcy Rodríguez")
    assert (mention.article, mention.n, mention.index) == ("x", 2, 2)
    assert text[mention.start: mention.end] == "Delcy Rodríguez"
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.name = "other"  # type: ignore[misc]


def test_index_is_deterministic_and_slugs_are_unique(seeds) -> None:
    articles, config = seeds
    gazetteer = build_gazetteer(ENTITIES, config.sources)
    first = index_entities(articles, gazetteer)
    second = index_entities(list(reversed(articles)), gazetteer)
    slugs = [e.slug for e in first.entities]
    assert len(slugs) == len(set(slugs))
    assert {e.slug: set(e.passages) for e in first.entities} == {e.slug: set(e.passages) for e in second.entities}
    assert [(e.slug, e.kind) for e in first.entities] == [(e.slug, e.kind) for e in second.entities]


def test_configuration_shapes_and_errors() -> None:
    rules, errors = entity_rules([{"name": "Delcy Rodríguez", "kind": "person", "aliases": ["Rodriguez"]}])
    assert not errors and rules[0].aliases == ("Rodriguez",)
    rules, errors = entity_rules({"Delcy Rodríguez": ["Delcy Rodriguez", "Rodriguez"]})
    assert not errors and rules[0].kind is None
    _, errors = entity_rules([{"name": "X", "kind": "city", "nick": 1}, {"kind": "person"}, 3])
    assert any("entities[0].kind" in e for e in errors)
    assert any("entities[0].nick" in e for e in errors)
    assert any("entities[1].name" in e for e in errors)
    assert any("entities[2]" in e for e in errors)
    _, errors = entity_rules("Delcy")
    assert errors


def test_folding_keeps_offsets_and_keys_ignore_accents_dots_and_the() -> None:
    assert fold("Rodríguez’s Bogotá") == "Rodriguez's Bogota"
    assert len(fold("Nicolás")) == len("Nicolás")
    assert name_key("The U.S. State Department") == name_key("US State Department") == "us state department"
    assert name_key("Delcy Rodríguez") == name_key("Delcy Rodriguez")


def test_entity_pages_render(seeds) -> None:
    from tests.test_quotes import render_page

    articles, config = seeds
    index = index_entities(articles, build_gazetteer(None, config.sources))
    html = render_page("entities.html", "entities/index.html", {"entities": index}, articles)
    assert 'delcy-rodriguez/">Delcy Rodríguez</a>' in html and "People" in html and "Places" in html
    entity = next(e for e in index.entities if e.name == "Delcy Rodríguez")
    html = render_page("entity.html", f"entities/{entity.slug}/index.html", {"entity": entity}, articles)
    assert "<h1>Delcy Rodríguez</h1>" in html and "“Delcy Rodriguez”" in html
    assert 'href="../../articles/003-7cfe30551297bae2/#p-4"' in html
    maduro = next(e for e in index.entities if e.name == "Maduro")
    html = render_page("entity.html", f"entities/{maduro.slug}/index.html", {"entity": maduro}, articles)
    assert 'nicolas-maduro/">Nicolás Maduro</a>' in html
