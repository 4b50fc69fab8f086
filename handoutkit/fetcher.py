"""The only way a rendered handout can read anything: files under a few folders.

WeasyPrint asks this fetcher for every stylesheet, font and image. It serves local files
that sit inside the allowed folders (the package's own assets, the library folders, the
packet's folder) and refuses everything else — other files, ``http(s)``, any network
address — so a handout pack from a stranger can neither read the disk nor phone home.
Each refusal is remembered, so the build can fail with a clear message.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

mimetypes.add_type("font/woff2", ".woff2")
mimetypes.add_type("font/woff", ".woff")


class LocalOnlyFetcher(URLFetcher):
    def __init__(self, roots: list[Path]):
        # fail_on_errors: a refused resource stops the whole render, never a half-built PDF.
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.roots = [Path(r).resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        self.refused.append(url)
        raise PermissionError(f"handoutkit does not load {url}")
