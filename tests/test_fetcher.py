"""A handout can read only files in its allowed folders; never other files, never the network."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from conftest import handouts


def module_with(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir(exist_ok=True)
    path = folder / "m.yaml"
    path.write_text(
        "title: Fetch test\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n"
        f"  - type: text\n    body: '{body}'\n",
        encoding="utf-8",
    )
    return path


def assert_refused(result, out: Path, why: str = "") -> None:
    assert result.code == 2, result.text
    assert "Traceback" not in result.text
    assert why in result.err and "m.yaml:7:11: the picture" in result.err, result.err
    assert not out.exists()


def test_refuses_file_etc_passwd(tmp_path: Path):
    out = tmp_path / "o.pdf"
    result = handouts("build", str(module_with(tmp_path, "![x](file:///etc/passwd)")), "-o", str(out))
    # markdown-it refuses file: links itself, so the image never even reaches the fetcher;
    # either way, nothing from /etc ends up in a PDF.
    if result.code == 0:
        assert b"root:" not in out.read_bytes()
    else:
        assert_refused(result, out)


def test_refuses_a_path_outside_the_allowed_folders(tmp_path: Path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "o.pdf"
    result = handouts("build", str(module_with(tmp_path, "![x](../secret.png)")), "-o", str(out))
    assert_refused(result, out, "is outside the handout's folder")
    assert "secret.png" in result.err


def test_refuses_the_network_and_makes_no_connection(tmp_path: Path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []

    def watch():
        for _ in range(40):
            try:
                conn, _ = listener.accept()
                connections.append(conn)
            except OSError:
                pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    out = tmp_path / "o.pdf"
    result = handouts("build", str(module_with(tmp_path, f"![x](http://127.0.0.1:{port}/pixel.png)")), "-o", str(out))
    watcher.join()
    listener.close()
    assert_refused(result, out, "is from the web")
    assert connections == []


def test_the_fetcher_itself(tmp_path: Path):
    from weasyprint.urls import FatalURLFetchingError  # noqa: F401  (the fetcher needs WeasyPrint)

    from handoutkit.fetcher import LocalOnlyFetcher

    inside = tmp_path / "ok.css"
    inside.write_text("p{}")
    fetcher = LocalOnlyFetcher([tmp_path])
    assert fetcher.fetch(inside.as_uri()).read() == b"p{}"
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/x.css",
                (tmp_path / ".." / "x.css").as_uri(), "ftp://127.0.0.1/x"):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5
