"""Builds a scheduler can trust: atomic, locked, incremental, and honest about their cache."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import assemble, cache, pipeline, render
from generator.config import Config, load_config
from generator.entities import index_entities
from generator.event_memo import EventMemo
from generator.pipeline import build
from generator.quotes import index_quotes

ROOT = Path(__file__).resolve().parent.parent


def digest_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "articles"
    subprocess.run([sys.executable, str(ROOT / "bench/corpus.py"), "--size", "150", "--seed", "3",
                    "--out", str(out)], check=True, capture_output=True)
    return out


def forget_pages(project: Path) -> None:
    for keys in (project / ".cache").glob("pages-*.json"):
        keys.unlink()


def briefing(project: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "generator", "build", *args], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_killed_build_leaves_the_previous_site_exactly_as_it_was(project: Path, corpus: Path) -> None:
    args = ("--input", str(corpus))
    assert briefing(project, *args).wait(120) == 0
    before = digest_tree(project / "site")
    for extra in corpus.glob("*000*"):
        extra.write_text(extra.read_text() + "\n\nOne more paragraph of text for the kill test.\n")
    started = time.perf_counter()
    assert briefing(project, *args).wait(120) == 0
    duration = time.perf_counter() - started
    after_full = digest_tree(project / "site")
    assert after_full != before
    forget_pages(project)  # force real work on every run below
    for extra in corpus.glob("*000*"):  # time a run made exactly like the runs to be killed
        extra.write_text(extra.read_text() + "\nCalibration run.\n")
    started = time.perf_counter()
    assert briefing(project, *args).wait(120) == 0
    duration = time.perf_counter() - started
    after_full = digest_tree(project / "site")
    forget_pages(project)
    config = load_config(project / "briefing.yml")
    kills = 0
    steps = 30
    for step in range(steps):
        for extra in corpus.glob("*000*"):
            extra.write_text(extra.read_text() + f"\nKill run {step}.\n")
        snapshot = project / f"cache-{step}"
        shutil.copytree(project / ".cache", snapshot)
        process = briefing(project, *args)
        time.sleep(duration * 0.9 * (step + 0.5) / steps)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        else:  # done sooner than the calibration run: the machine's load dropped since; aim earlier
            duration *= 0.8
        process.wait(60)
        current = digest_tree(project / "site")
        if process.returncode == 0 or current != after_full:
            # Killed after the swap (or not killed): then it must be the complete new build.
            reference = project / f"ref-{step}"
            history = pipeline.CacheFiles(snapshot, project / "site").history
            if history.exists():  # the same change record as the live site's build had
                shutil.copy(history, pipeline.CacheFiles(snapshot, reference).history)
            build(config, corpus, reference, project / "templates", snapshot)
            assert current == digest_tree(reference), f"partial site after a kill at step {step}"
            after_full = current
        forget_pages(project)
    assert kills >= 20, f"only {kills} of {steps} runs were still running when killed"
    assert briefing(project, *args).wait(120) == 0  # and the next build recovers


def test_two_concurrent_builds_never_write_at_once(project: Path, corpus: Path) -> None:
    first = briefing(project, "--input", str(corpus))
    time.sleep(0.3)
    second = briefing(project, "--input", str(corpus))
    assert first.wait(120) == 0
    code = second.wait(120)
    assert code == 75, second.stderr.read().decode() if second.stderr else ""
    assert b"another build is writing" in (second.stderr.read() if second.stderr else b"")
    waiting = [briefing(project, "--input", str(corpus), "--wait") for _ in range(2)]
    assert [p.wait(120) for p in waiting] == [0, 0]
    fresh = project / "fresh"
    assert briefing(project, "--input", str(corpus), "--output", str(fresh)).wait(120) == 0
    assert digest_tree(project / "site") == digest_tree(fresh)


def test_no_change_rebuild_does_no_work(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project / "briefing.yml")
    first = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert first.pages.rendered > 30
    calls = []
    monkeypatch.setattr(pipeline, "read_article", lambda *job: calls.append(job) or None)
    second = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert calls == [] and second.pages.total == 0 and second.changes is None


def test_one_changed_article_rerenders_only_what_depends_on_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    before = digest_tree(project / "site")
    seed = project / "seeds/004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text().replace("pivotal moment", "decisive moment"))
    regrouped: list[set[tuple[str, str]]] = []
    real = EventMemo.affected
    monkeypatch.setattr(EventMemo, "affected", lambda *a: regrouped.append(real(*a)) or regrouped[-1])
    result = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert len(regrouped) == 1  # the timeline made with what the last build kept (checked below against a fresh one)
    after = digest_tree(project / "site")
    assert result.changes and result.changes.changed == ("004-66bcc8fb033b93b3",)
    assert result.pages.reused >= 3
    assert before["articles/004-66bcc8fb033b93b3/index.html"] != after["articles/004-66bcc8fb033b93b3/index.html"]
    assert before["articles/002-3ae6b94dc22afd81/index.html"] == after["articles/002-3ae6b94dc22afd81/index.html"]
    assert "decisive moment" in (project / "site/data/articles.json").read_text()
    fresh = project / "fresh"
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    unstable = {"changes/index.html", "changes/feed.xml", "data/changes.json", "index.html"}
    assert {k: v for k, v in digest_tree(fresh).items() if k not in unstable} == \
        {k: v for k, v in after.items() if k not in unstable}


def built_in_small_pages(project: Path) -> tuple[Config, Path, Path]:
    """The seeds built with two items a page (many pages from five articles); the configuration,
    the site and the seed the tests edit."""
    config_file = project / "briefing.yml"
    config_file.write_text(config_file.read_text().replace("  language: en\n", "  language: en\n  page_size: 2\n"))
    config = load_config(config_file)
    site, seed = project / "site", project / "seeds/004_66bcc8fb033b93b3.txt"
    build(config, project / "seeds", site, project / "templates", search=False, parallel=False)
    return config, site, seed


def pages_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered from now on."""
    rendered: list[str] = []
    real = render._render_one
    monkeypatch.setattr(render, "_render_one", lambda env, s, path, *a: rendered.append(path) or real(env, s, path, *a))
    return rendered


def test_a_topics_later_pages_are_rendered_again_only_when_what_they_show_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, site, seed = built_in_small_pages(project)
    later = {k: v for k, v in digest_tree(site).items() if k.startswith("topics/") and "/page/" in k}
    assert len(later) > 20
    rendered = pages_rendered(monkeypatch)

    build(config, project / "seeds", site, project / "templates", search=False, parallel=False)  # nothing changed
    assert rendered == []
    # One word of a passage on a topic: its point's page shows it, and only that page changes.
    seed.write_text(seed.read_text().replace("pivotal moment", "decisive moment"))
    build(config, project / "seeds", site, project / "templates", search=False, parallel=False)
    after = {k: v for k, v in digest_tree(site).items() if k.startswith("topics/") and "/page/" in k}
    changed = {k for k in later if after.get(k) != later[k]}
    again = {p for p in rendered if p in later}
    assert changed and changed <= again and len(again) < len(later) / 2
    assert any("decisive moment" in (site / k).read_text() for k in changed)
    fresh = project / "fresh"
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    assert {k: v for k, v in digest_tree(fresh).items() if k in after} == after


def test_a_new_point_makes_again_only_the_topic_pages_from_its_own_on(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Later pages show their own points, not the topic's counts: a point added to a topic moves
    the points after it, so the pages from its own on change, and the pages before it are kept."""
    config, site, seed = built_in_small_pages(project)
    edited = "articles/004-66bcc8fb033b93b3/"

    def later_pages() -> dict[str, dict[int, str]]:
        pages: dict[str, dict[int, str]] = {}
        for path, digest in digest_tree(site).items():
            parts = path.split("/")
            if parts[0] == "topics" and len(parts) == 5 and parts[2] == "page":
                pages.setdefault(parts[1], {})[int(parts[3])] = digest
        return pages

    before = later_pages()
    rendered = pages_rendered(monkeypatch)
    sentence = "pivotal moment in their historically fraught partnership."
    seed.write_text(seed.read_text().replace(sentence, sentence + " Envoys of both governments signed a "
                                                                  "consular protocol in Caracas on Friday."))
    build(config, project / "seeds", site, project / "templates", search=False, parallel=False)
    after = later_pages()
    kept_before_the_change = 0
    for slug, pages in after.items():
        changed = sorted(n for n in pages if before[slug].get(n) != pages[n])
        made = {n for n in pages if f"topics/{slug}/page/{n}/index.html" in rendered}
        first = changed[0] if changed else max(pages) + 1
        # before it, only pages showing a passage of the edited article (its text may have changed)
        assert all(edited in (site / f"topics/{slug}/page/{n}/index.html").read_text()
                   for n in made if n < first), f"{slug}: a page before the new point made again"
        assert set(changed) <= made
        if changed:
            kept_before_the_change += first - 2  # pages 2 to first - 1
    assert any(before[slug] != after[slug] for slug in after)
    assert kept_before_the_change >= 3
    fresh = project / "fresh"
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    assert {k: v for k, v in digest_tree(fresh).items() if k.startswith("topics/")} == \
        {k: v for k, v in digest_tree(site).items() if k.startswith("topics/")}


def test_pages_listing_articles_are_rendered_again_only_when_one_they_list_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, site, seed = built_in_small_pages(project)
    listing = {path for path, _, _ in render._listing_pages(pipeline.check(config, project / "seeds"), render.History((), {}))}
    rendered = pages_rendered(monkeypatch)

    for old, new in [("pivotal moment", "decisive moment"), ("Observers are cautious", "Observers, cautious")]:
        rendered.clear()
        seed.write_text(seed.read_text().replace(old, new))
        build(config, project / "seeds", site, project / "templates", search=False, parallel=False)
        again = {p for p in rendered if p in listing}
        assert again and len(again) < len(listing) / 2
        lists_004 = {p for p in listing if p.endswith(".html") and "004-66bcc8fb033b93b3" in (site / p).read_text()}
        every_article = {"sources/index.html", "feed.xml", "changes/index.html", "changes/feed.xml"}
        assert again <= lists_004 | every_article, "a page that does not list the article is kept"
        assert {p for p in lists_004 if p.startswith(("timeline/", "sources/"))} <= again
    title = seed.read_text().splitlines()[0]
    seed.write_text(seed.read_text().replace(title, title + " (updated)", 1))
    build(config, project / "seeds", site, project / "templates", search=False, parallel=False)
    fresh = project / "fresh"
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    unstable = {"changes/index.html", "changes/feed.xml", "data/changes.json", "index.html"}
    assert {k: v for k, v in digest_tree(fresh).items() if k not in unstable} == \
        {k: v for k, v in digest_tree(site).items() if k not in unstable}


def test_a_build_that_dies_after_the_swap_leaves_no_keys_that_would_keep_its_pages(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page keys say which pages of the site on disk a rebuild may keep. A build killed between
    the swap and writing its keys left the previous build's keys beside its own pages: an edit undone
    next would then match the old keys and keep the edited page (or skip the build altogether)."""
    config = load_config(project / "briefing.yml")
    site, seed = project / "site", project / "seeds/004_66bcc8fb033b93b3.txt"
    original = seed.read_text()
    build(config, project / "seeds", site, project / "templates", search=False)
    seed.write_text(original.replace("pivotal moment", "decisive moment"))

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # what a kill between the two steps leaves

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "write_page_keys", killed)
        with pytest.raises(KeyboardInterrupt):
            build(config, project / "seeds", site, project / "templates", search=False)
    assert "decisive moment" in (site / "articles/004-66bcc8fb033b93b3/index.html").read_text(), "swapped in"
    seed.write_text(original)
    build(config, project / "seeds", site, project / "templates", search=False)
    page = (site / "articles/004-66bcc8fb033b93b3/index.html").read_text()
    assert "pivotal moment" in page and "decisive moment" not in page
    assert "decisive moment" not in (site / "data/articles.json").read_text()


def files_of(root: Path, folder: str, data_file: str) -> dict[str, str]:
    """The digests of one index's pages and data file."""
    return {k: v for k, v in digest_tree(root).items() if k.startswith(folder) or k == data_file}


def without_history(root: Path) -> dict[str, str]:
    """The site's files but those that show its history of changes, which a fresh build has not
    (the home page lists the latest)."""
    return {k: v for k, v in digest_tree(root).items()
            if not (k.startswith("changes/") or k in ("data/changes.json", "index.html"))}


@pytest.mark.parametrize(("step", "made_by", "folder", "data_file", "touching", "shown"), [
    ("index_entities", index_entities, "entities/", "data/entities.json",
     "Senator Hermione Quarrington and observers are wary", "hermione-quarrington"),
    ("index_quotes", index_quotes, "quotes/", "data/quotes.json",
     'Observers said "the quiet phase is over" and are wary', "the quiet phase is over"),
])
def test_an_edit_that_touches_none_of_an_indexs_inputs_keeps_it_and_its_pages(
        project: Path, monkeypatch: pytest.MonkeyPatch, step: str, made_by: Callable[..., object], folder: str,
        data_file: str, touching: str, shown: str) -> None:
    """The entity index (kept whole: no other page shows it) and the quote index (read back from the
    cache: the topics' first pages show quotes)."""
    config = load_config(project / "briefing.yml")
    site, seed, fresh = project / "site", project / "seeds/004_66bcc8fb033b93b3.txt", project / "fresh"
    build(config, project / "seeds", site, project / "templates", search=False)
    before = files_of(site, folder, data_file)
    assert len(before) >= 2
    made: list[int] = []
    monkeypatch.setattr(assemble, step, lambda *a, **k: made.append(1) or made_by(*a, **k))

    # A sentence that names no one and quotes nothing. (A paragraph added at the end would not do:
    # the hashtag line, read as the article's tags while it is last, would become body text.)
    seed.write_text(seed.read_text().replace("Observers are cautious but hopeful", "Observers are wary but hopeful"))
    result = build(config, project / "seeds", site, project / "templates", search=False)
    assert result.changes and result.changes.changed == ("004-66bcc8fb033b93b3",)
    assert made == [] and files_of(site, folder, data_file) == before
    assert "wary but hopeful" in (site / "articles/004-66bcc8fb033b93b3/index.html").read_text()
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    assert without_history(site) == without_history(fresh)  # the topic pages with quotes read back too
    made.clear()  # the fresh build's

    seed.write_text(seed.read_text().replace("Observers are wary", touching))
    build(config, project / "seeds", site, project / "templates", search=False)
    assert made == [1] and shown in (site / data_file).read_text()
    shutil.rmtree(fresh), shutil.rmtree(project / "fresh-cache")
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    assert without_history(site) == without_history(fresh)


def test_discrepancy_pages_are_kept_while_what_they_show_is_unchanged(project: Path) -> None:
    config = load_config(project / "briefing.yml")
    site, fresh = project / "site", project / "fresh"
    build(config, project / "seeds", site, project / "templates", search=False)
    shown = files_of(site, "discrepancies/", "data/discrepancies.json")
    assert "650 to 1,000 kilograms" in (site / "data/discrepancies.json").read_text()

    other, gold = project / "seeds/004_66bcc8fb033b93b3.txt", project / "seeds/001_3a454840917e6663.txt"
    other.write_text(other.read_text().replace("Observers are cautious but hopeful", "Observers are wary but hopeful"))
    inodes = {k: (site / k).stat().st_ino for k in shown}
    build(config, project / "seeds", site, project / "templates", search=False)
    assert {k: (site / k).stat().st_ino for k in shown} == inodes  # linked, not made again
    assert files_of(site, "discrepancies/", "data/discrepancies.json") == shown

    gold.write_text(gold.read_text().replace("650 to 1,000 kilograms", "700 to 1,000 kilograms"))
    build(config, project / "seeds", site, project / "templates", search=False)
    assert "700 to 1,000 kilograms" in (site / "data/discrepancies.json").read_text()
    assert "700 to 1,000 kilograms" in (site / "discrepancies/index.html").read_text()
    assert (site / "data/discrepancies.json").stat().st_ino != inodes["data/discrepancies.json"]
    build(config, project / "seeds", fresh, project / "templates", project / "fresh-cache", search=False)
    assert without_history(site) == without_history(fresh)


def test_new_code_renders_again_what_unchanged_inputs_would_keep(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout or upgrade without a new version number must not keep pages made by other code."""
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    made = []
    monkeypatch.setattr(assemble, "index_entities", lambda *a, **k: made.append(1) or index_entities(*a, **k))
    quotes_made: list[int] = []
    monkeypatch.setattr(assemble, "index_quotes", lambda *a, **k: quotes_made.append(1) or index_quotes(*a, **k))
    events_taken: list[int] = []
    monkeypatch.setattr(EventMemo, "affected", lambda *a: events_taken.append(1) or set())
    monkeypatch.setattr(pipeline, "source_fingerprint", lambda: "other code")
    monkeypatch.setattr(render, "source_fingerprint", lambda: "other code")
    monkeypatch.setattr(assemble, "source_fingerprint", lambda: "other code")  # the saved indexes' keys
    result = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert made == [1]  # the entity index made again, not kept
    assert quotes_made == [1]  # nor the quote index read back
    assert events_taken == []  # nor events taken from the last timeline
    assert result.pages.reused == 0 and result.pages.rendered > 30


def test_an_upgraded_library_keys_analysed_articles_and_pages_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new dateparser may read a date differently, a new Jinja escape differently: neither the
    cached analysis nor the kept pages of the old one may be used."""
    assert "jinja2=" in cache.library_versions() and "jinja2=none" not in cache.library_versions()
    before_article, before_code = cache.article_key("a.txt", "hash", "config"), cache.source_fingerprint()
    monkeypatch.setattr(cache, "library_versions", lambda: "jinja2=99.0")
    cache.source_fingerprint.cache_clear()
    try:
        assert cache.article_key("a.txt", "hash", "config") != before_article
        assert cache.source_fingerprint() != before_code
    finally:
        cache.source_fingerprint.cache_clear()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x04\x95garbage"])
def test_a_corrupt_cache_is_rebuilt_not_trusted(project: Path, damage: bytes,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "PACK_SIZE", 2)
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    good = digest_tree(project / "site")
    packs = sorted((project / ".cache/articles").glob("*.pickle"))
    assert len(packs) == 3, "five seeds in packs of two"
    packs[1].write_bytes(damage)
    for keys in (project / ".cache").glob("pages-*.json"):
        keys.write_text("{broken")
    result = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert result.cache_note and "rebuilt" in result.cache_note
    assert digest_tree(project / "site") == good


def built_then_edited(project: Path, old: str, new: str) -> tuple[Config, Config]:
    """The project's configuration, built, and that configuration with `old` replaced by `new`."""
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    text = (project / "briefing.yml").read_text()
    assert old in text
    (project / "briefing.yml").write_text(text.replace(old, new))
    return config, load_config(project / "briefing.yml")


def test_new_date_or_source_rules_analyse_every_article_again(project: Path) -> None:
    _, changed = built_then_edited(project, "order: DMY", "order: MDY")
    result = build(changed, project / "seeds", project / "site", project / "templates", search=False)
    assert result.cache_note and "configuration" in result.cache_note


def no_work(what: str):  # noqa: ANN201
    def fail(*args: object) -> None:
        raise AssertionError(f"{what} again")
    return fail


UNSTABLE = {"changes/index.html", "changes/feed.xml", "data/changes.json", "index.html"}
"""What differs between a site built once and one built twice: the build history it shows."""


def test_new_topic_rules_classify_cached_articles_again_without_analysing_them(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import analyse

    config, changed = built_then_edited(project, "min_score: 3.5", "min_score: 99")
    assert changed.reading_fingerprint == config.reading_fingerprint
    assert changed.topics_fingerprint != config.topics_fingerprint
    cold = build(changed, project / "seeds", project / "cold", project / "templates", project / "cold-cache",
                 search=False)
    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "read_article", no_work("an article was analysed"))
        result = build(changed, project / "seeds", project / "site", project / "templates", search=False)
    assert result.cache_note is None and result.articles == cold.articles == 5
    articles = json.loads((project / "site/data/articles.json").read_text())["articles"]
    assert articles and not any("mining" in a["topics"] for a in articles)
    rebuilt, fresh = digest_tree(project / "site"), digest_tree(project / "cold")
    assert {k: v for k, v in rebuilt.items() if k not in UNSTABLE} == {k: v for k, v in fresh.items() if k not in UNSTABLE}
    # The packs on disk now hold the new classification: the next build reads them as they are.
    monkeypatch.setattr(pipeline, "read_article", no_work("an article was analysed"))
    monkeypatch.setattr(analyse, "classify", no_work("an article was classified"))
    (project / "site/data/articles.json").unlink()  # not the no-change path: read the cache
    again = build(changed, project / "seeds", project / "site", project / "templates", search=False)
    assert again.cache_note is None and again.articles == 5
    assert digest_tree(project / "site")["data/articles.json"] == rebuilt["data/articles.json"]


@pytest.mark.parametrize("old, new, page", [
    ('title: "US–Venezuela briefing"', 'title: "Desk briefing"', "index.html"),
    ("title: Diplomacy\n", "title: Desk briefing\n", "topics/diplomacy/index.html"),
], ids=["site title", "topic title"])
def test_a_new_title_keeps_every_analysed_article(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                  old: str, new: str, page: str) -> None:
    from generator import analyse

    config, changed = built_then_edited(project, old, new)
    assert changed.fingerprint != config.fingerprint
    monkeypatch.setattr(pipeline, "read_article", no_work("an article was analysed"))
    monkeypatch.setattr(analyse, "classify", no_work("an article was classified"))
    result = build(changed, project / "seeds", project / "site", project / "templates", search=False)
    assert result.cache_note is None and result.articles == 5
    assert result.pages.rendered > 0, "every page shows the title: all are made again"
    assert "Desk briefing" in (project / "site" / page).read_text()


def test_exit_codes_are_documented() -> None:
    help_text = subprocess.run([sys.executable, "-m", "generator", "build", "--help"], capture_output=True,
                               text=True).stdout
    for code in ("0 success", "1 build failed", "2 usage", "75 another build"):
        assert code in help_text.replace("\n", " ").replace("  ", " ")


def test_a_build_clears_what_killed_builds_left_behind_and_nothing_else(project: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    left = [project / f".site.staging-{dead}", project / f".site.old-{dead}", project / f".site.old-17-{dead}"]
    running = project / f".site.staging-{os.getppid()}"
    for folder in (*left, running):
        (folder / "articles").mkdir(parents=True)
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert not any(folder.exists() for folder in left)
    assert running.exists(), "a folder of a live process is not ours to remove"


def test_one_changed_article_rewrites_one_cache_pack(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "PACK_SIZE", 2)
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "site", project / "templates", search=False)
    packs = project / ".cache/articles"
    before = {p.name: p.stat().st_ino for p in packs.glob("*.pickle")}
    seed = project / "seeds/000_7bc5df4f94addd73.txt"
    seed.write_text(seed.read_text() + "\nOne more sentence, said officials on Monday.\n")
    result = build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert result.changes and len(result.changes.changed) == 1
    after = {p.name: p.stat().st_ino for p in packs.glob("*.pickle")}
    assert len(before) == len(after) == 3
    assert len(before.keys() - after.keys()) == len(after.keys() - before.keys()) == 1, \
        "the pack that held the old version is replaced; the other two are left alone"
    assert all(before[name] == after[name] for name in before.keys() & after.keys())
    again = build(config, project / "seeds", project / "fresh", project / "templates", search=False)
    assert again.cache_note is None and again.pages.rendered > 0


def test_packs_from_pool_workers_are_the_cache_and_give_the_same_site(project: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(project / "briefing.yml")
    build(config, project / "seeds", project / "serial", project / "templates", project / "serial-cache", search=False)
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(pipeline, "PACK_SIZE", 2)
    build(config, project / "seeds", project / "pooled", project / "templates", project / "pooled-cache", search=False)
    unstable = {"changes/index.html", "changes/feed.xml", "data/changes.json", "index.html"}
    serial, pooled = digest_tree(project / "serial"), digest_tree(project / "pooled")
    assert {k: v for k, v in serial.items() if k not in unstable} == {k: v for k, v in pooled.items() if k not in unstable}
    packs = sorted((project / "pooled-cache/articles").glob("*.pickle"))
    assert len(packs) == 3, "three chunks of at most two files, each written as its worker sent it"
    read_back = cache.read_article_cache(project / "pooled-cache", config.reading_fingerprint)
    assert read_back.note is None and len(read_back.entries) == 5

    def no_analysis(*args: object) -> None:
        raise AssertionError("an unchanged article was analysed again")

    monkeypatch.setattr(pipeline, "read_article", no_analysis)
    (project / "pooled/data/articles.json").unlink()  # not the no-change path: read the cache
    result = build(config, project / "seeds", project / "pooled", project / "templates", project / "pooled-cache",
                   search=False)
    assert result.articles == 5 and result.cache_note is None


def test_articles_added_one_per_build_do_not_pile_up_cache_files(project: Path) -> None:
    config = load_config(project / "briefing.yml")
    seed = (project / "seeds/000_7bc5df4f94addd73.txt").read_text()
    counts = []
    for n in range(cache.MAX_SMALL_PACKS + 4):
        (project / f"seeds/added-{n:02d}.txt").write_text(seed.replace("Venezuela", f"Venezuela ({n})", 1))
        build(config, project / "seeds", project / "site", project / "templates", search=False)
        counts.append(len(list((project / ".cache/articles").glob("*.pickle"))))
    assert max(counts) <= cache.MAX_SMALL_PACKS + 1
    assert counts[cache.MAX_SMALL_PACKS - 1] == cache.MAX_SMALL_PACKS, "one small pack per build until the limit"
    kept = cache.read_article_cache(project / ".cache", config.reading_fingerprint)
    assert len(kept.entries) == 5 + cache.MAX_SMALL_PACKS + 4


def test_a_rebuild_reads_only_inputs_whose_size_times_or_inode_changed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 500_000_000)  # the file system's timestamps may be this coarse
    old, edited, fresh = (tmp_path / name for name in ("old.txt", "edited.txt", "fresh.txt"))
    for path in (old, edited):
        path.write_text("Oil exports rose.\n")
    time.sleep(0.6)
    fresh.write_text("Oil exports rose.\n")  # changed just before it was hashed: not trusted later
    first = cache.InputHashes()
    digests = {p: first.digest(p) for p in (old, edited, fresh)}
    index = tmp_path / "inputs.json"
    cache.write_input_hashes(index, first, time.time_ns(), [old, edited, fresh])
    edited.write_text("Oil exports fell.\n")  # same size, new content and times
    read: list[str] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or real(self))
    again = cache.read_input_hashes(index)
    assert again.digest(old) == digests[old]
    assert again.digest(edited) != digests[edited]
    assert again.digest(fresh) == digests[fresh]
    assert read == ["edited.txt", "fresh.txt"], "unchanged files are not read; one changed just before is"
