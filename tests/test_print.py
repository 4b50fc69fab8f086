"""Print (issue 12): a cover that fits because it was measured, large print that is large
throughout, and nothing within 10 mm of the paper's edge.

Built once, in one batch: the four bundled handouts with the longest titles with every
personal detail and a logo, in large print on A4 and Letter (the packet that ran its cover
onto a second page), and a packet of every block type in each theme and paper.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest

from conftest import FIXTURES, handouts, squash

MM = 72 / 25.4
EDGE_MM = 10
DETAILS = {"client": "Jordan Alexandra Montgomery-Whitfield",
           "clinician": "Dr. Alexandra Rivera-Castellanos, LMFT, LPCC",
           "practice": "Riverside Counseling and Family Therapy Associates",
           "contact": "555-0100 · riverside-counseling.example · Monday to Friday, 9 to 5"}
COVERS = ["cover-large-print-a4", "cover-large-print-letter"]
ALL_BLOCKS = [f"blocks-{theme}-{paper}" for theme in ("default", "print", "large-print") for paper in ("letter", "a4")]


def _longest_titles(count: int = 4) -> list[str]:
    from handoutkit.library import Library

    library = Library([])
    titles = {i: library.load(i).module.title for i in library.ids()}
    return sorted(titles, key=lambda i: (-len(titles[i]), i))[:count]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    from PIL import Image

    folder = tmp_path_factory.mktemp("print")
    (folder / "all-blocks.yaml").write_bytes((FIXTURES / "all-blocks.yaml").read_bytes())
    Image.new("RGB", (300, 100), (31, 95, 122)).save(folder / "logo.png")
    details = "".join(f"{key}: \"{value}\"\n" for key, value in DETAILS.items()) + "logo: logo.png\ndate: 2026-11-24\n"
    packets = []
    for name in COVERS:
        paper = name.rsplit("-", 1)[1]
        (folder / f"{name}.yaml").write_text(
            f"title: Session 12 — Shame, self-blame, attachment and a plan for staying safe between sessions\n"
            f"handouts: [{', '.join(_longest_titles())}]\ntheme: large-print\npaper: {paper}\n{details}",
            encoding="utf-8")
        packets.append(folder / f"{name}.yaml")
    for name in ALL_BLOCKS:
        _, theme, paper = re.fullmatch(r"(blocks)-(.+)-(letter|a4)", name).groups()
        (folder / f"{name}.yaml").write_text(
            f"title: Every block\nhandouts: [all-blocks.yaml, help-now]\ntheme: {theme}\npaper: {paper}\n{details}",
            encoding="utf-8")
        packets.append(folder / f"{name}.yaml")
    out = folder / "out"
    out.mkdir()
    result = handouts("build", *map(str, packets), "-j", "2", "-o", f"{out}/",
                      env={"HANDOUTS_CONFIG": str(folder / "none.yaml")})
    assert result.code == 0, result.text
    return {p.stem: out / f"{p.stem}.pdf" for p in packets}


# ---- the cover ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", COVERS)
def test_the_cover_with_the_longest_titles_and_every_detail_is_one_whole_page(pdfs, name):
    reader = pypdf.PdfReader(pdfs[name])
    starts = [reader.get_destination_page_number(b) + 1 for b in reader.outline]
    assert starts[0] == 2, f"the cover runs to {starts[0] - 1} pages"
    cover = squash(reader.pages[0].extract_text())
    for value in DETAILS.values():  # a long value wraps in its column: compare without spaces
        assert value.replace(" ", "") in cover.replace(" ", ""), value
    assert "24 November 2026" in cover
    titles = [b["/Title"] for b in reader.outline]
    assert len(titles) == 4
    for title, page in zip(titles, starts):
        listed = re.search(re.escape(title) + r"[ .]*page (\d+)", cover)
        assert listed, f"{title} is missing from the contents"
        assert int(listed.group(1)) == page
    with pdfplumber.open(pdfs[name]) as doc:  # the whole cover inside the page's margins
        page = doc.pages[0]
        assert max(c["bottom"] for c in page.chars) < page.height - 20 * MM


def test_the_cover_says_as_much_as_fits(tmp_path: Path):
    """The measured steps in action: a short packet keeps its subtitles and notes; one that
    has no room gives up its subtitles before its notes, and keeps every title."""
    from handoutkit import coverfit
    from handoutkit.settings import Settings

    seen, rendered = [], []

    def pages(fit) -> int:
        return 1 if fit.note_lines == 0 and not fit.roomy else 2

    def cover_pages(fit):
        seen.append(fit)
        return pages(fit)

    def render(fit):
        rendered.append(fit)
        return fit, pages(fit)

    chosen = coverfit.fitted(Settings(theme="large-print"), cover_pages, render)
    full = coverfit.steps(Settings(theme="large-print"))[0]
    assert rendered[0] == full and full.subtitles and full.note_lines == 3 and full.kinds and full.logo
    assert not seen[0].subtitles and seen[0].note_lines == 3, "subtitles go first"
    assert [f.note_lines for f in seen[1:3]] == [2, 0], "then the note lines"
    assert chosen.note_lines == 0 and not chosen.roomy and chosen.kinds and chosen.logo
    assert rendered == [full, chosen], "the whole document is rendered at the first step that fits"
    # A short packet: one rendering, nothing measured, nothing given up.
    seen.clear(), rendered.clear()
    assert coverfit.fitted(Settings(), cover_pages, lambda fit: (rendered.append(fit) or fit, 1)) == coverfit.CoverFit()
    assert len(rendered) == 1 and not seen
    # The whole document is the judge: if its cover still runs on, the next step is taken.
    rendered.clear()
    chosen = coverfit.fitted(Settings(), lambda fit: 1, lambda fit: (rendered.append(fit) or fit, 2 if len(rendered) < 3 else 1))
    assert len(rendered) == 3 and chosen == coverfit.steps(Settings())[2]


# ---- large print --------------------------------------------------------------------------


def _heading_mcids(path: Path) -> set[tuple[int, int]]:
    """(page, MCID) of every piece of text inside a heading element."""
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    found = set()

    def walk(node, heading: bool):
        if not isinstance(node, pikepdf.Dictionary):
            return
        heading = heading or str(node.get("/S", "")) in {"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}
        kids = node.get("/K")
        for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, int) and heading:
                found.add((pages[node.Pg.objgen], int(kid)))
            else:
                walk(kid, heading)

    walk(pdf.Root.StructTreeRoot, False)
    return found


@pytest.mark.parametrize("name", [*COVERS, "blocks-large-print-letter", "blocks-large-print-a4"])
def test_large_print_every_character_is_18pt_and_every_heading_22pt(pdfs, name):
    headings = _heading_mcids(pdfs[name])
    small, small_headings, heading_chars = [], [], 0
    with pdfplumber.open(pdfs[name]) as doc:
        for number, page in enumerate(doc.pages):
            for c in page.chars:
                if not c["text"].strip():
                    continue
                if c["size"] < 17.95:
                    small.append((number + 1, c["text"], round(c["size"], 1)))
                if (number, c.get("mcid")) in headings:
                    heading_chars += 1
                    if c["size"] < 21.95:
                        small_headings.append((number + 1, c["text"], round(c["size"], 1)))
    assert not small, f"text under 18 pt: {small[:20]}"
    assert heading_chars > 100, "headings found, so the next line means something"
    assert not small_headings, f"heading text under 22 pt: {small_headings[:20]}"


@pytest.mark.parametrize("name", ["blocks-large-print-letter", "blocks-large-print-a4", "blocks-default-letter"])
def test_scale_end_labels_stay_inside_the_margins(pdfs, name):
    with pdfplumber.open(pdfs[name]) as doc:
        for page in doc.pages:
            words = page.extract_words()
            for label in ("low", "high"):
                for i, word in enumerate(words):
                    if word["text"] == label and i and words[i - 1]["text"] == "Marker":
                        assert words[i - 1]["x0"] >= 18 * MM - 0.5 and word["x1"] <= page.width - 18 * MM + 0.5, word


# ---- the paper's edge ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [*COVERS, *ALL_BLOCKS])
def test_nothing_within_10mm_of_the_edge_by_its_boxes(pdfs, name):
    near = []
    with pdfplumber.open(pdfs[name]) as doc:
        for page in doc.pages:
            for thing in [*page.chars, *page.rects, *page.lines, *page.curves, *page.images]:
                if thing.get("text", "x").strip() == "":
                    continue
                gap = min(thing["x0"], thing["top"], page.width - thing["x1"], page.height - thing["bottom"])
                if gap < EDGE_MM * MM:
                    near.append((page.page_number, thing.get("text", thing["object_type"]), round(gap / MM, 1)))
    assert not near, f"within {EDGE_MM} mm of the edge (page, what, mm): {near[:20]}"


@pytest.mark.parametrize("name", [*COVERS, *ALL_BLOCKS])
def test_nothing_within_10mm_of_the_edge_on_the_rendered_page(pdfs, name, tmp_path: Path):
    """Poppler draws each page at 36 dpi: no pixel in the outer 10 mm is darker than paper."""
    from PIL import Image

    dpi = 36
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdfs[name]), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.pgm"))
    assert pages
    band = int(EDGE_MM / 25.4 * dpi)  # whole pixels inside the 10 mm band
    for path in pages:
        image = Image.open(path)
        width, height = image.size
        pixels = image.load()
        inked = [(x, y) for y in range(height) for x in range(width)
                 if (x < band or y < band or x >= width - band or y >= height - band) and pixels[x, y] < 200]
        assert not inked, f"{path.name}: ink within {EDGE_MM} mm of the edge at {inked[:5]}"
        inside = [pixels[x, y] for y in range(band, height - band) for x in range(band, width - band)]
        assert min(inside) < 100, "the page has ink somewhere"
