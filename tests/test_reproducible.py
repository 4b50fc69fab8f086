"""Reproducible: the same inputs and ``--date`` give a byte-identical PDF, run after run.

Two separate processes, a second apart, from different working folders, temporary
folders and time zones (and, being separate processes, different hash seeds), build a
packet with a cover, a logo, the client's details and every block type. The font
timestamps fontTools writes are pinned from the build date (``handoutkit.pdf``); this
checks that holds for the default theme and for fillable large print on A4 too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, handouts, pdf_text, squash


@pytest.fixture(scope="module")
def packet(tmp_path_factory) -> Path:
    from PIL import Image

    folder = tmp_path_factory.mktemp("packet")
    (folder / "all-blocks.yaml").write_bytes((FIXTURES / "all-blocks.yaml").read_bytes())
    Image.new("RGB", (120, 40), (31, 95, 122)).save(folder / "logo.png")
    path = folder / "session.yaml"
    path.write_text(
        "title: Session 4 — Every block\nhandouts: [all-blocks.yaml, help-now]\ncover: true\n"
        "client: Jordan\nclinician: Alex Rivera, LMFT\npractice: Riverside Counseling\n"
        "contact: 555-0100\nlogo: logo.png\nregion: UK\n",
        encoding="utf-8",
    )
    return path


def _build(packet: Path, where: Path, *flags: str, tz: str) -> bytes:
    where.mkdir()
    (where / "tmp").mkdir()
    out = where / "session.pdf"
    result = handouts("build", str(packet), "--date", "2026-11-24", *flags, "-o", str(out), cwd=where,
                      env={"TZ": tz, "TMPDIR": str(where / "tmp"), "HANDOUTS_CONFIG": str(where / "none.yaml")})
    assert result.code == 0, result.text
    return out.read_bytes()


@pytest.mark.parametrize("flags", [(), ("--fillable", "--theme", "large-print", "--paper", "a4")],
                         ids=["default", "fillable-large-print-a4"])
def test_same_inputs_same_bytes(packet: Path, tmp_path: Path, flags: tuple[str, ...]):
    first = _build(packet, tmp_path / "first", *flags, tz="UTC")
    time.sleep(1.0)  # a clock that moved on must not show in the file
    second = _build(packet, tmp_path / "second", *flags, tz="Pacific/Kiritimati")  # UTC+14: already the next day
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest(), "two builds differ"
    assert b"/CreationDate" not in first and b"/ModDate" not in first
    text = squash(pdf_text(tmp_path / "first" / "session.pdf"))
    assert "24 November 2026" in text and "Marker callout body" in text  # the cover's date, and the blocks


def test_rendering_leaves_the_environment_as_it_found_it(tmp_path: Path):
    from handoutkit.build import plan, render_job
    from handoutkit.library import Library
    from handoutkit.settings import Settings

    library = Library()
    (job,) = plan([str(FIXTURES / "all-blocks.yaml")], library, base=Settings(),
                  flags={"date": dt.date(2026, 11, 24), "fillable": True})
    before = dict(os.environ)
    render_job(job, library)
    assert dict(os.environ) == before, "SOURCE_DATE_EPOCH (or anything else) was left set"


def test_harfbuzz_subset_is_installed_so_the_next_test_means_something():
    # CI installs Debian's libharfbuzz-subset0 (.ci/run): WeasyPrint then prefers it to
    # fontTools, which once made two builds differ. Fail, not skip, when it is missing.
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0), \
        "install libharfbuzz-subset0 (apt-get install libharfbuzz-subset0) to run this test as CI does"


def test_same_bytes_with_or_without_harfbuzz_subset(packet: Path, tmp_path: Path):
    import subprocess
    import sys

    with_library = _build(packet, tmp_path / "with", tz="UTC")
    where = tmp_path / "without"
    where.mkdir()
    out = where / "session.pdf"
    # The same build as on a machine without the library: WeasyPrint sees none.
    code = ("import sys, weasyprint.pdf.fonts as fonts; fonts.harfbuzz_subset = None; "
            "sys.argv = ['handouts'] + sys.argv[1:]; from handoutkit.cli import run; run()")
    proc = subprocess.run([sys.executable, "-c", code, "build", str(packet), "--date", "2026-11-24", "-o", str(out)],
                          cwd=where, env={**os.environ, "HANDOUTS_CONFIG": str(where / "none.yaml")},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == with_library, "the PDF depends on whether libharfbuzz-subset is installed"
