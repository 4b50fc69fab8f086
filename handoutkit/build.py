"""From build targets to PDFs: plan the jobs, render each, write each atomically.

``plan`` turns what the clinician typed (ids, module files, packet files) into jobs;
``render_job`` makes the HTML and the PDF in memory; ``write_job`` puts them on disk.
Nothing is written until a job has rendered completely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import crisis, cssimports, labels, paths, pictures, sources, templatecache
from .errors import HandoutkitError, InputError, UsageError
from .library import SUFFIXES, Library, LoadedModule, LoadedPacket, is_packet, load_module, load_packet
from .output import write_together
from .pdf import Rendered, render
from .render import Document, render_html
from .settings import Settings

STYLESHEETS = ("fonts.css", "base.css")
EXTRA_STYLESHEET = "extra.css"


@dataclass
class Job:
    """One PDF to make."""

    title: str
    modules: list[LoadedModule]
    settings: Settings
    output_name: str
    folders: list[Path] = field(default_factory=list)  # where its own files may be read from
    packet: Path | None = None  # the packet file it comes from (also named by messages about the whole document)


def is_id(target: str) -> bool:
    """A build target that names a module by id rather than by file."""
    path = Path(target)
    return path.suffix not in SUFFIXES and not path.exists()


def _packet_settings(loaded: LoadedPacket) -> dict[str, Any]:
    packet = loaded.packet
    values = packet.model_dump(exclude={"title", "handouts", "logo"}, exclude_none=True)
    if packet.region is not None and (why := crisis.unknown(packet.region)):
        raise InputError(loaded.source.problem(("region",), why))
    if packet.logo is not None:
        logo = sources.resolved(loaded.folder / packet.logo)  # None: a symlink loop, so no logo file
        if logo is not None and not logo.is_relative_to(loaded.folder):
            raise InputError(loaded.source.problem(("logo",), "the logo must be inside the packet's folder"))
        if logo is None or not logo.is_file():
            raise InputError(loaded.source.problem(("logo",), f"no logo file at '{packet.logo}' (paths are relative to the packet's folder)"))
        if why := pictures.file_problem(logo):
            raise InputError(loaded.source.problem(("logo",), f"the logo '{packet.logo}' {why}"))
        values["logo"] = logo
    return values


def _title_of(modules: list[LoadedModule], lang: str = "en") -> str:
    """A packet of handouts named on the command line: its title fits a cover in large print."""
    titles = [m.module.title for m in modules]
    if len(titles) <= 2:
        return " · ".join(titles)
    return labels.text(lang, "more_handouts", title=titles[0], n=len(titles) - 1)


def in_language(modules: list[LoadedModule], library: Library, lang: str) -> list[LoadedModule]:
    """Each module in the document's language where the library has it (SPEC.md "Languages")."""
    return [library.in_language(m, lang) for m in modules]


def untranslated(job: Job) -> list[str]:
    """Warnings for the terminal: handouts that print in another language than the document's."""
    lang = labels.base_language(job.settings.lang)
    name = labels.locale("en")["language_names"]
    return [f"warning: '{m.id}' has no {name[lang]} version, so it prints in {name[m.module.lang or 'en']} "
            f"(the cover says so)" for m in job.modules if (m.module.lang or "en") != lang]


def plan(targets: list[str], library: Library, *, base: Settings, flags: dict[str, Any]) -> list[Job]:
    """Jobs for these targets: one per packet file, or one for all the modules given."""
    if not targets:
        raise UsageError("name at least one handout id, module file or packet file to build")
    packets, modules, problems = [], [], []
    for target in targets:
        if is_id(target):
            modules.append(library.load(target))  # unknown ids stop here, with suggestions
            continue
        path = Path(target)
        try:
            source = sources.load(path)
            if is_packet(source):
                packets.append(load_packet(path, source))
            else:
                modules.append(load_module(path, source))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    if packets and modules:
        raise UsageError("build either packet files or handouts, not both at once")

    if modules:
        settings = base.over(**flags).checked()
        folders = [m.path.resolve().parent for m in modules]
        modules = in_language(modules, library, settings.lang)
        title = _title_of(modules, settings.lang)
        name = f"{modules[0].id}.pdf" if len(modules) == 1 else "packet.pdf"
        return [Job(title, modules, settings, name, folders)]

    jobs = []
    for loaded in packets:
        settings = base.over(**_packet_settings(loaded)).over(**flags).checked()
        jobs.append(Job(
            loaded.packet.title,
            in_language(library.resolve_in_packet(loaded), library, settings.lang),
            settings,
            f"{loaded.source.path.stem}.pdf",
            [loaded.folder],
            loaded.source.path,
        ))
    return jobs


def _stylesheets(library: Library, theme: str) -> list[str]:
    """Stylesheet URLs, each found in the first style folder that has it."""
    def find(name: str) -> Path | None:
        for folder in library.style_dirs:
            if (folder / name).is_file():
                return folder / name
        return None

    names = [*STYLESHEETS, f"theme-{theme}.css"]
    found = [find(n) for n in names]
    extras = [f / EXTRA_STYLESHEET for f in reversed(library.style_dirs) if (f / EXTRA_STYLESHEET).is_file()]
    cssimports.refuse_cycles([p for p in [*found, *extras] if p is not None])
    return [p.resolve().as_uri() for p in [*found, *extras] if p is not None]


def document_for(job: Job, library: Library) -> Document:
    s = job.settings
    return Document(
        title=job.title,
        settings=s,
        handouts=job.modules,
        cover=s.cover if s.cover is not None else len(job.modules) >= 2,
        date=s.date or dt.date.today(),
        stylesheets=_stylesheets(library, s.theme),
        logo_url=s.logo.resolve().as_uri() if s.logo else None,
    )


@dataclass(frozen=True)
class Result:
    html: str
    rendered: Rendered


def render_job(job: Job, library: Library) -> Result:
    # Every picture the handouts ask for, checked before any rendering: each problem is
    # told at the Markdown that asked, never as a file the PDF engine refused.
    base = job.folders[0] if job.folders else Path.cwd()
    if problems := [p for m in job.modules for p in pictures.in_module(m, base)]:
        raise InputError(problems)
    document = document_for(job, library)
    html = render_html(document, library.template_dirs)
    roots = [paths.ASSETS, *library.folders, *job.folders]
    # A logo from the config file may sit anywhere: the engine may read that one file, not its folder.
    files = [job.settings.logo] if job.settings.logo else []
    origin = job.packet or (job.modules[0].path if len(job.modules) == 1 else Path(job.output_name))
    return Result(html, render(html, base_url=base,
                               roots=roots, fillable=job.settings.fillable, day=document.date,
                               files=files, origin=origin,
                               title=job.title, outline=[m.module.title for m in job.modules]))


def write_job(result: Result, out: Path, html_out: Path | None = None, *, private: bool = False) -> Path:
    """The PDF, and the HTML if asked for: both or neither. ``private``: they carry a
    client's name, so only their owner may read them (see output.py)."""
    files = [(out, result.rendered.pdf)]
    if html_out is not None:
        files.append((html_out, result.html.encode("utf-8")))
    written = write_together(files, private=private)[0]
    templatecache.save()  # only now: a failed build leaves nothing behind, not even this
    return written


def is_private(job: Job) -> bool:
    """Whether the job's files carry a client's name."""
    return bool(job.settings.client)


# ---- several packets at once -----------------------------------------------------


def packet_kind(target: str) -> str:
    """'packet', 'module', 'id' or 'unreadable': how a build target would be read."""
    if is_id(target):
        return "id"
    try:
        return "packet" if is_packet(sources.load(Path(target))) else "module"
    except InputError:
        return "unreadable"


def is_batch(targets: list[str]) -> bool:
    """Several packet files: each becomes its own PDF, and one bad file stops only itself."""
    if len(targets) < 2:
        return False
    kinds = [packet_kind(t) for t in targets]
    return "packet" in kinds and not {"module", "id"} & set(kinds)


@dataclass(frozen=True)
class Outcome:
    target: str
    output: Path | None = None
    pages: int = 0
    errors: tuple[str, ...] = ()
    reminder: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def crisis_reminder(job: Job) -> str | None:
    """What the clinician should confirm about the crisis lines this PDF prints: for the
    terminal, never the client's page (CONTENT.md)."""
    regions = sorted({block.region or job.settings.region for m in job.modules
                      for block in m.module.blocks if block.type == "resources"})
    if not regions:
        return None
    checked = crisis.lines_for(regions[0])["checked"]
    names = " and ".join(crisis.lines_for(r)["name"] for r in regions)
    return f"the PDF prints {names} crisis lines, checked {checked}. {crisis.lines_for(regions[0])['confirm']}"


def planned(targets: list[str], library: Library, *, base: Settings, flags: dict[str, Any]) -> list[Job]:
    """The jobs of those packet files that plan; the others fail in ``build_one``, with their messages."""
    jobs = []
    for target in targets:
        try:
            jobs += plan([target], library, base=base, flags=flags)
        except HandoutkitError:
            pass
    return jobs


def build_one(target: str, library_folders: list[Path], base: Settings, flags: dict[str, Any],
              out: Path | None = None, html_out: Path | None = None) -> Outcome:
    """Plan, render and write one packet file (in a worker process during a batch).
    ``out`` and ``html_out`` were checked against the whole batch (targets.py)."""
    try:
        library = Library(library_folders)
        (job,) = plan([target], library, base=base, flags=flags)
        result = render_job(job, library)
        written = write_job(result, out or Path(job.output_name), html_out, private=is_private(job))
        reminder = "\n  ".join(filter(None, [crisis_reminder(job), *untranslated(job)])) or None
        return Outcome(target, written, result.rendered.pages, reminder=reminder)
    except HandoutkitError as exc:
        return Outcome(target, errors=tuple(exc.messages()))
