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
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.problems import BriefingError

DEBOUNCE_SECONDS = 0.2
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
    if (epoch !== null && state.epoch !== epoch) { location.reload(); }
    epoch = state.epoch;
  };
})();
"""


class BuildState:
    """The latest build's epoch and error, shared with the request threads."""

    def __init__(self) -> None:
        self.epoch = 0
        self.error: str | None = None
        self.changed = threading.Condition()

    def publish(self, error: str | None) -> None:
        with self.changed:
            if error is None:
                self.epoch += 1
            self.error = error
            self.changed.notify_all()

    def message(self) -> bytes:
        return f"data: {json.dumps({'epoch': self.epoch, 'error': self.error})}\n\n".encode()


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
                return self._send(404, "text/html; charset=utf-8", (root / "404.html").read_bytes())
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
                    if current != seen:
                        self.wfile.write(state.message())
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


def watch(paths: list[Path], on_change: Callable[[], None]) -> object:
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
                on_change()

    observer = Observer()
    for path in paths:
        if path.is_dir():
            observer.schedule(Dirty(), str(path), recursive=True)
        elif path.exists():
            observer.schedule(Dirty(path.resolve()), str(path.resolve().parent), recursive=False)
    observer.start()
    return observer


def serve(rebuild: Callable[[], None], root: Path, watched: list[Path], host: str, port: int,
          after: Callable[[], None] | None = None) -> None:
    """Run until Ctrl-C. `rebuild` raises BriefingError on a user error; `after` (the search
    index) runs once the new pages are live, so it never delays the reload."""
    state = BuildState()
    server = observer = None
    try:
        _run_build(rebuild, state, None)
        server = start_server(root, host, port, state)
        print(f"serving {root} on http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
        dirty = threading.Event()
        observer = watch(watched, dirty.set)
        if after:
            after()
        while True:
            dirty.wait()
            while dirty.is_set():
                dirty.clear()
                time.sleep(DEBOUNCE_SECONDS)
            _run_build(rebuild, state, after)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        if observer is not None:
            observer.stop()  # type: ignore[attr-defined]
        if server is not None:
            server.shutdown()


def _run_build(rebuild: Callable[[], None], state: BuildState, after: Callable[[], None] | None) -> None:
    started = time.perf_counter()
    try:
        rebuild()
    except BriefingError as exc:
        print(exc.format(), file=sys.stderr, flush=True)
        state.publish(exc.format())
        return
    print(f"rebuilt in {time.perf_counter() - started:.2f} s", flush=True)
    state.publish(None)
    if after:
        try:
            after()
        except BriefingError as exc:
            print(exc.format(), file=sys.stderr, flush=True)
