"""Every example packet, in every theme, paper and fillable setting, is a PDF that qpdf finds
no fault with; a fillable one's form is one tree of fields, each named for a screen reader
by its question, and a list's numbers still read as numbers.

Each combination of theme, paper and fillable is one test that builds the four example
packets once, in one batch (``handouts build a.yaml b.yaml …``), so xdist spreads the
twelve batches over the machine's cores and nothing is built twice.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import FIXTURES, ROOT, handouts, squash

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SHEET = FIXTURES / "forms" / "fill-in.yaml"


def _build(out: Path, *args: str) -> None:
    result = handouts("build", *args, "--date", "2026-11-24", "-o", str(out), "-j", "1",
                      env={"HANDOUTS_CONFIG": str(out.parent / "none.yaml")})
    assert result.code == 0, result.text


def _qpdf_faults(path: Path) -> list[str]:
    """What qpdf says is wrong: its check of the whole file, and a walk of the form's field
    tree (where a field reached twice showed as "loop detected while traversing /AcroForm")."""
    faults = []
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    if check.returncode != 0 or "WARNING" in check.stdout + check.stderr \
            or "No syntax or stream encoding errors found" not in check.stdout:
        faults.append(f"qpdf --check (exit {check.returncode}): {check.stdout[-400:]} {check.stderr[-400:]}")
    form = subprocess.run(["qpdf", "--json", "--json-key=acroform", str(path)], capture_output=True, text=True)
    if form.returncode != 0 or form.stderr.strip():
        faults.append(f"qpdf acroform walk (exit {form.returncode}): {form.stderr[-400:]}")
    return faults


def _page_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [squash(page) for page in text.split("\f")]


def _letters(text: str) -> str:
    """Text without spaces and hyphens: pdftotext joins a word hyphenated at a line's end."""
    return re.sub(r"[\s\-\u00ad\u2010]", "", text)


def _form_faults(path: Path) -> list[str]:
    """What a viewer would trip on in the form: a field twice, a button without an
    appearance for each state, a tooltip that is an internal name or not the question."""
    faults = []
    pages_text = _page_text(path)
    with pikepdf.open(path) as pdf:
        page_of = {page.objgen: number for number, page in enumerate(pdf.pages)}
        form = pdf.Root.get("/AcroForm")
        if form is None:
            return [f"{path.name}: fillable, but no form"]
        if form.get("/NeedAppearances", False):
            faults.append("asks viewers to make appearances (/NeedAppearances), so poppler hides ticks")
        seen: set = set()
        for field in form.Fields:
            name = str(field.get("/T", "?"))
            if field.objgen in seen:
                faults.append(f"{name}: listed twice in /Fields")
            seen.add(field.objgen)
            if "/Parent" in field:
                faults.append(f"{name}: a kid listed as a field of its own")
            tooltip = str(field.get("/TU", ""))
            if not tooltip or tooltip == name or "*" in tooltip:
                faults.append(f"{name}: tooltip {tooltip!r} is not a question or item")
            widgets = list(field.get("/Kids", [field]))
            for widget in widgets:
                if field is not widget and "/T" in widget:
                    faults.append(f"{name}: a radio button is named as a field of its own")
                normal = widget.get("/AP", {}).get("/N")
                if normal is None:
                    faults.append(f"{name}: a widget without an appearance")
                elif field.get("/FT") == "/Btn":
                    states = set(normal.keys()) if isinstance(normal, pikepdf.Dictionary) else set()
                    if "/Off" not in states or len(states) != 2:
                        faults.append(f"{name}: button appearances {sorted(states)}, not Off and one on state")
                    if widget.get("/AS") not in states:
                        faults.append(f"{name}: shows state {widget.get('/AS')}, which it cannot draw")
                if int(widget.get("/F", 0)) & 4 == 0:
                    faults.append(f"{name}: a widget that does not print")
            # The tooltip is what the page prints beside the field. A table cell's is its
            # column's header and row; a header wrapped over lines comes out of pdftotext
            # word by word across the row, so its words are looked for one by one.
            page = page_of.get(widgets[0].get("/P", pikepdf.Dictionary()).objgen)
            if page is None:
                continue
            column = re.fullmatch(r"(.+), row \d+", tooltip)
            if column:
                printed = all(word in pages_text[page].split() for word in column.group(1).split())
            else:
                printed = _letters(tooltip) in _letters(pages_text[page])
            if not printed:
                faults.append(f"{name}: tooltip {tooltip!r} is not printed on its page")
    return faults


COMBINATIONS = [(theme, paper, fillable) for theme in ("default", "print", "large-print")
                for paper in ("letter", "a4") for fillable in (True, False)]


@pytest.mark.parametrize("theme,paper,fillable", COMBINATIONS,
                         ids=[f"{t}-{p}-{'fillable' if f else 'plain'}" for t, p, f in COMBINATIONS])
def test_every_example_packet_is_clean(tmp_path: Path, theme: str, paper: str, fillable: bool):
    out = tmp_path / "pdf"
    out.mkdir()
    _build(out, *map(str, EXAMPLES), "--theme", theme, "--paper", paper,
           "--fillable" if fillable else "--not-fillable")
    built = sorted(out.glob("*.pdf"))
    # One PDF per example (a discreet packet's is named for its neutral title, not its file).
    assert len(built) == len(EXAMPLES), [p.name for p in built]
    faults = []
    for pdf in built:
        faults += [f"{pdf.name}: {fault}" for fault in _qpdf_faults(pdf)]
        if fillable:
            faults += [f"{pdf.name}: {fault}" for fault in _form_faults(pdf)]
        else:
            with pikepdf.open(pdf) as opened:
                if "/AcroForm" in opened.Root:
                    faults.append(f"{pdf.name}: not fillable, but has a form")
    assert not faults, "\n".join(faults)


@pytest.fixture(scope="module")
def sheet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sheet") / "sheet.pdf"
    _build(out, str(SHEET), "--fillable")
    return out


def test_each_tooltip_is_its_question_or_item(sheet: Path):
    with pikepdf.open(sheet) as pdf:
        tooltips = {str(field.T): str(field.TU) for field in pdf.Root.AcroForm.Fields}
    assert tooltips == {
        "fill-in.your-name-in-one-line": "Your name, in one line?",  # its Markdown as printed
        "fill-in.what-helped-this-week": "What helped this week?",
        "fill-in.i-slept-enough": "I slept enough",
        "fill-in.i-ate-a-meal": "I ate a meal",
        "fill-in.i-talked-to-someone": "I talked to someone",
        "fill-in.how-calm-do-you-feel-now": "How calm do you feel now?",
    }
    assert not _qpdf_faults(sheet) and not _form_faults(sheet)


def test_field_kinds(sheet: Path):
    with pikepdf.open(sheet) as pdf:
        kinds = {str(f.T): (str(f.FT), int(f.get("/Ff", 0))) for f in pdf.Root.AcroForm.Fields}
    assert kinds["fill-in.your-name-in-one-line"] == ("/Tx", 0)  # a one-line prompt: one line
    assert kinds["fill-in.what-helped-this-week"] == ("/Tx", 1 << 12)  # multiline
    assert kinds["fill-in.i-ate-a-meal"] == ("/Btn", 0)  # checkbox
    assert kinds["fill-in.how-calm-do-you-feel-now"][1] & (1 << 15)  # radio


def test_numbered_list_labels_keep_their_unicode_in_a_fillable_pdf(sheet: Path):
    """A list's numbers are set in tabular figures, glyphs reached by shaping; when the
    page's font was also the fields' font, WeasyPrint mapped only its cmap's glyphs to
    Unicode, and the numbers were copied and read out as nothing."""
    text = _page_text(sheet)[0]
    for line in ("1. First marker item", "2. Second marker item", "3. Third marker item"):
        assert line in text


def test_the_field_font_holds_every_latin_letter(sheet: Path):
    """The font named in every text field's /DA, embedded, maps every letter of Latin-1,
    Latin Extended-A and -B (and ə, ɛ, ɔ, Vietnamese) to a glyph, so a viewer can draw
    whatever a client types."""
    import unicodedata

    wanted = [chr(c) for r in ((0xC0, 0x24F), (0x250, 0x2AF), (0x1EA0, 0x1EF9)) for c in range(r[0], r[1] + 1)
              if unicodedata.category(chr(c)).startswith("L")]
    with pikepdf.open(sheet) as pdf:
        form = pdf.Root.AcroForm
        for field in form.Fields:
            if field.FT != "/Tx":
                continue
            font_name = re.search(r"/(\S+)\s+[\d.]+\s+Tf", str(field.DA)).group(1)
            font = form.DR.Font["/" + font_name]
            assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor  # embedded
            mapped = set()
            for codes, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", font.ToUnicode.read_bytes().decode()):
                mapped.add(bytes.fromhex(text).decode("utf-16-be"))
            missing = [c for c in wanted if c not in mapped]
            assert not missing, "".join(missing)
