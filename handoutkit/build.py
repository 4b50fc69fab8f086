"""From build targets to PDFs: plan the jobs, render each, write each atomically.

``plan`` turns what the clinician typed (ids, module files, packet files) into jobs;
``render_job`` makes the HTML and the PDF in memory; ``write_job`` puts them on disk.
Nothing is written until a job has rendered completely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import coverfit, crisis, cssimports, labels, paths, pictures, sources, templatecache
from .errors import HandoutkitError, InputError, Problem, UsageError
from .library import SUFFIXES, Library, LoadedModule, LoadedPacket, is_packet, load_module, load_packet
from .output import write_together
from .pdf import Rendered, cover_pages, render
from .render import Document, render_html
from .settings import Settings

STYLESHEETS = ("fonts.css", "base.css", "icons.css")
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
    values = packet.model_dump(exclude={"title", "handouts", "logo"}, exclude_none=True, by_alias=True)
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
        return [Job(title, modules, settings, output_name(name, settings), folders)]

    return [packet_job(loaded, library, base=base, flags=flags) for loaded in packets]


def packet_job(loaded: LoadedPacket, library: Library, *, base: Settings, flags: dict[str, Any]) -> Job:
    """The job of one packet file, refused (InputError, at the packet's line) for anything
    in it a build cannot use. `check` asks this too, so the two never disagree."""
    settings = base.over(**_packet_settings(loaded)).over(**flags).checked()
    return Job(
        loaded.packet.title,
        in_language(library.resolve_in_packet(loaded), library, settings.lang),
        settings,
        output_name(f"{loaded.source.path.stem}.pdf", settings),
        [loaded.folder],
        loaded.source.path,
    )


def unprintable(job: Job) -> list[Problem]:
    """Every picture the job's handouts ask for and cannot have, each at the Markdown that
    asked: found before rendering (and by `check`), never as a file the PDF engine refused."""
    base = job.folders[0] if job.folders else Path.cwd()
    return [p for m in job.modules for p in pictures.in_module(m, base)]


def output_name(usual: str, settings: Settings) -> str:
    """The default file name: a discreet packet's says only its neutral title (the usual
    one names a handout or the clinician's packet file); the clinician's copy says so (unless
    the name does already), so building both copies of a packet keeps both."""
    if settings.discreet:
        # Accents dropped, not the letters that carry them: "Notas de la sesión" → notas-de-la-sesion.
        plain = unicodedata.normalize("NFKD", settings.neutral_title)
        words = "".join(ch.lower() if ch.isascii() and ch.isalnum() else ("" if unicodedata.combining(ch) else " ")
                        for ch in plain).split()
        usual = "-".join(words)[:40].rstrip("-") + ".pdf" if words else "notes.pdf"
    stem = usual.removesuffix(".pdf")
    if settings.copy == "clinician" and "clinician" not in stem.split("-"):
        usual = stem + "-clinician.pdf"
    return usual


def unused_discreet_title(settings: Settings) -> str | None:
    """A warning when a neutral title is set but the packet is not discreet: the title
    alone hides nothing, and must never look as if it did. (SPEC's example packet sets
    `discreet: false` beside a `discreet_title`, so this is a warning, not an error.)"""
    if settings.discreet_title and not settings.discreet:
        return ("warning: 'discreet_title' is set but the packet is not discreet, so its cover, page "
                "footers, PDF title, bookmarks and file name show what it is about (add 'discreet: true' "
                "to the packet, or build with --discreet)")
    return None


def outline_labels(job: Job) -> list[str]:
    """Bookmark labels, one per handout: its title, or "Part 2" in a discreet packet (a
    viewer shows bookmarks beside the first page)."""
    if job.settings.discreet:
        return [f"Part {i}" for i in range(1, len(job.modules) + 1)]
    return [m.module.title for m in job.modules]


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
        title=s.neutral_title or job.title,
        settings=s,
        handouts=job.modules,
        # The clinician's copy and a discreet packet always open on their cover: the one
        # marks the copy and carries the reminder, the other shows only the neutral title.
        cover=s.cover if s.cover is not None else (len(job.modules) >= 2 or s.copy == "clinician" or s.discreet),
        date=s.date or dt.date.today(),
        stylesheets=_stylesheets(library, s.theme),
        logo_url=s.logo.resolve().as_uri() if s.logo else None,
        crisis=crisis_summary(job),
    )


@dataclass(frozen=True)
class Result:
    html: str
    rendered: Rendered


def render_job(job: Job, library: Library) -> Result:
    if problems := unprintable(job):
        raise InputError(problems)
    base = job.folders[0] if job.folders else Path.cwd()
    document = document_for(job, library)
    roots = [paths.ASSETS, *library.folders, *job.folders]
    # A logo from the config file may sit anywhere: the engine may read that one file, not its folder.
    files = [job.settings.logo] if job.settings.logo else []
    origin = job.packet or (job.modules[0].path if len(job.modules) == 1 else Path(job.output_name))
    engine = dict(base_url=base, roots=roots, fillable=job.settings.fillable, files=files, origin=origin)

    def whole(fit: coverfit.CoverFit) -> tuple[Result, int]:
        html = render_html(dataclasses.replace(document, cover_fit=fit), library.template_dirs)
        rendered = render(html, day=document.date, title=document.title, outline=outline_labels(job), **engine)
        return Result(html, rendered), rendered.cover_pages

    if not document.cover:
        return whole(coverfit.CoverFit())[0]

    def cover_alone(fit: coverfit.CoverFit) -> int:
        alone = dataclasses.replace(document, cover_fit=fit, cover_only=True)
        return cover_pages(render_html(alone, library.template_dirs), **engine)

    return coverfit.fitted(job.settings, cover_alone, whole)


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
    paper: str = "letter"  # what it was laid out on: it prints on that

    @property
    def ok(self) -> bool:
        return not self.errors


def printed_regions(modules: list[LoadedModule], region: str) -> list[str]:
    """The regions whose crisis lines these handouts print (``region``: the packet's)."""
    return sorted({block.region or region for m in modules
                   for block in m.module.blocks if block.type == "resources"})


def crisis_summary(job: Job) -> dict[str, Any] | None:
    """The crisis lines this PDF prints, for the clinician: the regions, when they were
    checked and the reminder to confirm them (the build's output and the clinician's copy;
    never the client's page, CONTENT.md)."""
    regions = printed_regions(job.modules, job.settings.region)
    if not regions:
        return None
    each = [crisis.lines_for(r) for r in regions]
    oldest = min(each, key=lambda lines: lines["checked_on"])
    return {"names": " and ".join(lines["name"] for lines in each), "checked": oldest["checked"],
            "confirm": oldest["confirm"]}


def crisis_reminder(job: Job) -> str | None:
    """What the clinician should confirm about the crisis lines this PDF prints: for the
    terminal, never the client's page (CONTENT.md)."""
    if (summary := crisis_summary(job)) is None:
        return None
    return f"the PDF prints {summary['names']} crisis lines, checked {summary['checked']}. {summary['confirm']}"


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
        return Outcome(target, written, result.rendered.pages, reminder=reminder, paper=job.settings.paper)
    except HandoutkitError as exc:
        return Outcome(target, errors=tuple(exc.messages()))
