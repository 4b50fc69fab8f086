"""`handouts preview`, for real: start the server, fetch the page, save files, see the change."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pypdf
import pytest

from conftest import FIXTURES, ROOT, handouts, squash

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to stop the server")

SAFETY_NET = 300  # seconds: only so that a hang fails instead of stalling the suite; nothing here is timed


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "HANDOUTS_CONFIG": str(tmp_path / "no-config.yaml"), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    env.pop("HANDOUTS_LIBRARY", None)
    return env


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Preview:
    """A running `handouts preview … --no-open --port 0`, always killed at the end.
    ``env_extra`` values of None remove a variable; ``no_open=False`` lets it open a browser."""

    def __init__(self, target: str, tmp_path: Path, library: Path | None = None, env_extra: dict | None = None,
                 no_open: bool = True):
        before = ["--library", str(library)] if library else []
        self.err_file = open(tmp_path / "preview-stderr.txt", "w+")
        env = {**env_for(tmp_path), **(env_extra or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "handoutkit", *before, "preview", target, *(["--no-open"] if no_open else []),
             "--port", "0"],
            cwd=tmp_path, env={k: v for k, v in env.items() if v is not None}, stdout=subprocess.PIPE, stderr=self.err_file, text=True,
            # Started in the background by a shell, the tests inherit an ignored SIGINT: give it back.
            preexec_fn=_default_sigint if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else None,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self._wait_for_url()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + 60  # the first start imports WeasyPrint and renders
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    pytest.fail(f"preview exited with {self.proc.returncode}: {self.stderr()}")
                continue
            match = re.fullmatch(r"Preview at (http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{43}/) — Ctrl-C to stop\n", line)
            assert match, f"unexpected first line: {line!r}"
            return match.group(1)
        pytest.fail(f"preview printed no URL in time: {self.stderr()}")

    def stderr(self) -> str:
        self.err_file.flush()
        self.err_file.seek(0)
        return self.err_file.read()

    def get(self, path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get_content_type(), exc.read()

    def status(self) -> dict:
        code, kind, body = self.get("/status")
        assert code == 200 and kind == "application/json"
        return json.loads(body)

    def pdf_text(self) -> str:
        code, kind, body = self.get("/document.pdf")
        assert code == 200 and kind == "application/pdf" and body.startswith(b"%PDF-")
        return squash("\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages))

    def next_status(self, after: int, *, ok: bool | None = None) -> dict:
        """The first status newer than version ``after`` (and without/with an error, if asked)."""
        deadline = time.monotonic() + SAFETY_NET
        while time.monotonic() < deadline:
            s = self.status()
            if s["version"] > after and not s["building"] and (ok is None or (s["error"] is None) == ok):
                return s
            time.sleep(0.2)
        pytest.fail(f"no rebuild after version {after} (waited {SAFETY_NET} s): {self.status()}")

    def interrupt(self) -> int:
        """Ctrl-C; a preview that hangs instead is made to dump its threads' stacks."""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            self.proc.wait(timeout=10)
            pytest.fail(f"preview did not stop on Ctrl-C:\n{self.stderr()}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.err_file.close()


@pytest.fixture
def preview(tmp_path: Path):
    started: list[Preview] = []

    def start(target: str, library: Path | None = None) -> Preview:
        started.append(Preview(target, tmp_path, library))
        return started[-1]

    yield start
    for p in started:
        p.close()


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_preview_shows_changes_errors_and_recovers(tmp_path: Path, preview):
    module = tmp_path / "all-blocks.yaml"
    shutil.copy(FIXTURES / "all-blocks.yaml", module)
    good = module.read_text(encoding="utf-8")
    p = preview(str(module))

    code, kind, page = p.get("/")
    assert code == 200 and kind == "text/html"
    assert b'<iframe id="document"' in page and b"\"document.pdf?v=" in page
    assert b"http://" not in page and b"https://" not in page, "the page loads nothing from the network"
    first = p.status()
    assert first["error"] is None and first["pdf"] == first["version"]
    assert "Every block type" in p.pdf_text()

    # Only this machine's own names may ask (no DNS rebinding).
    host, port = p.url.removeprefix("http://").split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", p.url.split(port, 1)[1] + "status", headers={"Host": f"evil.example:{port}"})
    assert conn.getresponse().status == 403
    conn.close()

    # Save a new title: the PDF follows.
    save(module, good.replace("title: Every block type", "title: Freshly saved title"))
    changed = p.next_status(first["version"], ok=True)
    text = p.pdf_text()
    assert "Freshly saved title" in text and "Every block type" not in text

    # Break it: the error shows with file:line:col, the last good PDF stays.
    broken = good.replace("minutes: 10\n", "minutes: 10\n<b>sumary</b>: [typo]\n")
    save(module, broken)
    failed = p.next_status(changed["version"], ok=False)
    line = broken.splitlines().index("<b>sumary</b>: [typo]") + 1
    assert failed["error"].startswith(f"{module}:{line}:1: unknown key '<b>sumary</b>'"), failed["error"]
    assert failed["pdf"] is not None and failed["pdf"] >= changed["version"], "the last good PDF stays"
    assert "Freshly saved title" in p.pdf_text()
    _, _, page = p.get("/")
    assert f"{module}:{line}:1: unknown key &#x27;&lt;b&gt;sumary&lt;/b&gt;&#x27;".encode() in page
    assert b"<b>sumary</b>" not in page, "the error must be escaped in the page"

    # Fix it: the error clears and the PDF is back.
    save(module, good)
    fixed = p.next_status(failed["version"], ok=True)
    assert fixed["pdf"] == fixed["version"]
    assert "Every block type" in p.pdf_text()

    assert p.interrupt() == 0
    assert "Traceback" not in p.stderr()


LIBRARY_MODULE = """\
id: my-handout
title: From my own library
kind: handout
audience: client
topics: [testing]
blocks:
  - type: text
    body: Library marker body.
"""


def test_saving_in_a_library_folder_rebuilds(tmp_path: Path, preview):
    library = tmp_path / "lib"
    (library / "styles").mkdir(parents=True)
    module = library / "my-handout.yaml"
    save(module, LIBRARY_MODULE)
    extra = library / "styles" / "extra.css"
    save(extra, "/* nothing yet */\n")
    p = preview("my-handout", library=library)
    first = p.status()
    assert "From my own library" in p.pdf_text()

    save(module, LIBRARY_MODULE.replace("From my own library", "Edited in the library"))
    edited = p.next_status(first["version"], ok=True)
    assert "Edited in the library" in p.pdf_text()

    save(extra, 'h1::after { content: " Marker from extra CSS"; }\n')
    p.next_status(edited["version"], ok=True)
    assert "Marker from extra CSS" in p.pdf_text()

    assert p.interrupt() == 0
    assert "Traceback" not in p.stderr()


def test_an_invalid_file_still_starts_and_shows_its_error(tmp_path: Path, preview):
    module = tmp_path / "unknown-key.yaml"
    shutil.copy(FIXTURES / "bad" / "unknown-key.yaml", module)
    p = preview(str(module))
    s = p.status()
    assert s["pdf"] is None and s["error"].startswith(f"{module}:5:1: unknown key 'sumary'"), s
    assert p.get("/document.pdf")[0] == 404
    _, _, page = p.get("/")
    assert b"unknown key &#x27;sumary&#x27;" in page

    save(module, module.read_text(encoding="utf-8").replace("sumary:", "summary:"))
    fixed = p.next_status(s["version"], ok=True)
    assert fixed["pdf"] == fixed["version"]
    assert "Unknown key" in p.pdf_text()

    assert p.interrupt() == 0
    assert "Traceback" not in p.stderr()


@pytest.mark.parametrize("target,words", [
    ("grounding-5-4-3-2-one", "no handout with the id 'grounding-5-4-3-2-one' (did you mean 'grounding-5-4-3-2-1'"),
    ("missing.yaml", "missing.yaml: no such file"),
])
def test_an_unknown_target_is_a_usage_error(tmp_path: Path, target, words):
    result = handouts("preview", target, "--no-open", cwd=tmp_path, env=env_for(tmp_path))
    assert result.code == 2, result.text
    assert words in result.err and "Traceback" not in result.text
    assert "Preview at" not in result.out


def test_preview_does_not_import_weasyprint_at_cli_start():
    code = "import sys, handoutkit.cli; sys.exit('weasyprint' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0


def _raw_get(p, path: str, host: str | None = None) -> tuple[int, bytes]:
    netloc = p.url.removeprefix("http://").split("/")[0]
    address, port = netloc.split(":")
    conn = http.client.HTTPConnection(address, int(port), timeout=10)
    conn.request("GET", path, headers={"Host": host or netloc})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_every_route_needs_the_secret_and_this_machines_name(tmp_path: Path):
    module = tmp_path / "all-blocks.yaml"
    shutil.copy(FIXTURES / "all-blocks.yaml", module)
    home = tmp_path / "home"
    home.mkdir()
    p = Preview(str(module), tmp_path, env_extra={"HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                                                      "XDG_CONFIG_HOME": str(home / "config"),
                                                      "XDG_CACHE_HOME": str(home / "cache"), "XDG_STATE_HOME": str(home / "state")})
    try:
        p.status()  # the first build is there
        netloc = p.url.removeprefix("http://").split("/")[0]
        port = netloc.split(":")[1]
        prefix = "/" + p.url.split("/", 3)[3]  # /s/<secret>/
        secret = prefix.split("/")[2]
        wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for route in ("", "status", "document.pdf", "document.pdf?v=1", "nothing"):
            assert _raw_get(p, "/" + route) == (403, b"forbidden\n"), route
            assert _raw_get(p, f"/s/{wrong}/" + route) == (403, b"forbidden\n"), route
            assert _raw_get(p, f"/s/{secret[:10]}/" + route)[0] == 403, route
            assert _raw_get(p, f"/?token={secret}" if not route else f"/{route}?token={secret}")[0] == 403
            for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{int(port) + 1}", f"localhost.evil:{port}"):
                assert _raw_get(p, prefix + route, host=host) == (403, b"forbidden\n"), (route, host)
        ok = {"": "text/html", "status": "application/json", "document.pdf": "application/pdf"}
        for route, kind in ok.items():
            for host in (netloc, f"localhost:{port}"):
                code, body = _raw_get(p, prefix + route, host=host)
                assert code == 200 and body, (route, host)
            assert p.get(route)[:2] == (200, kind)
        assert _raw_get(p, prefix + "nothing")[0] == 404
        _, page = _raw_get(p, prefix)
        assert secret.encode() not in page, "relative links carry the secret; the page need not"
        # The page's own links are relative, so they keep the secret: the iframe's PDF and the poll.
        assert b'src="document.pdf?v=' in page and b'fetch("status"' in page
        # Nothing stored on disk: no cookie, no cache, nothing under HOME or the XDG folders.
        conn = http.client.HTTPConnection(*netloc.split(":"), timeout=10)
        conn.request("GET", prefix, headers={"Host": netloc})
        response = conn.getresponse()
        response.read()
        assert response.getheader("Set-Cookie") is None
        assert response.getheader("Cache-Control") == "no-store"
        assert response.getheader("Referrer-Policy") == "no-referrer"
        conn.close()
        assert p.interrupt() == 0
        assert [q for q in home.rglob("*")] == [], "the preview wrote under HOME"
        assert sorted(q.name for q in tmp_path.iterdir()) == ["all-blocks.yaml", "home", "preview-stderr.txt"]
    finally:
        p.close()


def test_the_server_listens_on_loopback_only():
    from handoutkit import localserver, preview

    assert localserver.HOST == "127.0.0.1" and preview.HOST == "127.0.0.1"
    assert localserver.route("/s/abc/status", "abc") == "/status"
    assert localserver.route("/s/abc", "abc") == "/"
    assert localserver.route("/s/abd/status", "abc") is None
    assert localserver.route("/s/\udcff/", "abc") is None
    assert len(localserver.new_secret()) >= 43 and localserver.new_secret() != localserver.new_secret()


# --- no hang without a desktop browser; the terminal's log ------------------------------

FAKE_BROWSER = """#!/bin/sh
# Records how it was called, then blocks forever, as a console browser holds the terminal.
echo "$0 $*" >> '{record}'
echo $$ >> '{record}.pids'
exec sleep 100000
"""


def _fake_browsers(tmp_path: Path, names=("www-browser", "xdg-open")) -> tuple[Path, Path]:
    """A folder for PATH holding only browsers that record their call and never return."""
    folder = tmp_path / "fake-bin"
    folder.mkdir(exist_ok=True)
    record = tmp_path / "browser-calls.txt"
    for name in names:
        script = folder / name
        script.write_text(FAKE_BROWSER.format(record=record), encoding="utf-8")
        script.chmod(0o755)
    return folder, record


def _stop_fake_browsers(record: Path) -> None:
    pids = Path(f"{record}.pids")
    for pid in pids.read_text().split() if pids.exists() else []:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass


def _next_line(p: Preview, what: str) -> str:
    """The next line on the preview's stdout, read as it comes (no fixed sleep)."""
    try:
        return p.lines.get(timeout=SAFETY_NET)
    except queue.Empty:
        pytest.fail(f"no {what} line: {p.stderr()}")


@contextlib.contextmanager
def _started_with_browsers(tmp_path: Path, env: dict, no_open: bool, names=("www-browser", "xdg-open")):
    """A preview of all-blocks.yaml whose PATH holds only the fake browsers; killed at the end, they too."""
    module = tmp_path / "all-blocks.yaml"
    shutil.copy(FIXTURES / "all-blocks.yaml", module)
    folder, record = _fake_browsers(tmp_path, names)
    base = {"PATH": str(folder), "BROWSER": None, "DISPLAY": None, "WAYLAND_DISPLAY": None}
    p = None
    try:
        p = Preview(str(module), tmp_path, env_extra={**base, **env}, no_open=no_open)
        yield p, record
    finally:
        if p is not None:
            p.close()
        _stop_fake_browsers(record)


def test_without_a_display_the_url_is_printed_and_no_browser_is_run(tmp_path: Path):
    with _started_with_browsers(tmp_path, {}, no_open=False) as (p, record):  # the URL came first: no hang
        assert re.fullmatch(r"built \d\d:\d\d:\d\d, \d+ pages?\n", _next_line(p, "built"))
        assert _next_line(p, "advice") == "open this address in your browser\n"
        assert p.status()["error"] is None and "Every block type" in p.pdf_text()  # it serves
        assert not record.exists(), "no console browser was started"
        assert p.interrupt() == 0


def test_only_a_console_browser_is_never_run_even_with_a_display(tmp_path: Path):
    with _started_with_browsers(tmp_path, {"DISPLAY": ":99"}, no_open=False, names=("www-browser",)) as (p, record):
        _next_line(p, "built")
        assert _next_line(p, "advice") == "open this address in your browser\n"
        assert p.status()["error"] is None
        assert not record.exists()
        assert p.interrupt() == 0


def test_a_desktop_browser_is_opened_and_never_waited_on(tmp_path: Path):
    with _started_with_browsers(tmp_path, {"DISPLAY": ":99"}, no_open=False) as (p, record):
        assert p.status()["error"] is None  # it serves while the browser blocks
        deadline = time.monotonic() + SAFETY_NET  # the browser starts in the background: look until it has
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert record.read_text().split() == [str(tmp_path / "fake-bin" / "xdg-open"), p.url]
        assert p.interrupt() == 0


def test_no_open_runs_no_browser_and_the_terminal_logs_each_rebuild_and_error(tmp_path: Path):
    with _started_with_browsers(tmp_path, {"DISPLAY": ":99"}, no_open=True) as (p, record):
        module = tmp_path / "all-blocks.yaml"
        good = module.read_text(encoding="utf-8")
        first = p.status()
        assert re.fullmatch(r"built \d\d:\d\d:\d\d, \d+ pages\n", _next_line(p, "built"))
        save(module, good.replace("title: Every block type", "title: Saved again"))
        changed = p.next_status(first["version"], ok=True)
        assert re.fullmatch(r"rebuilt \d\d:\d\d:\d\d, \d+ pages\n", _next_line(p, "rebuilt"))
        save(module, good.replace("minutes: 10\n", "minutes: 10\nsumary: [typo]\n"))
        p.next_status(changed["version"], ok=False)
        assert re.search(rf"^error \d\d:\d\d:\d\d:\n{re.escape(str(module))}:\d+:1: unknown key 'sumary'",
                         p.stderr(), re.M), p.stderr()
        assert p.interrupt() == 0
        assert not record.exists(), "--no-open opens nothing"


def test_a_reload_keeps_the_readers_page():
    """The new PDF opens at the page the viewer showed, as far as the viewer tells it: the
    built-in viewers honour #page=N but do not report the page they show (see preview.py)."""
    from handoutkit.preview import Snapshot, page

    served = page("x.yaml", Snapshot(3, None, b"%PDF-", 3, False, "x.pdf", 2))
    assert 'frame.src = "document.pdf?v=" + s.pdf + "#page=" + currentPage();' in served
    assert "/(?:^#|[#&])page=(\\d+)/.exec(frame.contentWindow.location.hash)" in served
