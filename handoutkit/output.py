"""Writing results so that a failure never costs a file.

Bytes go to a temporary file beside the target, are flushed to disk, then replace the
target in one step. Until that step an existing file is untouched; after it, complete.

A failure or Ctrl-C removes the temporary file. A process killed outright (SIGKILL,
SIGTERM or SIGHUP, which Python does not catch, or a power cut) between creating it and
the rename leaves ``.NAME.xxxxxxxx.part`` beside the target; no code can prevent that.
The window is short, since the PDF is complete in memory before the file is created,
and the next write to the same target removes such leftovers once they are a minute
old (a younger one may belong to a build still running). An anonymous O_TMPFILE file
would not close the window: ``link()`` cannot replace an existing target, so it too
needs a named file to rename, and the same sweep.

A PDF and its HTML are written together (``write_together``): both temporary files
first, then both renames, and a failed second rename puts the first target back, so
there is never an HTML without the PDF it came with. A file that carries a client's
name is created readable by its owner only; no rewrite widens an existing file's mode.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

from .errors import OutputError


def write_atomic(target: Path, data: bytes, *, private: bool = False) -> Path:
    return write_together([(Path(target), data)], private=private)[0]


def write_together(files: list[tuple[Path, bytes]], *, private: bool = False) -> list[Path]:
    """Write every file or none (a PDF and its HTML): all temporary files first, then the
    replacements; if one replacement fails, those already made are undone.

    ``private``: the bytes carry a client's name, so the files are readable by their owner
    only, whatever the umask. A rewrite never widens an existing file's permissions."""
    targets = [Path(target) for target, _ in files]
    for target in targets:
        refuse_unwritable(target)
    temps: list[str] = []
    try:
        for target, data in files:
            temps.append(_temporary(target, data, _mode_for(target, private)))
        _replace_all(list(zip(temps, targets)))
    except BaseException:  # KeyboardInterrupt too: never leave a stray .part file
        for temp in temps:
            Path(temp).unlink(missing_ok=True)
        raise
    return targets


def unwritable(target: Path) -> str | None:
    """Why nothing can replace ``target``, or None. Never opens it: a named pipe would
    block, and a device (/dev/null, /dev/full) must never be replaced by a file."""
    target = Path(target)
    try:
        kind = os.stat(target).st_mode
    except OSError:
        kind = None  # missing (or a dangling link, which the rename replaces): fine
    if kind is not None and stat.S_ISDIR(kind):
        return "it is a folder (give a file name ending in .pdf)"
    if kind is not None and not stat.S_ISREG(kind):
        return f"it is {not_a_file(kind)}, not a file (give a file name ending in .pdf)"
    folder = _folder(target)
    if not folder.is_dir():
        return f"{folder} is a file, not a folder" if folder.exists() else f"the folder {folder} does not exist"
    return None


def not_a_file(mode: int) -> str:
    """What a non-regular file is, in words a clinician knows."""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def refuse_unwritable(target: Path) -> None:
    if why := unwritable(target):
        raise OutputError(f"cannot write {target}: {why}")


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _mode_for(target: Path, private: bool) -> int:
    mode = 0o600 if private else 0o644 & ~_umask()
    try:
        old = os.stat(target)
    except OSError:
        return mode
    return mode & stat.S_IMODE(old.st_mode) if stat.S_ISREG(old.st_mode) else mode


def _temporary(target: Path, data: bytes, mode: int) -> str:
    """A complete, flushed copy of ``data`` beside ``target``, with its final mode."""
    folder = _folder(target)
    _sweep_leftovers(folder, target.name)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)  # before any byte: never readable wider, even briefly
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return temp


def _replace_all(moves: list[tuple[str, Path]]) -> None:
    """Rename each temporary file over its target; on a failure put back what was there."""
    replaced: list[tuple[Path, str | None]] = []  # each target and the copy of its old file
    kept: list[str] = []
    try:
        for temp, target in moves:
            refuse_unwritable(target)  # again, just before: it may have changed since
            try:
                old = _keep_old(target) if len(moves) > 1 else None
                kept += [old] if old else []
                os.replace(temp, target)
            except OSError as exc:
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
            replaced.append((target, old))
    except BaseException:
        for target, old in reversed(replaced):
            if old is not None:
                os.replace(old, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        for old in kept:
            Path(old).unlink(missing_ok=True)


def _keep_old(target: Path) -> str | None:
    """A second name for the file at ``target`` (a hard link, else a copy), named like a
    temporary file so that the sweep removes it should the build be killed."""
    if not target.exists():
        return None
    fd, keep = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=_folder(target))
    os.close(fd)
    try:
        os.unlink(keep)
        os.link(target, keep, follow_symlinks=False)  # a link stays a link when put back
    except OSError:  # a file system without hard links
        shutil.copy2(target, keep, follow_symlinks=False)
    return keep


STALE_AFTER = 60  # seconds: older .part files of the same target belong to no running build


def _sweep_leftovers(folder: Path, name: str) -> None:
    """Remove this target's temporary files left by a killed build (see the module's notes)."""
    # Exactly the names mkstemp gives below: never anything a person saved there.
    leftover = re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.part")
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if (leftover.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                    and now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER):
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove: the write itself can still succeed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
