"""handoutkit's own printed words (labels, kinds, dates) in each language it prints.

The words live in ``handoutkit/locales/<lang>.yaml``, one file per language, so a translator
edits text, never code. Templates reach them through ``t('key', name=value)`` (render.py);
a key no locale has is an error, never an English word slipped into a Spanish page.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import HandoutkitError

LOCALES = Path(__file__).resolve().parent / "locales"


class MissingLabel(HandoutkitError):
    """A template asked for a label its language's locale file does not have."""


def base_language(lang: str | None) -> str:
    """'es' for 'es-US': the locale files are per language, a region only tags the PDF."""
    return (lang or "en").split("-")[0].lower()


@lru_cache(maxsize=None)
def locale(lang: str) -> dict[str, Any]:
    """The locale file of ``lang`` ('en', 'es', 'fr'), read once."""
    with open(LOCALES / f"{base_language(lang)}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _lookup(lang: str, key: str) -> Any:
    value: Any = locale(lang)
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise MissingLabel(f"no label '{key}' in handoutkit's {base_language(lang)} locale "
                               f"(handoutkit/locales/{base_language(lang)}.yaml)")
        value = value[part]
    return value


def plural_form(lang: str, n: float) -> str:
    """CLDR's 'one' or 'other' for the three languages we print: French counts 0 and 1.5 as
    one ("1,5 minute"), English and Spanish only exactly 1."""
    if base_language(lang) == "fr":
        return "one" if 0 <= n < 2 else "other"
    return "one" if n == 1 else "other"


def text(lang: str, key: str, **fields: Any) -> str:
    """The label ``key`` in ``lang``, its {fields} filled in; ``n`` picks a plural form."""
    value = _lookup(lang, key)
    if isinstance(value, dict):
        if "n" not in fields:
            raise MissingLabel(f"the label '{key}' has plural forms: give it n=…")
        value = value.get(plural_form(lang, fields["n"]), value.get("other"))
    if not isinstance(value, str):
        raise MissingLabel(f"'{key}' in handoutkit's {base_language(lang)} locale is not a label")
    if "n" in fields:
        fields = {**fields, "n": number(lang, fields["n"])}
    try:
        return value.format(**fields)
    except (KeyError, IndexError) as exc:
        raise MissingLabel(f"the label '{key}' needs {exc} filled in") from None


def number(lang: str, value: float) -> str:
    """2, 1.5 (English) or 1,5 (Spanish and French)."""
    if isinstance(value, str):
        return value
    shown = f"{value:g}"
    return shown if base_language(lang) == "en" else shown.replace(".", ",")


def _date(lang: str, day: dt.date, pattern_key: str) -> str:
    from babel.dates import format_date  # month names in every language, from CLDR

    return format_date(day, _lookup(lang, pattern_key), locale=BABEL_LOCALES[base_language(lang)])


# The Babel locale of each language: Spanish for US clients, Canadian French.
BABEL_LOCALES = {"en": "en_US", "es": "es_US", "fr": "fr_CA"}


def long_date(lang: str, day: dt.date) -> str:
    """24 November 2026 · 24 de noviembre de 2026 · 24 novembre 2026 (1er novembre 2026)."""
    shown = _date(lang, day, "date_long")
    if base_language(lang) == "fr" and day.day == 1 and shown.startswith("1 "):
        shown = "1er " + shown[2:]  # French writes the first of the month as an ordinal
    return shown


def month_year(lang: str, day: dt.date) -> str:
    """November 2026 · noviembre de 2026 · novembre 2026."""
    return _date(lang, day, "month_year")


def keys(value: Any = None, prefix: str = "") -> list[str]:
    """Every label key of a locale (dotted for nested ones; plurals as one key)."""
    value = locale("en") if value is None else value
    out = []
    for key, item in value.items():
        if isinstance(item, dict) and not {"one", "other"} >= set(item):
            out += keys(item, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def css_content(lang: str, key: str, counters: dict[str, str]) -> str:
    """A label with {fields} as a CSS ``content`` value: "Page " counter(page) " of " …"""
    from .render import css_string

    value = _lookup(lang, key)
    parts, rest = [], value
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        if before:
            parts.append(css_string(before))
        parts.append(counters[name])
    if rest:
        parts.append(css_string(rest))
    return " ".join(parts)
