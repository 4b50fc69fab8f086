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


# What a line's `say: {es: {...}}` may put in the client's language: the words printed.
SAID = ("service", "contact", "coverage", "languages", "note")


def _in(lang: str, entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``entry`` with its words in ``lang`` where the data file has them (`say:`), else as written."""
    said = (entry.get("say") or {}).get(lang) or {}
    shown = {k: v for k, v in entry.items() if k != "say"}
    return {**shown, **{k: v for k, v in said.items() if k in fields}}


def lines_for(region: str, *, youth: bool = False, lang: str = "en") -> dict[str, Any]:
    """``{name, lines, checked, checked_on, confirm}`` for a known region (see ``regions()``),
    its words in ``lang`` (en, es, fr) where the data file has them.

    Youth lines (Childline, Kids Help Phone…) only when ``youth``: they belong on handouts
    for teens, not on every adult handout (CONTENT.md)."""
    data = _data()
    entry = _in(lang, data["regions"][region], ("name",))
    lines = [{**_LINE_DEFAULTS, **_in(lang, line, SAID)} for line in data["regions"][region]["lines"]]
    return {"region": region, "name": entry["name"],
            "lines": [line for line in lines if youth or not line["youth"]],
            "checked": data["checked"], "checked_on": data["checked_on"], "confirm": data["confirm"]}


def untranslated(region: str, lang: str) -> list[str]:
    """Lines of ``region`` (youth lines too) with no words of their own in ``lang``: they print in English."""
    if lang == "en":
        return []
    return [line["service"] for line in _data()["regions"][region]["lines"]
            if lang not in (line.get("say") or {})]
