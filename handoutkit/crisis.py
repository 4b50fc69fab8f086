"""Crisis and support lines by region, from the one data file that holds them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from .paths import DATA

DEFAULT_REGION = "US"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    # Our own data file, so libyaml's speed is safe here; every build reads it.
    with open(DATA / "crisis-lines.yaml", encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def regions() -> list[str]:
    return list(_data()["regions"])


def unknown(region: str) -> str | None:
    """Why ``region`` cannot be used, or None when it can."""
    known = regions()
    return None if region in known else f"unknown region '{region}' (expected one of: {', '.join(known)})"


_LINE_DEFAULTS = {"emergency": False, "source": None, "coverage": None, "languages": None,
                  "note": None, "youth": False, "pointer": False}


def lines_for(region: str, *, youth: bool = False) -> dict[str, Any]:
    """``{name, lines, checked, confirm}`` for a known region (see ``regions()``).

    Youth lines (Childline, Kids Help Phone…) only when ``youth``: they belong on handouts
    for teens, not on every adult handout (CONTENT.md)."""
    data = _data()
    entry = data["regions"][region]
    lines = [{**_LINE_DEFAULTS, **line} for line in entry["lines"]]
    return {"region": region, "name": entry["name"],
            "lines": [line for line in lines if youth or not line["youth"]],
            "checked": data["checked"], "confirm": data["confirm"]}
