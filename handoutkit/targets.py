"""Where each build writes, checked against what it reads before anything renders.

A build replaces its output files, so an output must never be a file the build reads
(the packet, a module, the logo, the settings file, a template or stylesheet), never a
file that two jobs of one batch both write (one client's PDF would replace another's),
and never something that is not a file (/dev/null, a named pipe). Each is refused here,
by name, before any CPU goes into rendering and before anything is written.

``-o`` (and ``--html``) naming a folder — one that exists, or any name ending in ``/`` —
writes inside it with the usual file name. A name ending in ``/`` whose folder does not
exist is an error: a typo must not scatter clients' PDFs into a new folder. For several
packets, ``-o`` and ``--html`` must be folders; two packet files with the same name
(``alice/session.yaml``, ``bob/session.yaml``) are refused, naming both, because any
name told apart by folder would put what is often the client's name into a file name.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config, pictures
from .errors import UsageError
from .library import SUFFIXES, Library
from .output import not_a_file, refuse_unwritable


@dataclass(frozen=True)
class Output:
    """One file a build will write, and how the clinician asked for it."""

    path: Path
    flag: str | None  # "-o" or "--html"; None: the default name in the current folder
    default: str  # the usual file name, suggested when the one asked for cannot be used

    @property
    def named(self) -> str:
        return f"{self.flag} {self.path}" if self.flag else f"{self.path} (where the PDF goes by default)"

    @property
    def instead(self) -> str:
        return f"give another file name, like {self.default}" if self.flag else "give another file name with -o"


def is_folder(value: str) -> bool:
    """A name that means "inside this folder": it ends in a slash, or is a folder already."""
    return value.endswith(tuple(filter(None, ("/", os.sep, os.altsep)))) or Path(value).is_dir()


def place(value: str | None, default: str, flag: str) -> Output:
    """Where ``flag value`` writes: that file, or ``default`` inside that folder."""
    if value is None:
        return Output(Path(default), None, default)
    if not value:
        raise UsageError(f"{flag} needs a file or folder name (like {default})")
    if not is_folder(value):
        return Output(Path(value), flag, default)
    folder = Path(value)
    if not folder.is_dir():
        why = "is a file" if folder.exists() else "does not exist"
        raise UsageError(f"{flag} {value}: the folder {folder} {why} (create the folder first, or name a file, like {default})")
    return Output(folder / default, flag, default)


def for_job(job: Any, library: Library, output: str | None, html: str | None) -> tuple[Path, Path | None]:
    """The PDF and HTML files of one build, refused now if they cannot be written safely."""
    stem = Path(job.output_name).stem
    outs = [place(output, job.output_name, "-o")]
    if html is not None:
        outs.append(place(html, f"{stem}.html", "--html"))
    refuse(outs, reads(job, library))
    return outs[0].path, outs[1].path if len(outs) > 1 else None


def for_batch(packets: list[str], output: str | None, html: str | None,
              names: dict[Path, str] | None = None) -> dict[str, tuple[Output, Output | None]]:
    """Each packet file's PDF and HTML; refused when two would be one file. ``names``: the
    default PDF name of each packet that plans (build.output_name: a discreet packet's is
    its neutral title, never the packet file's name), by the packet's resolved path."""
    for flag, value in (("-o", output), ("--html", html)):
        if value is not None and not is_folder(value):
            raise UsageError(
                f"{flag} {value} names one file, but there are {len(packets)} packets: give a folder to write "
                f"each one's file inside (an existing folder, or a name ending in /), or leave {flag} out")
    places: dict[str, tuple[Output, Output | None]] = {}
    writers: dict[Path, str] = {}
    seen: dict[Path, str] = {}
    for packet in packets:
        same = seen.setdefault(Path(packet).resolve(), packet)
        if same != packet:
            raise UsageError(f"{same} and {packet} are the same packet file (name it once)")
        stem = Path((names or {}).get(Path(packet).resolve(), f"{Path(packet).stem}.pdf")).stem
        pdf = place(output, f"{stem}.pdf", "-o")
        page = place(html, f"{stem}.html", "--html") if html is not None else None
        for out in filter(None, (pdf, page)):
            # Folded: Session.pdf and session.pdf are one file on a Mac's or Windows' disk.
            other = writers.setdefault(Path(str(out.path.resolve()).casefold()), packet)
            if other != packet and stem not in (Path(packet).stem, f"{Path(packet).stem}-clinician"):  # discreet: its title
                raise UsageError(
                    f"{other} and {packet} would both write {out.path}: give one of them another "
                    f"'discreet_title', or build each on its own into a folder of its own with -o DIR/")
            if other != packet:
                raise UsageError(
                    f"{other} and {packet} would both write {out.path}: rename one of the packet files "
                    f"(the PDF takes its name), or build each on its own with -o DIR/, "
                    f"like `handouts build {packet} -o {Path(packet).parent}/`")
        places[packet] = (pdf, page)
    return places


def reads(job: Any, library: Library) -> dict[Path, tuple[str, str]]:
    """Every file this job's build reads, by resolved path: how to show it, and what it is."""
    found: dict[Path, tuple[str, str]] = {}

    def add(path: Path, what: str) -> None:
        found.setdefault(Path(path).resolve(), (str(path), what))

    if job.packet is not None:
        add(job.packet, "the packet this build reads")
    for module in job.modules:
        add(module.path, "a handout module this build reads")
        for picture in pictures.files_of(module):
            add(picture, "a picture this build prints")
    if job.settings.logo is not None:
        add(job.settings.logo, "the logo this build prints")
    add(config.path(), "your settings file")
    for folder in library.folders:
        for path in _files(folder, recursive=False):
            if path.suffix in SUFFIXES:
                add(path, f"a handout in the library folder {folder}, which every build reads")
    for folder in library.template_dirs:
        for path in _files(folder):
            add(path, "a template this build reads")
    for folder in library.style_dirs:
        for path in _files(folder):
            add(path, "a stylesheet or font this build reads")
    return found


def _files(folder: Path, *, recursive: bool = True) -> list[Path]:
    try:
        return [p for p in (folder.rglob("*") if recursive else folder.iterdir()) if p.is_file()]
    except OSError:
        return []  # an unreadable folder: the build itself says so


def refuse(outs: list[Output], inputs: dict[Path, tuple[str, str]]) -> None:
    """Refuse outputs that are inputs (by path, or by inode: hard and symbolic links), that
    are not files, whose folder is missing, or that two outputs share."""
    by_inode = {}
    for path, shown in inputs.items():
        if (key := _inode(path)) is not None:
            by_inode.setdefault(key, shown)
    taken: list[tuple[Path, tuple[int, int] | None, Output]] = []
    for out in outs:
        mode = _mode(out.path)
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise UsageError(f"{out.named} is {not_a_file(mode)}, not a file ({out.instead})")
        resolved, key = out.path.resolve(), _inode(out.path)
        if resolved in inputs:
            raise UsageError(f"{out.named} is {inputs[resolved][1]} ({out.instead})")
        if key in by_inode:
            shown, what = by_inode[key]
            raise UsageError(f"{out.named} is the same file as {shown}, {what} ({out.instead})")
        refuse_unwritable(out.path)  # a folder where the file should be, or no such folder
        for other_path, other_key, other in taken:
            if other_path == resolved or (key is not None and other_key == key):
                raise UsageError(f"{other.named} and {out.named} are the same file "
                                 f"(give each its own name, like {other.default} and {out.default})")
        taken.append((resolved, key, out))


def refuse_in_batch(places: dict[str, tuple[Output, Output | None]], jobs: list[Any], library: Library) -> None:
    """``refuse`` for a whole batch: no packet's output may be a file that any of them reads."""
    inputs: dict[Path, tuple[str, str]] = {}
    for packet in places:
        inputs.setdefault(Path(packet).resolve(), (packet, "a packet this batch reads"))
    for job in jobs:
        for path, shown in reads(job, library).items():
            inputs.setdefault(path, shown)
    refuse([out for pair in places.values() for out in pair if out is not None], inputs)


def _mode(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode  # never opened: a named pipe would block
    except OSError:
        return None


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino
