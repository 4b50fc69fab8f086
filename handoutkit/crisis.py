"""Crisis and support lines by region, from the one data file that holds them."""

from __future__ import annotations

import datetime as dt
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
                  "note": None, "youth": False, "pointer": False, "channels": []}
CHANNELS = ("call", "text", "chat", "tty")
STALE_AFTER_MONTHS = 6  # said as "six months" in stale()
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _month_year(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def checked_on(region: str) -> dt.date:
    """When the region's lines were checked: the day of its least recently checked line."""
    return min(line["checked"] for line in _data()["regions"][region]["lines"])


def _months_later(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):  # 31 August + 6 months is the last day of February
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale(region: str, today: dt.date | None = None) -> str | None:
    """Why the region's lines need checking again (more than six months since they were),
    or None. ``today`` is injectable so tests need not wait half a year."""
    today = today or dt.date.today()
    checked = checked_on(region)
    if today <= _months_later(checked, STALE_AFTER_MONTHS):
        return None
    return (f"the {_data()['regions'][region]['name']} crisis lines were checked in {_month_year(checked)}, "
            "over six months ago: confirm each number with its service before you hand "
            "this out, and update handoutkit (a newer version may have checked them again)")


# What a line's `say: {es: {...}}` may put in the client's language: the words printed.
SAID = ("service", "contact", "coverage", "languages", "note")


def _in(lang: str, entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``entry`` with its words in ``lang`` where the data file has them (`say:`), else as written."""
    said = (entry.get("say") or {}).get(lang) or {}
    shown = {k: v for k, v in entry.items() if k != "say"}
    return {**shown, **{k: v for k, v in said.items() if k in fields}}


def lines_for(region: str, *, youth: bool = False, lang: str = "en") -> dict[str, Any]:
    """``{region, name, lines, checked, checked_on, confirm}`` for a known region (see ``regions()``),
    its words in ``lang`` (en, es, fr) where the data file has them.

    Youth lines (Childline, Kids Help Phone…) only when ``youth``: they belong on handouts
    for teens, not on every adult handout (CONTENT.md)."""
    data = _data()
    entry = _in(lang, data["regions"][region], ("name",))
    lines = [{**_LINE_DEFAULTS, **_in(lang, line, SAID)} for line in data["regions"][region]["lines"]]
    return {"region": region, "name": entry["name"],
            "lines": [line for line in lines if youth or not line["youth"]],
            "checked": _month_year(checked_on(region)), "checked_on": checked_on(region),
            "confirm": data["confirm"]}


def untranslated(region: str, lang: str) -> list[str]:
    """Lines of ``region`` (youth lines too) with no words of their own in ``lang``: they print in English."""
    if lang == "en":
        return []
    return [line["service"] for line in _data()["regions"][region]["lines"]
            if lang not in (line.get("say") or {})]
