"""Handing a finished PDF to the system: its viewer, or its printer through `lp`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import HandoutkitError


class HandoffError(HandoutkitError):
    """The system could not open or print the file (the PDF itself is fine)."""


def open_file(path: Path) -> None:
    if sys.platform.startswith("win"):
        os.startfile(path)  # type: ignore[attr-defined]  # noqa: S606
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise HandoffError(f"wrote {path}, but cannot open it: there is no '{opener}' on this system")
    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def print_file(path: Path) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise HandoffError(f"wrote {path}, but cannot print it: there is no 'lp' command (install CUPS, or print the PDF from a viewer)")
    done = subprocess.run([lp, "--", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip() or f"lp exited with status {done.returncode}"
        raise HandoffError(f"wrote {path}, but printing failed: {why} (is a default printer set up?)")
