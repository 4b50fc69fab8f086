"""A packet as the studio's form holds it: checked, rendered, saved and opened again.

The form's values become the data a packet file would hold, laid out one key to a line
(and one handout to a line), so the validator's messages — the same words the CLI
prints — come back at a line that names the field they belong to. A saved packet is that
same data as YAML in SPEC.md's format, so `handouts build saved.yaml` builds it too.
Nothing here writes a client's name anywhere but the file the clinician saves.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import build, config, sources
from ..errors import HandoutkitError, InputError, Problem
from ..library import SUFFIXES, Library, LoadedPacket, is_packet, load_module, load_packet
from .. import models
from ..models import Packet
from ..output import write_atomic
from ..sources import Source
from ..validate import validate
from . import form

# The name messages give a packet that is not a file yet (it is never written).
UNSAVED = "packet.yaml"


@dataclass
class Checked:
    """A packet from the form, or what is wrong with it, by field."""

    data: dict[str, Any]
    source: Source
    packet: Packet | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)  # field → messages
    items: dict[int, list[str]] = field(default_factory=dict)  # handout index → messages
    general: list[str] = field(default_factory=list)  # messages with no field: CLI words, file:line:col

    @property
    def ok(self) -> bool:
        return not (self.fields or self.items or self.general)

    def as_json(self) -> dict[str, Any]:
        return {"fields": self.fields, "items": {str(k): v for k, v in self.items.items()}, "general": self.general}


def data_of(values: dict[str, Any], handouts: list[str], title: str | None) -> dict[str, Any]:
    """The packet file's data, in SPEC.md's order, leaving out what is empty."""
    data: dict[str, Any] = {"title": (title or "").strip(), "handouts": list(handouts)}
    names = [n for n in models.Packet.model_fields if n not in ("title", "handouts")]
    for name in names:
        value = form.coerce(name, values.get(name))
        if value is None:
            continue
        if name == "date" and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass  # the validator says what is wrong with it, in its own words
        data[name] = value
    return data


def source_of(data: dict[str, Any], path: Path) -> Source:
    """A Source for ``data`` as ``text_of`` lays it out: each key, and each handout, on its own line."""
    source = Source(path, data)
    line = 1
    for key, value in data.items():
        source.keys[(key,)] = (line, 1)
        source.values[(key,)] = (line, len(key) + 3)
        line += 1
        if isinstance(value, list):
            for i, _ in enumerate(value):
                source.values[(key, i)] = (line, 5)
                line += 1
    return source


def text_of(data: dict[str, Any]) -> str:
    out = []
    for key, value in data.items():
        if isinstance(value, list):
            out.append(f"{key}:\n" + "".join(
                "  - " + yaml.safe_dump(v, allow_unicode=True, width=10**6).removesuffix("\n...\n").rstrip("\n") + "\n"
                for v in value))
        else:
            out.append(yaml.safe_dump({key: value}, allow_unicode=True, width=10**6, sort_keys=False))
    return "".join(out)


def _field_at(source: Source, line: int) -> tuple[str, int | None] | None:
    for loc, (at, _col) in source.values.items():
        if at == line:
            return (loc[0], loc[1] if len(loc) > 1 else None)
    return None


def check(values: dict[str, Any], handouts: list[str], title: str | None, folder: Path, library: Library) -> Checked:
    data = data_of(values, handouts, title)
    if not data["title"]:
        data["title"] = default_title(handouts, library)
    source = source_of(data, folder / UNSAVED)
    checked = Checked(data, source)
    if not handouts:
        checked.fields["handouts"] = ["add at least one handout"]
        return checked
    try:
        checked.packet = validate(source, models.Packet)
    except InputError as exc:
        place(checked, exc.problems)
    return checked


def place(checked: Checked, problems: list[Problem]) -> None:
    """Each problem at its field (or handout), in the CLI's words; others as the CLI prints them."""
    for problem in problems:
        where = _field_at(checked.source, problem.line) if Path(problem.path) == checked.source.path else None
        if where is None:
            checked.general.append(str(problem))
        elif where[0] == "handouts" and where[1] is not None:
            checked.items.setdefault(where[1], []).append(problem.message)
        else:
            checked.fields.setdefault(where[0], []).append(problem.message)


def default_title(handouts: list[str], library: Library) -> str:
    """As the CLI titles handouts named on the command line; an unknown id is told elsewhere."""
    try:
        return build._title_of([library.load(h) for h in handouts]) if handouts else "Handouts"
    except HandoutkitError:
        return "Handouts"


def job_for(checked: Checked, library: Library) -> build.Job | None:
    """The build job, or None with the problems placed on ``checked``."""
    assert checked.packet is not None
    loaded = LoadedPacket(checked.packet, checked.source)
    try:
        base = config.base_settings()
    except HandoutkitError as exc:
        checked.general += exc.messages()
        return None
    try:
        settings = base.over(**build._packet_settings(loaded)).checked()
        modules = library.resolve_in_packet(loaded)
    except InputError as exc:
        place(checked, exc.problems)
        return None
    except HandoutkitError as exc:
        checked.general += exc.messages()
        return None
    return build.Job(checked.packet.title, modules, settings, download_name(checked.packet, modules), [loaded.folder])


def download_name(packet: Packet, modules: list) -> str:
    """The file name a download suggests: never the client's; for a discreet packet (SPEC.md),
    only its neutral title, since even a handout's id can say what it is about."""
    if getattr(packet, "discreet", False):
        neutral = getattr(packet, "discreet_title", None) or "handouts"
        slug = "-".join(re.findall(r"[a-z0-9]+", neutral.lower())) or "handouts"
        return f"{slug}.pdf"
    return f"{modules[0].id}.pdf" if len(modules) == 1 else "packet.pdf"


# ---- saved packets -------------------------------------------------------------------


def saved_refs(handouts: list[str], library: Library, folder: Path) -> list[str]:
    """Handouts as the saved file names them: an id, or a path beside the packet for the
    clinician's own handouts, so that `handouts build saved.yaml` finds them with no flags."""
    out = []
    for ref in handouts:
        path = library.index.get(ref)
        if path is not None and path.resolve().is_relative_to(folder.resolve()):
            out.append(os.path.relpath(path.resolve(), folder.resolve()).replace(os.sep, "/"))
        else:
            out.append(ref)
    return out


def file_name(name: str) -> str:
    """The file a packet is saved as: the name given, as a plain .yaml file name in the folder."""
    name = name.strip()
    if not name:
        raise ValueError("give the packet a file name, like session-3")
    if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
        raise ValueError(f"'{name}' cannot be a file name here (no folders, no leading dot: like session-3)")
    return name if name.endswith(SUFFIXES) else f"{name}.yaml"


def save(folder: Path, name: str, data: dict[str, Any], library: Library) -> Path:
    data = dict(data)
    data["handouts"] = saved_refs(list(data["handouts"]), library, folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = text_of(data)
    # The clinician's own file, with the client's name: readable by them only, like a PDF.
    return write_atomic(folder / file_name(name), text.encode("utf-8"), private=True)


@dataclass(frozen=True)
class SavedPacket:
    name: str
    title: str
    handouts: int
    modified: float
    problem: str | None = None


def listing(folder: Path) -> list[SavedPacket]:
    """The packet files in the folder, newest first; one that does not load says why."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in SUFFIXES or not path.is_file() or path.name.startswith("."):
            continue
        try:
            source = sources.load(path)
            if not is_packet(source):
                continue
            loaded = load_packet(path, source)
            out.append(SavedPacket(path.name, loaded.packet.title, len(loaded.packet.handouts), path.stat().st_mtime))
        except InputError as exc:
            out.append(SavedPacket(path.name, path.stem, 0, path.stat().st_mtime, "\n".join(exc.messages())))
    return sorted(out, key=lambda p: -p.modified)


def open_saved(folder: Path, name: str) -> dict[str, Any]:
    """A saved packet as the form holds it: handouts by id, settings as text."""
    path = folder / file_name(name)
    if not path.is_file():
        raise InputError(Problem(path, 1, 1, "no such packet file"))
    loaded = load_packet(path)
    ids = []
    for ref in loaded.packet.handouts:
        if ref.endswith(SUFFIXES) or "/" in ref:
            ids.append(load_module(loaded.folder / ref).id)
        else:
            ids.append(ref)
    values = {}
    for key, value in loaded.packet.model_dump(exclude={"title", "handouts"}, exclude_none=True).items():
        values[key] = value.isoformat() if isinstance(value, dt.date) else value
    return {"name": path.stem, "title": loaded.packet.title, "handouts": ids, "values": values}
