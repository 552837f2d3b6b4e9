"""Stage 6 on its own: the search index starts as soon as the article pages are written, and a
failure anywhere leaves the previous site as it was, with no indexer left running."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import search
from generator.problems import BriefingError
from generator.publish import ARTICLE_PAGES_DONE, publish


class RecordingIndex:
    """Stands in for Pagefind: notes what the staging folder held when it was started."""

    def __init__(self, runs: list["RecordingIndex"], fail: bool = False) -> None:
        self.runs, self.fail = runs, fail
        self.seen: set[str] = set()
        self.finished = self.cancelled = False

    def __call__(self, staging: Path) -> "RecordingIndex":
        self.seen = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()}
        self.runs.append(self)
        return self

    def finish(self) -> None:
        if self.fail:
            raise BriefingError("search index failed: boom", "pagefind")
        self.finished = True

    def cancel(self) -> None:
        self.cancelled = True


def pages(fail_after_articles: bool = False):
    yield "articles/a/index.html", b"<p>a</p>"
    yield "articles/b/index.html", b"<p>b</p>"
    yield ARTICLE_PAGES_DONE
    if fail_after_articles:
        raise RuntimeError("a template broke")
    yield "topics/oil/index.html", b"<p>oil</p>"
    yield "index.html", b"<p>home</p>"


def test_search_starts_once_the_article_pages_are_written_and_finishes_before_the_swap(tmp_path: Path) -> None:
    runs: list[RecordingIndex] = []
    count = publish(pages(), tmp_path / "site", RecordingIndex(runs))
    assert len(runs) == 1 and runs[0].finished and not runs[0].cancelled
    assert runs[0].seen == {"articles/a/index.html", "articles/b/index.html"}, "started before the other pages"
    assert count.rendered == 4 and (tmp_path / "site/index.html").read_bytes() == b"<p>home</p>"


def test_the_replaced_site_becomes_the_next_builds_staging_folder_and_nothing_is_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    publish(pages(), site)
    (site / "articles/a/extra.txt").write_bytes(b"x" * 100)
    first = (site / "index.html").stat().st_ino
    commands: list[list[str]] = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: commands.append(args) or real_run(args, **kw))
    publish(pages(), site)
    assert not commands, "nothing to remove: the replaced site is kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]
    assert (tmp_path / ".site.spare/articles/a/extra.txt").exists(), "the spare is the replaced site"
    assert not (site / "articles/a/extra.txt").exists() and (site / "index.html").read_bytes() == b"<p>home</p>"
    assert (site / "index.html").stat().st_ino == first, "an unchanged page is the previous site's file"
    publish(pages(), site)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"], "the spare was taken, one made"
    assert not (site / "articles/a/extra.txt").exists() and not commands


def test_a_spare_without_article_pages_is_swept_when_the_index_starts(tmp_path: Path) -> None:
    """The third build takes the first one's site, which has no article folder, as its staging
    folder; the search index starts with no article page written: nothing to sweep there."""
    def home_only():
        yield ARTICLE_PAGES_DONE
        yield "index.html", b"<p>home</p>"

    site, runs = tmp_path / "site", []
    for _ in range(3):
        publish(home_only(), site, RecordingIndex(runs))
    assert len(runs) == 3 and all(run.finished and not any(p.startswith("articles/") for p in run.seen) for run in runs)
    assert tree(site) == {"index.html": b"<p>home</p>"}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_building_in_the_spare_never_touches_the_live_site_and_leaves_none_of_the_spares_files(
        tmp_path: Path) -> None:
    """The spare's files are mostly hard links to the live site's: writing through one would change
    the live site before the swap. Each build is checked against the files it was given, and the
    site it replaced against what it held while it was live."""
    site, old_page = tmp_path / "site", tmp_path / "kept.html"
    old_page.write_bytes(b"<p>kept from a build before</p>")
    builds = [
        {"articles/a/index.html": b"<p>a</p>", "articles/b/index.html": b"<p>b</p>",
         "topics/oil/index.html": b"<p>oil</p>", "data/articles.json": b'{"articles":[1,2]}',
         "about/index.html": b"<p>about</p>"},
        {"articles/a/index.html": b"<p>a, edited</p>", "articles/c/index.html": b"<p>c</p>",
         "topics/oil/index.html": b"<p>oil</p>", "data/articles.json": b'{"articles":[1,3]}',
         "about": b"now a file where a folder was"},
        {"articles/a/index.html": b"<p>a</p>", "articles/c/index.html": b"<p>c</p>",
         "topics/oil/index.html": b"<p>oil, page 1</p>", "topics/oil/page/2/index.html": b"<p>2</p>",
         "data/articles.json": b'{"articles":[1,3]}', "about/index.html": b"<p>a folder again</p>",
         "kept/index.html": old_page},
        {"articles/d/index.html": b"<p>d</p>", "index.html": b"<p>home</p>"},
    ]

    def stream(files: dict[str, object]):
        for path, content in files.items():
            if path.startswith("articles/"):
                yield path, content
        yield ARTICLE_PAGES_DONE
        for path, content in files.items():
            if not path.startswith("articles/"):  # data files piece by piece, as render gives them
                yield path, iter([content[:5], content[5:]]) if path.startswith("data/") else content

    live: dict[str, bytes] = {}
    for n, files in enumerate(builds):
        if n == 2:  # a link to nowhere in the spare, where the build links a page it keeps
            (tmp_path / ".site.spare/articles/c").mkdir(parents=True)
            (tmp_path / ".site.spare/articles/c/index.html").symlink_to(tmp_path / "nowhere")
        runs: list[RecordingIndex] = []
        publish(stream(files), site, RecordingIndex(runs))
        expected = {p: c.read_bytes() if isinstance(c, Path) else c for p, c in files.items()}
        assert tree(site) == expected
        assert not [d for d in site.rglob("*") if d.is_dir() and not any(d.iterdir())], "no folder left empty"
        indexed = {p for p in runs[0].seen if p.startswith("articles/")}  # what Pagefind reads (search.INDEXED)
        assert indexed == {p for p in files if p.startswith("articles/")}, "no page of the spare indexed"
        if live:
            spare = tree(tmp_path / ".site.spare")
            assert spare == {p: c for p, c in live.items() if p in spare}, "the replaced site is as it was when live"
            assert set(live) - set(spare) == {p for p in live if p.startswith("data/") and expected.get(p) != live[p]}, \
                "all of it but the data files the new site changed"
        live = expected


@pytest.mark.parametrize("where", ["while rendering", "in the index"])
def test_a_failure_cancels_the_index_and_keeps_the_previous_site(tmp_path: Path, where: str) -> None:
    site = tmp_path / "site"
    publish(pages(), site)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    runs: list[RecordingIndex] = []
    failing = pages(fail_after_articles=where == "while rendering")
    with pytest.raises((RuntimeError, BriefingError)):
        publish(failing, site, RecordingIndex(runs, fail=where == "in the index"))
    assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no staging folder left behind"
    if where == "while rendering":
        assert runs[0].cancelled


def test_a_failing_pagefind_is_one_clear_error_and_leaves_no_process(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "fake_pagefind.py"
    script.write_text("import sys\nprint('Error: no pages matched the glob', file=sys.stderr)\nsys.exit(1)\n")
    monkeypatch.setattr(search, "pagefind_command", lambda site, bundle: [sys.executable, str(script)])
    running = search.SearchIndexing(tmp_path)
    with pytest.raises(BriefingError) as caught:
        running.finish()
    assert "no pages matched the glob" in caught.value.format()
    assert [p.poll() for p in running.processes] == [1]


def test_cancel_stops_a_running_indexer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "pagefind_command",
                        lambda site, bundle: [sys.executable, "-c", "import time; time.sleep(60)"])
    running = search.SearchIndexing(tmp_path)
    running.cancel()
    assert running.processes and all(p.poll() is not None for p in running.processes) and running.finish() is False


def test_a_stuck_indexer_is_stopped_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_TIMEOUT_S", 0.5)
    monkeypatch.setattr(search, "pagefind_command",
                        lambda site, bundle: [sys.executable, "-c", "import time; time.sleep(60)"])
    running = search.SearchIndexing(tmp_path)
    with pytest.raises(BriefingError) as caught:
        running.finish()
    assert "over 0.5 s" in caught.value.format() and all(p.poll() is not None for p in running.processes)


def test_shards_are_indexed_as_many_at_once_as_allowed_and_all_of_them(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """One Pagefind run uses about one core: with two allowed, two shards are indexed at a time."""
    import json

    site, log = tmp_path / "site", tmp_path / "runs.log"
    for n in range(16):
        (site / f"articles/a{n}").mkdir(parents=True)
        (site / f"articles/a{n}/index.html").write_text(f"<p>{n}</p>")
    script = tmp_path / "fake_pagefind.py"
    script.write_text("""import sys, time
from pathlib import Path
bundle, log = Path(sys.argv[1]), Path(sys.argv[2])
with log.open("a") as out:
    out.write(f"{time.monotonic()} 1\\n")
time.sleep(0.3)
bundle.mkdir(parents=True)
(bundle / "pagefind-entry.json").write_text('{"languages": {}}')
with log.open("a") as out:
    out.write(f"{time.monotonic()} -1\\n")
""")
    monkeypatch.setattr(search, "pagefind_command",
                        lambda site_dir, bundle: [sys.executable, str(script), str(bundle), str(log)])
    monkeypatch.setattr(search, "concurrent_runs", lambda: 2)
    running = search.SearchIndexing(site, shard_size=2)
    assert running.finish()
    assert len(running.shards) >= 3 and len(running.processes) == len(running.shards)
    at_once, peak = 0, 0
    for _, step in sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines()):
        at_once += int(step)
        peak = max(peak, at_once)
    assert peak == 2
    assert json.loads((site / "pagefind/shards.json").read_text())["bundles"] == [f"{s.name}/" for s in running.shards]
    assert not list((site / "pagefind").glob(".pages-*")), "each run's page folder is removed"


def test_the_indexer_dies_with_a_killed_build(tmp_path: Path) -> None:
    """A scheduler that kills a build must not leave Pagefind running on a deleted folder."""
    build = subprocess.Popen([sys.executable, "-c", f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
from pathlib import Path
from generator import search
search.pagefind_command = lambda site, bundle: [sys.executable, "-c", "import time; time.sleep(60)"]
running = search.SearchIndexing(Path({str(tmp_path)!r}))
print(running.processes[0].pid, flush=True)
time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    indexer = int(build.stdout.readline())
    time.sleep(0.5)  # let the launcher get to its exec
    assert _alive(indexer)
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while _alive(indexer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(indexer)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_without_memory_for_a_worker_the_pages_are_rendered_in_process_and_are_the_same(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import pipeline, render
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c1", search=False)
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".pooled")) == [], "no staging folder left"
    forks = []
    monkeypatch.setattr(render, "workers_memory_allows", lambda wanted: 0)
    monkeypatch.setattr(render, "multiprocessing", SimpleNamespace(get_context=forks.append))
    pipeline.build(config, project / "seeds", project / "alone", project / "templates", project / "c2", search=False)
    assert forks == [], "no worker was forked"
    unstable = {"changes/index.html", "changes/feed.xml", "data/changes.json", "index.html"}
    pooled, alone = (
        {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        for root in (project / "pooled", project / "alone"))
    assert {k: v for k, v in pooled.items() if k not in unstable} == {k: v for k, v in alone.items() if k not in unstable}


def test_pages_the_workers_write_are_reported_when_changed_and_kept_when_not(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a pooled build the workers write their pages into the staging folder themselves: the
    build must still list exactly the files whose bytes changed (what `serve` reloads), and keep
    every other file as the previous site's (same inode: rsync and browsers see no change)."""
    from generator import pipeline
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    site = project / "site"

    def files() -> dict[str, tuple[int, bytes]]:
        return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in site.rglob("*")
                if p.is_file() and "pagefind" not in p.parts}

    pipeline.build(config, project / "seeds", site, project / "templates", search=False)
    before = files()
    seed = project / "seeds/004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text() + "\nThe embassy in Caracas reopened its consular section on Monday.\n")
    result = pipeline.build(config, project / "seeds", site, project / "templates", search=False)
    after = files()
    differing = {path for path, (_, content) in after.items() if before.get(path, (0, None))[1] != content}
    assert any(path.startswith("articles/") for path in differing) and "data/articles.json" in differing
    assert set(result.pages.changed) == differing
    assert result.pages.reused >= 3 and result.pages.total == len(after), "the workers' links are counted"
    kept = [path for path in after if path not in differing]
    assert kept and all(after[path][0] == before[path][0] for path in kept)


def test_a_pooled_rebuild_keeps_as_many_unchanged_pages_as_one_without_workers(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages linked by the workers (article pages, the pages that list articles, a topic's later
    pages) are recorded with their keys like those this process keeps: a rebuild with nothing
    changed links as many pages, pooled or not."""
    from generator import pipeline
    from generator.config import load_config

    config_file = project / "briefing.yml"
    config_file.write_text(config_file.read_text().replace("site:\n", "site:\n  page_size: 3\n", 1))
    config = load_config(config_file)
    reused = {}
    for pooled in (False, True):
        monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2 if pooled else 400)
        site = project / f"site-{pooled}"
        pipeline.build(config, project / "seeds", site, project / "templates", search=False)
        assert list(site.glob("topics/*/page/2/index.html")), "topics with later pages"
        again = pipeline.build(config, project / "seeds", site, project / "templates", search=False, shortcut=False)
        reused[pooled] = again.pages.reused
    assert reused[True] == reused[False] > 0


@pytest.mark.parametrize("pooled", [True, False])
def test_a_rebuild_copies_unchanged_data_file_items_from_the_live_site(
        project: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> None:
    """articles.json and topics.json after an edit are what a fresh build writes, and their
    unchanged items come from the live site's files: bytes planted there (same size, time and
    inode, so the index still describes the file) show up in the next build's file. Written by
    the workers of a pooled build, or by the build's own process (`serve`'s builds)."""
    import os

    from generator import pipeline
    from generator.config import load_config

    if pooled:
        monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    config, site, seeds = load_config(project / "briefing.yml"), project / "site", project / "seeds"
    pipeline.build(config, seeds, site, project / "templates", search=False)
    seed = seeds / "004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text() + "\nThe embassy in Caracas reopened its consular section on Monday.\n")
    pipeline.build(config, seeds, site, project / "templates", search=False)
    fresh = project / "fresh"
    pipeline.build(config, seeds, fresh, project / "templates", project / "fresh-cache", search=False)
    for name in ("data/articles.json", "data/topics.json"):
        assert (site / name).read_bytes() == (fresh / name).read_bytes(), name
    live = site / "data/articles.json"
    stat, data = live.stat(), live.read_bytes()
    other = json.loads(data)["articles"][0]
    assert other["id"] != "004-66bcc8fb033b93b3" and len(other["title"]) > 8
    planted = "X" * len(other["title"].encode())
    with live.open("r+b") as file:  # in place: the same inode and size
        file.write(data.replace(json.dumps(other["title"]).encode(), f'"{planted}"'.encode(), 1))
    os.utime(live, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    seed.write_text(seed.read_text() + "\nTalks resume on Tuesday.\n")
    pipeline.build(config, seeds, site, project / "templates", search=False)
    articles = {a["id"]: a for a in json.loads(live.read_bytes())["articles"]}
    assert articles[other["id"]]["title"] == planted, "copied from the live file, not encoded again"
    assert "Talks resume on Tuesday." in articles["004-66bcc8fb033b93b3"]["paragraphs"][-1]["text"]


def test_article_pages_are_linked_while_the_points_are_made_unless_every_page_changes(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a pooled build the previous site's article pages are linked before their keys are known;
    the page of the edited article is rendered over its link, a page missing from the previous site
    is made again, and when what every page is made with changes (the site's title), none is
    linked first."""
    from generator import pipeline, render
    from generator.config import load_config

    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    early: list[list[str]] = []
    real = render._early_links
    monkeypatch.setattr(render, "_early_links",
                        lambda *a: early.append([path for path, _, _ in real(*a)]) or real(*a))
    config, site, seeds = load_config(project / "briefing.yml"), project / "site", project / "seeds"
    pipeline.build(config, seeds, site, project / "templates", search=False)
    assert early == [[]], "a first build has no page to link"
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("articles/*/index.html"))
    before = {page: (site / page).stat().st_ino for page in pages}
    seed = seeds / "004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text() + "\nThe embassy in Caracas reopened its consular section on Monday.\n")
    (site / pages[0]).unlink()
    pipeline.build(config, seeds, site, project / "templates", search=False)
    assert sorted(early[-1]) == pages
    edited = "articles/004-66bcc8fb033b93b3/index.html"
    assert "consular section on Monday" in (site / edited).read_text()
    assert (site / pages[0]).is_file()
    assert all((site / page).stat().st_ino == before[page] for page in pages[1:] if page != edited)
    config_file = project / "briefing.yml"
    config_file.write_text(config_file.read_text().replace("US–Venezuela briefing", "US–Venezuela desk"))
    pipeline.build(load_config(config_file), seeds, site, project / "templates", search=False)
    assert early[-1] == []
    assert all("US–Venezuela desk" in (site / page).read_text() for page in pages)
    fresh = project / "fresh"
    pipeline.build(load_config(config_file), seeds, fresh, project / "templates", project / "fresh-cache",
                   search=False)
    assert all((site / page).read_bytes() == (fresh / page).read_bytes() for page in pages)


def test_sweeping_the_article_folders_keeps_this_builds_pages_and_their_folders(tmp_path: Path) -> None:
    """What the spare held under articles/ and this build does not make goes, folders included,
    but a folder of one of this build's pages stays even while empty: a worker may be about to
    write its page there."""
    from generator.publish import sweep_articles

    files = {"articles/a/index.html": b"a", "articles/a/stray.txt": b"x", "articles/gone/index.html": b"g",
             "articles/gone/deeper/file.txt": b"d", "topics/oil/index.html": b"oil"}
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    (tmp_path / "articles/new").mkdir()  # made by a writer, its page not written yet
    sweep_articles(tmp_path, {"articles/a/index.html", "articles/new/index.html", "articles/b/index.html"})
    assert tree(tmp_path) == {"articles/a/index.html": b"a", "topics/oil/index.html": b"oil"}
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == ["a", "new"]


def test_the_search_index_sees_only_this_builds_article_pages_once_a_worker_swept_them(tmp_path: Path) -> None:
    """Render yields ARTICLES_SWEPT once a worker has swept the article folders of the recycled spare
    (here, the stream does it): neither the index's start nor the swap sweeps them again, and the
    index reads no page of the spare."""
    from generator.publish import ARTICLES_SWEPT, staging_dir, sweep_articles

    site = tmp_path / "site"
    publish(pages(), site)  # articles a and b
    publish(pages(), site)  # the first site becomes the spare

    def without_b():
        staging = staging_dir(site.resolve())
        assert (staging / "articles/b/index.html").is_file(), "the recycled spare"
        sweep_articles(staging, {"articles/a/index.html", "articles/c/index.html"})
        yield ARTICLES_SWEPT
        yield "articles/a/index.html", b"<p>a</p>"
        yield "articles/c/index.html", b"<p>c</p>"
        yield ARTICLE_PAGES_DONE
        yield "index.html", b"<p>home</p>"

    runs: list[RecordingIndex] = []
    count = publish(without_b(), site, RecordingIndex(runs))
    indexed = {p for p in runs[0].seen if p.startswith("articles/")}  # what Pagefind reads (search.INDEXED)
    assert indexed == {"articles/a/index.html", "articles/c/index.html"}
    assert tree(site) == {"articles/a/index.html": b"<p>a</p>", "articles/c/index.html": b"<p>c</p>",
                          "index.html": b"<p>home</p>"}
    assert count.total == 3 and not (site / "articles/b").exists()


def test_a_worker_sweeps_the_spares_article_pages_while_the_points_are_made(
        project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A pooled build in a recycled spare that holds the page of an article removed since: a worker
    sweeps the article folders at the start, and the swap's sweep leaves them alone. The site is
    what a fresh build makes, with no folder left empty."""
    import os

    from generator import pipeline, render
    from generator.config import load_config

    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    sweeps, real = tmp_path / "sweeps.log", render.sweep_articles

    def recorded(staging: Path, pages: set[str]) -> None:
        with sweeps.open("a") as log:
            log.write(f"{os.getpid()}\n")
        real(staging, pages)
    monkeypatch.setattr(render, "sweep_articles", recorded)
    config, site, seeds = load_config(project / "briefing.yml"), project / "site", project / "seeds"
    pipeline.build(config, seeds, site, project / "templates", search=False)
    gone = "articles/004-66bcc8fb033b93b3/index.html"
    assert (site / gone).is_file()
    (seeds / "004_66bcc8fb033b93b3.txt").unlink()
    pipeline.build(config, seeds, site, project / "templates", search=False)
    assert not sweeps.exists(), "no spare yet: nothing to sweep"
    pipeline.build(config, seeds, site, project / "templates", search=False, shortcut=False)
    pids = sweeps.read_text().split()
    assert len(pids) == 1 and pids[0] != str(os.getpid()), "swept once, by a worker"
    fresh = project / "fresh"
    pipeline.build(config, seeds, fresh, project / "templates", project / "fresh-cache", search=False)
    assert not (site / gone).exists() and not (site / gone).parent.exists()
    assert set(tree(site)) == set(tree(fresh))
    assert not [d for d in site.rglob("*") if d.is_dir() and not any(d.iterdir())], "no folder left empty"


def test_workers_are_limited_by_the_memory_available(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import render

    figures = {"VmRSS:": 10_000_000, "MemAvailable:": 21_000_000}  # kB: 10 GB of ours, 21 GB free
    monkeypatch.setattr(render, "_meminfo", lambda path, field: figures[field])
    assert render.workers_memory_allows(2) == 2
    figures["MemAvailable:"] = 12_000_000
    assert render.workers_memory_allows(2) == 1
    figures["MemAvailable:"] = 5_000_000
    assert render.workers_memory_allows(2) == 0
    figures["VmRSS:"] = 100_000
    assert render.workers_memory_allows(2) == 2


def test_a_render_worker_that_dies_fails_the_build_with_one_message(project: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed by the system (out of memory), a worker must not leave the build waiting forever."""
    import os
    import time

    from generator import pipeline, render
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    pipeline.build(config, project / "seeds", project / "site", project / "templates", search=False)
    before = {p.relative_to(project / "site").as_posix(): p.read_bytes() for p in (project / "site").rglob("*")
              if p.is_file()}
    parent, real = os.getpid(), render._render_one

    def dying(*args: object) -> bytes:
        if os.getpid() != parent:
            os._exit(9)
        time.sleep(0.01)  # this process renders pages too: leave the workers some to claim
        return real(*args)

    monkeypatch.setattr(render, "_render_one", dying)
    monkeypatch.setattr(render, "CHUNK", 1)
    (project / "templates/topics.html").write_text((project / "templates/topics.html").read_text() + "\n")
    with pytest.raises(BriefingError) as caught:
        pipeline.build(config, project / "seeds", project / "site", project / "templates", search=False)
    assert "worker process" in caught.value.format()
    after = {p.relative_to(project / "site").as_posix(): p.read_bytes() for p in (project / "site").rglob("*")
             if p.is_file()}
    assert after == before
    time.sleep(0.5)  # a worker still writing into the staging folder would bring it back
    assert not list(project.glob(".site.*")), "the failed build's staging folder is gone"


def test_a_first_pooled_build_makes_the_findings_data_files_here_and_a_rebuild_in_the_workers(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker making one reads the whole index and keeps a copy of it: in a first build, where the
    memory peaks, this process makes them between its steps; a rebuild's tail is shorter with them
    in the pool. Either way the files are the same as a build in one process."""
    import os

    from generator import pipeline, render
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    pipeline.build(config, project / "seeds", project / "alone", project / "templates", project / "c1", search=False)
    made_by = project / "made-by"

    def recorded(path: str, make):
        def making(site):
            with made_by.open("a") as out:  # a worker's memory is not ours: note it on disk
                out.write(f"{path} {os.getpid()}\n")
            return make(site)
        return path, making

    monkeypatch.setattr(render, "FINDINGS_DATA_FILES", tuple(recorded(*item) for item in render.FINDINGS_DATA_FILES))
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(render, "workers_memory_allows", lambda wanted: wanted)
    pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c2", search=False)
    first = dict(line.split() for line in made_by.read_text().splitlines())
    assert sorted(first) == sorted(path for path, _ in render.FINDINGS_DATA_FILES)
    assert set(first.values()) == {str(os.getpid())}
    for path in first:
        assert (project / "pooled" / path).read_bytes() == (project / "alone" / path).read_bytes(), path
    made_by.unlink()
    seed = project / "seeds/002_3ae6b94dc22afd81.txt"
    seed.write_text(seed.read_text() + "\n\u201cThe deal will stand,\u201d a spokesman for Chevron Venezuela said on Tuesday.\n")
    pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c2", search=False)
    again = dict(line.split() for line in made_by.read_text().splitlines())
    assert again and str(os.getpid()) not in again.values()


def test_a_pooled_rebuild_makes_the_entity_index_and_pages_in_a_process_of_their_own(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """They need no points, so a pooled rebuild makes them beside the rest of the assembly: once,
    not in this process, and the same files as a build that makes everything in one process. A
    site's first build makes them here, with the findings: its workers leave no core idle."""
    import os

    from generator import assemble, pipeline
    from generator.config import load_config
    from generator.entities import index_entities

    config = load_config(project / "briefing.yml")
    pipeline.build(config, project / "seeds", project / "alone", project / "templates", project / "c1", search=False)
    pids = project / "indexed-by"

    def recorded(*args: object, **kwargs: object) -> object:
        with pids.open("a") as out:  # the side process's memory is not ours: note it on disk
            out.write(f"{os.getpid()}\n")
        return index_entities(*args, **kwargs)

    monkeypatch.setattr(assemble, "index_entities", recorded)
    threshold = pipeline.POOL_THRESHOLD
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c2", search=False)
    assert pids.read_text().split() == [str(os.getpid())]  # the first build: here, with the findings
    pids.unlink()
    seed = project / "seeds/002_3ae6b94dc22afd81.txt"
    seed.write_text(seed.read_text() + "\nA spokesman for Chevron Venezuela said the deal would stand.\n")
    pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c2", search=False)
    indexed_by = pids.read_text().split()
    assert len(indexed_by) == 1 and indexed_by != [str(os.getpid())]  # a rebuild: beside the assembly
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", threshold)
    pipeline.build(config, project / "seeds", project / "alone", project / "templates", project / "c1", search=False)

    def entity_files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and (p.relative_to(root).parts[0] == "entities" or p.name == "entities.json")}

    pooled = entity_files(project / "pooled")
    assert len(pooled) > 10 and pooled == entity_files(project / "alone")
    sitemap = (project / "pooled/sitemap.xml").read_text()
    assert all(f"/{path.removesuffix('index.html')}<" in sitemap for path in pooled if path.endswith(".html"))

    # Unchanged names: the pages are kept, and no process indexes them again.
    pids.unlink()
    seed = project / "seeds/004_66bcc8fb033b93b3.txt"
    seed.write_text(seed.read_text().replace("Observers are cautious but hopeful", "Observers are wary but hopeful"))
    result = pipeline.build(config, project / "seeds", project / "pooled", project / "templates", project / "c2",
                            search=False)
    assert not pids.exists() and result.pages.reused >= len(pooled)
    assert entity_files(project / "pooled") == pooled


def test_the_side_process_dies_with_a_killed_build(tmp_path: Path) -> None:
    """A build killed mid-way (by a scheduler, out of memory) must not leave its side process
    writing entity pages into a staging folder that the next build clears."""
    script = (
        "import functools, os, sys, time\n"
        "from generator.render import SideProcess\n"
        "side = SideProcess(functools.partial(time.sleep, 60))\n"
        "print(side.process.pid, flush=True)\n"
        "time.sleep(60)\n")
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    side = int(build.stdout.readline())
    assert _alive(side)
    build.send_signal(signal.SIGKILL)
    build.wait(10)
    deadline = time.monotonic() + 10
    while _alive(side) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(side), "the side process outlived the build"


def test_a_template_error_on_an_entity_page_of_a_pooled_build_names_the_template(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Raised in the process that makes the entity pages, it must come back as one message naming
    the template and line, with the previous site left as it was."""
    from generator import pipeline
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    site = project / "site"
    pipeline.build(config, project / "seeds", site, project / "templates", search=False)
    before = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    template = project / "templates/entity.html"
    lines = template.read_text().splitlines()
    lines.insert(7, "{{ entity.no_such_field }}")
    template.write_text("\n".join(lines) + "\n")
    with pytest.raises(BriefingError) as caught:
        pipeline.build(config, project / "seeds", site, project / "templates", search=False)
    message = caught.value.format()
    assert "entity.html" in message and ":8" in message and "no_such_field" in message
    assert {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    time.sleep(0.5)
    assert not list(project.glob(".site.*")), "the failed build's staging folder is gone"


def test_shards_cover_every_article_page_once_and_change_key_only_when_a_page_is_written(tmp_path: Path) -> None:
    assert [search.shard_count(n, 2) for n in (0, 2, 3, 5, 9)] == [1, 1, 2, 4, 8]
    split = search.SPLIT_FROM
    assert [search.shard_count(n, 2000) for n in (split - 1, split, 2000, 4001)] == [1, 2, 2, 4]
    for n in range(5):
        page = tmp_path / f"articles/a{n}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>{n}</p>")
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics/index.html").write_text("<p>not indexed</p>")
    shards = search.plan_shards(tmp_path, 2)
    pages = [p for s in shards for p in s.pages]
    assert sorted(pages) == [f"articles/a{n}/index.html" for n in range(5)] and len(shards) >= 2
    assert search.plan_shards(tmp_path, 2) == shards, "the same files, the same shards and keys"
    rewritten = tmp_path / shards[0].pages[0]
    rewritten.unlink()
    rewritten.write_text("<p>new</p>")
    again = {s.name: s.key for s in search.plan_shards(tmp_path, 2)}
    assert [s.name for s in shards if again[s.name] != s.key] == [shards[0].name]
    assert [s.pages for s in search.plan_shards(tmp_path / "empty", 2)] == [()], "no pages: one empty shard"


def test_this_process_renders_pages_from_the_end_while_a_worker_takes_them_from_the_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page is made once, by whoever claims its chunk first, and the marker follows the last
    article page wherever it was made."""
    import os
    import time

    from generator import render
    from generator.publish import ARTICLE_PAGES_DONE

    here, made_here = os.getpid(), []

    def render_one(env, site, path, template, context, shared):
        if os.getpid() == here:
            made_here.append(path)
        else:
            time.sleep(0.05)  # a slow worker: this process must take some of its pages
        return path.encode()

    monkeypatch.setattr(render, "_render_one", render_one)
    monkeypatch.setattr(render, "CHUNK", 2)
    monkeypatch.setattr(render, "workers_memory_allows", lambda wanted: wanted)
    jobs = [(f"p{i}", "t.html", {}) for i in range(30)]

    def meanwhile():
        time.sleep(0.5)  # this process's own work: the worker starts from the first chunk
        yield None

    out = list(render._make_pages(jobs, None, None, {}, 1, meanwhile=meanwhile(), marker_after=5))
    pages = [page for page in out if page != ARTICLE_PAGES_DONE]
    assert sorted(pages) == sorted((f"p{i}", f"p{i}".encode()) for i in range(30))
    assert made_here and "p29" in made_here and "p0" not in made_here
    assert out.count(ARTICLE_PAGES_DONE) == 1
    done = out.index(ARTICLE_PAGES_DONE)
    assert {f"p{i}" for i in range(5)} <= {path for path, _ in out[:done]}


def test_workers_step_back_while_this_process_computes_what_the_rest_waits_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With `yielding`, the pages the worker makes come from a process of lower priority; this
    process keeps its own."""
    import os
    import time

    from generator import render

    monkeypatch.setattr(render, "_render_one", lambda env, site, path, template, context, shared:
                        f"{os.getpid()} {os.nice(0)}".encode())
    monkeypatch.setattr(render, "CHUNK", 1)
    monkeypatch.setattr(render, "workers_memory_allows", lambda wanted: wanted)
    here = (os.getpid(), os.nice(0))

    def meanwhile():
        time.sleep(0.3)
        yield None

    for yielding, step in ((True, render.WORKER_NICENESS), (False, 0)):
        jobs = [(f"p{i}", "t.html", {}) for i in range(6)]
        made = [tuple(map(int, page[1].split())) for page in
                render._make_pages(jobs, None, None, {}, 1, meanwhile=meanwhile(), yielding=yielding)]
        by_worker = {nice for pid, nice in made if pid != here[0]}
        assert by_worker == {min(here[1] + step, 19)}, (yielding, made)
        assert {nice for pid, nice in made if pid == here[0]} <= {here[1]}
    assert os.nice(0) == here[1], "this process's own priority is unchanged"


def test_when_memory_is_short_the_findings_are_computed_beside_one_worker_fewer(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Room for two copies of this process: the pages listing articles are rendered by one worker
    while this process finishes assembling the site, the next pages by one worker while it computes
    the findings (each counts as a copy), the findings' pages by two."""
    from generator import pipeline, render
    from generator.config import load_config

    config = load_config(project / "briefing.yml")
    monkeypatch.setattr(pipeline, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(render, "workers_memory_allows", lambda wanted: min(wanted, 2))
    asked, make_pages = [], render._make_pages

    def recording(jobs, env, site, shared, forks, **kwargs):
        asked.append(forks)
        return make_pages(jobs, env, site, shared, forks, **kwargs)

    monkeypatch.setattr(render, "_make_pages", recording)
    pipeline.build(config, project / "seeds", project / "site", project / "templates", project / "c", search=False)
    assert asked == [1, 1, 2]
