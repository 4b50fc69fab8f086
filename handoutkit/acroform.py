"""Make WeasyPrint's form fields hold a client's answers in real viewers.

WeasyPrint 70 writes a fillable PDF's fields (``pdf_forms=True``), but viewers lost or hid
the answers (measured in pdf.js, PDFium and poppler; tests/test_forms_viewers.py). This
module rewrites the /AcroForm after WeasyPrint, with pikepdf, and says at each step why
WeasyPrint's own output was not enough. WeasyPrint has no hook for any of this: the form
dictionaries are built inside ``weasyprint.pdf.anchors.add_forms`` and written at once.
"""

from __future__ import annotations

import html
import io
import re

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import markdown

RADIO = 1 << 15  # field flag bit 16: the button is one of a set of radio buttons
PUSHBUTTON = 1 << 16

# Drawn by a viewer that makes a button's appearance itself rather than use ours (poppler
# does for every field once a file sets /NeedAppearances, as pdf.js may after a client types
# something the field's font cannot show): the caption in ZapfDingbats, ✔ for a tick, ● for
# a chosen radio. Without it poppler drew such buttons empty.
_CAPTION = {"check": "4", "radio": "l"}
_BUTTON_DA = "/ZaDb 0 Tf 0 g"


def finish(data: bytes) -> bytes:
    """The same PDF with its form fields repaired; a PDF without fields comes back as it was."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        form = pdf.Root.get("/AcroForm")
        if form is None or not form.get("/Fields"):
            return data
        off_appearances: dict[tuple, pikepdf.Object] = {}
        fields = _top_fields(form)
        for field in fields:
            _plain_tooltip(field)
            kind = field.get("/FT")
            flags = int(field.get("/Ff", 0))
            if kind == Name.Btn and flags & RADIO:
                _radio(pdf, field, off_appearances)
            elif kind == Name.Btn and not flags & PUSHBUTTON:
                _checkbox(pdf, field, off_appearances)
            elif kind == Name.Tx:
                _text(pdf, field)
        form.Fields = Array(fields)
        # Every widget now has an appearance for every state (above), so viewers are told
        # to draw those. With /NeedAppearances true (WeasyPrint's), poppler and PDFium threw
        # them away and made their own, and poppler's buttons came out empty: the ticks and
        # chosen radios of a saved file were invisible in Evince, Okular and on paper.
        if "/NeedAppearances" in form:
            del form["/NeedAppearances"]
        _zapf_dingbats(pdf, form)
        out = io.BytesIO()
        # deterministic_id: the file identifier comes from the content, so the same packet
        # still gives the same bytes (tests/test_reproducible.py).
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _top_fields(form: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The form's top-level fields, each once.

    WeasyPrint lists every radio button both as a kid of its group and in /Fields itself,
    so the field tree reached the same objects twice: qpdf reported "loop detected while
    traversing /AcroForm", pypdf "already parsed", and pdf.js took each button for a field
    of its own, so a chosen radio was saved on the button, not the group, and read Off.
    """
    kids: set[tuple[int, int]] = set()
    for field in form.Fields:
        for kid in field.get("/Kids", ()):
            kids.add(kid.objgen)
    return [field for field in form.Fields if field.objgen not in kids]


def _plain_tooltip(field: pikepdf.Dictionary) -> None:
    """/TU, what a screen reader and a hover say for the field, as plain text.

    WeasyPrint takes it from the element's ``title`` (the templates give it the question,
    item or column; with none it was the internal name). A question is Markdown, so
    ``**one**`` becomes ``one`` the way the page prints it.
    """
    tooltip = field.get("/TU")
    if tooltip is None:
        return
    text = str(tooltip)
    rendered = html.unescape(re.sub(r"<[^>]*>", "", str(markdown.inline(text))))
    plain = " ".join(rendered.split())
    if plain and plain != text:
        field.TU = String(plain)


def _off_appearance(pdf: pikepdf.Pdf, bbox, cache: dict) -> pikepdf.Object:
    """An empty appearance of the given size for a button's Off state (one per size)."""
    key = tuple(float(x) for x in bbox)
    if key not in cache:
        stream = pikepdf.Stream(pdf, b"q\nQ\n")  # nothing drawn; an empty stream made pdf.js warn
        stream.Type = Name.XObject
        stream.Subtype = Name.Form
        stream.BBox = Array(bbox)
        stream.Resources = Dictionary()
        cache[key] = pdf.make_indirect(stream)
    return cache[key]


def _on_state(widget: pikepdf.Dictionary) -> tuple[Name, pikepdf.Object] | None:
    normal = widget.get("/AP", {}).get("/N")
    if not isinstance(normal, pikepdf.Dictionary):
        return None
    for name, stream in normal.items():
        if name != "/Off":
            return Name(name), stream
    return None


def _button_widget(pdf, widget, on_name: Name, on_stream, kind: str, cache: dict) -> None:
    """Appearances for both states, and what a viewer that draws its own needs.

    WeasyPrint gave a button an appearance for its on state only. poppler and PDFium
    draw a state that has none as nothing, and some viewers refuse to switch to a state
    they cannot draw.
    """
    off = _off_appearance(pdf, on_stream.BBox, cache)
    widget.AP = Dictionary(N=Dictionary({str(on_name): on_stream, "/Off": off}))
    state = widget.get("/AS", Name.Off)
    widget.AS = on_name if state not in (Name.Off, None) else Name.Off
    mk = widget.get("/MK", Dictionary())
    mk.CA = String(_CAPTION[kind])
    widget.MK = mk
    widget.DA = String(_BUTTON_DA)


def _checkbox(pdf, field, cache) -> None:
    found = _on_state(field)
    if found is None:
        return
    on_name, on_stream = found
    _button_widget(pdf, field, on_name, on_stream, "check", cache)
    field.V = field.AS


def _radio(pdf, group, cache) -> None:
    """One field for the whole scale; its buttons are widgets only.

    WeasyPrint gave every button its own /T, which makes each a field of its own
    (PDF 1.7, 12.7.3.1): pdf.js saved the choice on the button and the group read Off.
    It also named the states by position (/0, /1…) with the values in /Opt; that is
    allowed, but a scale from 1 read as one less in every program that ignores /Opt. Now
    each button's on state is named by its own value (/1…/10) and /V is the value chosen.
    """
    options = [str(o) for o in group.get("/Opt", ())]
    chosen = Name.Off
    for index, kid in enumerate(group.get("/Kids", ())):
        found = _on_state(kid)
        if found is None:
            continue
        old_name, on_stream = found
        value = options[index] if index < len(options) else str(old_name)[1:]
        on_name = Name("/" + _name_safe(value))
        for key in ("/T", "/FT", "/Ff", "/V"):
            if key in kid:
                del kid[key]
        if "/TU" in group:  # pdf.js reads a widget's own /TU for its tooltip, not its field's
            kid.TU = group.TU
        _button_widget(pdf, kid, on_name, on_stream, "radio", cache)
        if kid.AS == on_name:
            chosen = on_name
    if "/Opt" in group:
        del group["/Opt"]
    group.V = chosen
    group.DA = String(_BUTTON_DA)


def _name_safe(value: str) -> str:
    """A value as a PDF name: printable ASCII without delimiters, the rest as #xx."""
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if 0x21 <= byte <= 0x7E and char not in "()<>[]{}/%#":
            out.append(char)
        else:
            out.append(f"#{byte:02X}")
    return "".join(out) or "Yes"


_GRAPHICS_STATE = re.compile(r"/[^\s/]+\s+gs\b")


def _text(pdf, field) -> None:
    """A text field: a default appearance a viewer can parse, and an (empty) appearance.

    WeasyPrint's /DA starts with a graphics-state operator (``/a1.0 gs``), which a /DA
    may not hold (PDF 1.7, 12.7.3.3: font and colour only); and the field had no
    appearance at all, which PDF/A and PDF/UA forbid and which, with /NeedAppearances
    gone, leaves a viewer nothing to draw. The empty appearance is what pdf.js itself
    writes for an empty field; a viewer replaces it when the client types.
    """
    da = field.get("/DA")
    if da is not None:
        field.DA = String(" ".join(_GRAPHICS_STATE.sub("", str(da)).split()))
    if "/AP" in field:
        return
    x1, y1, x2, y2 = (float(v) for v in field.Rect)
    stream = pikepdf.Stream(pdf, b"/Tx BMC\nEMC\n")
    stream.Type = Name.XObject
    stream.Subtype = Name.Form
    stream.BBox = Array([0, 0, round(abs(x2 - x1), 4), round(abs(y2 - y1), 4)])
    stream.Resources = Dictionary()
    field.AP = Dictionary(N=pdf.make_indirect(stream))


def _zapf_dingbats(pdf: pikepdf.Pdf, form: pikepdf.Dictionary) -> None:
    """The font the buttons' /DA names, in the form's resources, for viewers that draw
    captions themselves. Our own appearances draw paths and never use it."""
    # WeasyPrint's /DR is the first page's own resources object: a copy, so the page
    # never lists a font it does not embed (PDF/UA asks every font a page uses be embedded).
    page_resources = form.get("/DR", Dictionary())
    fonts = Dictionary({key: value for key, value in page_resources.get("/Font", Dictionary()).items()})
    fonts.ZaDb = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.ZapfDingbats))
    form.DR = Dictionary(Font=fonts)
