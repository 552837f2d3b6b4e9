"""Dated events (generator/events.py): the seeds' known dates, relative dates resolved against the
article's own date only, and undated articles reported rather than guessed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.article import Article, Paragraph
from generator.config import load_config
from generator.corroborate import corroborate, passages_of
from generator.events import article_events, date_label, events_json, index_events
from generator.pipeline import read_corpus
from generator.render import event_pages

ROOT = Path(__file__).resolve().parent.parent


def article(*paragraphs: str, date: str | None = "2026-03-06", article_id: str = "a",
            outlet: str = "Outlet") -> Article:
    return Article(article_id, f"{article_id}.txt", "Title", False, date, outlet, None, None, None, None, (),
                   tuple(Paragraph(n, text, n, n) for n, text in enumerate(paragraphs, start=1)), {})


def dates(*paragraphs: str, date: str | None = "2026-03-06") -> list[tuple[str, str, str]]:
    return [(m.mention, m.date, m.precision) for m in article_events(article(*paragraphs, date=date)).mentions]


@pytest.fixture(scope="module")
def seeds():
    config = load_config(ROOT / "briefing.yml")
    articles, _ = read_corpus(ROOT / "seeds", config)
    by_id = {a.id: a for a in articles}
    return articles, by_id


def find(events, text: str):
    return [m for m in events.mentions if text in m.sentence]


def test_seed_dates_from_the_text(seeds) -> None:
    _, by_id = seeds
    gleaner = article_events(by_id["001-3a454840917e6663"])
    mission = find(gleaner, "a US diplomatic mission arrived in Caracas")
    assert [(m.date, m.precision, m.relative) for m in mission] == [("2026-01-31", "day", True)]
    cut = find(gleaner, "cut off diplomatic ties with the United States in January 2019")
    assert [(m.date, m.precision, m.relative) for m in cut] == [("2019-01", "month", False)]
    late = find(gleaner, "In late January this year")
    assert [(m.date, m.precision, m.qualifier) for m in late] == [("2026-01", "month", "late")]
    afp = article_events(by_id["000-7bc5df4f94addd73"])
    raid = find(afp, "the bombing raid on January 3")
    assert [(m.date, m.precision) for m in raid] == [("2026-01-03", "day")]
    thursday = find(afp, "the two countries announced Thursday")  # the article is dated Friday 2026-03-06
    assert [(m.date, m.precision) for m in thursday] == [("2026-03-05", "day")]
    assert "2026-03-06" in thursday[0].how
    ap = article_events(by_id["003-7cfe30551297bae2"])
    assert [m.date for m in find(ap, "in January that year")] == ["2019-01"]  # the year named just before
    assert [m.date for m in find(ap, "The State Department in a statement on Thursday")] == ["2026-03-05"]


def test_undated_article_reports_its_relative_dates(seeds) -> None:
    _, by_id = seeds
    result = article_events(by_id["004-66bcc8fb033b93b3"])
    assert result.mentions == ()
    assert [(u.mention, u.n) for u in result.left_out] == [("on Thursday", 1)]
    assert "no date" in result.left_out[0].reason


def test_seed_timeline_merges_one_event_from_several_sources(seeds) -> None:
    articles, _ = seeds
    sentences = {a.id: passages_of(a) for a in articles}
    timeline = index_events(articles, points=corroborate(tuple(articles), sentences))
    statement = [e for e in timeline.events if e.date == "2026-03-05" and "State Department" in e.text]
    assert len(statement) == 1 and {m.article for m in statement[0].mentions} == {
        "001-3a454840917e6663", "003-7cfe30551297bae2"}
    assert len(statement[0].sources) == 2
    raid = [e for e in timeline.events if e.date == "2026-01" and e.qualifier is None]
    assert len(raid) == 1 and len(raid[0].mentions) == 2  # 'In January this year...' and 'In January, US forces...'
    assert [e.date for e in timeline.events] == sorted((e.date for e in timeline.events),
                                                       key=lambda d: d.ljust(10, "~"), reverse=True)
    assert len(timeline.events) == 20 and len(timeline.left_out) == 1
    data = events_json(timeline)
    assert data["left_out"][0]["mention"] == "on Thursday"
    assert {"id", "date", "precision", "label", "text", "mentions", "independent_sources"} <= set(data["events"][0])


def test_relative_dates_resolve_against_the_article_date() -> None:
    assert dates("The ministry said on Thursday that it would act.") == [("on Thursday", "2026-03-05", "day")]
    assert dates("Prices fell last month.") == [("last month", "2026-02", "month")]
    assert dates("Officials visited this week.") == [("this week", "2026-03-02", "week")]
    assert dates("The deal was signed yesterday.") == [("yesterday", "2026-03-05", "day")]
    assert dates("It happened two weeks ago.") == [("two weeks ago", "2026-02-16", "week")]
    assert dates("Earlier this year the law changed.") == [("Earlier this year", "2026", "year")]
    assert dates("In January, forces moved in.") == [("January", "2026-01", "month")]
    assert dates("It followed a December visit.") == [("December", "2025-12", "month")]  # the latest December


def test_future_mentions_look_forward() -> None:
    assert dates("The two sides will meet on Monday.") == [("on Monday", "2026-03-09", "day")]
    assert dates("The judge set a hearing for Thursday.") == [("for Thursday", "2026-03-12", "day")]
    assert dates("Maduro is expected to stand trial in the United States later this month.") == [
        ("later this month", "2026-03", "month")]
    assert dates("The talks are scheduled for June 2.") == [("June 2", "2026-06-02", "day")]


def test_nothing_depends_on_today() -> None:
    assert dates("The ministry said on Thursday.", date="1999-12-31") == [("on Thursday", "1999-12-30", "day")]
    assert dates("It was signed last month.", date="2001-01-15") == [("last month", "2000-12", "month")]
    assert dates("Ties were cut in January 2019.", date=None) == [("January 2019", "2019-01", "month")]


def test_undated_article_keeps_absolute_dates_and_reports_the_rest() -> None:
    result = article_events(article("Ties were cut in January 2019. The raid on January 3 and the visit on "
                                    "Sunday changed that, officials said last month.", date=None))
    assert [(m.date, m.precision) for m in result.mentions] == [("2019-01", "month")]
    assert [u.mention for u in result.left_out] == ["January 3", "on Sunday", "last month"]


def test_not_dates() -> None:
    assert dates("Officials may agree soon. May be next.") == []
    assert dates("She won the 2025 Nobel Peace Prize and 1,000 kilograms of gold.") == []
    assert dates("Black Friday sales rose. March on, they said.") == []


def test_labels() -> None:
    assert date_label("2026-01-03", "day") == "3 January 2026"
    assert date_label("2026-03-02", "week") == "week of 2 March 2026"
    assert date_label("2026-01", "month", "late") == "late January 2026"
    assert date_label("2019", "year") == "2019"


def test_extraction_is_pure(seeds) -> None:
    articles, _ = seeds
    assert [article_events(a) for a in articles] == [article_events(a) for a in articles]
    assert dt.date.today().year >= 2024  # the results above never read it


def test_events_page_renders_dates_and_left_out_mentions(seeds) -> None:
    from tests.test_quotes import render_page

    articles, _ = seeds
    timeline = index_events(articles)
    (path, template, context), left_out = list(event_pages(timeline, 50))
    html = render_page(template, path, context, articles)
    assert '<time datetime="2026-01-31">31 January 2026</time>' in html
    assert "January 2019" in html and f"{len(timeline.left_out)} relative dates left out" in html
    path, template, context = left_out
    assert path == "timeline/events/left-out/index.html"
    listed = render_page(template, path, context, articles)
    assert listed.count("<li>“") == len(timeline.left_out) > 0
    assert 'href="../../../articles/004-66bcc8fb033b93b3/#p-1"' in listed
