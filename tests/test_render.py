"""Functional tests: build real PDFs and read them back."""

from __future__ import annotations

from pathlib import Path

import pypdf

from conftest import FIXTURES, ROOT, handouts, pdf_text, squash

BLOCK_MARKERS = [
    "Marker content note",
    "Marker summary point",
    "Marker text paragraph",
    "Marker list one",
    "Marker example saying",
    "Marker examples note",
    "Marker check one",
    "Marker step plain",
    "Marker step timed",
    "Marker prompt question?",
    "Marker scale question?",
    "Marker low",
    "Marker high",
    "Marker script line one",
    "Marker script line two",
    "Marker callout body",
    "Marker column one",
    "Marker cell",
    "National Sexual Assault Hotline",  # the resources block, US by default
]


def test_every_block_type_prints_in_order(tmp_path: Path):
    out = tmp_path / "all.pdf"
    result = handouts("build", str(FIXTURES / "all-blocks.yaml"), "-o", str(out))
    assert result.code == 0, result.text
    text = squash(pdf_text(out))
    positions = [text.find(marker) for marker in BLOCK_MARKERS]
    missing = [m for m, p in zip(BLOCK_MARKERS, positions) if p < 0]
    assert not missing, f"not in the PDF: {missing}"
    assert positions == sorted(positions), "blocks are out of order"
    # Scale numbers and steps are printed, as is the timing.
    assert "(2 min)" in text
    for n in range(0, 11):
        assert f" {n} " in f" {text} "


def test_pdf_has_title_language_bookmark_and_font(tmp_path: Path):
    out = tmp_path / "g.pdf"
    assert handouts("build", "grounding-5-4-3-2-1", "-o", str(out)).code == 0
    reader = pypdf.PdfReader(out)
    assert reader.metadata.title == "5-4-3-2-1 grounding"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF
    assert [o["/Title"] for o in reader.outline] == ["5-4-3-2-1 grounding"]
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Atkinson-Hyperlegible" in f for f in fonts), fonts


def test_packet_is_one_pdf_with_a_bookmark_per_handout(tmp_path: Path):
    result = handouts("build", str(ROOT / "examples" / "first-session.yaml"), cwd=tmp_path)
    assert result.code == 0, result.text
    out = tmp_path / "first-session.pdf"  # named after the packet file
    reader = pypdf.PdfReader(out)
    assert reader.metadata.title == "Understanding sexual coercion"
    titles = [o["/Title"] for o in reader.outline]
    assert titles == ["What is sexual coercion?", "Understanding consent", "5-4-3-2-1 grounding"]
    # Each handout starts on a new page: its bookmark points at the top of a page.
    starts = [reader.get_destination_page_number(o) for o in reader.outline]
    assert starts == sorted(set(starts))
    for start, title in zip(starts, titles):
        assert title in reader.pages[start].extract_text()
    # Page numbers run through the whole packet.
    last = reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last


def test_running_footer_names_the_handout(tmp_path: Path):
    out = tmp_path / "c.pdf"
    assert handouts("build", "consent-literacy", "-o", str(out)).code == 0
    reader = pypdf.PdfReader(out)
    title = "Understanding consent"
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"Page {n} of {len(reader.pages)}" in text
        assert title in text


def test_html_option_writes_the_final_html(tmp_path: Path):
    pdf, html = tmp_path / "g.pdf", tmp_path / "g.html"
    assert handouts("build", "grounding-5-4-3-2-1", "-o", str(pdf), "--html", str(html)).code == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "5-4-3-2-1 grounding" in page and pdf.exists()


def test_default_file_name_is_the_module_id(tmp_path: Path):
    assert handouts("build", "consent-literacy", cwd=tmp_path).code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["consent-literacy.pdf"]


def test_content_is_data_never_markup_or_template(tmp_path: Path):
    module = tmp_path / "hostile.yaml"
    module.write_text(
        "title: Hostile text\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n"
        "  - type: text\n    body: \"Sum {{ 7*7 }} and {% if true %}tag{% endif %} and <b>raw</b> <script>alert(1)</script>\"\n",
        encoding="utf-8",
    )
    out = tmp_path / "h.pdf"
    result = handouts("build", str(module), "-o", str(out), "--html", str(tmp_path / "h.html"))
    assert result.code == 0, result.text
    text = squash(pdf_text(out))
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{% if true %}" in text
    assert "<b>raw</b>" in text and "<script>" in text
    assert "<script>" not in (tmp_path / "h.html").read_text()


def test_library_override_replaces_a_bundled_module(tmp_path: Path):
    library = tmp_path / "mine"
    library.mkdir()
    (library / "grounding.yaml").write_text(
        "id: grounding-5-4-3-2-1\ntitle: Our practice's own grounding\nkind: exercise\naudience: client\n"
        "topics: [grounding]\nblocks:\n  - type: steps\n    items: [Look around the room.]\n",
        encoding="utf-8",
    )
    out = tmp_path / "g.pdf"
    result = handouts("--library", str(library), "build", "grounding-5-4-3-2-1", "-o", str(out))
    assert result.code == 0, result.text
    assert "Our practice's own grounding" in pdf_text(out)
    # The environment variable does the same.
    out2 = tmp_path / "g2.pdf"
    result = handouts("build", "grounding-5-4-3-2-1", "-o", str(out2), env={"HANDOUTS_LIBRARY": str(library)})
    assert result.code == 0, result.text
    assert "Our practice's own grounding" in pdf_text(out2)


def test_cli_py_runs_from_a_checkout(tmp_path: Path):
    import subprocess
    import sys

    out = tmp_path / "b.pdf"
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "build", "body-scan", "-o", str(out)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "A gentle body scan" in pdf_text(out)


def _table_rows_by_page(tmp_path: Path, filler: int, rows: int) -> list[list[int]]:
    """Build a module whose table starts after `filler` list lines; each row's page(s)."""
    import io
    import json

    from handoutkit import build as building
    from handoutkit.library import Library
    from handoutkit.settings import Settings

    module = tmp_path / f"table-{filler}-{rows}.yaml"
    module.write_text("\n".join([
        "title: Where a table breaks", "kind: worksheet", "audience: client", "topics: [test]", "blocks:",
        "  - type: list", "    items:", *[f"      - Filler line {i}" for i in range(filler)],
        "  - type: table", "    title: The table", "    columns: [Person, Phone]", "    rows:",
        *[f"      - {json.dumps([f'Row{r}start', f'Row{r}end'])}" for r in range(rows)],
    ]) + "\n", encoding="utf-8")
    library = Library([])
    (job,) = building.plan([str(module)], library, base=Settings(), flags={})
    reader = pypdf.PdfReader(io.BytesIO(building.render_job(job, library).rendered.pdf))
    texts = [page.extract_text() for page in reader.pages]
    return [[n for n, text in enumerate(texts) if f"Row{r}start" in text] for r in range(rows)]


# Filler from 14 to 27 list lines, line by line, moves the table's start across the foot of page one.
FILLERS = range(14, 28)


def test_a_short_table_is_never_split_across_pages(tmp_path: Path):
    pages_seen = set()
    for filler in FILLERS:
        placed = _table_rows_by_page(tmp_path, filler, rows=4)
        assert all(len(p) == 1 for p in placed), placed
        assert len({p[0] for p in placed}) == 1, f"with {filler} filler lines the rows are split: {placed}"
        pages_seen.add(placed[0][0])
    assert pages_seen == {0, 1}, "the fillers should move the table from page one to page two"


def test_a_long_table_breaks_between_rows_never_leaving_one_alone(tmp_path: Path):
    splits = 0
    for filler in FILLERS:
        pages = [p[0] for p in _table_rows_by_page(tmp_path, filler, rows=8)]
        if len(set(pages)) > 1:
            splits += 1
            assert pages.count(pages[0]) >= 2 and pages.count(pages[-1]) >= 2, f"{filler} filler lines: {pages}"
    assert splits, "no filler length split the table: the test proves nothing"
