"""A long build shows its progress on a terminal, and nowhere else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _site(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "changes" not in p.parts and p.name not in {"changes.json", "index.html"}}


@pytest.mark.parametrize("pooled", [False, True])
def test_a_build_on_a_terminal_counts_the_articles_analysed_and_the_files_written(
        project: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> None:
    from generator import pipeline, progress
    from generator.config import load_config
    from generator.progress import BuildProgress

    monkeypatch.setattr(progress, "DELAY", 0)
    monkeypatch.setattr(progress, "REFRESH", 0)  # every count drawn, for this check
    if pooled:
        monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    config = load_config(project / "briefing.yml")
    terminal = Terminal()
    result = pipeline.build(config, project / "seeds", project / "shown", project / "templates", project / "c1",
                            search=False, progress=BuildProgress(terminal))
    shown = terminal.getvalue()
    articles = len(list((project / "seeds").iterdir()))
    assert "analysing: 100%" in shown and f"{articles}/{articles}" in shown
    assert f"writing: {result.pages.total} files" in shown
    assert shown.endswith("\r"), "the bars are cleared: the summary line is printed on a clean line"

    log = io.StringIO()  # not a terminal: a log file, CI, a scheduler's mail
    pipeline.build(config, project / "seeds", project / "logged", project / "templates", project / "c2",
                   search=False, progress=BuildProgress(log))
    assert log.getvalue() == ""
    assert _site(project / "shown") == _site(project / "logged"), "the site does not depend on the display"


def test_a_quick_stage_shows_no_bar(project: Path) -> None:
    """Bars appear only once a stage has run for `DELAY`: a rebuild of a few files stays quiet."""
    from generator import pipeline
    from generator.config import load_config
    from generator.progress import BuildProgress

    config = load_config(project / "briefing.yml")
    terminal = Terminal()
    pipeline.build(config, project / "seeds", project / "site", project / "templates", search=False,
                   progress=BuildProgress(terminal))
    assert terminal.getvalue() == ""


def test_the_wait_for_the_search_index_shows_its_shards(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind goes on after the last file is written: the terminal says what the build waits for."""
    from generator import pipeline, progress
    from generator.config import load_config
    from generator.progress import BuildProgress

    monkeypatch.setattr(progress, "DELAY", 0)
    monkeypatch.setattr(progress, "REFRESH", 0.01)
    config = load_config(project / "briefing.yml")
    terminal = Terminal()
    pipeline.build(config, project / "seeds", project / "site", project / "templates", progress=BuildProgress(terminal))
    shown = terminal.getvalue()
    assert "search index:" in shown and "/1 [" in shown and shown.index("writing:") < shown.index("search index:")
    assert (project / "site/pagefind/shards.json").is_file()
