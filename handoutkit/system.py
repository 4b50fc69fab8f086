"""Handing a finished PDF to the system's viewer (printing: printing.py)."""

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

