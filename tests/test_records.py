"""Records through pickle (pool workers, the article cache): back equal, of their class, still frozen."""

import pickle
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from generator.cache import pack_bytes, unpack
from generator.config import Config
from generator.entities import EntityMention, article_entities, unpacked_mentions
from generator.findings import gazetteer_for
from generator.pipeline import read_article

ROOT = Path(__file__).resolve().parent.parent


def test_a_record_comes_back_equal_and_still_frozen() -> None:
    mention = EntityMention("a-1", 3, 2, 10, 17, "Caracas", "Caracas", "place", 'after "in"')
    back = pickle.loads(pickle.dumps(mention, pickle.HIGHEST_PROTOCOL))
    assert back == mention and type(back) is EntityMention
    with pytest.raises(FrozenInstanceError):
        back.n = 4  # type: ignore[misc]


def test_an_analysed_article_comes_back_from_a_cache_pack_as_it_went_in(config: Config) -> None:
    seeds = ROOT / "seeds"
    articles = {p.name: read_article(p, seeds, config) for p in sorted(seeds.iterdir()) if p.is_file()}
    back = unpack(pack_bytes(articles, config.reading_fingerprint, config.topics_fingerprint))[0]
    assert back == articles  # every field, records included
    assert [a.findings for a in back.values()] == [a.findings for a in articles.values()]  # not compared by ==


def test_equal_strings_in_mentions_come_back_from_a_pack_as_one_object(config: Config) -> None:
    """A name or a 'how' recurs in many mentions: the corpus in memory holds it once per pack (the
    entity mentions, packed per article, once for the corpus when they are unpacked)."""
    seeds = ROOT / "seeds"
    articles = {p.name: read_article(p, seeds, config) for p in sorted(seeds.iterdir()) if p.is_file()}
    back = unpack(pack_bytes(articles, config.reading_fingerprint, config.topics_fingerprint))[0]
    entities = [m for a in back.values() for m in unpacked_mentions(a.findings[1][0])]
    quotes = [m for a in back.values() for m in a.findings[1][1]]
    events = [m for a in back.values() for m in a.findings[1][2].mentions]
    for values in ([m.name for m in entities], [m.how for m in entities], [m.speaker for m in quotes if m.speaker],
                   [m.how for m in events]):
        assert len(values) > len(set(values)), "the seeds repeat these values"
        assert len({id(v) for v in values}) == len(set(values))


def test_an_articles_packed_entity_mentions_unpack_to_what_extraction_found(config: Config) -> None:
    """The analyse stage caches an article's entity mentions packed into one bytes object; the
    entity index unpacks them: every mention, every field, in order."""
    seeds = ROOT / "seeds"
    gazetteer = gazetteer_for(config)
    for path in sorted(seeds.iterdir()):
        article = read_article(path, seeds, config)
        packed = unpack(pack_bytes({"a": article}, config.reading_fingerprint, config.topics_fingerprint))[0]["a"].findings[1][0]
        assert isinstance(packed, bytes)
        mentions = unpacked_mentions(packed)
        assert mentions == article_entities(article, gazetteer) and len(mentions) > 5
        assert all(type(m) is EntityMention for m in mentions)


def test_a_records_constructor_takes_what_the_dataclass_took_and_still_freezes_it() -> None:
    """`pickled_as_tuple` gives records a faster constructor: same parameters, keywords, defaults."""
    from dataclasses import replace

    from generator.article import Paragraph
    from generator.problems import Problem, Severity

    paragraph = Paragraph(1, "Oil exports rose.", line_start=3, line_end=3)
    assert (paragraph.heading, paragraph.topics, paragraph.sentences) == (None, (), ())
    assert replace(paragraph, heading="Oil") == Paragraph(1, "Oil exports rose.", 3, 3, "Oil")
    with pytest.raises(FrozenInstanceError):
        paragraph.n = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Paragraph(1, "Oil exports rose.")  # type: ignore[call-arg]
    # a record with a __post_init__ keeps the dataclass's own constructor, which runs it
    assert Problem("a.txt", "bad", severity="note").severity is Severity.NOTE  # type: ignore[arg-type]
