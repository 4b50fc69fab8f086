"""Characters the bundled fonts cannot draw, so `check` can name them before a page prints
empty boxes where a client's name or a word should be."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, Iterator

from . import paths
from .sources import Loc

SHOWN = 5  # characters named in one finding; the rest are counted


@functools.cache
def drawable() -> frozenset[int]:
    """Every code point some bundled font has a glyph for (read once per process)."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for font in sorted((paths.STYLES / "fonts").glob("*.woff2")):
        with TTFont(font, lazy=True) as ttf:
            points.update(ttf.getBestCmap() or {})
    return frozenset(points)


def _invisible(ch: str) -> bool:
    # Line breaks, spaces, format characters (a zero-width joiner) and variation selectors
    # (the U+FE0F after an emoji) take no glyph of their own.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F


def missing(text: str) -> list[str]:
    """The distinct characters of ``text`` no bundled font can draw, in order of appearance."""
    have = drawable()
    out: list[str] = []
    for ch in text:
        if ord(ch) not in have and ch not in out and not _invisible(ch):
            out.append(ch)
    return out


def describe(ch: str) -> str:
    """Like U+0915 DEVANAGARI LETTER KA 'क'."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "") + (f" '{ch}'" if ch.isprintable() else "")


def strings(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every text value in a loaded YAML file, with where it stands."""
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings(value, loc + (i,))


def message(chars: list[str]) -> str:
    named = ", ".join(describe(ch) for ch in chars[:SHOWN])
    more = f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else ""
    return (f"the bundled fonts cannot draw {named}{more}, so the page prints it in another font of "
            "this computer's, if one has it, or as an empty box: write it with letters the handout's "
            "font has (Latin script), or leave it out")



DETAILS = {"title": "the title", "client": "the client's name", "clinician": "the clinician's name",
           "practice": "the practice's name", "contact": "the contact details",
           "discreet_title": "the discreet title"}


def in_details(title: str, settings: Any) -> list[str]:
    """Warnings for the packet's or the flags' details (the client's name, say) that the
    bundled fonts cannot draw: a build prints these, since `check` never sees a flag."""
    values = {"title": title, **{key: getattr(settings, key, None) for key in DETAILS if key != "title"}}
    return [f"warning: {DETAILS[key]}: {message(lacking)}"
            for key, text in values.items() if text and (lacking := missing(text))]
