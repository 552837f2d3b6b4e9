"""`serve`'s quick pass and its reload bookkeeping, without a browser."""

import sys
from pathlib import Path

from generator.preview import Preview
from generator.serve import BuildState

SEED = "seeds/000_7bc5df4f94addd73.txt"
PAGE = "articles/000-7bc5df4f94addd73/index.html"


def preview_of(project: Path) -> Preview:
    preview = Preview(project / "briefing.yml", project / "seeds", project / "site", project / "templates")
    preview.full()
    return preview


def test_quick_pass_puts_an_edited_article_live_and_the_full_build_agrees(project: Path) -> None:
    preview = preview_of(project)
    seed = project / SEED
    seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    assert preview.quick({seed}) == (PAGE,)
    quick_html = (project / "site" / PAGE).read_bytes()
    assert b"restoring full diplomatic ties" in quick_html
    result = preview.full()
    assert PAGE not in result.pages.changed, "the full build renders the same page the quick pass did"
    assert (project / "site" / PAGE).read_bytes() == quick_html
    assert "topics/diplomacy/index.html" in result.pages.changed
    assert not list((project / "site").rglob(".*.quick"))


def test_an_edit_put_live_and_undone_after_serve_stopped_is_undone_by_the_next_build(project: Path) -> None:
    """The quick pass writes pages the page keys do not describe; a build must not keep them."""
    from generator.config import load_config
    from generator.pipeline import build

    preview = preview_of(project)
    seed = project / SEED
    original = seed.read_text()
    seed.write_text(original.replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    assert preview.quick({seed}) == (PAGE,)  # and serve is stopped before its full build
    seed.write_text(original)
    build(load_config(project / "briefing.yml"), project / "seeds", project / "site", project / "templates",
          search=False)
    assert b"restoring full diplomatic ties" not in (project / "site" / PAGE).read_bytes()


def test_quick_pass_leaves_new_files_configuration_and_templates_to_the_full_build(project: Path) -> None:
    preview = preview_of(project)
    new = project / "seeds/new-article.txt"
    new.write_text("A new article\n\nWASHINGTON (AP) — Something happened on Monday.\n")
    assert preview.quick({new}) == ()
    assert preview.quick({project / "briefing.yml"}) == ()
    assert preview.quick({project / SEED, project / "templates/article.html"}) == ()
    swap = project / "seeds/.000_7bc5df4f94addd73.txt.swp"
    assert preview.quick({swap}) == (), "a vanished editor temp file is ignored"
    assert preview.quick({project / SEED, swap, project / "seeds"}) == (PAGE,)


def test_only_tabs_showing_a_changed_page_are_told_to_reload() -> None:
    state = BuildState()
    state.publish(None, None)
    state.publish(None, ("articles/a/index.html",))
    state.publish(None, ("topics/oil/index.html",))
    assert state.pages_since(1) == ["articles/a/index.html", "topics/oil/index.html"]
    assert state.pages_since(2) == ["topics/oil/index.html"]
    assert state.pages_since(None) is None
    assert state.pages_since(0) is None, "epoch 1 changed too many pages to list: reload everything"
    state.publish("broken.yml: error")
    assert state.epoch == 3 and state.error


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_search_stays_live_through_a_full_build_and_is_then_replaced_whole(project: Path) -> None:
    preview = preview_of(project)
    preview.index()
    site = project / "site"
    index = tree(site / "pagefind")
    assert "shards.json" in index and "shard-0/pagefind-entry.json" in index
    seed = project / SEED
    seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    preview.full()
    assert tree(site / "pagefind") == index, "the last index is kept until the new one is ready"
    preview.index()
    assert tree(site / "pagefind") != index
    assert not list(site.glob(".pagefind-*")), "nothing of the swap is left"


def test_a_new_edit_abandons_the_index_being_made(project: Path, monkeypatch) -> None:  # noqa: ANN001
    import threading
    import time

    from generator import search

    preview = preview_of(project)
    preview.index()
    index = tree(project / "site/pagefind")
    page = next((project / "site/articles").glob("*/index.html"))
    page.write_bytes(page.read_bytes())  # written again: its shard is indexed again
    monkeypatch.setattr(search, "pagefind_command",
                        lambda site, bundle: [sys.executable, "-c", "import time; time.sleep(60)"])
    worker = threading.Thread(target=preview.index)
    started = time.monotonic()
    worker.start()
    while preview.indexing is None and time.monotonic() - started < 10:
        time.sleep(0.01)
    preview.stop_index()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 10
    assert tree(project / "site/pagefind") == index and not list((project / "site").glob(".pagefind-*"))
    # An edit that comes before indexing starts stops it too; the next full build clears that.
    preview.stop_index()
    preview.index()
    assert tree(project / "site/pagefind") == index
    preview.full()
    assert preview.index_stopped is False


def test_after_an_edit_serve_indexes_again_only_the_shard_that_changed(project: Path, monkeypatch) -> None:  # noqa: ANN001
    from generator import search

    yml = project / "briefing.yml"
    yml.write_text(yml.read_text().replace("site:\n", "site:\n  search_shard_size: 2\n", 1))
    preview = preview_of(project)
    runs: list[Path] = []
    real = search.pagefind_command
    monkeypatch.setattr(search, "pagefind_command", lambda site, bundle: runs.append(bundle) or real(site, bundle))
    preview.index()
    shards = len(list((project / "site/pagefind").glob("shard-*")))
    assert shards >= 2 and len(runs) == shards
    seed = project / SEED
    seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    preview.full()
    runs.clear()
    preview.index()
    assert len(runs) == 1, "one article changed: one shard indexed again, the others kept"
    assert len(list((project / "site/pagefind").glob("shard-*"))) == shards


def test_serve_started_on_a_built_site_serves_it_at_once_then_assembles_it_from_the_cache(
        project: Path, monkeypatch) -> None:  # noqa: ANN001
    """`make serve` after `make build`: the site is up to date, so it is served as it is; the quick
    pass needs the assembled site, which `warm` makes in the background from the analysed articles
    `build` left in the cache, analysing none again."""
    from generator import pipeline
    from generator.config import load_config

    pipeline.build(load_config(project / "briefing.yml"), project / "seeds", project / "site",
                   project / "templates", search=False)

    def analysed(*args: object) -> None:
        raise AssertionError("an article was analysed again")

    monkeypatch.setattr(pipeline, "read_article", analysed)
    preview = Preview(project / "briefing.yml", project / "seeds", project / "site", project / "templates")
    started = preview.full()
    assert started.site is None and started.pages.changed == (), "up to date: served as it was"
    seed = project / SEED
    seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    assert preview.quick({seed}) == (), "nothing assembled yet: the edit waits for the full build"
    seed.write_text(seed.read_text().replace("full diplomatic", "diplomatic"))
    preview.warm()
    assert preview.last is not None and preview.last.site is not None
    assert preview.last.pages.changed == (), "the same site, its pages kept"
    seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full diplomatic ties"))
    assert preview.quick({seed}) == (PAGE,)
    assert b"restoring full diplomatic ties" in (project / "site" / PAGE).read_bytes()


def test_between_builds_the_kept_site_is_out_of_the_collectors_sight(project: Path) -> None:
    """A full collection over a 10,000-article site takes seconds; left to its thresholds, one fell
    inside a quick pass. Serve freezes what a build leaves and lets it go when the next begins."""
    import gc

    try:
        preview = preview_of(project)
        assert preview.last is not None
        kept = gc.get_freeze_count()
        assert kept > 0, "the site and the cache are frozen after the build"
        seed = project / SEED
        seed.write_text(seed.read_text().replace("are restoring diplomatic ties", "are restoring full ties"))
        assert preview.quick({seed}) == (PAGE,)
        assert gc.get_freeze_count() > kept // 2, "a quick pass does not let go of it (a few objects it frees)"
        preview.full()
        assert gc.get_freeze_count() > kept // 2, "the next build's site is frozen in turn"
    finally:
        gc.unfreeze()
