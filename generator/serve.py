"""`briefing serve`: build, serve the site, rebuild on edits, reload the open tab.

Watchdog events only mark the build dirty; a loop waits until edits settle
(watchdog sends several events per save), rebuilds, and on failure keeps
serving the last good site and shows the error in the browser. Browsers learn
of a new build through a small Server-Sent-Events endpoint; the script that
listens is injected into pages by this server only, never into the published site.
"""

from __future__ import annotations

import errno
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.problems import BriefingError

T = TypeVar("T")
DEBOUNCE_SECONDS = 0.2
LOG_SIZE = 50
MAX_LISTED = 2000
EVENTS_PATH = "/__briefing/events"
SCRIPT_PATH = "/__briefing/reload.js"
RELOAD_JS = b"""(function () {
  var source = new EventSource("/__briefing/events");
  var epoch = null;
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    var box = document.getElementById("briefing-error");
    if (state.error) {
      if (!box) {
        box = document.createElement("pre");
        box.id = "briefing-error";
        box.setAttribute("role", "alert");
        box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;margin:0;" +
          "padding:1rem;background:#7f1d1d;color:#fff;font:14px/1.4 monospace;z-index:99999;white-space:pre-wrap";
        document.body.appendChild(box);
      }
      box.textContent = "Build failed; showing the last good site.\\n\\n" + state.error;
      return;
    }
    if (box) { box.remove(); }
    var here = decodeURIComponent(location.pathname).replace(/^\\//, "");
    if (here === "" || here.slice(-1) === "/") { here += "index.html"; }
    if (epoch !== null && state.epoch !== epoch && (state.pages === null || state.pages.indexOf(here) >= 0)) {
      location.reload();
    }
    epoch = state.epoch;
  };
})();
"""


class BuildState:
    """The latest build's epoch, error and changed pages, shared with the request threads."""

    def __init__(self) -> None:
        self.epoch = 0
        self.error: str | None = None
        self.log: list[tuple[int, tuple[str, ...] | None]] = []
        """Recent epochs and the pages each changed (None: too many to list)."""
        self.changed = threading.Condition()

    def publish(self, error: str | None, pages: tuple[str, ...] | None = None) -> None:
        with self.changed:
            if error is None:
                self.epoch += 1
                self.log = [*self.log[-(LOG_SIZE - 1):],
                            (self.epoch, pages if pages is None or len(pages) <= MAX_LISTED else None)]
            self.error = error
            self.changed.notify_all()

    def pages_since(self, epoch: int | None) -> list[str] | None:
        """What changed after `epoch`, so an open tab reloads only when its own page did."""
        later = [pages for e, pages in self.log if epoch is not None and e > epoch]
        if epoch is None or len(later) != self.epoch - epoch or any(p is None for p in later):
            return None
        return sorted({page for pages in later for page in pages or ()})

    def message(self, since: int | None) -> bytes:
        state = {"epoch": self.epoch, "error": self.error, "pages": self.pages_since(since)}
        return f"data: {json.dumps(state)}\n\n".encode()


def handler_class(root: Path, state: BuildState) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_GET(self) -> None:  # noqa: N802
            if self.path == EVENTS_PATH:
                return self._events()
            if self.path == SCRIPT_PATH:
                return self._send(200, "text/javascript", RELOAD_JS)
            path = Path(self.translate_path(self.path))
            if path.is_dir() and (path / "index.html").is_file() and self.path.endswith("/"):
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                html = path.read_bytes().replace(
                    b"</body>", f'<script src="{SCRIPT_PATH}"></script></body>'.encode(), 1)
                return self._send(200, "text/html; charset=utf-8", html)
            if not path.exists() and (root / "404.html").is_file():
                # The page's links start from the site's root on the host (site.base_url); here
                # the site is served at /.
                page = BASE_HREF.sub(b'<base href="/">', (root / "404.html").read_bytes(), count=1)
                return self._send(404, "text/html; charset=utf-8", page)
            return super().do_GET()

        def _send(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = None
            try:
                while True:
                    with state.changed:
                        current = (state.epoch, state.error)
                        if current == seen:
                            state.changed.wait(timeout=15)
                            current = (state.epoch, state.error)
                        message = state.message(seen[0] if seen else None) if current != seen else None
                    if message:
                        self.wfile.write(message)
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    seen = current
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def start_server(root: Path, host: str, port: int, state: BuildState) -> ThreadingHTTPServer:
    handler = partial(handler_class(root, state), directory=str(root))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise BriefingError(f"port {port} on {host} is already in use", "briefing serve",
                                hint="stop the other server, pass --port N, or --port 0 for a free one") from None
        raise BriefingError(f"cannot listen on {host}:{port}: {exc.strerror}", "briefing serve") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def watch(paths: list[Path], on_change: Callable[[Path], None]) -> object:
    """Folders are watched whole; a single file (briefing.yml) only for itself, so the staging
    folders and lock a build creates beside it do not trigger another build."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    class Dirty(FileSystemEventHandler):
        def __init__(self, only: Path | None = None) -> None:
            self.only = only

        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            touched = {Path(str(event.src_path)).resolve(), Path(str(getattr(event, "dest_path", "") or
                                                                  event.src_path)).resolve()}
            if self.only is None or self.only in touched:
                for path in touched:
                    on_change(path)

    observer = Observer()
    for path in paths:
        if path.is_dir():
            observer.schedule(Dirty(), str(path), recursive=True)
        elif path.exists():
            observer.schedule(Dirty(path.resolve()), str(path.resolve().parent), recursive=False)
    observer.start()
    return observer


BASE_HREF = re.compile(rb'<base href="[^"]*">')


class Edits:
    """Paths touched since the last look, handed out once edits have settled: watchdog sends
    several events per save, and editors save several files at once."""

    def __init__(self) -> None:
        self.paths: set[Path] = set()
        self.last = 0.0
        self.changed = threading.Condition()

    def add(self, path: Path) -> None:
        with self.changed:
            self.paths.add(path)
            self.last = time.monotonic()
            self.changed.notify_all()

    def settled(self, stopping: threading.Event | None = None) -> set[Path]:
        """Raises KeyboardInterrupt once `stopping` is set (see `stop_on_signals`)."""
        with self.changed:
            while not self.paths or time.monotonic() - self.last < DEBOUNCE_SECONDS:
                if stopping is not None and stopping.is_set():
                    raise KeyboardInterrupt
                self.changed.wait(DEBOUNCE_SECONDS if self.paths else 1.0)
            paths, self.paths = self.paths, set()
            return paths


@contextmanager
def stop_on_signals(stopping: threading.Event) -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the server, even when the KeyboardInterrupt they raise is
    lost: raised while this thread runs a finaliser or a weakref callback (seen: the import
    system's module-lock callback, as watchdog is imported), Python prints "Exception ignored" and
    carries on, and `serve` went on serving (3 shutdowns in 150 in a loop). The flag they set
    stays, and the edit loop, waking every second, raises again."""
    def stop(signum: int, frame: object) -> None:
        stopping.set()
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class FullBuilds(threading.Thread):
    """Complete rebuilds, one after another, off the edit loop, so the quick pass for a new
    edit never waits for a full build of the previous one."""

    def __init__(self, full: Callable[[], tuple[str, ...]], quick: Callable[[set[Path]], tuple[str, ...]],
                 after: Callable[[], None], state: BuildState, stop_after: Callable[[], None] = lambda: None) -> None:
        super().__init__(daemon=True)
        self.full, self.quick, self.after, self.state = full, quick, after, state
        self.stop_after = stop_after
        self.pending: set[Path] = set()
        self.wanted = False
        self.requests = threading.Condition()

    def request(self, touched: set[Path]) -> None:
        with self.requests:
            self.pending |= touched
            self.wanted = True
            self.requests.notify_all()
        self.stop_after()  # a search index of the pages before this edit: not worth waiting for

    def run(self) -> None:
        _quietly(self.after)
        while True:
            with self.requests:
                while not self.wanted:
                    self.requests.wait()
                self.wanted, self.pending = False, set()
            pages = _full_build(self.full, self.state)
            if pages is None:
                continue
            with self.requests:
                late, busy = set(self.pending), self.wanted
            if late:
                # Edits that arrived during the build were put live by their quick pass, and the
                # swap just replaced those pages with older ones: put them back for the next build.
                pages += _quietly(lambda: self.quick(late)) or ()
            self.state.publish(None, pages)
            if not busy:
                _quietly(self.after)


def serve(full: Callable[[], tuple[str, ...]], quick: Callable[[set[Path]], tuple[str, ...]],
          after: Callable[[], None], root: Path, watched: list[Path], host: str, port: int,
          stop_after: Callable[[], None] = lambda: None) -> None:
    """Run until Ctrl-C. `full` builds everything and returns the pages that changed, raising
    BriefingError on a user error; `quick` puts edited articles' pages live at once; `after`
    (search index, cache file) runs once new pages are live, so it never delays a reload, and
    `stop_after` cuts it short when a new edit makes it stale."""
    state = BuildState()
    server = observer = None
    stopping = threading.Event()
    with stop_on_signals(stopping):
        try:
            first = _full_build(full, state)
            if first is not None:
                state.publish(None, first)
            server = start_server(root, host, port, state)
            print(f"serving {root} on http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
            edits = Edits()
            observer = watch(watched, edits.add)
            builds = FullBuilds(full, quick, after, state, stop_after)
            builds.start()
            while True:
                touched = edits.settled(stopping)
                started = time.perf_counter()
                pages = _quietly(lambda: quick(touched), state)
                if pages:
                    print(f"updated {len(pages)} article page(s) in {time.perf_counter() - started:.2f} s; "
                          "rebuilding the rest", flush=True)
                    state.publish(None, pages)
                builds.request(touched)
        except KeyboardInterrupt:
            print("\nstopped", flush=True)
        finally:
            if observer is not None:
                observer.stop()  # type: ignore[attr-defined]
            if server is not None:
                server.shutdown()


def _full_build(full: Callable[[], tuple[str, ...]], state: BuildState) -> tuple[str, ...] | None:
    started = time.perf_counter()
    try:
        pages = full()
    except BriefingError as exc:
        print(exc.format(), file=sys.stderr, flush=True)
        state.publish(exc.format())
        return None
    print(f"rebuilt in {time.perf_counter() - started:.2f} s", flush=True)
    return pages


def _quietly(step: Callable[[], T], state: BuildState | None = None) -> T | None:
    """A user error in a step that is not the build prints (and shows, given `state`) and moves on."""
    try:
        return step()
    except BriefingError as exc:
        print(exc.format(), file=sys.stderr, flush=True)
        if state is not None:
            state.publish(exc.format())
        return None
