"""Dated events (generator/events.py): the seeds' known dates, relative dates resolved against the
article's own date only, and undated articles reported rather than guessed."""

from __future__ import annotations

import datetime as dt
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from generator import events as events_module
from generator.article import Article, Paragraph
from generator.config import load_config
from generator.corroborate import corroborate, corroborate_indexed, passages_of
from generator.event_memo import EventMemo
from generator.events import article_events, date_label, events_json, index_events, index_events_kept, word_weights
from generator.pipeline import read_corpus
from generator.render import event_pages
from tests.test_discrepancies import story

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


VISIT = "A US diplomatic mission arrived in Caracas on January 31, marking the resumption of contacts."
HEARING = "The judge set a hearing for Thursday to discuss how classified evidence will be handled."
TIMELINE = (
    story(VISIT, HEARING, "Oil exports rose in February as new licences took effect.", article_id="one",
          outlet="Reuters"),
    story(VISIT, "Talks resumed in Caracas last month, officials said.", article_id="two", outlet="AP"),
    story(HEARING, "Prosecutors filed new evidence on Monday, the court said.", article_id="three", outlet="AFP"),
    story("Gold shipments to Gunvor began in January 2019 under the old deal.", article_id="four", outlet="EFE"),
    story("The ministry said on Wednesday that consular services would resume.", article_id="five", outlet="BBC",
          date="2026-03-05"),
)


def grouped_again(before: tuple[Article, ...], after: tuple[Article, ...],
                  monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, str]]:
    """The timeline of `after`, taking what it may from that of `before` (through a pickle, as a build
    keeps it): asserted to be what grouping every date gives, with the same memo for the next. Returns
    the dates (date, precision) grouped again."""
    points, index = corroborate_indexed(before, {a.id: passages_of(a) for a in before})
    _, memo = index_events_kept(before, points=points, point_index=index)
    memo = pickle.loads(pickle.dumps(memo))
    points, index = corroborate_indexed(after, {a.id: passages_of(a) for a in after})
    fresh, fresh_memo = index_events_kept(after, points=points, point_index=index)
    again: set[tuple[str, str]] = set()
    real = events_module._Grouping.groups
    monkeypatch.setattr(events_module._Grouping, "groups", lambda self, members: again.update(
        (self.found[i].date, self.found[i].precision) for i in members) or real(self, members))
    reused, kept = index_events_kept(after, points=points, point_index=index, memo=memo)
    monkeypatch.setattr(events_module._Grouping, "groups", real)
    assert reused == fresh and kept == fresh_memo
    return again


@pytest.mark.parametrize("edit", ["none", "sentence without a date", "date added", "date changed",
                                  "article removed", "wire copy added", "outlet renamed"])
def test_events_taken_from_the_previous_build_are_those_grouped_anew(edit: str, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two, three, four, five = TIMELINE
    after = {
        "none": TIMELINE,
        "sentence without a date": (one, two, three, four, story(
            five.paragraphs[0].text, "Diplomats welcomed the move.", article_id="five", outlet="BBC",
            date="2026-03-05")),
        "date added": (one, two, three, four, story(five.paragraphs[0].text, "Officials will meet on Monday.",
                                                    article_id="five", outlet="BBC", date="2026-03-05")),
        "date changed": (one, story(VISIT, "Talks resumed in Caracas in January, officials said.",
                                    article_id="two", outlet="AP"), three, four, five),
        "article removed": (one, two, three, five),
        "wire copy added": (*TIMELINE, story(*(p.text for p in one.paragraphs), article_id="six",
                                             outlet="The Gleaner")),
        "outlet renamed": (one, story(*(p.text for p in two.paragraphs), article_id="two",
                                      outlet="Associated Press"), three, four, five),
    }[edit]
    assert grouped_again(TIMELINE, TIMELINE, monkeypatch) == set()
    before_ids = {a.id: a.content_hash for a in TIMELINE}
    edited = [a for a in after if before_ids.get(a.id) != a.content_hash] + [
        a for a in TIMELINE if a.id not in {b.id for b in after}]
    dates = {(m.date, m.precision) for a in edited for m in article_events(a).mentions}
    left = {(m.date, m.precision) for a in after for m in article_events(a).mentions}
    # In five articles every count is small, so most weights move and most dates are grouped again.
    assert dates & left <= grouped_again(TIMELINE, tuple(after), monkeypatch)


def test_an_edit_groups_again_only_the_dates_it_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a corpus of some size, an edit that moves no word's weight groups again only the dates of the
    edited article's mentions, before and after the edit."""
    days = [dt.date(2025, 6, 2) + dt.timedelta(days=k) for k in range(300)]
    corpus = tuple(story(f"The committee met on {day:%B} {day.day}, {day.year}, to review the budget, members said.",
                         "Officials said talks would continue.", article_id=f"a{k:03}", date=day.isoformat())
                   for k, day in enumerate(days))
    edited = replace(corpus[7], paragraphs=(*corpus[7].paragraphs, Paragraph(3, "Officials said on Friday "
                                                                                 "that talks would continue.", 3, 3)),
                     content_hash="edited")
    after = (*corpus[:7], edited, *corpus[8:])
    counts = {"officials": 300, "said": 600, "talks": 300, "continue": 300}
    assert word_weights(counts, 300) == word_weights({w: c + 1 for w, c in counts.items()}, 301)
    assert grouped_again(corpus, after, monkeypatch) == {("2025-06-06", "day"), ("2025-06-09", "day")}
    # A word few mentions have weighs less once one more has it: the dates of those mentions too.
    rare = replace(corpus[50], paragraphs=(Paragraph(1, "The committee met on July 22, 2025, in Zanzibar.", 1, 1),),
                   content_hash="rare")
    corpus = (*corpus[:50], rare, *corpus[51:])
    edited = replace(edited, paragraphs=(*corpus[7].paragraphs, Paragraph(
        3, "Officials said on Friday that talks in Zanzibar would continue.", 3, 3)))
    after = (*corpus[:7], edited, *corpus[8:])
    assert grouped_again(corpus, after, monkeypatch) == {("2025-06-06", "day"), ("2025-06-09", "day"),
                                                         ("2025-07-22", "day")}


def test_what_one_build_took_from_the_last_is_kept_right_for_the_next() -> None:
    """Each build's timeline, made with what the last one kept, is the one grouping every date gives;
    over a chain of edits, as over one."""
    one, two, three, _, five = TIMELINE
    chain = [TIMELINE, (one, two, three, five), (one, two, three, five, story(
        HEARING, "Officials will meet on Monday.", article_id="six", outlet="EFE")), TIMELINE]
    memo: EventMemo | None = None
    for corpus in chain:
        points, index = corroborate_indexed(corpus, {a.id: passages_of(a) for a in corpus})
        timeline, memo = index_events_kept(corpus, points=points, point_index=index, memo=memo)
        assert timeline == index_events(corpus, points=points, point_index=index)
        memo = pickle.loads(pickle.dumps(memo))


def test_word_weights_stay_put_when_one_mention_comes() -> None:
    """In whole steps against a rounded count: one more mention moves no weight of a word most
    mentions share, so an edit leaves the dates it does not touch as they were grouped."""
    counts = {"said": 40_000, "talks": 3_000, "caracas": 700, "gunvor": 12}
    before, after = word_weights(counts, 68_246), word_weights({**counts, "said": 40_001}, 68_247)
    assert before == after
    assert before["gunvor"] > before["caracas"] > before["talks"] > before["said"] > 0
    assert word_weights(counts, 40) == {w: round(__import__("math").log(41 / c) * 32) for w, c in counts.items()}
