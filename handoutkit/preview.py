"""`handouts preview`: the handout as it will print, rebuilt on every save.

A small web server on 127.0.0.1 shows a page that embeds the rendered PDF, so the browser
shows it paged, in the chosen paper and theme, exactly as it prints. A background thread
watches the files the target can use (its own folder, the library folders, templates and
styles) and rebuilds through the same pipeline as `build`; the PDF stays in memory and
nothing is written to disk. The page polls ``/status`` and reloads the PDF when it
changes; a build error shows above the last good PDF until the file is fixed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys
import threading
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .browser import open_in_background
from .build import is_id
from .errors import HandoutkitError, UsageError
from .library import SUFFIXES, Library
from .localserver import HEADERS, HOST, host_ok, new_secret, route, url
from .settings import Settings
from .terminal import visible

POLL_MS = 700
# Files whose change can change the PDF; anything else in a watched folder is ignored.
WATCHED_SUFFIXES = frozenset({
    *SUFFIXES, ".j2", ".jinja", ".html", ".css",
    ".woff", ".woff2", ".ttf", ".otf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp",
})


@dataclass(frozen=True)
class Snapshot:
    version: int  # goes up after every rebuild, good or bad
    error: str | None  # the last rebuild's messages, or None when it worked
    pdf: bytes | None  # the last good PDF
    pdf_version: int | None  # the version that made it
    building: bool
    name: str  # the file name `build` would use
    pages: int = 0  # the last good PDF's


def tell(s: Snapshot, done: str = "rebuilt") -> None:
    """The terminal's line for a build: its time and pages, or its error. Never the client's
    name, which only the page shows."""
    when = dt.datetime.now().strftime("%H:%M:%S")
    if s.error is None:
        print(f"{done} {when}, {s.pages} page{'s' if s.pages != 1 else ''}", flush=True)
    else:
        print(visible(f"error {when}:\n{s.error}"), file=sys.stderr, flush=True)


class Preview:
    """The target's latest build and the threads that keep it fresh."""

    def __init__(self, target: str, library: Library, flags: dict[str, Any], base: Settings | None = None):
        self.target = target
        self.library = library
        self.flags = flags
        self.base = base or Settings()
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        self._state = Snapshot(0, None, None, None, False, "document.pdf")
        self.watching = threading.Event()
        self._watcher: threading.Thread | None = None
        self._build_lock = threading.Lock()  # one rebuild at a time: the start and the watcher

    # --- building ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._state

    def rebuild(self, *, startup: bool = False) -> None:
        """Build the target once; a usage error at startup stops the command (exit 2)."""
        with self._build_lock:
            self._rebuild(startup)

    def _rebuild(self, startup: bool) -> None:
        from .build import plan, render_job
        from .render import TemplateProblem

        with self._lock:
            self._state = replace(self._state, building=True)
        pdf, name, error, pages = None, None, None, 0
        try:
            library = self.library.forgetting()  # files may have changed since the last build
            [job] = plan([self.target], library, base=self.base, flags=self.flags)
            rendered = render_job(job, library).rendered
            pdf, name, pages = rendered.pdf, job.output_name, rendered.pages
        except HandoutkitError as exc:
            if startup and isinstance(exc, (UsageError, TemplateProblem)):
                raise  # an unknown id, a bad flag, a broken page template: stop here, like `build`
            error = "\n".join(exc.messages())
        except Exception as exc:  # the preview must outlive a bug: show it, keep serving
            error = f"internal error: {type(exc).__name__}: {exc}"
        with self._lock:
            s = self._state
            version = s.version + 1
            if error is None:
                self._state = Snapshot(version, None, pdf, version, False, name or s.name, pages)
            else:
                self._state = Snapshot(version, error, s.pdf, s.pdf_version, False, s.name, s.pages)
            latest = self._state
        if not startup:  # the first build is told once its address is printed
            tell(latest)

    # --- watching ---------------------------------------------------------------

    def watched_folders(self) -> list[Path]:
        """The target's folder, the library folders, templates and styles; none inside another."""
        folders = [*self.library.folders, *self.library.template_dirs, *self.library.style_dirs]
        if not is_id(self.target):
            folders.insert(0, Path(self.target).resolve().parent)
        unique = sorted({f.resolve() for f in folders if f.is_dir()}, key=lambda p: len(p.parts))
        kept: list[Path] = []
        for folder in unique:
            if not any(folder.is_relative_to(k) for k in kept):
                kept.append(folder)
        return kept

    def _watch(self) -> None:
        import watchfiles

        folders = self.watched_folders()
        for recursive in (True, False):  # not recursive: too many subfolders for the system's limit
            try:
                for changes in watchfiles.watch(
                    *folders, watch_filter=_relevant, stop_event=self.stop_event, recursive=recursive,
                    rust_timeout=200, yield_on_timeout=True, raise_interrupt=False,
                ):
                    self.watching.set()  # the first yield, even an empty one: the folders are watched
                    if changes and not self.stop_event.is_set():
                        self.rebuild()
                return
            except OSError:
                continue
        self.watching.set()  # cannot watch at all: do not keep the start waiting; the page still works

    def start_watching(self) -> None:
        self._watcher = threading.Thread(target=self._watch, name="handouts-preview-watch", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)


def _relevant(change: Any, path: str) -> bool:
    name = Path(path).name
    return not name.startswith(".") and Path(name).suffix.lower() in WATCHED_SUFFIXES


# --- the web page ------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preview: __TARGET__</title>
<style>
  html, body { margin: 0; height: 100%; font: 16px/1.4 system-ui, sans-serif; background: #525659; }
  body { display: flex; flex-direction: column; }
  #error { display: none; margin: 0; padding: 0.75em 1em; background: #fde8e8; color: #7a0c0c;
           border-bottom: 3px solid #c81e1e; white-space: pre-wrap; overflow: auto; max-height: 40vh;
           font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  #error.shown { display: block; }
  #error strong { font-family: system-ui, sans-serif; display: block; margin-bottom: 0.25em; }
  #note { position: fixed; right: 0.75em; bottom: 0.75em; padding: 0.2em 0.6em; border-radius: 0.3em;
          background: rgba(0,0,0,0.65); color: #fff; font-size: 13px; display: none; }
  #note.shown { display: block; }
  #document { flex: 1; width: 100%; border: 0; background: #fff; }
  #document.none { display: none; }
</style>
</head>
<body>
<div id="error" role="alert" class="__ERROR_CLASS__"><strong>Something needs fixing. Fix the file and save: the preview updates by itself.</strong><span id="error-text">__ERROR__</span></div>
<iframe id="document" class="__FRAME_CLASS__" title="The handout as it will print" src="__SRC__"></iframe>
<div id="note" aria-live="polite"></div>
<script>
(function () {
  "use strict";
  var shownVersion = __VERSION__, shownPdf = __PDF_VERSION__;
  var frame = document.getElementById("document");
  var banner = document.getElementById("error");
  var errorText = document.getElementById("error-text");
  var note = document.getElementById("note");
  function say(text) { note.textContent = text; note.className = text ? "shown" : ""; }
  // The reader's page, kept across reloads as the #page=N that built-in PDF viewers honour.
  // Browsers' own viewers do not tell the page they show to the page around them; where
  // one puts it in its address (or the reader typed it there), it is read from there.
  var readerPage = 1;
  function currentPage() {
    try {
      var m = /(?:^#|[#&])page=(\\d+)/.exec(frame.contentWindow.location.hash);
      if (m) { readerPage = parseInt(m[1], 10); }
    } catch (e) { /* a viewer of another origin: keep the last page known */ }
    return readerPage;
  }
  function poll() {
    fetch("status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      say(s.building ? "Updating\\u2026" : "");
      if (s.version === shownVersion) { return; }
      shownVersion = s.version;
      errorText.textContent = s.error || "";
      banner.className = s.error ? "shown" : "";
      if (s.pdf !== null && s.pdf !== shownPdf) {
        shownPdf = s.pdf;
        frame.className = "";
        frame.src = "document.pdf?v=" + s.pdf + "#page=" + currentPage();
      }
    }).catch(function () {
      say("The preview has stopped. Run handouts preview again to restart it.");
    });
  }
  setInterval(poll, __POLL_MS__);
})();
</script>
</body>
</html>
"""


def page(target: str, s: Snapshot) -> str:
    values = {
        "__TARGET__": html.escape(target),
        "__ERROR_CLASS__": "shown" if s.error else "",
        "__ERROR__": html.escape(s.error or ""),
        "__FRAME_CLASS__": "" if s.pdf is not None else "none",
        "__SRC__": f"document.pdf?v={s.pdf_version}" if s.pdf is not None else "about:blank",
        "__VERSION__": str(s.version),
        "__PDF_VERSION__": json.dumps(s.pdf_version),
        "__POLL_MS__": str(POLL_MS),
    }
    out = PAGE
    for key, value in values.items():
        out = out.replace(key, value)
    return out


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # no request log: the terminal stays for the URL and errors

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        route_ = route(self.path, self.server.secret)
        if not host_ok(self.headers.get("Host"), self.server.server_address[1]) or route_ is None:
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain; charset=utf-8")
            return
        preview = self.server.preview
        s = preview.snapshot()
        if route_ == "/":
            self._send(HTTPStatus.OK, page(preview.target, s).encode("utf-8"), "text/html; charset=utf-8")
        elif route_ == "/status":
            body = json.dumps({"version": s.version, "error": s.error, "pdf": s.pdf_version, "building": s.building})
            self._send(HTTPStatus.OK, body.encode("utf-8"), "application/json")
        elif route_ == "/document.pdf" and s.pdf is not None:
            self._send(HTTPStatus.OK, s.pdf, "application/pdf",
                       Content_Disposition=f'inline; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", s.name)}"')
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    do_HEAD = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, preview: Preview):
        self.preview = preview
        self.secret = new_secret()  # only the printed URL carries it
        super().__init__((HOST, port), _Handler)


def serve(target: str, library: Library, flags: dict[str, Any], *, base: Settings | None = None,
          port: int = 0, open_browser: bool = True) -> None:
    """Run the preview until Ctrl-C. Usage errors (unknown id, no such file) raise first."""
    if not is_id(target):
        path = Path(target)
        if not path.exists():
            raise UsageError(f"{target}: no such file (expected a handout id, a module file or a packet file)")
        if not path.is_file():
            raise UsageError(f"{target}: this is a folder, not a file (expected a .yaml file)")
    preview = Preview(target, library, flags, base)
    server: _Server | None = None
    try:
        try:
            server = _Server(port, preview)
        except OSError as exc:
            raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror or exc}); "
                             f"choose another --port, or leave it out for a free one") from None
        # Watch first, so that a save made while the first build runs is not missed.
        preview.start_watching()
        preview.watching.wait(timeout=10)
        preview.rebuild(startup=True)  # an invalid file still starts: its error shows in the page
        address = url(server.server_address[1], server.secret)
        print(f"Preview at {address} — Ctrl-C to stop", flush=True)
        tell(preview.snapshot(), "built")
        if open_browser:  # only now that it serves, and never waited on
            open_in_background(address, lambda words: print(words, flush=True))
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        if server is not None:
            server.server_close()
    print("stopped", flush=True)
