"""Per-partner sheets (SPEC: `per_partner: true`): each partner's copy under their own label,
on a page of its own, with form fields of its own. Read back from real PDFs."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from conftest import FIXTURES, handouts, squash

FIXTURE = FIXTURES / "partner" / "per-partner.yaml"
LABELS = ("PARTNER A", "PARTNER B")  # printed in capitals (text-transform), as a reader sees them


def _build(tmp: Path, *args: str) -> Path:
    out = tmp / "out.pdf"
    result = handouts("build", *args, "-o", str(out))
    assert result.code == 0, result.text
    return out


def _pages(path: Path) -> list[str]:
    return [squash(page.extract_text()) for page in pypdf.PdfReader(path).pages]


def _fields_by_page(path: Path) -> list[list[str]]:
    """The names of the form fields whose widgets sit on each page."""
    out = []
    for page in pypdf.PdfReader(path).pages:
        names = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            field = annot if "/T" in annot else annot["/Parent"].get_object()
            names.append(str(field["/T"]))
        out.append(names)
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> list[str]:
    return _pages(_build(tmp_path_factory.mktemp("printed"), str(FIXTURE)))


@pytest.fixture(scope="module")
def fillable(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("fillable"), str(FIXTURE), "--fillable")


def _page_of(pages: list[str], text: str) -> list[int]:
    return [i for i, page in enumerate(pages) if text in page]


def test_each_partner_has_a_page_of_their_own(printed):
    a, b = (_page_of(printed, label) for label in LABELS)
    assert len(a) == 1 and len(b) == 1, (a, b)
    a, b = a[0], b[0]
    assert a < b
    # The shared reading is on neither partner's page; each copy holds every private block.
    assert _page_of(printed, "Marker shared reading before the copies") == [0]
    for marker in ("Marker private question one?", "Marker private question two?",
                   "Marker private tick one", "Marker private scale?"):
        assert _page_of(printed, marker) == [a, b], marker


def test_a_run_of_private_blocks_prints_whole_for_each_partner(printed):
    """A1 A2 A3 then B1 B2 B3, never A1 B1 A2 B2."""
    text = " ".join(printed)
    order = [text.find(m) for m in ("PARTNER A", "Marker private prompts", "Marker private checklist",
                                    "Marker private scale?", "PARTNER B")]
    assert order == sorted(order) and -1 not in order, order
    assert text.count("PARTNER A") == 1 and text.count("PARTNER B") == 1


def test_what_follows_the_copies_is_not_on_partner_bs_sheet(printed):
    b = _page_of(printed, "PARTNER B")[0]
    after = _page_of(printed, "Marker joint question?")
    assert after and after[0] > b
    assert "Marker shared reading after the copies" not in printed[b]


def test_each_partner_gets_their_own_form_fields(fillable):
    by_page = _fields_by_page(fillable)
    pages = _pages(fillable)
    a, b = _page_of(pages, "PARTNER A")[0], _page_of(pages, "PARTNER B")[0]
    fields_a, fields_b = by_page[a], by_page[b]
    # Two prompts, two ticks and one scale (its radio buttons share a name) on each page.
    assert len(set(fields_a)) == 5 and len(set(fields_b)) == 5, (fields_a, fields_b)
    assert all(".partner-a." in name for name in fields_a), fields_a
    assert all(".partner-b." in name for name in fields_b), fields_b
    assert not set(fields_a) & set(fields_b)
    # The same question, told apart only by whose copy it is.
    assert {n.replace(".partner-a.", ".") for n in fields_a} == {n.replace(".partner-b.", ".") for n in fields_b}
    # The joint prompt after the copies is nobody's in particular.
    joint = [n for names in by_page for n in names if "joint-question" in n]
    assert joint and not any("partner-" in n for n in joint)
    # No field anywhere else: the shared reading has none, and no copy's field strays.
    everywhere = {n for names in by_page for n in names}
    assert everywhere == set(fields_a) | set(fields_b) | set(joint)


@pytest.fixture(scope="module")
def couple_packet(tmp_path_factory) -> tuple[list[str], list[list[str]]]:
    """The bundled couple handouts as one fillable packet, on A4."""
    tmp = tmp_path_factory.mktemp("couple")
    packet = tmp / "couple.yaml"
    packet.write_text("title: Couples session\nhandouts: [couples-check-in, boundaries-and-pacing]\n"
                      "fillable: true\npaper: a4\ncover: false\n")
    out = _build(tmp, str(packet))
    return _pages(out), _fields_by_page(out)


@pytest.mark.parametrize("private", ["What words or signal will I use to pause or stop?",
                                     "Yes, please: things I enjoy"])
def test_bundled_couple_handouts_give_each_partner_a_sheet(couple_packet, private):
    pages, fields = couple_packet
    on = _page_of(pages, private)
    assert len(on) == 2, on
    a, b = on
    assert "PARTNER A" in pages[a] and "PARTNER B" not in pages[a]
    assert "PARTNER B" in pages[b] and "PARTNER A" not in pages[b]
    assert fields[a] and all(".partner-a." in n for n in fields[a])
    assert fields[b] and all(".partner-b." in n for n in fields[b])


def test_per_partner_is_in_the_schema_and_must_be_true_or_false(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace("per_partner: true", "per_partner: both", 1))
    out = tmp_path / "bad.pdf"
    result = handouts("build", str(bad), "-o", str(out))
    assert result.code == 2
    assert f"{bad}:13:18: 'per_partner' is text 'both' (expected true or false)" in result.err, result.err
    assert not out.exists()
