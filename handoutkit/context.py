"""What a page template is given: plain, read-only data, never an object of handoutkit's.

A template is a stranger's program (sandbox.py), so what it receives holds only strings,
numbers, booleans, None, dates, tuples and read-only mappings: no path, pydantic model,
dataclass or settings object, whose methods could reach files or change what the next
render sees. Mappings are ``MappingProxyType``: a template can read them, never change them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from collections.abc import Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from .render import Document
    from .settings import Settings

PLAIN_TYPES = (str, int, float, bool, type(None), dt.date, tuple, types.MappingProxyType)

# Settings a template never needs: the logo is a path on this computer (the document
# carries its file:// address as logo_url instead).
HIDDEN_SETTINGS = frozenset({"logo"})


def plain(value: Any) -> Any:
    """``value`` as plain, read-only data: models and mappings become read-only mappings,
    lists become tuples. Anything else is a bug in handoutkit, not a user's mistake."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass (Markup, an enum) as the text it holds
    if isinstance(value, dt.datetime):
        raise TypeError("a datetime reached a template context (pass a date)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, Mapping):
        return types.MappingProxyType({plain(k): plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    raise TypeError(f"a {type(value).__name__} reached a template context (pass plain data)")


def settings_data(settings: Settings) -> Any:
    return plain({f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in HIDDEN_SETTINGS})


def for_document(document: Document) -> Mapping[str, Any]:
    """The names a page template sees: ``doc`` (the document) and ``s`` (its settings)."""
    # A discreet packet's handouts are "part-1", "part-2"… in the PDF's link targets and
    # form-field names, which a PDF viewer may show and which the file carries, where the
    # handouts' ids (what-is-sexual-coercion) would say what it is about.
    neutral = document.settings.discreet
    lang = document.settings.lang.split("-")[0].lower()
    doc = {
        "title": document.title,
        "lang": lang,
        # untranslated: no version in the document's language, so it prints in its own
        # (English, mostly): the cover marks it and the build warns.
        "handouts": [{"id": f"part-{i}" if neutral else h.id, "module": h.module, "lang": h.module.lang or "en",
                      "untranslated": (h.module.lang or "en") != lang}
                     for i, h in enumerate(document.handouts, 1)],
        "cover": document.cover,
        "date": document.date,
        "stylesheets": document.stylesheets,
        "logo_url": document.logo_url,
        "cover_fit": dataclasses.asdict(document.cover_fit),
        "cover_only": document.cover_only,
        "crisis": document.crisis,
    }
    return types.MappingProxyType({"doc": plain(doc), "s": settings_data(document.settings)})
