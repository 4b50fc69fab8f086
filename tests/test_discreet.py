"""Discreet packets (`discreet: true`, `--discreet`): someone who glances at the cover,
a running header or footer, the PDF's metadata, its bookmarks or its file name cannot
tell what it is about. Only the handouts' own pages say, and each says only its own."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest

from conftest import handouts, squash

MM = 72 / 25.4

TITLES = ("Pressure from a partner", "Leaving a controlling home")
# What the packet is about, beyond the handouts' titles: none of it may show outside them.
SECRETS = (
    *TITLES, "Coercion and safety at home",  # the packet's own title
    "pressure-from-a-partner", "leaving-a-controlling-home", "coercion-and-safety",  # ids, file names
    "Harbour Sexual Assault Centre", "Dr Quill", "harbour-sac",  # practice, clinician, contact
    "coercion", "abuse", "sexual", "assault", "controlling",  # the topics and words about them
)

PRESSURE = """\
title: Pressure from a partner
subtitle: When a partner pushes for sex
kind: handout
audience: client
topics: [coercion, abuse]
content_note: This handout talks about sexual coercion.
summary: [Pressure is not consent.]
blocks:
  - type: text
    body: A partner who pushes, sulks or threatens is using pressure.
  - type: prompts
    items: [What would help you feel safer this week?]
  - type: resources
"""
LEAVING = """\
title: Leaving a controlling home
kind: worksheet
audience: client
topics: [safety planning]
summary: [Keep your plan where only you can find it.]
blocks:
  - type: checklist
    items: [Documents, Medicines, Money, Keys, Charger]
  - type: prompts
    items: [Who could you call first?]
"""
PACKET = """\
title: Coercion and safety at home
handouts: [pressure-from-a-partner.yaml, leaving-a-controlling-home.yaml]
client: Jordan
clinician: Dr Quill
practice: Harbour Sexual Assault Centre
contact: 555-0199 · harbour-sac.example
region: UK
fillable: true
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("discreet")
    (folder / "pressure-from-a-partner.yaml").write_text(PRESSURE, encoding="utf-8")
    (folder / "leaving-a-controlling-home.yaml").write_text(LEAVING, encoding="utf-8")
    (folder / "coercion-and-safety.yaml").write_text(PACKET + "discreet: true\n", encoding="utf-8")
    (folder / "plain.yaml").write_text(PACKET, encoding="utf-8")
    (folder / "titled.yaml").write_text(PACKET + "discreet: true\ndiscreet_title: Tuesday plans\n", encoding="utf-8")
    runs = {}
    for name, args in {
        "key": ["coercion-and-safety.yaml"],
        "flag": ["plain.yaml", "--discreet"],  # the flag makes any packet discreet
        "plain": ["plain.yaml"],  # the control: the same packet, not discreet
        "titled": ["titled.yaml"],
        "one": ["pressure-from-a-partner.yaml", "--discreet", "--practice", "Harbour Sexual Assault Centre"],
    }.items():
        out = folder / name
        out.mkdir()
        result = handouts("build", *args, "-o", f"{out}/", cwd=folder)
        assert result.code == 0, result.text
        (pdf,) = out.iterdir()
        runs[name] = pdf
    return runs


def _pages(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [squash(page.extract_text() or "") for page in pdf.pages]


def _margins(path: Path) -> list[str]:
    """Each page's running header and footer: the text in its top and bottom margins."""
    with pdfplumber.open(path) as pdf:
        return [squash((page.crop((0, 0, page.width, 17 * MM)).extract_text() or "") + " "
                       + (page.crop((0, page.height - 19 * MM, page.width, page.height)).extract_text() or ""))
                for page in pdf.pages]


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s.lower() in text.lower()]


def _file_bytes(path: Path) -> bytes:
    """Every byte of the PDF with its streams decompressed: metadata, outline, link targets,
    form-field names, the tag tree. (Page text is drawn as glyph numbers, never as words.)"""
    buffer = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.all,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buffer.getvalue()


def _byte_leaks(path: Path) -> list[str]:
    data = _file_bytes(path).lower()
    return [s for s in SECRETS if s.lower().encode() in data or s.lower().encode("utf-16-be") in data]


@pytest.mark.parametrize("which", ["key", "flag"])
def test_the_default_file_name_is_the_neutral_title(built, which):
    assert built[which].name == "session-notes.pdf"


def test_a_title_of_the_clinicians_choosing(built):
    assert built["titled"].name == "tuesday-plans.pdf"
    pages = _pages(built["titled"])
    assert pages[0].startswith("Tuesday plans")
    assert pypdf.PdfReader(built["titled"]).metadata.title == "Tuesday plans"


@pytest.mark.parametrize("which", ["key", "flag"])
def test_the_cover_says_only_the_neutral_title(built, which):
    cover = _pages(built[which])[0]
    assert cover.startswith("Session notes Prepared for Jordan Date ")
    assert "Notes" in cover  # room to write stays
    assert _leaks(cover) == [], cover


@pytest.mark.parametrize("which", ["key", "flag", "one"])
def test_no_running_header_or_footer_says_what_it_is_about(built, which):
    margins = _margins(built[which])
    assert len(margins) >= 2
    for number, text in enumerate(margins, 1):
        assert _leaks(text) == [], (number, text)
    whose = "" if which == "one" else "Prepared for Jordan "
    for text in margins[1:]:  # the handouts' pages: whose they are, the neutral title, the page
        assert text.startswith(f"{whose}Session notes Page "), text


@pytest.mark.parametrize("which", ["key", "flag", "one"])
def test_metadata_and_bookmarks_are_neutral(built, which):
    reader = pypdf.PdfReader(built[which])
    meta = dict(reader.metadata or {})
    assert meta.get("/Title") == "Session notes"
    assert "/Subject" not in meta and "/Keywords" not in meta and "/Author" not in meta
    assert _leaks(" ".join(map(str, meta.values()))) == []
    labels = [item.title for item in reader.outline]
    assert labels == [f"Part {i}" for i in range(1, len(labels) + 1)] and labels


@pytest.mark.parametrize("which", ["key", "flag", "one"])
def test_nothing_in_the_file_outside_the_pages_says_it(built, which):
    assert _byte_leaks(built[which]) == []


def test_the_same_packet_not_discreet_does_say_it(built):
    """The control: the checks above would see each of these if they were there."""
    assert built["plain"].name == "plain.pdf"
    assert {"Coercion and safety at home", "pressure-from-a-partner", "Pressure from a partner"} <= set(_byte_leaks(built["plain"]))
    margins = " ".join(_margins(built["plain"]))
    assert "Pressure from a partner" in margins and "Harbour Sexual Assault Centre" in margins
    cover = _pages(built["plain"])[0]
    assert {"Coercion and safety at home", *TITLES, "Dr Quill"} <= set(_leaks(cover))


def test_each_title_only_on_its_own_handouts_pages(built):
    """The handouts inside keep their titles, content notes and help lines, each on its own
    pages (found from the bookmarks, which point at each handout's first page)."""
    reader = pypdf.PdfReader(built["key"])
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    pages = _pages(built["key"])
    assert starts == sorted(starts) and starts[0] == 1
    ends = [*starts[1:], len(pages)]
    for title, start, end in zip(TITLES, starts, ends):
        for number, text in enumerate(pages):
            assert (title in text) == (start <= number < end), (title, number, text)
    assert "Content note: This handout talks about sexual coercion." in pages[starts[0]]
    assert "Rape Crisis Scotland Helpline" in " ".join(pages[starts[0]:ends[0]])


def test_one_handout_discreet_still_opens_on_the_neutral_cover(built):
    pages = _pages(built["one"])
    assert built["one"].name == "session-notes.pdf"
    assert pages[0].startswith("Session notes") and _leaks(pages[0]) == []
    assert "Pressure from a partner" in pages[1]


def test_form_fields_are_named_by_part(built):
    with pikepdf.open(built["key"]) as pdf:
        names = [str(field.T) for field in pdf.Root.AcroForm.Fields]
    assert names and all(re.match(r"(part-\d|packet)\.", name) for name in names), names


def test_a_batch_names_each_pdf_as_a_single_build_would(tmp_path: Path):
    (tmp_path / "pressure-from-a-partner.yaml").write_text(PRESSURE, encoding="utf-8")
    (tmp_path / "a.yaml").write_text(PACKET + "discreet: true\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(PACKET.replace("leaving-a-controlling-home.yaml", "pressure-from-a-partner.yaml")
                                     + "discreet: true\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("title: C\nhandouts: [pressure-from-a-partner.yaml]\ncopy: clinician\n", encoding="utf-8")
    (tmp_path / "leaving-a-controlling-home.yaml").write_text(LEAVING, encoding="utf-8")
    refused = handouts("build", "a.yaml", "b.yaml", cwd=tmp_path)
    assert refused.code == 2 and "Traceback" not in refused.text
    assert "a.yaml and b.yaml would both write session-notes.pdf: give one of them another 'discreet_title'" in refused.err
    assert not list(tmp_path.glob("*.pdf"))
    (tmp_path / "out").mkdir()
    built = handouts("build", "a.yaml", "c.yaml", "-o", "out/", cwd=tmp_path)
    assert built.code == 0, built.text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["c-clinician.pdf", "session-notes.pdf"]
