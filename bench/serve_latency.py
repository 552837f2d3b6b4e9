"""How long an edit takes to reach the browser under `briefing serve`.

    python bench/serve_latency.py [--corpus DIR] [--edits 5]

Starts `briefing serve --port 0` on a copy of the project (seeds, or a corpus from
bench/corpus.py), listens to the live-reload event stream like the browser's script
does, appends a sentence to one article, and times file write -> reload event. The
figure excludes the browser's own page load (a few ms on localhost).
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copy(ROOT / "briefing.yml", project)
        shutil.copytree(ROOT / "templates", project / "templates")
        shutil.copytree(args.corpus or ROOT / "seeds", project / "seeds")
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"], cwd=project,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert server.stdout is not None
        port = None
        while port is None:
            match = re.search(r"127\.0\.0\.1:(\d+)/", server.stdout.readline())
            port = int(match.group(1)) if match else None
        first_build = time.perf_counter() - started
        seen: list[tuple[float, dict[str, object]]] = []
        threading.Thread(target=events, args=(port, seen), daemon=True).start()
        time.sleep(3)  # let the search index that follows the first build finish
        target = sorted((project / "seeds").iterdir())[len(list((project / "seeds").iterdir())) // 2]
        latencies = []
        for edit in range(args.edits):
            before = len(seen)
            written = time.perf_counter()
            target.write_text(target.read_text() + f"\n\nA sentence added by edit {edit}.\n")
            while len(seen) == before or seen[-1][1].get("error"):
                time.sleep(0.005)
            latencies.append(seen[-1][0] - written)
            time.sleep(3)
        server.send_signal(signal.SIGINT)
        server.wait(30)
    corpus = args.corpus.name if args.corpus else "seeds"
    print(f"corpus {corpus}: first build and serve {first_build:.1f} s; edit -> reload event over "
          f"{args.edits} edits: median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
          f"(includes the {int(1000 * 0.2)} ms debounce)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
