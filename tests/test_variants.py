"""Session packets and print variants: paper, themes, fillable forms, cover, config, batch, privacy."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import FIXTURES, ROOT, handouts, pdf_text, squash
from test_render import BLOCK_MARKERS

ALL_BLOCKS = str(FIXTURES / "all-blocks.yaml")
POINTS = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def build(tmp_path: Path, *args: str, name: str = "out.pdf", env: dict | None = None) -> Path:
    out = tmp_path / name
    result = handouts("build", *args, "-o", str(out), env={"HANDOUTS_CONFIG": str(tmp_path / "none.yaml"), **(env or {})})
    assert result.code == 0, result.text
    return out


@pytest.mark.parametrize("theme", ["default", "print", "large-print"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_theme_and_paper_prints_every_block(tmp_path: Path, theme: str, paper: str):
    out = build(tmp_path, ALL_BLOCKS, "--theme", theme, "--paper", paper)
    reader = pypdf.PdfReader(out)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width, 1), round(height, 1)) == tuple(round(v, 1) for v in POINTS[paper])
    text = squash(pdf_text(out))
    assert all(marker in text for marker in BLOCK_MARKERS)


def _sizes(pdf: Path) -> collections.Counter:
    sizes: collections.Counter = collections.Counter()
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for char in page.chars:
                if char["text"].strip():
                    sizes[round(char["size"], 1)] += 1
    return sizes


def test_large_print_type_sizes(tmp_path: Path):
    out = build(tmp_path, ALL_BLOCKS, "--theme", "large-print")
    sizes = _sizes(out)
    body = sizes.most_common(1)[0][0]
    assert body >= 18, sizes
    assert min(sizes) >= 16, sizes  # even footers and notes stay large
    with pdfplumber.open(out) as doc:
        headings = {round(c["size"], 1) for p in doc.pages for c in p.chars if c["text"] in "Block" and "Bold" in c["fontname"]}
        fonts = {c["fontname"] for p in doc.pages for c in p.chars}
    assert max(headings) >= 22
    assert not [f for f in fonts if "Italic" in f], "large print uses bold, not italics"
    # The default theme, for contrast, is smaller: this test can fail.
    assert _sizes(build(tmp_path, ALL_BLOCKS, name="d.pdf")).most_common(1)[0][0] < 18


def _tinted_fills(pdf: Path) -> list[tuple]:
    """Filled shapes in a light, coloured or grey tint: backgrounds, not ink."""
    tints = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            for shape in page.rects + page.curves:
                colour = tuple(shape.get("non_stroking_color") or ())
                if shape["fill"] and len(colour) == 3 and 0.75 < min(colour) and max(colour) < 0.999:
                    tints.append(colour)
    return tints


def test_print_theme_has_no_filled_backgrounds(tmp_path: Path):
    assert _tinted_fills(build(tmp_path, ALL_BLOCKS, name="colour.pdf")), "the default theme should have tints"
    out = build(tmp_path, ALL_BLOCKS, "--theme", "print")
    assert _tinted_fills(out) == []
    with pdfplumber.open(out) as doc:
        colours = {tuple(c["non_stroking_color"] or ()) for p in doc.pages for c in p.chars}
    assert all(len(set(c)) <= 1 for c in colours), f"text in colour: {colours}"


def _fields(pdf: Path) -> dict[str, dict]:
    root = pypdf.PdfReader(pdf).trailer["/Root"]
    if "/AcroForm" not in root:
        return {}
    fields = {}
    for ref in root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if "/Parent" in field:
            continue  # a radio button's widget, not a field of its own
        assert field["/T"] not in fields, f"duplicate field name {field['/T']}"
        fields[field["/T"]] = field
    return fields


def test_fillable_makes_form_fields_of_each_kind(tmp_path: Path):
    fields = _fields(build(tmp_path, ALL_BLOCKS, "--fillable"))
    kinds = {}
    for name, field in fields.items():
        flags = int(field.get("/Ff", 0))
        kind = "text" if field["/FT"] == "/Tx" else "radio" if flags & (1 << 15) else "checkbox"
        kinds[name] = kind
    assert kinds == {
        "all-blocks.marker-check-one": "checkbox",
        "all-blocks.marker-check-two": "checkbox",
        "all-blocks.marker-prompt-question": "text",
        "all-blocks.marker-prompt-with-five-lines": "text",
        "all-blocks.marker-scale-question": "radio",
        "all-blocks.table-block-marker-column-two-1": "text",
        "all-blocks.table-block-marker-column-one-2": "text",
        "all-blocks.table-block-marker-column-two-2": "text",
    }
    radio = fields["all-blocks.marker-scale-question"]
    assert len(radio["/Kids"]) == 11  # one button for each point, 0 to 10
    assert int(fields["all-blocks.marker-prompt-question"]["/Ff"]) & (1 << 12), "prompts are multi-line"


def test_not_fillable_has_no_form_fields(tmp_path: Path):
    assert _fields(build(tmp_path, ALL_BLOCKS)) == {}


def test_tagged_with_language_and_headings(tmp_path: Path):
    out = build(tmp_path, str(ROOT / "examples" / "first-session.yaml"), "--lang", "en-GB")
    root = pypdf.PdfReader(out).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    seen = collections.Counter()

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                seen[node["/S"]] += 1
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert seen["/H1"] >= 3 and seen["/H2"] >= 3 and seen["/L"] >= 1, seen


def test_cover_contents_page_numbers_match_the_pages(tmp_path: Path):
    out = build(tmp_path, str(ROOT / "examples" / "first-session.yaml"), "--client", "Jordan")
    reader = pypdf.PdfReader(out)
    cover = squash(reader.pages[0].extract_text())
    assert "Prepared for Jordan" in cover and "Riverside Counseling" in cover
    for bookmark in reader.outline:
        real = reader.get_destination_page_number(bookmark) + 1
        listed = re.search(re.escape(bookmark["/Title"]) + r"[ .]*page (\d+)", cover)
        assert listed, f"{bookmark['/Title']} is not in the contents"
        assert int(listed.group(1)) == real


def test_one_handout_has_no_cover_unless_asked(tmp_path: Path):
    packet = tmp_path / "one.yaml"
    packet.write_text("title: Just one\nhandouts: [help-now]\n", encoding="utf-8")
    first = pypdf.PdfReader(build(tmp_path, str(packet))).pages[0].extract_text()
    assert "In this packet" not in first
    packet.write_text("title: Just one\nhandouts: [help-now]\ncover: true\n", encoding="utf-8")
    first = pypdf.PdfReader(build(tmp_path, str(packet), name="c.pdf")).pages[0].extract_text()
    assert "In this packet" in first


def test_logo_has_alt_text(tmp_path: Path):
    from PIL import Image

    Image.new("RGB", (120, 40), (31, 95, 122)).save(tmp_path / "logo.png")
    packet = tmp_path / "p.yaml"
    packet.write_text("title: Logo\nhandouts: [help-now, body-scan]\nlogo: logo.png\npractice: Oak Clinic\n", encoding="utf-8")
    reader = pypdf.PdfReader(build(tmp_path, str(packet)))
    assert "/XObject" in reader.pages[0]["/Resources"]
    raw = pypdf.PdfReader(tmp_path / "out.pdf")
    alts = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                alts.append(node.get("/Alt"))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)

    walk(raw.trailer["/Root"]["/StructTreeRoot"])
    assert alts == ["Oak Clinic logo"]


def test_settings_precedence_flag_packet_config_builtin(tmp_path: Path):
    config = tmp_path / "config.yaml"
    env = {"HANDOUTS_CONFIG": str(config)}
    packet = tmp_path / "p.yaml"

    def paper_of(*args: str) -> str:
        out = tmp_path / "p.pdf"
        result = handouts("build", *args, "-o", str(out), env=env)
        assert result.code == 0, result.text
        width = float(pypdf.PdfReader(out).pages[0].mediabox.width)
        return "letter" if round(width) == 612 else "a4"

    packet.write_text("title: P\nhandouts: [help-now]\n", encoding="utf-8")
    assert paper_of(str(packet)) == "letter"  # built-in
    assert handouts("config", "set", "paper", "a4", env=env).code == 0
    assert handouts("config", "set", "practice", "Config Practice", env=env).code == 0
    assert paper_of(str(packet)) == "a4"  # config over built-in
    packet.write_text("title: P\nhandouts: [help-now]\npaper: letter\n", encoding="utf-8")
    assert paper_of(str(packet)) == "letter"  # packet over config
    assert paper_of(str(packet), "--paper", "a4") == "a4"  # flag over packet
    assert "Config Practice" in pdf_text(tmp_path / "p.pdf")
    shown = handouts("config", env=env)
    assert str(config) in shown.out and "paper: a4" in shown.out


def test_config_errors_are_clear(tmp_path: Path):
    config = tmp_path / "config.yaml"
    env = {"HANDOUTS_CONFIG": str(config)}
    for args in (["set", "paper", "a5"], ["set", "colour", "red"], ["set", "region", "NZ"]):
        result = handouts("config", *args, env=env)
        assert result.code == 2 and "Traceback" not in result.text, result.text
    assert not config.exists()
    config.write_text("paper: a4\nclient: Someone\n", encoding="utf-8")
    result = handouts("build", "help-now", "-o", str(tmp_path / "x.pdf"), env=env)
    assert result.code == 2
    assert f"{config}:2:1: unknown key 'client'" in result.err
    assert not (tmp_path / "x.pdf").exists()


def test_batch_builds_each_packet_and_reports_the_bad_one(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("title: A\nhandouts: [help-now, body-scan]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("title: B\nhandouts: [grounding-5-4-3-2-1]\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("title: C\nhandouts: [no-such-handout]\n", encoding="utf-8")
    result = handouts("build", "a.yaml", "b.yaml", "c.yaml", "-j", "2", cwd=tmp_path,
                      env={"HANDOUTS_CONFIG": str(tmp_path / "none.yaml")})
    assert result.code == 2
    assert "Traceback" not in result.text
    assert (tmp_path / "a.pdf").exists() and (tmp_path / "b.pdf").exists()
    assert not (tmp_path / "c.pdf").exists()
    assert "c.yaml:2:12: no handout with the id 'no-such-handout'" in result.err
    assert "1 of 3 packets failed: c.yaml" in result.err
    assert len(pypdf.PdfReader(tmp_path / "a.pdf").outline) == 2


def test_client_name_only_in_the_page_text(tmp_path: Path):
    name = "Zelda Quixote"
    packet = tmp_path / "thursday.yaml"
    packet.write_text(f"title: Thursday session\nhandouts: [help-now, body-scan]\nclient: {name}\n", encoding="utf-8")
    result = handouts("build", str(packet), cwd=tmp_path, env={"HANDOUTS_CONFIG": str(tmp_path / "none.yaml")})
    assert result.code == 0, result.text
    assert name not in result.text
    out = tmp_path / "thursday.pdf"
    reader = pypdf.PdfReader(out)
    assert name in pdf_text(out)
    assert all(name not in str(v) for v in reader.metadata.values())
    assert b"Zelda" not in (reader.xmp_metadata.stream.get_data() if reader.xmp_metadata else b"")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thursday.pdf", "thursday.yaml"]


def test_print_without_lp_is_a_clear_error_and_keeps_the_pdf(tmp_path: Path):
    import shutil
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A PATH with python but no `lp`.
    (bin_dir / "python").symlink_to(sys.executable)
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print", env={"PATH": str(bin_dir)})
    assert shutil.which("lp", path=str(bin_dir)) is None
    assert result.code == 2 and "Traceback" not in result.text
    assert "cannot print it: there is no 'lp' command" in result.err
    assert out.exists()


def test_print_sends_the_pdf_to_lp_and_reports_its_failure(tmp_path: Path):
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "lp.log"
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" > {log}\necho "lp: Error - no default destination available." >&2\nexit 1\n')
    lp.chmod(0o755)
    lpstat = bin_dir / "lpstat"  # a print system that is up, with an idle default printer
    lpstat.write_text('#!/bin/sh\ncase "$1" in -r) echo "scheduler is running";; -d) echo "system default destination: office";;\n'
                      ' -p) echo "printer office is idle.  enabled since today";; -a) echo "office accepting requests";; esac\n')
    lpstat.chmod(0o755)
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print",
                      env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert result.code == 2
    assert "printing failed: lp: Error - no default destination available." in result.err
    assert log.read_text().split() == ["-o", "media=Letter", "-n", "1", "--", str(out)]


def _longest_described(count: int) -> list[str]:
    """Bundled ids whose cover entries take the most room: long titles and subtitles."""
    from handoutkit.library import Library

    library = Library([])
    size = {i: len(library.load(i).module.title) + len(library.load(i).module.subtitle or "") for i in library.ids()}
    return sorted(size, key=lambda i: (-size[i], i))[:count]


@pytest.mark.parametrize(("theme", "paper", "count"), [
    ("large-print", "letter", 2), ("large-print", "letter", 3), ("large-print", "letter", 4),
    ("large-print", "a4", 5), ("large-print", "letter", 10),
    ("default", "letter", 5), ("default", "letter", 6), ("print", "a4", 5), ("default", "letter", 8),
    ("default", "a4", 9), ("default", "letter", 18),
])
def test_the_cover_is_one_page_whatever_the_packet(tmp_path: Path, theme: str, paper: str, count: int):
    """The handouts that take the most room on the cover, at each step of what it shows.
    (Only the titles of more than ten handouts in large print need a second page.)"""
    import io

    from handoutkit import build as building
    from handoutkit.library import Library
    from handoutkit.settings import Settings

    library = Library([])
    (job,) = building.plan(_longest_described(count), library, base=Settings(), flags={"theme": theme, "paper": paper})
    reader = pypdf.PdfReader(io.BytesIO(building.render_job(job, library).rendered.pdf))
    first_handout = reader.get_destination_page_number(reader.outline[0]) + 1
    assert first_handout == 2, f"the cover runs to {first_handout - 1} pages"
    cover = squash(reader.pages[0].extract_text())
    first = job.modules[0].module
    assert first.title in cover
    # What the cover gives up is measured (coverfit.py), in order: subtitles before notes.
    if first.subtitle in cover:
        assert "Notes" in cover, cover
    if count <= 2:
        # Two handouts leave room for the notes; in large print the two longest subtitles of
        # the library (near 90 characters each) are given up first.
        assert "Notes" in cover, "two handouts leave room for the notes"


def test_a_fillable_cover_has_a_notes_field(tmp_path: Path):
    fields = _fields(build(tmp_path, str(ROOT / "examples" / "first-session.yaml"), "--fillable"))
    assert fields["packet.notes"]["/FT"] == "/Tx" and int(fields["packet.notes"]["/Ff"]) & (1 << 12)
