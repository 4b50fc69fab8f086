"""The handout library: bundled modules plus the clinician's own folders.

A folder named later in the search order never hides one named earlier: user folders
(``--library``, then ``HANDOUTS_LIBRARY``) come first, the bundled library last, so a
clinician's module replaces a bundled one with the same id.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import paths, sources
from .errors import InputError, Problem, UsageError
from .models import LANGUAGES, Module, Packet
from .sources import Source
from .validate import validate

ENV_VAR = "HANDOUTS_LIBRARY"
SUFFIXES = (".yaml", ".yml")
# Folders inside a library folder that are read for translations too (handouts/es/x.yaml).
# The file's `lang` decides its language, not the folder's name.
LANGUAGE_FOLDERS = ("es", "fr")


@dataclass(frozen=True)
class LoadedModule:
    id: str
    module: Module
    source: Source

    @property
    def path(self) -> Path:
        return self.source.path


@dataclass(frozen=True)
class LoadedPacket:
    packet: Packet
    source: Source

    @property
    def folder(self) -> Path:
        return self.source.path.resolve().parent


def is_packet(source: Source) -> bool:
    return isinstance(source.data, dict) and "handouts" in source.data


def linked_out(path: Path) -> bool:
    """A link in a folder to a file elsewhere. A library received from a stranger could
    otherwise print any file of the clinician's (their own notes, say) as a handout;
    templates and styles are held to the same rule (render.py, fetcher.py)."""
    try:
        return path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve())
    except (OSError, RuntimeError):  # a symlink loop: reading it says so, at the file
        return False


LINKED_OUT = "this file is a link to a file outside its library folder, which a library may not use (copy the file into the folder instead)"


def load_module(path: Path, source: Source | None = None) -> LoadedModule:
    source = source or sources.load(path)
    module = validate(source, Module)
    if module.id is None and not ID_RULE.match(path.stem):
        raise InputError(Problem(path, 1, 1, misnamed(path.stem)))
    return LoadedModule(module.id or path.stem, module, source)


ID_RULE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")  # models.Id's pattern


def misnamed(stem: str) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", stem.lower())) or "my-handout"
    return (f"the file name '{stem}' cannot be the module's id, which needs lowercase letters, digits and "
            f"single hyphens (add 'id: {slug}' to the file, or rename it to {slug}.yaml)")


def load_packet(path: Path, source: Source | None = None) -> LoadedPacket:
    source = source or sources.load(path)
    return LoadedPacket(validate(source, Packet), source)


def folders_from_env() -> list[Path]:
    value = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in value.split(os.pathsep) if p.strip()]


def _clash_key(module_id: str, lang: str) -> str:
    return module_id if lang == "en" else f"{module_id} ({lang})"


def module_files(folder: Path) -> list[Path]:
    """A library folder's module files: its own, and those in its language folders (es/, fr/).

    Every entry but folders: a FIFO, a dangling link or a loop is a broken file to report
    by name (sources.read_text says why without opening or waiting on it)."""
    found: list[Path] = []
    for place in [folder] + [folder / lang for lang in LANGUAGE_FOLDERS]:
        if place is not folder and (place.is_symlink() or not place.is_dir()):
            continue  # a language folder is optional; a linked one is not followed
        try:
            found += sorted(p for p in place.iterdir() if p.suffix in SUFFIXES and not p.is_dir())
        except OSError as exc:
            raise UsageError(f"library folder {place}: {sources.why_unreadable(exc).replace('file', 'folder')}") from None
    return found


class Library:
    def __init__(self, user_folders: list[Path] | None = None, *, bundled: bool = True):
        self.user_folders = [sources.resolved(Path(f)) or Path(f) for f in (user_folders or [])]
        for folder in self.user_folders:
            if not folder.is_dir():  # a symlink loop too
                raise UsageError(f"library folder not found: {folder} (give a folder that holds .yaml handout modules)")
        self.folders = self.user_folders + ([paths.HANDOUTS.resolve()] if bundled else [])
        self._read: dict[Path, Source] = {}  # files the index has read, by path

    @classmethod
    def from_options(cls, folders: list[Path] | None) -> "Library":
        return cls(list(folders or []) + folders_from_env())

    def forgetting(self) -> "Library":
        """The same folders, with nothing remembered of their files: modules may have been
        edited, added, renamed or re-id'd since (the preview rebuilds with this)."""
        fresh = copy.copy(self)
        fresh.__dict__.pop("_indexed", None)
        fresh._read = {}
        return fresh

    # --- where things are -----------------------------------------------------

    @property
    def template_dirs(self) -> list[Path]:
        return [f / "templates" for f in self.user_folders if (f / "templates").is_dir()] + [paths.TEMPLATES]

    @property
    def style_dirs(self) -> list[Path]:
        return [f / "styles" for f in self.user_folders if (f / "styles").is_dir()] + [paths.STYLES]

    # --- the index ------------------------------------------------------------

    @property
    def index(self) -> dict[str, Path]:
        """Module id → file, the first folder in the search order winning: the English
        module, or for an id with no English one, its first translation (es, then fr)."""
        found = dict(self._indexed[0])
        for (module_id, _lang), path in sorted(self.translations.items()):
            found.setdefault(module_id, path)
        return found

    @property
    def english_index(self) -> dict[str, Path]:
        """Module id → its English file."""
        return self._indexed[0]

    @property
    def translations(self) -> dict[tuple[str, str], Path]:
        """(module id, language) → file, for every module not in English."""
        return self._indexed[2]

    @property
    def clashes(self) -> dict[str, list[Problem]]:
        """Ids that two files of one folder claim: neither is used, and each clash is said
        once (by `list` and `check`, and by whatever asks for that id)."""
        return self._indexed[1]

    @cached_property
    def _indexed(self) -> tuple[dict[str, Path], dict[str, list[Problem]], dict[tuple[str, str], Path]]:
        # Keyed by (id, lang): a translation shares its English module's id. Clashes are
        # keyed by the id alone for English and by "id (lang)" for a translation.
        found: dict[tuple[str, str], Path] = {}
        clashes: dict[str, list[Problem]] = {}
        for folder in reversed(self.folders):  # bundled first, so user folders overwrite
            here: dict[tuple[str, str], Path] = {}
            clashing: dict[str, list[Problem]] = {}
            for path in self._entries(folder):
                claimed = self._claimed_id(path)
                if claimed is None:
                    continue
                if claimed in here:
                    clashing.setdefault(_clash_key(*claimed), []).append(self._clash(path, claimed[0], here[claimed]))
                    continue
                here[claimed] = path
            found.update(here)
            for claimed in here:  # this folder's module, or its clash, replaces an earlier folder's
                clashes.pop(_clash_key(*claimed), None)
            clashes.update(clashing)
        english = {module_id: path for (module_id, lang), path in found.items() if lang == "en"}
        others = {key: path for key, path in found.items() if key[1] != "en"}
        return english, clashes, others

    @staticmethod
    def _entries(folder: Path) -> list[Path]:
        return module_files(folder)

    def _clash(self, path: Path, module_id: str, first: Path) -> Problem:
        message = f"the id '{module_id}' is also used by {first} (each module in a folder needs its own id)"
        source = self._read.get(path)
        return source.problem(("id",), message) if source is not None else Problem(path, 1, 1, message)

    def _claimed_id(self, path: Path) -> tuple[str, str] | None:
        """The (id, language) a file claims, without validating it; None for packets.

        The file read here is kept, so a module the build then uses is read only once."""
        if linked_out(path):
            return path.stem, "en"  # not read: `load` refuses it
        try:
            source = self._read[path] = sources.load(path)
        except InputError:
            return path.stem, "en"  # broken files still own their name, so errors reach the user
        if is_packet(source):
            return None
        data = source.data if isinstance(source.data, dict) else {}
        declared, lang = data.get("id"), data.get("lang")
        return (declared if isinstance(declared, str) else path.stem,
                lang if isinstance(lang, str) and lang in LANGUAGES else "en")

    def ids(self) -> list[str]:
        return sorted(self.index)

    def load(self, module_id: str) -> LoadedModule:
        if module_id in self.clashes:
            raise InputError(self.clashes[module_id])
        if module_id not in self.index:
            raise UsageError(self.unknown(module_id))
        return self._load_path(self.index[module_id])

    def _load_path(self, path: Path) -> LoadedModule:
        if linked_out(path):
            raise InputError(Problem(path, 1, 1, LINKED_OUT))
        return load_module(path, self._read.get(path))

    # --- languages --------------------------------------------------------------

    def languages_of(self, module_id: str) -> list[str]:
        """The languages a module is in, English first."""
        found = ["en"] if module_id in self._indexed[0] else []
        return found + [lang for lang in LANGUAGES if (module_id, lang) in self.translations]

    def in_language(self, loaded: LoadedModule, lang: str) -> LoadedModule:
        """``loaded`` in ``lang`` ('es-US' counts as 'es'): its translation when the library
        has one, else ``loaded`` itself (the build then warns and the cover says so)."""
        lang = lang.split("-")[0].lower()
        if (loaded.module.lang or "en") == lang:
            return loaded
        key = _clash_key(loaded.id, lang)
        if key in self.clashes:
            raise InputError(self.clashes[key])
        if lang == "en":
            path = self._indexed[0].get(loaded.id)
        else:
            path = self.translations.get((loaded.id, lang))
        return self._load_path(path) if path is not None else loaded

    def all_translations(self) -> tuple[list[LoadedModule], list[Problem]]:
        """Every translation that validates (in id, then language order), and the problems of the others."""
        loaded, problems = [], []
        for key, path in sorted(self.translations.items()):
            if _clash_key(*key) in self.clashes:
                continue
            try:
                loaded.append(self._load_path(path))
            except InputError as exc:
                problems += exc.problems
        return loaded, problems

    def unknown(self, module_id: str) -> str:
        close = difflib.get_close_matches(module_id, self.ids(), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        return f"no handout with the id '{module_id}' ({hint}`handouts list` shows them all)"

    def all(self) -> tuple[list[LoadedModule], list[Problem]]:
        """Every module that validates, and the problems of those that do not."""
        loaded, problems = [], []
        for module_id in self.ids():
            try:
                loaded.append(self.load(module_id))
            except InputError as exc:
                problems += exc.problems
        return loaded, problems

    # --- packets --------------------------------------------------------------

    def resolve_in_packet(self, packet: LoadedPacket) -> list[LoadedModule]:
        """The packet's handouts, by id or by path; every bad reference reported at once."""
        modules, problems = [], []
        for i, ref in enumerate(packet.packet.handouts):
            try:
                if ref.endswith(SUFFIXES) or "/" in ref or os.sep in ref:
                    modules.append(load_module(self._packet_path(packet, ref)))
                elif ref in self.index:
                    modules.append(self.load(ref))
                else:
                    raise UsageError(self.unknown(ref))
            except UsageError as exc:
                problems.append(packet.source.problem(("handouts", i), str(exc)))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(problems)
        return modules

    def _packet_path(self, packet: LoadedPacket, ref: str) -> Path:
        path = sources.resolved(packet.folder / ref)
        if path is None:
            raise UsageError(f"'{ref}': {sources.LOOP}")
        allowed = [packet.folder, *self.folders]
        if not any(path.is_relative_to(root) for root in allowed):
            raise UsageError(f"'{ref}' is outside the packet's folder and the library folders (keep handouts beside the packet)")
        if not path.is_file():
            raise UsageError(f"no handout file at '{ref}' (paths are relative to the packet's folder)")
        return path
