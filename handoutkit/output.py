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
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from .errors import OutputError


def write_atomic(target: Path, data: bytes) -> Path:
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder (give a file name ending in .pdf)")
    if not folder.is_dir():
        why = f"{folder} is a file, not a folder" if folder.exists() else f"the folder {folder} does not exist"
        raise OutputError(f"cannot write {target}: {why}")
    _sweep_leftovers(folder, target.name)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, 0o644 & ~_umask())
        os.replace(temp, target)
    except BaseException as exc:  # KeyboardInterrupt too: never leave a stray .part file
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return target


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
