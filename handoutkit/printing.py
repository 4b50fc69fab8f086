"""Printing a finished PDF through CUPS (`lp`), on the paper it was laid out for.

Before anything is sent, the print system is asked what state it is in (`lpstat`), because
`lp` alone gives one misleading answer to several different problems: with the scheduler
stopped it says "No default destination", and to a paused queue it quietly adds the job,
which then waits there until someone notices. Each of these gets its own message naming
the fix. The PDF is written before printing starts, so it is kept whatever happens here.

CUPS's own words are read in the C locale: a translated `lpstat` must not change what is
understood.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import HandoutkitError

# The names CUPS understands for `-o media=` (PWG legacy names, mapped to each driver's own).
MEDIA = {"letter": "Letter", "a4": "A4"}
# Two-sided, flipped on the long edge: a two-page handout reads front then back.
DUPLEX = "two-sided-long-edge"
ONE_SIDED = "one-sided"
MAX_COPIES = 100  # more is far more likely a typo than a session's worth of handouts


class PrintError(HandoutkitError):
    """The PDF was written, but could not be printed (the PDF itself is fine)."""


@dataclass(frozen=True)
class PrintRequest:
    """How to print: which printer (None: the default), how many, on which sides."""

    printer: str | None = None
    copies: int = 1
    duplex: bool | None = None  # None: the printer's own default

    def options(self, paper: str) -> list[str]:
        """`lp` options for a PDF laid out on ``paper`` ("letter" or "a4")."""
        args = ["-o", f"media={MEDIA[paper]}", "-n", str(self.copies)]
        if self.duplex is not None:
            args += ["-o", f"sides={DUPLEX if self.duplex else ONE_SIDED}"]
        if self.printer is not None:
            args += ["-d", self.printer]
        return args


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    return subprocess.run(list(args), capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)


def _tool(name: str, path: Path) -> str:
    found = shutil.which(name)
    if found is None:
        raise PrintError(f"wrote {path}, but cannot print it: there is no '{name}' command "
                         "(install CUPS, or open the PDF and print it from the viewer)")
    return found


def _destination(lpstat: str, request: PrintRequest, path: Path) -> str:
    """The printer the job would go to, or why there is none."""
    if request.printer is not None:
        return request.printer
    # lp's own order: $LPDEST, then $PRINTER, then the user's and the system's default.
    for variable in ("LPDEST", "PRINTER"):
        if os.environ.get(variable):
            return os.environ[variable]
    said = _run(lpstat, "-d").stdout
    if m := re.search(r"default destination: (\S+)", said):
        return m.group(1)
    raise PrintError(
        f"wrote {path}, but did not print it: there is no default printer. Name one with "
        "--printer NAME (`lpstat -p` lists the printers), or make one the default with "
        "`lpoptions -d NAME`")


def ready(request: PrintRequest, path: Path) -> str:
    """The printer to use, once CUPS says it is running and that printer takes jobs now."""
    _tool("lp", path)
    lpstat = _tool("lpstat", path)
    if "scheduler is running" not in _run(lpstat, "-r").stdout:
        raise PrintError(
            f"wrote {path}, but did not print it: the print system (CUPS) is not running. "
            "Start it (on Linux: `sudo systemctl start cups`), then print again")
    printer = _destination(lpstat, request, path)
    printer = printer.split("/", 1)[0]  # an lpoptions instance (Office/duplex) is its queue's state
    state = _run(lpstat, "-p", printer)
    if state.returncode != 0 or not state.stdout.strip():
        raise PrintError(
            f"wrote {path}, but did not print it: there is no printer named '{printer}' "
            "(`lpstat -p` lists the printers)")
    if re.search(rf"^printer {re.escape(printer)} disabled", state.stdout, re.M):
        reason = _reason(state.stdout)
        raise PrintError(
            f"wrote {path}, but did not print it: the printer '{printer}' is paused{reason}. "
            f"Resume it (`cupsenable {printer}`, or in the printer's settings), then print again")
    accepting = _run(lpstat, "-a", printer).stdout
    if re.search(rf"^{re.escape(printer)} not accepting", accepting, re.M):
        raise PrintError(
            f"wrote {path}, but did not print it: the printer '{printer}' is not accepting jobs{_reason(accepting)}. "
            f"Let it take jobs again (`cupsaccept {printer}`), then print again")
    return printer


def _reason(lpstat_says: str) -> str:
    """Why a printer is paused or refuses jobs, as its owner wrote it (`cupsdisable -r`,
    `cupsreject -r`), if they did: the lines `lpstat` prints under the printer's own."""
    lines = [line.strip() for line in lpstat_says.splitlines()[1:] if line.strip()]
    reason = " ".join(lines)
    return f" ({reason})" if reason and reason.lower() not in ("paused", "rejecting jobs", "reason unknown") else ""


def print_pdf(path: Path, paper: str, request: PrintRequest) -> str:
    """Send the PDF to the printer; returns what to tell the clinician."""
    printer = ready(request, path)
    lp = _tool("lp", path)
    done = _run(lp, *request.options(paper), "--", str(path))
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip() or f"lp exited with status {done.returncode}"
        raise PrintError(f"wrote {path}, but printing failed: {why}")
    job = m.group(1) if (m := re.search(r"request id is (\S+)", done.stdout)) else None
    copies = f"{request.copies} copies" if request.copies != 1 else "1 copy"
    sides = {None: "", True: ", two-sided", False: ", one-sided"}[request.duplex]
    return (f"sent {path} to {printer} ({copies} on {MEDIA[paper]}{sides})"
            + (f": job {job}" if job else ""))
