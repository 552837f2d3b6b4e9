"""Header forms real outlets use, one behaviour per test."""

from generator.config import Config
from tests.conftest import normalise_text


def test_date_prefix_with_headline(config: Config) -> None:
    a = normalise_text(" date 2026-03-06 Venezuela and US restore ties\n\nBody sentence one.\n", config)
    assert (a.title, a.title_derived, a.date) == ("Venezuela and US restore ties", False, "2026-03-06")
    assert a.provenance["date"].startswith("header line 1: date prefix")
    assert [p.text for p in a.paragraphs] == ["Body sentence one."]


def test_date_prefix_with_lede_keeps_lede_as_first_paragraph_and_derives_title(config: Config) -> None:
    lede = ("Washington DC, US: The United States and Venezuela have agreed to re-establish "
            "diplomatic and consular relations, according to the US State Department.")
    a = normalise_text(f" date 2026-03-06 {lede}\n\nSecond paragraph here.\n", config)
    assert a.paragraphs[0].text == lede and a.paragraphs[0].line_start == 1
    assert a.title_derived and a.title and "2026" not in a.title
    assert a.title.startswith("The United States and Venezuela have agreed")
    assert a.dateline == "Washington DC, US"


def test_wire_dateline_and_agency_from_lede_keep_the_text(config: Config) -> None:
    lede = "BOGOTA, Colombia (Reuters) - Colombia said on Thursday it would reopen its consulate."
    a = normalise_text(f"Colombia to reopen consulate in Caracas\n\n{lede}\n\nMore text follows here.", config)
    assert (a.dateline, a.agency) == ("BOGOTA, Colombia", "Reuters")
    assert a.paragraphs[0].text == lede
    assert "credit '(Reuters)'" in a.provenance["agency"]


def test_ani_and_efe_and_xinhua_datelines(config: Config) -> None:
    ani = normalise_text("Washington DC [US], March 6 (ANI): The US said on Friday it had met.", config)
    efe = normalise_text("(EFE) — Venezuela's government said on Thursday it would talk.", config)
    xin = normalise_text("BEIJING, March 6 (Xinhua) -- China said it welcomed the move.", config)
    assert (ani.dateline, ani.agency) == ("Washington DC [US]", "ANI")
    assert (efe.dateline, efe.agency) == (None, "EFE")
    assert (xin.dateline, xin.agency) == ("BEIJING", "Xinhua")


def test_bylines_in_common_forms(config: Config) -> None:
    shouted = normalise_text("Oil output rises again\nBy JANE SMITH and OMAR DIAZ\n\nText here.", config)
    with_date = normalise_text("Oil output rises again\nBy Ana Lopez | March 5, 2026\n\nText here.", config)
    affiliated = normalise_text("Oil output rises again\nBy Jane Smith, Reuters\n\nText here.", config)
    assert shouted.author == "Jane Smith and Omar Diaz"
    assert (with_date.author, with_date.date) == ("Ana Lopez", "2026-03-05")
    assert (affiliated.author, affiliated.agency) == ("Jane Smith", "Reuters")


def test_a_lede_starting_with_by_is_not_a_byline(config: Config) -> None:
    a = normalise_text("Oil output rises again\n\nBy early March, officials had signed three deals.", config)
    assert a.author is None and len(a.paragraphs) == 1


def test_date_line_then_bare_name_is_a_byline(config: Config) -> None:
    a = normalise_text("6 March 2026 19:42 (UTC+04:00)\n\nNazrin Abdul\n\nThe two countries agreed, "
                       "AzerNEWS reports, citing foreign media.", config)
    assert (a.date, a.author, a.outlet) == ("2026-03-06T19:42:00+04:00", "Nazrin Abdul", "AzerNEWS")


def test_published_updated_line_and_furniture(config: Config) -> None:
    text = ("World | Americas\nMine deal signed in Caracas\nPublished: March 5, 2026 10:14 a.m. ET "
            "Updated: March 6, 2026\n4 min read\njane.smith@example.com\n\nThe deal was signed.")
    a = normalise_text(text, config)
    assert (a.title, a.date) == ("Mine deal signed in Caracas", "2026-03-05T10:14:00-05:00")
    assert [p.text for p in a.paragraphs] == ["The deal was signed."]
    kinds = {f.text: f.kind for f in a.furniture}
    assert kinds["4 min read"] == "furniture" and kinds["World | Americas"] == "furniture"


def test_caption_trailer_hashtags_and_subheading_are_not_body(config: Config) -> None:
    text = ("Ties restored\n\nWASHINGTON\nFlags flying in Caracas. (AFP)\n\nFirst paragraph of text here.\n\n"
            "  'Right kind of security' \n\nSecond paragraph with more words than the heading.\n\n___\n\n"
            "Smith reported from Mexico City.\n#Venezuela #Oil")
    a = normalise_text(text, config)
    assert [p.text[:5] for p in a.paragraphs] == ["First", "Secon"]
    assert a.paragraphs[1].heading == "'Right kind of security'"
    assert (a.dateline, a.agency, a.tags) == ("WASHINGTON", "AFP", ("Venezuela", "Oil"))
    assert {f.kind for f in a.furniture} >= {"caption", "trailer", "hashtags", "sub-heading", "dateline"}


def test_single_newline_paragraphs_and_bullets(config: Config) -> None:
    text = ("Headline of the piece here\nFirst paragraph ends here.\nSecond paragraph ends here.\n\n"
            "Key points:\n- Oil exports rose.\n- Gold deal signed.\n\nClosing paragraph.")
    a = normalise_text(text, config)
    assert [p.text for p in a.paragraphs] == [
        "First paragraph ends here.", "Second paragraph ends here.", "- Oil exports rose.",
        "- Gold deal signed.", "Closing paragraph."]
    assert a.paragraphs[2].heading == "Key points:"
    assert (a.paragraphs[2].line_start, a.paragraphs[2].line_end) == (6, 6)


def test_front_matter_wins_aliases_map_and_odd_keys_are_kept(config: Config) -> None:
    text = ("---\nheadline: Given title\npublished: 2026-03-05\nsource: Agence France-Presse\n"
            "authors: [Ana Lopez, Omar Diaz, Li Wei]\ndesk: latam\nslug: Given-Slug\n---\n"
            " date 2026-03-01 Another headline in the text\n\nBody.\n")
    a = normalise_text(text, config, "inbox/x.md")
    assert (a.title, a.date, a.outlet, a.author) == ("Given title", "2026-03-05", "AFP",
                                                      "Ana Lopez, Omar Diaz and Li Wei")
    assert a.extra == {"desk": "latam"} and a.id == "given-slug"
    assert a.provenance["date"] == "front matter ('published')"



def test_tags_and_categories_add_up_as_hugo_and_jekyll_files_give_them(config: Config) -> None:
    both = normalise_text("---\ntitle: T\ntags: oil, sanctions\ncategories: [Diplomacy, oil]\n---\nBody.", config)
    alone = normalise_text("---\ntitle: T\ncategory: Mining\n---\nBody.", config)
    assert both.tags == ("oil", "sanctions", "Diplomacy") and both.extra == {} and not both.warnings
    assert both.provenance["tags"] == "front matter ('tags', 'categories')"
    assert alone.tags == ("Mining",) and alone.provenance["tags"] == "front matter ('category')"


def test_a_field_given_twice_keeps_the_first_and_says_so(config: Config) -> None:
    a = normalise_text("---\ntitle: First\nheadline: Second\n---\nBody.", config)
    assert a.title == "First"
    assert any("gives title twice ('title' and 'headline'); kept 'title'" in w.message for w in a.warnings)


def test_broken_yaml_front_matter_warns_with_line_and_reads_the_body(config: Config) -> None:
    a = normalise_text("---\ntitle: ok\ndate: [unclosed\n---\nA headline for it here\n\nBody.", config)
    assert a.warnings and "broken YAML" in a.warnings[0].message and a.warnings[0].line
    assert [p.text for p in a.paragraphs] == ["Body."]


def test_unreadable_front_matter_date_is_a_warning_not_a_guess(config: Config) -> None:
    a = normalise_text("---\ntitle: T\ndate: the 35th of Smarch\n---\nBody text.", config)
    assert a.date is None and any("not a date" in w.message for w in a.warnings)


def test_url_gives_outlet_from_registry_or_host(config: Config) -> None:
    known = normalise_text("Title of the piece\nSource: https://www.reuters.com/world/x\n\nBody.", config)
    unknown = normalise_text("Title of the piece\n\nBody.\n\nhttps://factorsways.com/a/b", config)
    assert known.url == "https://www.reuters.com/world/x"
    assert unknown.outlet == "factorsways.com" and "not in the registry" in unknown.provenance["outlet"]


def test_never_invents_fields(config: Config) -> None:
    a = normalise_text("Venezuela restores diplomatic relations\nThe announcement came Thursday.", config)
    assert (a.date, a.outlet, a.agency, a.author, a.dateline, a.url) == (None,) * 6
    assert set(a.missing()) == {"date", "outlet", "agency", "author", "dateline", "url", "tags"}


def test_id_comes_from_the_file_name_not_the_title(config: Config) -> None:
    one = normalise_text("First title here\n\nBody.", config, "seeds/000_abc.txt")
    two = normalise_text("Corrected title here\n\nBody.", config, "seeds/000_abc.txt")
    assert one.id == two.id == "000-abc"


def test_non_web_urls_are_dropped_with_a_warning(config: Config) -> None:
    a = normalise_text("---\ntitle: T\nurl: javascript:alert(1)\n---\nBody.", config, "inbox/x.md")
    assert a.url is None and a.outlet is None
    assert any("not an http(s) address" in w.message for w in a.warnings)


def test_a_deck_is_taken_only_when_the_header_goes_on_below_it(config: Config) -> None:
    lede = "Officials in Caracas said on Thursday that the embassy would reopen within weeks."
    plain = normalise_text(f"Embassy in Caracas to reopen\n\n{lede}\n\nA second paragraph follows.", config)
    decked = normalise_text(f"Embassy in Caracas to reopen\n{lede}\n\nBy Ana Lopez\n\nThe body starts here.", config)
    assert [p.text for p in plain.paragraphs] == [lede, "A second paragraph follows."]
    assert [p.text for p in decked.paragraphs] == ["The body starts here."]
    assert decked.author == "Ana Lopez"
    assert any(f.kind == "standfirst" and f.text == lede for f in decked.furniture)


def test_a_shouted_byline_of_two_long_names_joined_by_and_in_capitals(config: Config) -> None:
    """AP prints bylines in capitals, 'AND' too: read as one six-word name, the byline was missed
    and the body started at it, taking the date line below with it."""
    a = normalise_text("Judge sets August hearing in Maduro trial\n\nBy ANA LUCÍA PÉREZ AND CARLA BENÍTEZ\n\n"
                       "September 13, 2025\n\nMEXICO CITY (AP) — The judge set a hearing for Saturday.", config)
    assert (a.author, a.date) == ("Ana Lucía Pérez and Carla Benítez", "2025-09-13")
    assert [p.text for p in a.paragraphs] == ["MEXICO CITY (AP) — The judge set a hearing for Saturday."]


def test_broken_toml_front_matter_warns_with_its_line_and_reads_the_body(config: Config) -> None:
    a = normalise_text('+++\ntitle = "T"\ndate = 2026-03-05\nauthor = "unclosed\n+++\n\nBody text here.', config)
    assert a.date is None and a.author is None
    assert [(w.message.split(":")[0], w.line) for w in a.warnings] == [("broken TOML front matter", 4)]
    assert [p.text for p in a.paragraphs] == ["Body text here."]
