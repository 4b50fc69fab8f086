"""Pictures of each handout's first page for the library's cards.

Rendered once with the project's own pipeline (WeasyPrint, the default settings, no
client, no practice) and turned into a PNG by poppler's ``pdftoppm``, which the README's
systems have or can install; pypdfium2 is only a test dependency, and Pillow cannot read
a PDF. Without ``pdftoppm`` a card simply has no picture.

Bundled handouts are the same for everyone, so their pictures are kept in the cache
folder, named by a hash of the module's text and of the templates and styles, and made
again only when one of those changes. The clinician's own handouts' pictures stay in
memory: they are theirs, and they change while being edited. No picture ever carries a
client's name: each is made without one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from .. import build, paths
from ..errors import HandoutkitError
from ..library import Library, LoadedModule
from ..output import write_atomic
from ..settings import Settings

WIDTH = 240  # pixels: a card shows it at half that, sharp on a high-density screen
ENV_VAR = "HANDOUTS_CACHE"


def folder() -> Path | None:
    """Where bundled handouts' pictures are kept; None: nowhere on disk (HANDOUTS_CACHE=off)."""
    value = os.environ.get(ENV_VAR, "")
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser() / "thumbnails"
    import platformdirs

    return Path(platformdirs.user_cache_dir("handoutkit", appauthor=False)) / "thumbnails"


def available() -> bool:
    return shutil.which("pdftoppm") is not None


def _design_hash() -> str:
    """What besides the module's text shapes its picture: the bundled templates and styles."""
    digest = hashlib.sha256()
    for root in (paths.TEMPLATES, paths.STYLES):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                st = path.stat()
                digest.update(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def png_of(pdf: bytes) -> bytes | None:
    """The first page as a PNG ``WIDTH`` pixels wide, or None without pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return None
    # pdftoppm reads the PDF from stdin but writes only to files: a private temporary folder.
    with tempfile.TemporaryDirectory(prefix="handouts-thumb-") as folder:
        out = Path(folder) / "page"
        done = subprocess.run([exe, "-png", "-f", "1", "-l", "1", "-scale-to-x", str(WIDTH), "-scale-to-y", "-1", "-singlefile", "-", str(out)],
                              input=pdf, capture_output=True, timeout=60)
        png = out.with_suffix(".png")
        return png.read_bytes() if done.returncode == 0 and png.is_file() else None


class Thumbnails:
    def __init__(self) -> None:
        self._memory: dict[str, bytes] = {}  # key → PNG
        self._lock = threading.Lock()
        self._design = _design_hash()

    def key(self, module: LoadedModule) -> str:
        text = module.path.read_bytes()
        return hashlib.sha256(self._design.encode() + b"\0" + text).hexdigest()[:32]

    def _disk(self, module: LoadedModule, key: str) -> Path | None:
        where = folder()
        bundled = module.path.resolve().is_relative_to(paths.HANDOUTS.resolve())
        return where / f"{module.id}-{key}.png" if where is not None and bundled else None

    def cached(self, module: LoadedModule) -> bytes | None:
        key = self.key(module)
        if key in self._memory:
            return self._memory[key]
        disk = self._disk(module, key)
        if disk is not None and disk.is_file():
            data = disk.read_bytes()
            self._memory[key] = data
            return data
        return None

    def get(self, module: LoadedModule, library: Library, render_lock: threading.Lock) -> bytes | None:
        """The picture, made now if it is not kept yet; None when it cannot be made."""
        if (found := self.cached(module)) is not None:
            return found
        with self._lock:  # one maker at a time; another request may have made it meanwhile
            if (found := self.cached(module)) is not None:
                return found
            job = build.Job(module.module.title, [module], Settings(), f"{module.id}.pdf",
                            [module.path.resolve().parent])
            try:
                with render_lock:
                    pdf = build.render_job(job, library).rendered.pdf
            except HandoutkitError:
                return None  # the card says the handout is broken; no picture to show
            png = png_of(pdf)
            if png is None:
                return None
            key = self.key(module)
            self._memory[key] = png
            if (disk := self._disk(module, key)) is not None:
                try:
                    disk.parent.mkdir(parents=True, exist_ok=True)
                    self._sweep(disk.parent, module.id)
                    write_atomic(disk, png)
                except OSError:
                    pass  # a read-only cache only costs time
            return png

    @staticmethod
    def _sweep(where: Path, module_id: str) -> None:
        """Older pictures of the same handout (its text or the design changed)."""
        for old in where.glob(f"{module_id}-*.png"):
            if len(old.stem) == len(module_id) + 33:
                old.unlink(missing_ok=True)

    def warm(self, library: Library, render_lock: threading.Lock, stop: threading.Event) -> None:
        """Make every missing picture, in the background, so the library shows them soon."""
        if not available():
            return
        loaded, _problems = library.all()
        for module in loaded:
            if stop.is_set():
                return
            self.get(module, library, render_lock)

