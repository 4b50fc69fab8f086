"""Where the bundled library, templates and styles live.

In a checkout they (and the example packets and schema) sit at the top of the repo; an installed wheel carries them in
``handoutkit/_assets``. Everything else asks this module, never guesses.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE / "_assets"
ASSETS = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE.parent

HANDOUTS = ASSETS / "handouts"
TEMPLATES = ASSETS / "templates"
STYLES = ASSETS / "styles"
DATA = _PACKAGE / "data"
SCHEMA = ASSETS / "schema"
EXAMPLES = ASSETS / "examples"
