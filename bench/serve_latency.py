"""How long an edit takes to reach the browser under `briefing serve`.

    python bench/serve_latency.py [--corpus DIR] [--edits 5]

Starts `briefing serve --port 0` on a copy of the project (seeds, or a corpus from
bench/corpus.py; with --after-build, on the site `briefing build` made of it), listens to the live-reload event stream like the browser's script
does, appends a sentence to one article, and times file write -> the reload event for
that article's page (the quick pass), and file write -> the full rebuild being live. The
figures exclude the browser's own page load (a few ms on localhost).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def events(port: int, sink: list[tuple[float, dict[str, object]]]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", "/__briefing/events")
    response = connection.getresponse()
    while True:
        line = response.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            sink.append((time.perf_counter(), json.loads(line[6:])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="folder of articles (default: seeds/)")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="echo the server's output")
    parser.add_argument("--after-build", action="store_true",
                        help="run `briefing build` first (not timed), as `make build` then `make serve` would")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copy(ROOT / "briefing.yml", project)
        shutil.copytree(ROOT / "templates", project / "templates")
        shutil.copytree(args.corpus or ROOT / "seeds", project / "seeds")
        if args.after_build:
            subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project, check=True,
                           capture_output=True)
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=project,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert server.stdout is not None
        port = None
        while port is None:
            match = re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline())
            port = int(match.group(1)) if match else None
        first_build = time.perf_counter() - started
        rebuilt: list[float] = []
        threading.Thread(target=lines, args=(server.stdout, rebuilt), daemon=True).start()
        seen: list[tuple[float, dict[str, object]]] = []
        threading.Thread(target=events, args=(port, seen), daemon=True).start()
        time.sleep(3)  # let the search index that follows the first build start
        inputs = sorted((project / "seeds").iterdir())
        target = inputs[len(inputs) // 2]
        page = article_page(project, target)
        quick, full = [], []
        for edit in range(args.edits):
            before, builds = len(seen), len(rebuilt)
            written = time.perf_counter()
            target.write_text(target.read_text() + f"\n\nA sentence added by edit {edit}.\n")
            shown = wait_for(lambda: next((t for t, state in seen[before:] if not state.get("error") and (
                state.get("pages") is None or page in state["pages"])), None))
            done = wait_for(lambda: rebuilt[builds] if len(rebuilt) > builds else None)
            quick.append(shown - written)
            full.append(done - written)
            time.sleep(1)
        server.send_signal(signal.SIGINT)
        server.wait(30)
    corpus = args.corpus.name if args.corpus else "seeds"
    start = "serve on the built site" if args.after_build else "first build and serve"
    print(f"corpus {corpus}: {start} {first_build:.1f} s; over {args.edits} edits "
          f"(each includes the {int(1000 * 0.2)} ms debounce): edit -> reload of the edited article's "
          f"page median {statistics.median(quick):.2f} s, max {max(quick):.2f} s; edit -> full rebuild "
          f"live (every page consistent) median {statistics.median(full):.2f} s, max {max(full):.2f} s")
    return 0


def lines(stream, rebuilt: list[float]) -> None:  # type: ignore[no-untyped-def]
    """Drain the server's output (a full pipe would stall it) and note each full rebuild."""
    for line in stream:
        if "--verbose" in sys.argv:
            print("  serve:", line.rstrip(), flush=True)
        if line.startswith("rebuilt in"):
            rebuilt.append(time.perf_counter())


def wait_for(value):  # type: ignore[no-untyped-def]
    while (found := value()) is None:
        time.sleep(0.005)
    return found


def article_page(project: Path, source: Path) -> str:
    """The edited file's page, from the site's own data file."""
    data = json.loads((project / "site/data/articles.json").read_text())
    wanted = f"seeds/{source.name}"
    return next(f"articles/{a['id']}/index.html" for a in data["articles"] if a["source_path"] == wanted)


if __name__ == "__main__":
    raise SystemExit(main())
