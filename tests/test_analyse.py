"""The analyse stage: sentences, and the topic engine (evidence-based, threshold-guarded, readable
rules from configuration)."""

from dataclasses import replace

import pytest

from generator.analyse import analyse
from generator.config import Config, TopicRule
from generator.corroborate import Passage, passages_of
from generator.sentences import split_sentences
from tests.conftest import normalise_text


def topics_of(text: str, config: Config) -> list[list[str]]:
    article = analyse(normalise_text(text, config), config)
    return [[m.topic for m in p.topics] for p in article.paragraphs]


def test_passing_mention_does_not_make_a_topic(config: Config) -> None:
    text = ("Embassy reopens in Caracas\n\nThe U.S. embassy in Caracas reopened its consular section on "
            "Monday, and diplomats said visa interviews would resume next month, though oil was not discussed.")
    assert topics_of(text, config) == [["diplomacy"]]


def test_topic_without_its_name_gold_deal_is_mining(config: Config) -> None:
    text = ("Gold deal\n\nThe state company agreed to sell 650 to 1,000 kilograms of gold dore bars to the "
            "Singapore-based commodities trader Trafigura, the sources said.")
    assert topics_of(text, config) == [["mining"]]


def test_arraignment_before_a_judge_in_manhattan_is_the_trial(config: Config) -> None:
    text = ("Court date\n\nMaduro was arraigned before a federal judge in Manhattan, where his lawyers "
            "entered a plea of not guilty.")
    assert topics_of(text, config) == [["maduro-trial"]]


def test_recap_of_the_capture_is_not_the_trial(config: Config) -> None:
    text = ("Reset\n\nAfter Maduro's capture in January, when he was flown to New York to face drug "
            "trafficking charges, Washington began talks with the interim government.")
    assert "maduro-trial" not in topics_of(text, config)[0]


def test_exclude_vetoes_and_evidence_lists_matched_terms(config: Config) -> None:
    article = analyse(normalise_text("T\n\nThe mining code and gold royalties changed, "
                                     "and antipersonnel mines were cleared.", config), config)
    assert article.paragraphs[0].topics == ()
    gold = analyse(normalise_text("T\n\nThe mining code sets gold royalties at 5%.", config), config)
    match = gold.paragraphs[0].topics[0]
    assert match.topic == "mining" and set(match.evidence) >= {"mining code", "mining", "gold", "royalt*"}
    assert match.score >= 3.5


def test_rules_come_from_configuration(config: Config) -> None:
    custom = replace(config, topics=(TopicRule("football", "Football", "", (("goal", 2.0), ("striker", 2.0)),
                                               min_score=3.0),))
    assert topics_of("T\n\nThe striker scored a late goal.", custom) == [["football"]]
    assert topics_of("T\n\nThe striker scored.", custom) == [[]]


def test_article_topics_follow_from_paragraphs(config: Config) -> None:
    article = analyse(normalise_text("T\n\nCrude exports by PDVSA rose to 900,000 barrels a day.\n\n"
                                     "The embassy reopened and diplomats returned to Caracas.", config), config)
    assert article.topics == ("oil", "diplomacy")


@pytest.mark.parametrize(("text", "sentences"), [
    ("He said “it will work.” Officials said talks would go on.",
     ["He said “it will work.”", "Officials said talks would go on."]),
    ('He said "it will work." Then he left.', ['He said "it will work."', "Then he left."]),
    ("It rose (by 4%.) Then it fell.", ["It rose (by 4%.)", "Then it fell."]),
    ("The U.S. Army left. Then Mr. Smith came.", ["The U.S. Army left.", "Then Mr. Smith came."]),
])
def test_a_sentence_keeps_the_quotes_and_brackets_that_close_it(text: str, sentences: list[str]) -> None:
    split = split_sentences(text)
    assert [s for _, s in split] == sentences
    assert all(text[start:start + len(s)] == s for start, s in split)  # offsets point at the text


def test_sentences_and_passages_read_their_text_from_the_paragraph(config: Config) -> None:
    """A Sentence keeps where it stands in its paragraph, not a copy of its text: what it reads
    there, and what a Passage shows, must be exactly the sentence `split_sentences` cut."""
    body = ("  The U.S. Army left Caracas on Monday.   “It will work,” Mr. Smith said.  Then he left.\n\n"
            "A single sentence without a full stop")
    article = analyse(normalise_text("Title\n\n" + body, config), config)
    for paragraph in article.paragraphs:
        expected = [s for _, s in split_sentences(paragraph.text)]
        assert [s.text_in(paragraph.text) for s in paragraph.sentences] == expected
        assert [s.index for s in paragraph.sentences] == list(range(1, len(expected) + 1))
    passages = passages_of(article)
    assert [p.text for p in passages] == [s for p in article.paragraphs for _, s in split_sentences(p.text)]
    assert [p.length for p in passages] == [len(p.text) for p in passages]
    assert passages[1].text == "“It will work,” Mr. Smith said."
    assert Passage("a", 1, 1, "Its own text.").text == "Its own text."
