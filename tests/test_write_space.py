"""Room to write that survives a photocopier (DESIGN.md, review M11/M12), read back from the
PDF's own drawing: write-in lines at least 8 mm apart and dark, cells to fill at least 12 mm
tall and 40 mm wide, three lines for each step of the safety plan; in every theme, on both
papers, printed and fillable."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import FIXTURES, handouts

MM = 72 / 25.4  # points in a millimetre
MIN_PITCH = 8 * MM
MIN_CELL_HEIGHT = 12 * MM
MIN_CELL_WIDTH = 40 * MM
MIN_CONTRAST = 4.5  # against white paper: DESIGN.md asks about 3:1 at lightest; the old pale rule was 2.5:1

# Every bundled handout with a table to fill or write-in lines the review measured, and a
# fixture with each kind of table to fill.
HANDOUTS = ["support-and-safety-plan", "boundaries-and-pacing", "noticing-triggers", "help-now",
            "shame-and-self-blame", "attachment-after-coercion", str(FIXTURES / "partner" / "tables.yaml")]
VARIANTS = [(theme, paper) for theme in ("default", "print", "large-print") for paper in ("letter", "a4")]


def _build(tmp: Path, *args: str) -> Path:
    out = tmp / "out.pdf"
    result = handouts("build", *HANDOUTS, *args, "-o", str(out))
    assert result.code == 0, result.text
    return out


def contrast(colour) -> float:
    """WCAG contrast of a PDF fill or stroke colour against white."""
    if isinstance(colour, (int, float)):
        colour = (colour,) * 3
    if len(colour) == 1:
        colour = tuple(colour) * 3
    if len(colour) == 4:  # CMYK
        c, m, y, k = colour
        colour = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in colour)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def write_lines(page) -> list[dict]:
    """The write-in lines on a page. WeasyPrint draws a bottom border as the filled space
    between two rectangles that share their top, left and width, the outer one taller by
    the border's thickness; a line is such a band, thin (at most 1 pt) and wide (60 mm+)."""
    groups = defaultdict(list)
    for r in page.rects:
        if r["fill"] and not r["stroke"]:
            groups[(round(r["x0"], 1), round(r["top"], 1), round(r["width"], 1))].append(r)
    lines = []
    for (x0, top, width), rects in groups.items():
        heights = sorted({round(r["height"], 2) for r in rects})
        if len(heights) != 2 or width < 60 * MM:
            continue
        thickness = heights[1] - heights[0]
        if 0.2 <= thickness <= 1.0:
            lines.append({"x0": x0, "x1": x0 + width, "y": top + heights[1], "colour": rects[0]["non_stroking_color"]})
    return lines


@pytest.fixture(scope="module", params=VARIANTS, ids=[f"{t}-{p}" for t, p in VARIANTS])
def printed(request, tmp_path_factory):
    theme, paper = request.param
    path = _build(tmp_path_factory.mktemp("printed"), "--theme", theme, "--paper", paper)
    with pdfplumber.open(path) as pdf:
        yield theme, [_page_facts(page) for page in pdf.pages]


def _page_facts(page) -> dict:
    words = page.extract_words()
    tables = []
    # Table borders are drawn as lines; write-in lines and boxes as filled rectangles.
    for table in page.find_tables({"vertical_strategy": "lines_strict", "horizontal_strategy": "lines_strict"}):
        cells = []
        for cell in table.cells:
            x0, top, x1, bottom = cell
            inside = [w for w in words if x0 <= w["x0"] and w["x1"] <= x1 and top <= w["top"] and w["bottom"] <= bottom]
            cells.append({"width": x1 - x0, "height": bottom - top, "blank": not inside})
        tables.append({"columns": max(len(row.cells) for row in table.rows), "cells": cells})
    boxes = _boxes(page)
    return {"text": page.extract_text() or "", "words": words, "lines": write_lines(page),
            "tables": tables, "boxes": boxes}


def _boxes(page) -> list[dict]:
    """Boxes to write in (a card's cells): a border drawn as the space between a rectangle
    and one inset by the border's thickness on every side, in the write-in colour."""
    rects = [r for r in page.rects if r["fill"] and not r["stroke"]]
    out = []
    for outer, inner in itertools.permutations(rects, 2):
        d = inner["x0"] - outer["x0"]
        if (0.2 <= d <= 1.0 and abs(inner["top"] - outer["top"] - d) < 0.05
                and abs(outer["width"] - inner["width"] - 2 * d) < 0.05
                and abs(outer["height"] - inner["height"] - 2 * d) < 0.05
                and contrast(outer["non_stroking_color"]) >= 3):
            out.append({"width": inner["width"], "height": inner["height"], "colour": outer["non_stroking_color"]})
    return out


def test_write_lines_are_at_least_8_mm_apart(printed):
    theme, pages = printed
    found = 0
    for n, page in enumerate(pages):
        by_span = defaultdict(list)
        for line in page["lines"]:
            by_span[(round(line["x0"]), round(line["x1"]))].append(line["y"])
        for ys in by_span.values():
            ys.sort()
            found += len(ys)
            for upper, lower in zip(ys, ys[1:]):
                assert lower - upper >= MIN_PITCH - 0.1, f"{theme}: page {n + 1}: lines {(lower - upper) / MM:.1f} mm apart"
    assert found > 40, "the write-in lines were not found"


def test_write_lines_and_cells_are_dark_enough_to_copy(printed):
    theme, pages = printed
    colours = {tuple(line["colour"]) for page in pages for line in page["lines"]}
    colours |= {tuple(box["colour"]) for page in pages for box in page["boxes"]}
    assert colours
    for colour in colours:
        assert contrast(colour) >= MIN_CONTRAST, f"{theme}: write-in colour {colour} is {contrast(colour):.1f}:1 on white"
    if theme == "print":
        assert colours == {(0, 0, 0)} or colours == {(0.0, 0.0, 0.0)}, colours


def test_cells_to_fill_are_tall_and_wide_enough(printed):
    theme, pages = printed
    blank = [cell for page in pages for table in page["tables"] if table["columns"] >= 2
             for cell in table["cells"] if cell["blank"]]
    # support-and-safety-plan has 15 cells to fill, help-now 3, shame-and-self-blame 2, the fixture 8.
    assert len(blank) >= 28, len(blank)
    for cell in blank:
        assert cell["height"] >= MIN_CELL_HEIGHT - 0.5, f"{theme}: a cell to fill {cell['height'] / MM:.1f} mm tall"
        assert cell["width"] >= MIN_CELL_WIDTH, f"{theme}: a cell to fill {cell['width'] / MM:.1f} mm wide"


def test_a_table_with_many_columns_becomes_boxes_two_to_a_line(printed):
    """noticing-triggers (4 columns, 3 rows) and the fixture's 5 columns (9 blank cells)."""
    theme, pages = printed
    boxes = [box for page in pages for box in page["boxes"]]
    assert len(boxes) >= 12 + 9, len(boxes)
    for box in boxes:
        assert box["height"] >= MIN_CELL_HEIGHT, f"{theme}: a box {box['height'] / MM:.1f} mm tall"
        assert box["width"] >= 2 * MIN_CELL_WIDTH, f"{theme}: a box {box['width'] / MM:.1f} mm wide"
    # No table of more than three columns is left with cells to fill.
    for page in pages:
        for table in page["tables"]:
            if any(cell["blank"] for cell in table["cells"]) and table["columns"] >= 2:
                assert table["columns"] <= 3


def test_each_step_of_the_safety_plan_has_three_lines(printed):
    theme, pages = printed
    steps = {"Step 1": None, "Step 2": None, "Step 3": None, "Step 6": None, "What matters to me": None}
    for page in pages:
        text_lines = _text_rows(page["words"])
        for label in steps:
            for i, (y, row) in enumerate(text_lines):
                if row.startswith(label) and steps[label] is None:
                    # Its lines: below the question (which may wrap), above the next text.
                    first = min((line["y"] for line in page["lines"] if line["y"] > y), default=float("inf"))
                    end = next((t for t, _ in text_lines[i + 1:] if t > first), float("inf"))
                    steps[label] = sum(1 for line in page["lines"] if y < line["y"] < end)
    assert steps == dict.fromkeys(steps, 3), f"{theme}: {steps}"


def _text_rows(words) -> list[tuple[float, str]]:
    """Lines of text as (bottom, text), top to bottom; a question's wrapped lines stay apart."""
    rows: dict[int, list] = defaultdict(list)
    for w in words:
        rows[round(w["bottom"])].append(w)
    return [(max(w["bottom"] for w in ws), " ".join(w["text"] for w in sorted(ws, key=lambda w: w["x0"])))
            for _, ws in sorted(rows.items())]


@pytest.fixture(scope="module", params=["default", "large-print"])
def fillable(request, tmp_path_factory):
    path = _build(tmp_path_factory.mktemp("fillable"), "--fillable", "--theme", request.param, "--paper", "a4")
    fields = []
    for page in pypdf.PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Tx" or (annot.get("/Parent") and annot["/Parent"].get_object().get("/FT") == "/Tx"):
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                name = str(annot.get("/T") or annot["/Parent"].get_object()["/T"])
                fields.append({"name": name, "width": abs(x1 - x0), "height": abs(y1 - y0)})
    return request.param, fields


def test_fillable_fields_have_room_to_write(fillable):
    """A cell's field as tall as the cell (12 mm+); a prompt's as tall as its lines."""
    theme, fields = fillable
    assert len(fields) >= 40, len(fields)
    cells = [f for f in fields if f["width"] < 150 * MM]  # a prompt's field spans the page
    assert len(cells) >= 20, len(cells)
    for field in fields:
        assert field["height"] >= MIN_PITCH, f"{theme}: {field['name']} {field['height'] / MM:.1f} mm tall"
        assert field["width"] >= MIN_CELL_WIDTH - 2 * MM, f"{theme}: {field['name']} {field['width'] / MM:.1f} mm wide"
    for cell in cells:
        assert cell["height"] >= MIN_CELL_HEIGHT - 0.5, f"{theme}: {cell['name']} {cell['height'] / MM:.1f} mm tall"
