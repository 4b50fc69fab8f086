"""The bundled line icons (data/icons/*.svg), by name, as markup a page template can print.

Only handoutkit's own files are read: a module names an icon, it never gives a path or a
picture, so nothing here comes from a user. Each icon is decorative: the text beside it says
everything, so the markup hides it from screen readers (``aria-hidden``) and the PDF's
tagging treats it as an artifact. Line drawings in ``currentColor``, given the theme's
colour as an attribute (WeasyPrint's SVG renderer does not inherit the page's CSS colour),
so an icon is as dark as the text in the print theme and on a photocopy.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup

from .paths import DATA

FOLDER = DATA / "icons"
NAMES: tuple[str, ...] = tuple(sorted(p.stem for p in FOLDER.glob("*.svg")))

# The colour an icon is drawn in, by theme: the accent in colour, black in the print theme.
COLOURS = {"default": "#1f5f7a", "large-print": "#1f5f7a", "print": "#000000"}


@functools.cache
def _drawing(name: str) -> str:
    text = (FOLDER / f"{name}.svg").read_text(encoding="utf-8").strip()
    return re.sub(r"^<svg ", "", text, count=1)


def svg(name: str, theme: str = "default") -> Markup:
    """The icon's inline ``<svg>``; an unknown name is a bug here (the models refuse it first)."""
    if name not in NAMES:
        raise ValueError(f"unknown icon '{name}' (expected one of: {', '.join(NAMES)})")
    colour = COLOURS.get(theme, COLOURS["default"])
    return Markup(f'<svg class="icon" aria-hidden="true" focusable="false" role="presentation" '
                  f'color="{colour}" data-icon="{name}" ') + Markup(_drawing(name))
