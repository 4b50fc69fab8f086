"""The bundled line icons (styles/icons/*.svg), by name: what `icon:` in a module may say.

A module names an icon, it never gives a path or a picture. styles/icons.css draws each one
as the background of an empty `<span class="icon icon-NAME" aria-hidden="true">`: a
background is decoration to the PDF's tagging (an artifact, which screen readers skip),
where an `<img>` or inline `<svg>` would be tagged a figure wanting a description. The text
beside an icon always says everything; the icon only helps the eye find its place.
"""

from __future__ import annotations

from .paths import STYLES

FOLDER = STYLES / "icons"
NAMES: tuple[str, ...] = tuple(sorted(p.stem for p in FOLDER.glob("*.svg")))
