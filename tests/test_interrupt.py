"""Ctrl-C during a batch of packets: it stops, says what was built and what was not, and
leaves only whole PDFs behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pypdf
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a process group")

PACKETS = [f"p{i}" for i in range(1, 7)]
SAFETY_NET = 300  # seconds: only so that a hang fails instead of stalling the suite


def _default_sigint() -> None:
    # Started in the background by a shell, the tests inherit an ignored SIGINT: give it back.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_a_batch_and_says_what_was_built(tmp_path: Path):
    work = tmp_path / "work"
    work.mkdir()
    for name in PACKETS:
        (work / f"{name}.yaml").write_text(
            f"title: Packet {name}\nhandouts: [help-now, body-scan, grounding-5-4-3-2-1]\n", encoding="utf-8")
    env = {**os.environ, "HANDOUTS_CONFIG": str(tmp_path / "none.yaml"), "PYTHONUNBUFFERED": "1"}
    env.pop("HANDOUTS_LIBRARY", None)
    err_file = open(tmp_path / "stderr.txt", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "handoutkit", "build", *(f"{n}.yaml" for n in PACKETS), "-j", "2"],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=err_file, text=True,
        start_new_session=True, preexec_fn=_default_sigint,
    )
    safety = threading.Timer(SAFETY_NET, lambda: os.killpg(proc.pid, signal.SIGKILL))
    safety.start()
    try:
        first = proc.stdout.readline()  # blocks until the first packet is written
        assert first.startswith("wrote p1.pdf"), first
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to every process of the group
        rest = proc.stdout.read()  # the same buffered reader: what readline read ahead is kept
        proc.wait()
    finally:
        safety.cancel()
    out = first + rest
    err_file.seek(0)
    err = err_file.read()
    err_file.close()

    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in out + err
    match = re.search(r"^stopped: built (.+); not built: (.+)$", err, re.M)
    assert match, err
    built = match.group(1).split(", ")
    not_built = match.group(2).split(", ")
    assert sorted(built + [n.replace(".yaml", ".pdf") for n in not_built]) == [f"{n}.pdf" for n in PACKETS]
    assert "p1.pdf" in built and not_built, "stopped before all six"
    # The summary agrees with the disk and with the lines printed; each PDF is whole.
    on_disk = sorted(p.name for p in work.glob("*.pdf"))
    assert on_disk == sorted(built)
    assert sorted(re.findall(r"^wrote (\S+) ", out, re.M)) == sorted(built)
    for name in on_disk:
        assert len(pypdf.PdfReader(work / name).pages) >= 3
    leftovers = [p.name for p in work.iterdir() if p.suffix not in {".yaml", ".pdf"}]
    assert leftovers == [], "no .part files or anything else half-written"
