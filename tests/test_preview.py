"""`serve`'s quick pass and its reload bookkeeping, without a browser."""

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
