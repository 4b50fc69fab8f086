"""Build styles/fonts/handoutkit-forms-400-normal.ttf, the font of fillable fields' typed text.

Why a font of its own: a PDF form field names one font (its /DA) for everything a viewer
draws when the client types, and WeasyPrint 70 embeds that font whole, with a ToUnicode
map made from its character map. Pointing the fields at the body font (Atkinson
Hyperlegible) had two faults: the bundled files are split by script (``latin`` and
``latin-ext``), so the field font lacked Ł, ő, ř…, and the page's own text set in that font
lost the Unicode of every glyph reached by shaping (the tabular digits of list numbers).
This font is Atkinson Hyperlegible's Latin and Latin-extended files in one, with the Latin
letters Atkinson lacks (Ĉ, Ō, Ŋ, Latin Extended-B, IPA letters such as ə, Vietnamese…)
taken from DejaVu Sans, scaled to the same em. Both are free fonts: Atkinson Hyperlegible
under the SIL OFL 1.1 (no reserved name), DejaVu under the Bitstream Vera licence, which
asks that a changed font not carry the names Bitstream, Vera or DejaVu; so the result is
named "Handoutkit Forms" (styles/fonts/OFL.txt and LICENSE-DejaVu.txt).

    python docs/make_forms_font.py [/path/to/DejaVuSans.ttf]

Run it again only to change the font; the file is committed, so builds never run it.
"""

from __future__ import annotations

import io
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.misc.timeTools import timestampFromString
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

FONTS = Path(__file__).resolve().parent.parent / "styles" / "fonts"
OUT = FONTS / "handoutkit-forms-400-normal.ttf"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NAME = "Handoutkit Forms"

# Every block of Latin letters a client might type, and the marks and punctuation around them.
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x250, 0x2FF), (0x300, 0x36F), (0x1E00, 0x1EFF),
          (0x2000, 0x206F), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2C60, 0x2C7F), (0xA720, 0xA7FF)]
WANTED = {c for lo, hi in RANGES for c in range(lo, hi + 1)
          if unicodedata.category(chr(c))[0] in "LMNPSZ"}


def _subset(font: TTFont, codepoints: set[int]) -> TTFont:
    options = subset.Options(hinting=False, layout_features=[], name_IDs=["*"], notdef_outline=True,
                             glyph_names=True, legacy_kern=False)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "fpgm", "prep", "cvt ", "gasp", "hdmx", "VDMX", "LTSH", "FFTM"]
    sub = subset.Subsetter(options)
    sub.populate(unicodes=codepoints)
    sub.subset(font)
    return _reloaded(font)


def _reloaded(font: TTFont) -> TTFont:
    buffer = io.BytesIO()
    font.flavor = None
    font.save(buffer)
    buffer.seek(0)
    return TTFont(buffer)


def build(dejavu: Path) -> bytes:
    latin = TTFont(FONTS / "atkinson-hyperlegible-latin-400-normal.woff2")
    extended = TTFont(FONTS / "atkinson-hyperlegible-latin-ext-400-normal.woff2")
    have_latin = set(latin.getBestCmap())
    have_extended = set(extended.getBestCmap()) - have_latin
    parts = [_subset(latin, WANTED & have_latin), _subset(extended, WANTED & have_extended)]
    fallback = TTFont(dejavu)
    missing = (WANTED & set(fallback.getBestCmap())) - have_latin - have_extended
    scale_upem(fallback, latin["head"].unitsPerEm)
    parts.append(_subset(_reloaded(fallback), missing))
    buffers = []
    for part in parts:
        buffer = io.BytesIO()
        part.save(buffer)
        buffer.seek(0)
        buffers.append(buffer)
    merged = Merger().merge(buffers)
    names = merged["name"]
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(NAME, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(NAME.replace(" ", "") + "-Regular", 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(NAME.replace(" ", "") + "-Regular", 3, record.platformID, record.platEncID, record.langID)
    names.setName("Atkinson Hyperlegible: Copyright 2020 Braille Institute of America, Inc. "
                  "DejaVu Sans: Copyright (c) 2003 by Bitstream, Inc.; DejaVu changes are in the public domain.",
                  0, 3, 1, 0x409)
    # A fixed date, so the same sources give the same bytes on every run.
    merged["head"].created = merged["head"].modified = timestampFromString("Tue Nov 24 00:00:00 2026")
    merged.recalcTimestamp = False  # fontTools would stamp the time of saving
    buffer = io.BytesIO()
    merged.save(buffer, reorderTables=True)
    return buffer.getvalue()


if __name__ == "__main__":
    data = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEJAVU)
    OUT.write_bytes(data)
    font = TTFont(OUT)
    print(f"wrote {OUT} ({len(data) // 1024} KiB, {len(font.getGlyphOrder())} glyphs, "
          f"{len(font.getBestCmap())} characters)")
