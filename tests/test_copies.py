"""Two copies of a packet (`copy: client|clinician`, `--copy`): what each prints, read
back from the PDFs, and the packet keys and flags of copies and discreet packets that a
clinician can get wrong (exit 2, one clear message, nothing written)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pdfplumber
import pytest

from conftest import handouts, pdf_text, squash

MM = 72 / 25.4

NOTES = ("QXNOTEALPHA: use it after grounding skills are in place.", "QXNOTEBETA: a first-session exercise.")
SOURCE = "QXSOURCEONE Guidance for survivors"
VERSION = "Version 2.3 · CC-BY-4.0"
CONFIRM = "please confirm the local lines"
MARKS = ("Clinician’s copy", "For the clinician", "QXNOTE", "QXSOURCE", "Version 2.3", CONFIRM)

LANTERN = f"""\
title: Lantern conversations
kind: handout
audience: client
topics: [pressure]
summary: [You can take your time.]
content_note: This handout talks about pressure.
blocks:
  - type: text
    body: Some talks are hard. You can stop at any time.
  - type: steps
    items: [Take a breath, Say one thing you want]
  - type: resources
sources:
  - title: {SOURCE}
    publisher: Example Group
    url: https://example.org/qx
    year: 2024
reviewed: 2026-11-01
version: "2.3"
license: CC-BY-4.0
clinician_notes: |
  **{NOTES[0]}**
"""
HARBOUR = f"""\
title: Harbour steps
kind: exercise
audience: client
topics: [grounding]
summary: [Notice the ground under you.]
blocks:
  - type: steps
    items: [Feel your feet, Look around the room]
clinician_notes: "{NOTES[1]}"
"""


def _packet(**extra: str) -> str:
    lines = ["title: Session three", "handouts: [lantern-talk.yaml, harbour-steps.yaml]",
             "client: Jordan", "region: UK", *(f"{k}: {v}" for k, v in extra.items())]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("copies")
    (folder / "lantern-talk.yaml").write_text(LANTERN, encoding="utf-8")
    (folder / "harbour-steps.yaml").write_text(HARBOUR, encoding="utf-8")
    (folder / "session.yaml").write_text(_packet(copy="clinician"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(folder: Path) -> dict[str, Path]:
    """The packet says `copy: clinician`; `--copy client` on the command line wins."""
    out = folder / "out"
    out.mkdir()
    clinician = handouts("build", str(folder / "session.yaml"), "-o", f"{out}/")
    assert clinician.code == 0, clinician.text
    client = handouts("build", str(folder / "session.yaml"), "--copy", "client", "-o", f"{out}/")
    assert client.code == 0, client.text
    single = handouts("build", str(folder / "harbour-steps.yaml"), "--copy", "clinician", "-o", f"{out}/")
    assert single.code == 0, single.text
    return {"clinician": out / "session-clinician.pdf", "client": out / "session.pdf",
            "single": out / "harbour-steps-clinician.pdf", "names": sorted(p.name for p in out.iterdir())}


def _pages(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [squash(page.extract_text() or "") for page in pdf.pages]


def _headers(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [squash(page.crop((0, 0, page.width, 17 * MM)).extract_text() or "") for page in pdf.pages]


def test_the_clinicians_copy_adds_notes_sources_and_the_reminder(built):
    text = squash(pdf_text(built["clinician"]))
    for note in NOTES:
        assert note in text
    assert SOURCE in text and "example.org/qx" in text
    assert VERSION in text
    assert "It prints United Kingdom crisis lines, checked November 2026. Numbers change, so " + CONFIRM in text
    assert "These United Kingdom numbers were checked in November 2026." in text


def test_the_clients_copy_has_nothing_meant_for_the_clinician(built):
    text = squash(pdf_text(built["client"]))
    for mark in MARKS:
        assert mark not in text
    assert "These United Kingdom numbers were checked in November 2026." in text
    assert "Reviewed November 2026" in text
    assert "Lantern conversations" in text and "Harbour steps" in text


def test_every_page_of_the_clinicians_copy_says_whose_it_is(built):
    pages = _pages(built["clinician"])
    assert pages[0].startswith("Clinician’s copy · not for the client")
    assert pages[0].startswith("Clinician’s copy · not for the client Clinician’s copy — not for the client")  # header, then the cover’s own mark
    assert CONFIRM in pages[0]
    headers = _headers(built["clinician"])
    assert len(headers) == len(pages) >= 3
    assert all("Clinician’s copy · not for the client" in h for h in headers), headers
    assert not any("Clinician" in h for h in _headers(built["client"]))


def test_one_handout_in_a_clinicians_copy_gets_its_cover(built):
    pages = _pages(built["single"])
    assert "Clinician’s copy — not for the client" in pages[0] and "Harbour steps" in pages[0]
    assert NOTES[1] in " ".join(pages)


def test_each_copy_has_its_own_file_name(built):
    assert built["names"] == ["harbour-steps-clinician.pdf", "session-clinician.pdf", "session.pdf"]


# ---- what a clinician can get wrong ------------------------------------------------


def _refused(folder: Path, args: list[str], packet: str | None = None) -> str:
    """Run a build that must be refused: exit 2, no traceback, nothing written. Its stderr."""
    if packet is not None:
        (folder / "bad.yaml").write_text(packet, encoding="utf-8")
    before = sorted(p.name for p in folder.iterdir())
    result = handouts("build", *args, cwd=folder)
    assert result.code == 2, result.text
    assert "Traceback" not in result.text and result.out == ""
    assert sorted(p.name for p in folder.iterdir()) == before
    return result.err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "lantern-talk.yaml").write_text(LANTERN, encoding="utf-8")
    (tmp_path / "harbour-steps.yaml").write_text(HARBOUR, encoding="utf-8")
    return tmp_path


def test_a_wrong_copy_flag(work: Path):
    err = _refused(work, ["lantern-talk.yaml", "--copy", "nurse"])
    assert "--copy" in err and "'nurse'" in err and "client" in err and "clinician" in err


@pytest.mark.parametrize("extra, line, message", [
    ({"copy": "nurse"}, 5, "'copy' cannot be 'nurse' (expected one of: 'client' or 'clinician')"),
    ({"discreet": "maybe"}, 5, "'discreet' is text 'maybe' (expected true or false)"),
    ({"discreet": "true", "discreet_title": '""'}, 6, "'discreet_title' is empty"),
    ({"discreet": "true", "discreet_title": "x" * 61}, 6, "'discreet_title' is longer than 60 characters"),
    ({"cover": "false", "discreet": "true"}, 6, "a discreet packet starts with its neutral cover (remove 'cover: false'"),
], ids=["copy", "discreet", "title-empty", "title-long", "no-cover"])
def test_wrong_packet_keys(work: Path, extra: dict, line: int, message: str):
    err = _refused(work, ["bad.yaml"], _packet(**extra))
    assert err.startswith(f"bad.yaml:{line}:"), err
    assert message in err


def test_discreet_flag_on_a_packet_without_a_cover(work: Path):
    err = _refused(work, ["bad.yaml", "--discreet"], _packet(cover="false"))
    assert "--discreet: a discreet packet starts with its neutral cover" in err
    assert "'cover: false'" in err


def test_check_reports_a_wrong_copy_key_too(work: Path):
    (work / "bad.yaml").write_text(_packet(copy="Clinician"), encoding="utf-8")
    result = handouts("check", "--no-pages", "bad.yaml", cwd=work)
    assert result.code == 1, result.text
    assert "bad.yaml:5:7: error: 'copy' cannot be 'Clinician'" in result.out


def test_unknown_key_suggests_copy(work: Path):
    err = _refused(work, ["bad.yaml"], _packet(cpoy="clinician"))
    assert "unknown key 'cpoy' (did you mean 'copy'?" in err
    assert "copy_" not in err


def test_a_neutral_title_alone_is_warned_about(work: Path):
    """SPEC's example packet sets `discreet: false` beside a `discreet_title`, so it builds;
    but the title alone hides nothing, and build and check say so."""
    (work / "half.yaml").write_text(_packet(discreet="false", discreet_title="Session notes"), encoding="utf-8")
    built = handouts("build", "half.yaml", cwd=work)
    assert built.code == 0, built.text
    assert "warning: 'discreet_title' is set but the packet is not discreet" in built.err
    assert (work / "half.pdf").is_file()
    checked = handouts("check", "--strict", "--no-pages", "half.yaml", cwd=work)
    assert checked.code == 1
    assert "half.yaml:6:17: warning: 'discreet_title' is set but the packet is not discreet" in checked.out
    assert handouts("check", "--no-pages", "half.yaml", cwd=work).code == 0


def _longest_on_the_cover(count: int) -> list[str]:
    """Bundled ids whose cover entries take the most room: long titles and subtitles."""
    from handoutkit.library import Library

    library = Library([])
    size = {i: len(library.load(i).module.title) + len(library.load(i).module.subtitle or "") for i in library.ids()}
    return sorted(size, key=lambda i: (-size[i], i))[:count]


@pytest.mark.parametrize(("theme", "paper", "count"), [
    ("large-print", "letter", 2), ("large-print", "letter", 4), ("default", "letter", 6),
    ("print", "a4", 7), ("default", "letter", 14),
])
def test_the_clinicians_cover_is_one_page(theme: str, paper: str, count: int):
    """Its box takes the room of the notes lines: the handouts are described on it up to
    six (none in large print), and it stays one page up to 14 handouts (4 in large print)."""
    import io

    import pypdf

    from handoutkit import build as building
    from handoutkit.library import Library
    from handoutkit.settings import Settings

    library = Library([])
    flags = {"theme": theme, "paper": paper, "copy": "clinician", "region": "UK", "client": "Jordan Alexandra Smith",
             "practice": "Riverside Counseling", "clinician": "Alex Rivera, LMFT"}
    (job,) = building.plan(_longest_on_the_cover(count), library, base=Settings(), flags=flags)
    reader = pypdf.PdfReader(io.BytesIO(building.render_job(job, library).rendered.pdf))
    assert reader.get_destination_page_number(reader.outline[0]) == 1, "the cover runs past one page"
    cover = squash(reader.pages[0].extract_text())
    assert "Clinician’s copy — not for the client" in cover and CONFIRM in cover
    assert "Notes" not in cover and "Alex Rivera" not in cover  # the clinician knows who made it
    first = job.modules[0].module
    assert first.title in cover
    # How much it describes is measured (coverfit.py): subtitles go first when it is short of room.
    if count <= 2 and theme != "large-print":
        assert first.subtitle in cover, cover
