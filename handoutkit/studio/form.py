"""The packet's settings form, read from the Packet model itself.

Every field of ``models.Packet`` but its title, handouts and logo becomes one control, so
an option another part of handoutkit adds to packets (``copy``, ``discreet``, ``lang``…)
appears in the studio as soon as the model has it. A Literal becomes a choice, a bool a
checkbox (or a three-way choice where "automatic" means something), a date a date field,
anything else a text field.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from .. import crisis, models

# Not in the form: the title and the handouts have their own places on the page, and a
# logo is a file, kept in the practice's settings (`handouts config set logo FILE`).
SKIPPED = ("title", "handouts", "logo")
# Fields first in the form, in this order; the rest follow in the model's order.
FIRST = ("client", "date", "clinician", "practice", "contact", "region", "paper", "theme", "fillable")
# A bool whose unset value means "decide for me" rather than "no".
AUTOMATIC = {"cover": "Automatic (a cover for two or more handouts)"}

LABELS = {
    "client": "Client's name (printed on the handout only)",
    "clinician": "Clinician",
    "practice": "Practice",
    "contact": "Contact (phone, website)",
    "date": "Date",
    "region": "Crisis lines for",
    "paper": "Paper",
    "theme": "Look",
    "fillable": "Fillable on a tablet (PDF form fields)",
    "cover": "Cover page with contents",
    "lang": "Language",
    "copy": "Copy",
    "discreet": "Discreet (a neutral title everywhere)",
    "discreet_title": "Neutral title",
}
CHOICE_LABELS = {
    "letter": "Letter", "a4": "A4", "default": "Colour", "print": "Black and white (saves ink)",
    "large-print": "Large print", "client": "Client's copy", "clinician": "Clinician's copy",
    "en": "English", "es": "Spanish", "fr": "French (Canada)",
}


@dataclass(frozen=True)
class Control:
    name: str
    label: str
    widget: str  # text | date | choice | checkbox
    choices: tuple[tuple[str, str], ...] = ()
    hint: str | None = None
    from_config: bool = False  # the practice's settings may supply it
    config_value: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _literal_values(annotation: Any) -> tuple[str, ...] | None:
    for arg in _flatten(annotation):
        if typing.get_origin(arg) is Literal:
            return tuple(str(v) for v in typing.get_args(arg))
    return None


def _flatten(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Union or (hasattr(types, "UnionType") and isinstance(annotation, types.UnionType)):
        return [a for arg in typing.get_args(annotation) for a in _flatten(arg)]
    if origin is typing.Annotated:
        return _flatten(typing.get_args(annotation)[0])
    return [annotation]


def _is(annotation: Any, kind: type) -> bool:
    return any(arg is kind for arg in _flatten(annotation))


def controls(config_values: dict[str, Any] | None = None) -> list[Control]:
    """One control per packet setting; ``config_values`` are the practice's defaults."""
    config_values = config_values or {}
    fields_ = {n: f for n, f in models.Packet.model_fields.items() if n not in SKIPPED}
    order = [n for n in FIRST if n in fields_] + [n for n in fields_ if n not in FIRST]
    out = []
    for name in order:
        info = fields_[name]
        annotation = info.annotation
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        hint = info.description
        configured = config_values.get(name)
        common = dict(from_config=name in config_values or name in _CONFIG_KEYS,
                      config_value=None if configured is None else str(configured))
        if name == "region":
            choices = tuple((r, r) for r in crisis.regions())
            out.append(Control(name, label, "choice", choices, hint, **common))
        elif name == "lang":
            choices = tuple((code, CHOICE_LABELS.get(code, code)) for code in models.LANGUAGES)
            out.append(Control(name, label, "choice", choices, hint, **common))
        elif (values := _literal_values(annotation)) is not None:
            out.append(Control(name, label, "choice", tuple((v, CHOICE_LABELS.get(v, v)) for v in values), hint, **common))
        elif _is(annotation, bool):
            if name in AUTOMATIC:
                choices = (("true", "Yes"), ("false", "No"))
                out.append(Control(name, label, "choice", choices, hint, extra={"automatic": AUTOMATIC[name]}, **common))
            else:
                out.append(Control(name, label, "checkbox", (), hint, **common))
        elif _is(annotation, dt.date):
            out.append(Control(name, label, "date", (), hint or "Leave empty for the day it is printed.", **common))
        else:
            out.append(Control(name, label, "text", (), hint, **common))
    return out


def _config_keys() -> tuple[str, ...]:
    from .. import config

    return config.KEYS


_CONFIG_KEYS = _config_keys()


def coerce(name: str, value: Any) -> Any:
    """A form value as the packet file holds it; None (left out of the file) when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value if value else (False if name in AUTOMATIC else None)
    text = str(value).strip()
    if not text:
        return None
    annotation = models.Packet.model_fields[name].annotation if name in models.Packet.model_fields else str
    if _is(annotation, bool):
        return {"true": True, "false": False, "on": True}.get(text.lower(), text)
    return text
