"""A client fills in a fillable handout in a real viewer, saves it, and it opens filled in.

pdf.js (Firefox's viewer, from npm's pdfjs-dist) runs in Debian's chromium driven by
Playwright, from a page of our own (tests/browser/forms.html) served on 127.0.0.1: it types
into a one-line and a many-line text field (letters such as Ł, ő, ř, ə), ticks a checkbox,
chooses a radio button of a scale that starts at 1, and saves with pdf.js's own
``saveDocument``. The saved file is then read back three ways: pypdf reads the values;
pdf.js opens it again and shows them; poppler (``pdftoppm``, what Evince and Okular draw)
and PDFium (``pypdfium2`` with its form environment, what Chrome and Edge draw), on screen
and as printed, draw the tick, the chosen radio and the text inside each field's box and
nothing in the boxes left empty, compared pixel by pixel with the blank file.
"""

from __future__ import annotations

import base64
import functools
import http.server
import subprocess
import threading
from pathlib import Path

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from conftest import FIXTURES, ROOT, handouts

BROWSER = ROOT / "tests" / "browser"
SHEET = FIXTURES / "forms" / "fill-in.yaml"

ONE_LINE = "fill-in.your-name-in-one-line"
MANY_LINES = "fill-in.what-helped-this-week"
TICKED, UNTICKED = "fill-in.i-ate-a-meal", ("fill-in.i-slept-enough", "fill-in.i-talked-to-someone")
SCALE = "fill-in.how-calm-do-you-feel-now"
NAME_TYPED = "Łukasz Kőrösi-Øre"
LINES_TYPED = ("Řeka, mañana, Straße.", "Ənənə ō ŋ ș")
CHOSEN = "4"  # the fourth of 1…5: a scale from 1, so a position and a value differ
DPI = 100


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output is not the place for a request log
        pass


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("forms") / "blank.pdf"
    result = handouts("build", str(SHEET), "--fillable", "--date", "2026-11-24", "-o", str(out),
                      env={"HANDOUTS_CONFIG": str(out.parent / "none.yaml")})
    assert result.code == 0, result.text
    return out


@pytest.fixture(scope="module")
def viewer():
    """A pdf.js page in chromium, its files served from tests/browser on 127.0.0.1 only;
    any request for anything else fails the test."""
    from playwright.sync_api import sync_playwright

    assert (BROWSER / "node_modules" / "pdfjs-dist" / "build" / "pdf.mjs").is_file(), (
        "run: npm ci --prefix tests/browser")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Files, directory=str(BROWSER)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    elsewhere: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 1000, "height": 1400})

                def only_ours(route) -> None:
                    if route.request.url.startswith(origin):
                        route.continue_()
                    else:
                        elsewhere.append(route.request.url)
                        route.abort()

                context.route("**/*", only_ours)
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
                page.goto(origin + "forms.html")
                page.wait_for_function("window.viewerReady === true")
                yield page, elsewhere, errors
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


def _open(page, pdf: bytes) -> int:
    return page.evaluate("data => openPdf(data)", base64.b64encode(pdf).decode("ascii"))


def _widget_state(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('.annotationLayer input, .annotationLayer textarea')].map(e =>
            [e.dataset.elementId, {name: e.name, type: e.type, value: e.value, checked: e.checked,
             title: e.closest('section').title}]))""")


@pytest.fixture(scope="module")
def filled(viewer, blank, tmp_path_factory):
    """The blank sheet filled in and saved by pdf.js, and what pdf.js shows on reopening it."""
    page, elsewhere, errors = viewer
    assert _open(page, blank.read_bytes()) == 1
    page.locator(f'input[name="{ONE_LINE}"]').click()
    page.keyboard.type(NAME_TYPED)
    page.locator(f'textarea[name="{MANY_LINES}"]').click()
    page.keyboard.type(LINES_TYPED[0])
    page.keyboard.press("Enter")
    page.keyboard.type(LINES_TYPED[1])
    page.locator(f'input[name="{TICKED}"]').click()
    radios = page.locator(f'input[name="{SCALE}"]')
    assert radios.count() == 5
    radios.nth(3).click()
    page.keyboard.press("Tab")  # leave the last field, as a client does before saving
    saved = base64.b64decode(page.evaluate("savePdf()"))
    path = tmp_path_factory.mktemp("saved") / "filled.pdf"
    path.write_bytes(saved)
    assert _open(page, saved) == 1
    reopened = _widget_state(page)
    assert not elsewhere, f"pdf.js asked for something beyond 127.0.0.1: {elsewhere}"
    assert not errors, errors
    return path, reopened


def test_pypdf_reads_back_every_answer(filled):
    path, _ = filled
    fields = pypdf.PdfReader(path).get_fields()
    assert fields[ONE_LINE]["/V"] == NAME_TYPED
    assert fields[MANY_LINES]["/V"].splitlines() == list(LINES_TYPED)
    assert fields[TICKED]["/V"] == "/on"
    assert all(fields[name].get("/V") == "/Off" for name in UNTICKED)
    assert fields[SCALE]["/V"] == f"/{CHOSEN}"  # the group holds the value chosen, not a position


def test_pdfjs_shows_the_answers_on_reopening(filled):
    _, shown = filled
    by_name: dict[str, list[dict]] = {}
    for state in shown.values():
        by_name.setdefault(state["name"], []).append(state)
    assert by_name[ONE_LINE][0]["value"] == NAME_TYPED
    assert by_name[MANY_LINES][0]["value"].splitlines() == list(LINES_TYPED)
    assert by_name[TICKED][0]["checked"] is True
    assert all(by_name[name][0]["checked"] is False for name in UNTICKED)
    assert [radio["checked"] for radio in by_name[SCALE]] == [False, False, False, True, False]


def test_the_saved_file_draws_typed_letters_with_the_embedded_field_font(filled):
    """pdf.js wrote each answer's appearance in the field's own font (it holds every Latin
    letter), so it did not fall back to asking other viewers to make appearances, and the
    text poppler reads from those appearances is what was typed."""
    path, _ = filled
    with pikepdf.open(path) as pdf:
        form = pdf.Root.AcroForm
        assert not form.get("/NeedAppearances", False)
        for field in form.Fields:
            if field.get("/FT") == "/Tx":
                fonts = field.AP.N.Resources.Font
                for font in fonts.values():
                    assert "Handoutkit-Forms" in str(font.BaseFont), font.BaseFont
                    assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for typed in (NAME_TYPED, *LINES_TYPED):
        assert typed in text, typed


# --- what poppler and PDFium draw --------------------------------------------------------

def _widgets(path: Path) -> dict[str, list[tuple[str, tuple[float, float, float, float]]]]:
    """Each field's widgets: (on-state name, rectangle in PDF points), page 1."""
    out: dict[str, list] = {}
    with pikepdf.open(path) as pdf:
        height = float(pdf.pages[0].MediaBox[3])
        for annot in pdf.pages[0].get("/Annots", ()):
            if annot.get("/Subtype") != "/Widget":
                continue
            field = annot.get("/Parent", annot)
            states = [str(k)[1:] for k in annot.AP.N.keys()] if isinstance(annot.AP.N, pikepdf.Dictionary) else []
            on = next((s for s in states if s != "Off"), "")
            x1, y1, x2, y2 = (float(v) for v in annot.Rect)
            box = (min(x1, x2), height - max(y1, y2), max(x1, x2), height - min(y1, y2))
            out.setdefault(str(field.T), []).append((on, tuple(round(v, 1) for v in box)))  # pdf.js rounds
    return out


def _ink(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """How much darker than white the inside of a box is, 0…255 (its edge left out)."""
    scale = DPI / 72
    x1, y1, x2, y2 = (v * scale for v in box)
    inset = 0.2 * min(x2 - x1, y2 - y1)
    crop = image.convert("L").crop((round(x1 + inset), round(y1 + inset), round(x2 - inset), round(y2 - inset)))
    histogram = crop.histogram()
    return 255 - sum(level * count for level, count in enumerate(histogram)) / sum(histogram)


def _poppler(path: Path) -> Image.Image:
    prefix = path.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-singlefile", str(path), str(prefix)], check=True)
    return Image.open(f"{prefix}.png")


def _poppler_printed(path: Path) -> Image.Image:
    """What poppler sends to a printer: pdftocairo writes the pages as they print (widgets
    without the Print flag left out, every appearance drawn into the page), then drawn."""
    printed = path.with_name(path.stem + "-printed.pdf")
    subprocess.run(["pdftocairo", "-pdf", str(path), str(printed)], check=True)
    with pikepdf.open(printed) as pdf:
        assert "/Annots" not in pdf.pages[0]  # what is drawn now is the page itself
    return _poppler(printed)


def _pdfium(path: Path, printing: bool) -> Image.Image:
    pdf = pdfium.PdfDocument(str(path))
    try:
        pdf.init_forms()  # the form environment: PDFium draws widgets as Chrome does
        page = pdf[0]
        flags = pdfium_c.FPDF_PRINTING if printing else 0
        return page.render(scale=DPI / 72, may_draw_forms=True, extra_flags=flags).to_pil().copy()
    finally:
        pdf.close()


ENGINES = {
    "poppler": lambda path: _poppler(path),
    "poppler-print": lambda path: _poppler_printed(path),
    "pdfium": lambda path: _pdfium(path, printing=False),
    "pdfium-print": lambda path: _pdfium(path, printing=True),
}


@pytest.mark.parametrize("engine", list(ENGINES))
def test_engine_draws_tick_choice_and_text_and_nothing_else(engine, blank, filled, tmp_path):
    saved, _ = filled
    copy_blank, copy_saved = tmp_path / "blank.pdf", tmp_path / "saved.pdf"
    copy_blank.write_bytes(blank.read_bytes())
    copy_saved.write_bytes(saved.read_bytes())
    before, after = ENGINES[engine](copy_blank), ENGINES[engine](copy_saved)
    widgets = _widgets(copy_blank)
    assert _widgets(copy_saved) == widgets  # the same fields, in the same places

    def darker(name: str, index: int = 0) -> float:
        box = widgets[name][index][1]
        return _ink(after, box) - _ink(before, box)

    assert darker(TICKED) > 20, "the tick is not drawn"
    for name in UNTICKED:
        assert abs(darker(name)) < 2, f"{name} was left empty but something is drawn"
    values = [on for on, _ in widgets[SCALE]]
    assert values == ["1", "2", "3", "4", "5"]
    for index, value in enumerate(values):
        if value == CHOSEN:
            assert darker(SCALE, index) > 20, "the chosen radio is not drawn"
        else:
            assert abs(darker(SCALE, index)) < 2, f"radio {value} was not chosen but is drawn"
    assert darker(ONE_LINE) > 3 and darker(MANY_LINES) > 1, "the typed text is not drawn"


def test_pdfjs_names_each_field_by_its_question(filled):
    """pdf.js gives each field's /TU to the browser as its title: what a screen reader and
    a hover tell about it is the question or item, not an internal name."""
    _, shown = filled
    titles = {state["name"]: state["title"] for state in shown.values()}
    assert titles == {
        ONE_LINE: "Your name, in one line?",
        MANY_LINES: "What helped this week?",
        "fill-in.i-slept-enough": "I slept enough",
        TICKED: "I ate a meal",
        "fill-in.i-talked-to-someone": "I talked to someone",
        SCALE: "How calm do you feel now?",
    }
