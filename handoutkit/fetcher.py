"""The only way a rendered handout can read anything: files under a few folders.

WeasyPrint asks this fetcher for every stylesheet, font and image. It serves local files
that sit inside the allowed folders (the package's own assets, the library folders, the
packet's folder) or are allowed one by one (a logo from the config file), and refuses
everything else — other files, ``http(s)``, any network address — so a handout pack from
a stranger can neither read the disk nor phone home. Every file it serves is held to its
size limit, and every picture to the checks of pictures.py, whoever asked for it. Each
refusal is remembered with its reason and, when a stylesheet asked, which one and where,
so the build can fail with a clear message.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from io import BytesIO
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import limits, pictures
from .sources import _line_col

mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")

_FONT_MAGIC = (b"wOF2", b"wOFF", b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
# Where a stylesheet names another file: url(…) and @import "…".
_REFERENCE = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


# A WOFF2 font's digest → the same font unpacked. WeasyPrint unpacks every WOFF2 font
# on every render, about half of a warm re-render's time in a process that renders again
# and again (the studio, the preview); unpacked once, the engine takes the TrueType bytes
# as they are (the very bytes it would have made). A few fonts per style folder: capped.
_UNPACKED: dict[bytes, bytes] = {}
_UNPACKED_MAX = 64


def _unpacked(data: bytes) -> bytes:
    key = hashlib.sha256(data).digest()
    if key not in _UNPACKED:
        from fontTools.ttLib import woff2

        out = BytesIO()
        try:
            woff2.decompress(BytesIO(data), out)
        except Exception:  # noqa: BLE001 - a damaged font: the engine judges it, as before
            return data
        if len(_UNPACKED) >= _UNPACKED_MAX:
            _UNPACKED.pop(next(iter(_UNPACKED)))
        _UNPACKED[key] = out.getvalue()
    return _UNPACKED[key]


@dataclass(frozen=True)
class Asker:
    """The place in a stylesheet that named a file."""

    stylesheet: Path
    line: int
    col: int
    written: str  # the address as the stylesheet writes it


def _key(url: str) -> str:
    return unquote(urlsplit(url)._replace(fragment="").geturl())


class LocalOnlyFetcher(URLFetcher):
    def __init__(self, roots: list[Path], files: list[Path] = ()):
        # fail_on_errors: a refused resource stops the whole render, never a half-built PDF.
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.roots = [Path(r).resolve() for r in roots]
        self.files = {Path(f).resolve() for f in files}  # single files allowed outside the roots
        self.refused: list[str] = []
        self.reasons: dict[str, str] = {}  # url → why it was refused, to follow "the file …"
        self.askers: dict[str, Asker] = {}  # url → the stylesheet that named it
        self.held: dict[str, Path] = {}  # url → the file, when it is refused for what it holds

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if not (parts.scheme == "file" and parts.netloc in ("", "localhost")):
            self._refuse(url, "is on the network (handouts never reach it: put the file in the library folder)")
        path = Path(unquote(parts.path)).resolve()
        if not (path in self.files or any(path.is_relative_to(root) for root in self.roots)):
            self._refuse(url, "is outside the library folders and the packet's own folder (a handout may read only "
                              "files there: copy the file into the library folder)")
        if not path.is_file():
            self._refuse(url, "is missing" if not path.exists() else "is not a file")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        stylesheet = kind == "text/css"
        limit = limits.MAX_STYLESHEET_BYTES if stylesheet else limits.MAX_FILE_BYTES
        data = pictures.read_capped(path, limit)
        if data is None:
            self._refuse(url, f"is larger than handoutkit's limit of {limits.size(limit)} for "
                              f"{'a stylesheet' if stylesheet else 'a file the PDF engine loads'}", path)
        if stylesheet:
            self._note_references(url, path, data)
        elif not data.startswith(_FONT_MAGIC):
            # Whatever its name, the engine decodes anything that is not a font as a picture.
            why = pictures.problem(data)
            if why:
                self._refuse(url, why, path)
        elif data.startswith(b"wOF2"):
            data = _unpacked(data)
        return URLFetcherResponse(url, data, {"Content-Type": kind})

    def _refuse(self, url: str, why: str, path: Path | None = None):
        """Refuse ``url``; ``path`` when the file may be read but what it holds is refused."""
        self.refused.append(url)
        self.reasons[_key(url)] = why
        if path is not None:
            self.held[_key(url)] = path
        raise PermissionError(f"handoutkit does not load {url}: it {why}")

    def _note_references(self, url: str, path: Path, data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        for match in _REFERENCE.finditer(text):
            written = next(g for g in match.groups() if g is not None)
            if written.startswith(("#", "data:")):
                continue
            line, col = _line_col(text, match.start())
            self.askers.setdefault(_key(urljoin(url, written)), Asker(path, line, col, written))

    def why(self, url: str) -> tuple[str, Asker | None, Path | None]:
        """Why ``url`` was refused, the stylesheet that asked for it if one did, and the
        file itself when it is refused for what it holds."""
        key = _key(url)
        return self.reasons.get(key, "is not allowed"), self.askers.get(key), self.held.get(key)
