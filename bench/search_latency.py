"""How long a search takes in the browser, for sites whose index is in more or fewer shards.

    python bench/search_latency.py SITE_DIR [SITE_DIR ...]

Serves each built site on 127.0.0.1, opens its search page in headless chromium (Debian's,
through Playwright), types each of a few words and times typing -> the first result on screen.
Also counts the requests and bytes a search costs. To compare shard sizes, build the same corpus
with different `site.search_shard_size`, or index a built site again into its `pagefind/`:

    python -c "from pathlib import Path; from generator.search import SearchIndexing; \
        SearchIndexing(Path('SITE'), shard_size=100000).finish()"
"""

from __future__ import annotations

import argparse
import functools
import statistics
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
WORDS = ["Maduro", "bauxite", "refinery", "embassy", "indictment"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def measure(browser: Browser, root: str) -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/"
    firsts, counts, kilobytes = [], [], []
    try:
        for word in WORDS:
            context = browser.new_context()
            page = context.new_page()
            done: list[Any] = []
            page.on("requestfinished", lambda request: done.append(request))
            page.goto(url, wait_until="networkidle")
            box = page.locator(".pagefind-ui__search-input")
            box.wait_for()
            before = len(done)
            started = time.perf_counter()
            box.fill(word)
            page.locator(".pagefind-ui__result-link").first.wait_for()
            firsts.append(time.perf_counter() - started)
            page.wait_for_load_state("networkidle")
            counts.append(len(done) - before)
            kilobytes.append(sum(r.sizes()["responseBodySize"] or 0 for r in done[before:]) / 1024)
            context.close()
    finally:
        server.shutdown()
    return (f"{root}: first result median {statistics.median(firsts) * 1000:.0f} ms "
            f"(max {max(firsts) * 1000:.0f}); a search fetched {statistics.median(counts):.0f} files, "
            f"{statistics.median(kilobytes):.0f} KB (medians over {len(WORDS)} words)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", help="built site folders (with their search index)")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for root in args.sites:
                print(measure(browser, root), flush=True)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
