"""The `handouts` command: a thin layer that parses flags and prints results.

Every user mistake arrives here as a HandoutkitError and leaves as plain messages on
stderr with exit status 2 (1 for `check` findings); never as a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import HandoutkitError, UsageError
from .terminal import visible

app = typer.Typer(
    name="handouts",
    help="Build printable psychoeducation handouts from plain YAML modules. Nothing leaves this computer.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class Paper(str, Enum):
    letter = "letter"
    a4 = "a4"


class Theme(str, Enum):
    default = "default"
    print = "print"
    large_print = "large-print"


class Copy(str, Enum):
    client = "client"
    clinician = "clinician"


class Kind(str, Enum):
    handout = "handout"
    worksheet = "worksheet"
    exercise = "exercise"
    script = "script"
    guide = "guide"


class Audience(str, Enum):
    client = "client"
    couple = "couple"
    clinician = "clinician"


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print what may come from a file or a flag: as text, never as terminal commands."""
    typer.echo(visible(text), err=err, nl=nl)


def _library(ctx: typer.Context):
    from .library import Library

    return Library.from_options(ctx.obj or [])


def _show_version(value: bool) -> None:
    if value:
        from .helptext import version

        echo(f"handouts {version()}")
        raise typer.Exit()


def _complete_target(ctx: typer.Context, incomplete: str) -> list[str]:
    from .helptext import complete_target

    return complete_target(ctx, incomplete)


def _complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    from .helptext import complete_id

    return complete_id(ctx, incomplete)


@app.callback()
def _global(
    ctx: typer.Context,
    library: Optional[list[Path]] = typer.Option(
        None, "--library", "-L", metavar="DIR", help="A folder of your own modules (repeatable). Also: HANDOUTS_LIBRARY."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
) -> None:
    ctx.obj = library or []


def _parse_date(value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date '{value}' is not a date (expected YYYY-MM-DD, like 2026-11-24)") from None


@app.command()
def build(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(
        ..., metavar="TARGET...", autocompletion=_complete_target,
        help="Handout ids, module files, packet files, or example:NAME (`handouts examples`)."),
    output: Optional[str] = typer.Option(
        None, "--output", "-o", metavar="FILE|DIR/",
        help="Where to write the PDF. A folder (one that exists, or a name ending in /, which must exist) "
             "gets the PDF inside it with its usual name; for several packets, give a folder. "
             "Never a file the build reads, a device or a pipe. Two packet files with the same name "
             "(alice/session.yaml, bob/session.yaml) are refused: build each on its own, like -o alice/."),
    paper: Optional[Paper] = typer.Option(None, help="Paper size."),
    theme: Optional[Theme] = typer.Option(None, help="default, print (black and white) or large-print."),
    client: Optional[str] = typer.Option(None, metavar="NAME", help="The client's name, printed in the PDF only (which only you may then read: mode 0600)."),
    clinician: Optional[str] = typer.Option(None, metavar="NAME"),
    practice: Optional[str] = typer.Option(None, metavar="NAME"),
    region: Optional[str] = typer.Option(None, metavar="REGION", help="Crisis lines: US, UK, CA, AU or IE."),
    fillable: Optional[bool] = typer.Option(None, "--fillable/--not-fillable", help="PDF form fields to fill in on a tablet."),
    lang: Optional[str] = typer.Option(None, metavar="LANG", help="Document language: en, es or fr (a region may follow, like es-US): "
                                                  "labels, dates, crisis lines and each handout's translation."),
    date: Optional[str] = typer.Option(None, metavar="YYYY-MM-DD", help="The date on the cover (YYYY-MM-DD); default today."),
    copy: Optional[Copy] = typer.Option(
        None, help="client (default) or clinician: the clinician's copy adds clinician notes, sources and "
                   "the reminder to confirm local lines, and says on every page that it is not for the client."),
    discreet: Optional[bool] = typer.Option(
        None, "--discreet/--not-discreet",
        help="Cover, page headers and footers, PDF title, bookmarks and file name say only a neutral title "
             "(the packet's discreet_title, default \"Session notes\"): for a client who lives with the person who hurt them."),
    html: Optional[str] = typer.Option(
        None, "--html", metavar="FILE|DIR/",
        help="Also write the final HTML to this file (or inside this folder), only ever together with the PDF."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N", help="Packets built at once (default: one per CPU core)."),
    open_: bool = typer.Option(False, "--open", help="Open the PDF in the system's viewer."),
    print_: bool = typer.Option(False, "--print", help="Send the PDF to the printer (with `lp`), on the PDF's paper size."),
    printer: Optional[str] = typer.Option(None, "--printer", metavar="NAME", help="With --print: this printer, not the default (`lpstat -p` lists them)."),
    copies: int = typer.Option(1, "--copies", metavar="N", min=1, max=100, help="With --print: how many copies."),
    duplex: Optional[bool] = typer.Option(
        None, "--duplex/--one-sided", help="With --print: both sides of the paper (flipped on the long edge), or one; default: the printer's own."),
) -> None:
    """Build one PDF from handouts, or one PDF per packet file."""
    from . import build as building
    from . import config, glyphs, system
    from .printing import PrintRequest, print_pdf
    from .examples import named as example_named
    from .targets import for_batch, for_job, refuse_in_batch

    targets = [example_named(t) for t in targets]
    if not print_ and (printer is not None or copies != 1 or duplex is not None):
        raise UsageError("--printer, --copies, --duplex and --one-sided say how to print: add --print to print")
    library = _library(ctx)
    base = config.base_settings()
    flags = dict(
        paper=paper.value if paper else None, theme=theme.value if theme else None,
        client=client, clinician=clinician, practice=practice, region=region,
        fillable=fillable, lang=lang, date=_parse_date(date),
        copy=copy.value if copy else None, discreet=discreet,
    )
    if building.is_batch(targets):
        jobs_planned = building.planned(targets, library, base=base, flags=flags)
        names = {job.packet.resolve(): job.output_name for job in jobs_planned if job.packet is not None}
        places = for_batch(targets, output, html, names)  # all refusals before any packet renders
        refuse_in_batch(places, jobs_planned, library)
        outcomes = _build_batch(targets, library, base, flags, jobs, places)
        written = [(o.output, o.paper) for o in outcomes if o.ok]
    else:
        (job,) = building.plan(targets, library, base=base, flags=flags)
        out, html_out = for_job(job, library, output, html)  # refused before rendering
        result = building.render_job(job, library)
        out = building.write_job(result, out, html_out, private=building.is_private(job))
        echo(f"wrote {out} ({_pages(result.rendered.pages)})")
        if reminder := building.crisis_reminder(job):
            echo(f"  note: {reminder}")
        for warning in building.untranslated(job):
            echo(warning, err=True)
        for warning in glyphs.in_details(job.title, job.settings):
            echo(warning, err=True)
        if warning := building.unused_discreet_title(job.settings):
            echo(warning, err=True)
        written, outcomes = [(out, job.settings.paper)], []
    request = PrintRequest(printer, copies, duplex)
    for path, paper_size in written:
        if open_:
            system.open_file(path)
        if print_:
            echo(print_pdf(path, paper_size, request))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        echo(f"{len(failed)} of {len(outcomes)} packets failed: " + ", ".join(o.target for o in failed), err=True)
        raise typer.Exit(2)


def _pages(n: int) -> str:
    return f"{n} page{'s' if n != 1 else ''}"


def _build_batch(targets, library, base, flags, jobs, places):
    """Each packet in its own worker process, with a progress bar; failures don't stop the rest.
    Ctrl-C stops the batch: see handoutkit/interrupt.py."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .build import build_one
    from .interrupt import InOrder, run_stoppably, worker_ignores_interrupts

    workers = min(jobs or os.cpu_count() or 1, len(targets))
    in_order = InOrder(targets, _tell)
    console = Console(stderr=True, highlight=False)
    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("packets", total=len(targets))

        def done(outcome) -> None:
            if in_order.add(outcome):
                bar.advance(task)

        with ProcessPoolExecutor(max_workers=workers, initializer=worker_ignores_interrupts) as pool:
            stopped = run_stoppably(
                lambda t: pool.submit(build_one, t, library.user_folders, base, flags,
                                      places[t][0].path, places[t][1].path if places[t][1] else None),
                targets, workers, done)
    in_order.tell_the_rest()
    if stopped:
        built = [str(o.output) for o in in_order.outcomes if o.ok]
        not_built = [t for t in targets if t not in {o.target for o in in_order.outcomes if o.ok}]
        echo(f"stopped: built {', '.join(built) or 'nothing'}; not built: {', '.join(not_built)}", err=True)
        raise typer.Exit(130)
    return in_order.outcomes


def _tell(o) -> None:
    if o.ok:
        echo(f"wrote {o.output} ({_pages(o.pages)})")
        if o.reminder:
            echo(f"  note: {o.reminder}")
    else:
        for message in o.errors:
            echo(message, err=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    topic: Optional[str] = typer.Option(None, metavar="TOPIC", help="Only handouts with this topic."),
    audience: Optional[Audience] = typer.Option(None),
    kind: Optional[Kind] = typer.Option(None),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for other programs."),
    lang: Optional[str] = typer.Option(None, metavar="LANG", help="Each handout in this language (en, es, fr) where it has a version in it."),
) -> None:
    """The library as a table."""
    library = _library(ctx)
    loaded, problems = library.all()
    if lang is not None:
        loaded = [library.in_language(m, _language(lang)) for m in loaded]
    rows = [
        m for m in loaded
        if (topic is None or topic in m.module.topics)
        and (audience is None or m.module.audience == audience.value)
        and (kind is None or m.module.kind == kind.value)
    ]
    if not as_json and not sys.stdout.isatty():
        # Piped (`handouts list | grep sleep`): one line per handout, tab-separated, never
        # wrapped, so each line holds everything grep, cut or sort need.
        for m in rows:
            echo("\t".join((m.id, m.module.title, m.module.kind, m.module.audience, ", ".join(m.module.topics))))
    elif as_json:
        echo(json.dumps([
            {"id": m.id, "title": m.module.title, "kind": m.module.kind, "audience": m.module.audience,
             "topics": m.module.topics, "minutes": m.module.minutes, "path": str(m.path),
             "lang": m.module.lang or "en", "languages": library.languages_of(m.id)}
            for m in rows
        ], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("id", no_wrap=True)
        for column in ("title", "kind", "audience", "topics"):
            table.add_column(column, overflow="fold")
        if lang is not None:
            table.add_column("lang", no_wrap=True)
        for m in rows:
            cells = (m.id, m.module.title, m.module.kind, m.module.audience, ", ".join(m.module.topics))
            if lang is not None:  # the language each one is in: English where there is no translation
                cells += (m.module.lang or "en",)
            table.add_row(*map(visible, cells))
        Console(highlight=False, markup=False).print(table)
    for problem in problems:
        echo(f"{problem} (left out of the list)", err=True)


@app.command()
def show(ctx: typer.Context, handout_id: str = typer.Argument(..., metavar="ID", autocompletion=_complete_id),
         lang: Optional[str] = typer.Option(None, metavar="LANG", help="Its version in this language: en, es or fr.")) -> None:
    """A handout's outline in the terminal."""
    from .outline import outline

    library = _library(ctx)
    loaded = library.load(handout_id)
    if lang is not None:
        wanted = _language(lang)
        loaded = library.in_language(loaded, wanted)
        if (loaded.module.lang or "en") != wanted:
            echo(f"warning: '{handout_id}' has no {wanted} version; showing its {loaded.module.lang or 'en'} one", err=True)
    echo(outline(loaded))


def _language(lang: str) -> str:
    """A language handoutkit prints, from --lang ('es-US' is 'es'); a clear refusal otherwise."""
    from .models import unprintable_lang

    if why := unprintable_lang(lang):
        raise UsageError(f"--lang: {why}")
    return lang.split("-")[0].lower()


@app.command()
def examples() -> None:
    """The example packets that come with handoutkit: build one with `handouts build example:NAME`."""
    from .examples import listing

    for name, title, count in listing():
        echo(f"example:{name}\t{title} ({count} handouts)")


@app.command()
def check(
    ctx: typer.Context,
    paths: Optional[list[Path]] = typer.Argument(
        None, metavar="FILE|DIR...", help="Module or packet files or folders; default: the library."),
    strict: bool = typer.Option(False, "--strict", help="Warnings count as problems too."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
    pages: bool = typer.Option(True, "--pages/--no-pages", help="Render each module to check its page budget."),
) -> None:
    """Validate and review modules and packets. Exit 1 when something is wrong."""
    from .check import check as run_check

    for path in paths or []:
        if not path.exists() and not path.is_symlink():  # a link loop: reading it says so
            raise UsageError(f"{path}: no such file or folder")
    report = run_check(list(paths or []), _library(ctx), render_pages=pages, region=_config_region())
    if as_json:
        echo(json.dumps({
            "files": report.files, "errors": report.errors, "warnings": report.warnings,
            "findings": [f.as_dict() for f in report.findings],
        }, indent=2))
    else:
        for finding in report.findings:
            echo(str(finding))
        echo(f"{report.files} file{'s' if report.files != 1 else ''} checked: "
             f"{report.errors} error{'s' if report.errors != 1 else ''}, "
             f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    raise typer.Exit(1 if report.failed(strict) else 0)


def _config_region() -> str:
    """The region a help box prints when nothing names one: the config's, as in a build.
    `check` still runs with a damaged config file (the build says what is wrong with it)."""
    from . import config
    from .crisis import DEFAULT_REGION, unknown

    try:
        region = config.load().region
    except HandoutkitError:
        return DEFAULT_REGION
    return region if region and unknown(region) is None else DEFAULT_REGION


@app.command()
def preview(
    ctx: typer.Context,
    target: str = typer.Argument(..., metavar="TARGET", autocompletion=_complete_target,
                                 help="A handout id, a module file, a packet file or example:NAME."),
    paper: Optional[Paper] = typer.Option(None, help="Paper size."),
    theme: Optional[Theme] = typer.Option(None, help="default, print (black and white) or large-print."),
    region: Optional[str] = typer.Option(None, metavar="REGION", help="Crisis lines: US, UK, CA, AU or IE."),
    fillable: Optional[bool] = typer.Option(None, "--fillable/--not-fillable", help="PDF form fields to fill in on a tablet."),
    port: int = typer.Option(0, "--port", min=0, max=65535, metavar="PORT", help="Port on 127.0.0.1 (default: a free one)."),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open the browser."),
) -> None:
    """Live preview in the browser, paged as it prints; it reloads when you save."""
    from . import config
    from .examples import named as example_named
    from .preview import serve

    target = example_named(target)
    flags = dict(paper=paper.value if paper else None, theme=theme.value if theme else None,
                 region=region, fillable=fillable)
    serve(target, _library(ctx), flags, base=config.base_settings(), port=port, open_browser=not no_open)


@app.command()
def studio(
    ctx: typer.Context,
    folder: Optional[Path] = typer.Option(None, "--folder", metavar="DIR", help="Where packets are saved and your own handouts kept (default: Handouts in your documents folder)."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (default: a free one)."),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open the browser."),
) -> None:
    """The local web app: browse, build packets, preview, download, print, save packets, adapt handouts."""
    from .library import folders_from_env
    from .studio import serve

    serve(folder, [*(ctx.obj or []), *folders_from_env()], port=port, open_browser=not no_open)


@app.command()
def new(
    handout_id: str = typer.Argument(..., metavar="ID", help="The new module's id, like sleep-worries."),
    kind: Kind = typer.Option(Kind.handout, "--kind", "-k", help="What kind of module to start."),
    folder: Path = typer.Option(Path("."), "--dir", "-d", metavar="DIR", help="Where to write it (created if it is missing)."),
    lang: Optional[str] = typer.Option(None, metavar="LANG", help="The language to write it in: en, es or fr."),
) -> None:
    """Write a starter module that passes `handouts check`."""
    from .starters import write_starter

    language = _language(lang) if lang is not None else "en"
    for path in write_starter(handout_id, kind.value, folder, lang=language):
        echo(f"wrote {path}")


class SchemaKind(str, Enum):
    module = "module"
    packet = "packet"


@app.command()
def schema(
    kind: SchemaKind = typer.Argument(SchemaKind.module, metavar="[module|packet]", help="Which schema to print."),
    write: Optional[Path] = typer.Option(None, "--write", metavar="DIR", help="Write both schemas into DIR."),
) -> None:
    """JSON Schema for editors: completion and typo checks while typing."""
    from . import schema as schemas

    if write is not None:
        for path in schemas.write(write):
            echo(f"wrote {path}")
        return
    echo(schemas.text_of(kind.value), nl=False)


config_app = typer.Typer(
    help="Your practice's defaults: practice, clinician, contact, logo, region, paper, theme.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(config_app, name="config")


@config_app.callback()
def config_show(ctx: typer.Context) -> None:
    """Show where the settings file is and what it holds."""
    if ctx.invoked_subcommand is not None:
        return
    from . import config

    settings = config.load()
    echo(f"settings file: {config.path()}{'' if config.path().exists() else ' (not created yet)'}")
    for key in config.KEYS:
        value = getattr(settings, key)
        echo(f"  {key}: {value if value is not None else '(not set)'}")


@config_app.command("set")
def config_set(key: str = typer.Argument(..., metavar="KEY"), value: str = typer.Argument(..., metavar="VALUE")) -> None:
    """Set one default, like `handouts config set paper a4`."""
    from . import config

    written = config.set_value(key, value)
    echo(f"{key} set in {written}")


@config_app.command("unset")
def config_unset(key: str = typer.Argument(..., metavar="KEY")) -> None:
    """Remove one default, like `handouts config unset logo`; works on a damaged file too."""
    from . import config, config_repair

    echo(f"{key} is not set in {config_repair.unset(key)}")
    config.load()  # what else is wrong is said now, not at the next build


@config_app.command("edit")
def config_edit() -> None:
    """Open the settings file in $VISUAL or $EDITOR, then check it."""
    from . import config_repair

    echo(f"{config_repair.edit()} is valid")


@config_app.command("path")
def config_path() -> None:
    """Print where the settings file is (for scripts), whether or not it exists."""
    from . import config

    echo(str(config.path()))


def _arguments_are_text(args: list[str]) -> None:
    """Arguments must be text: bytes that are not UTF-8 (a file name from another system)
    or control characters (an escape sequence in a client's name) would reach the PDF, a
    file name or the terminal. Said here, before any command reads them."""
    from .terminal import CONTROL, describe, undecodable

    for i, arg in enumerate(args):
        option, _, value = arg.partition("=") if arg.startswith("--") and "=" in arg else ("", "", arg)
        if not option and i and args[i - 1].startswith("--") and "=" not in args[i - 1]:
            option = args[i - 1]
        where = f"'{visible(value)}'" + (f" (given to {visible(option)})" if option else "")
        if undecodable(arg):
            raise UsageError(f"{where} is not valid text: its \\x… bytes are not UTF-8 "
                             "(rename the file, or type the value again)")
        if bad := CONTROL.search(arg):
            raise UsageError(f"{where} holds an invisible control character {describe(bad.group())} "
                             "(type the value again without it)")


def main() -> None:
    # pydantic lets any installed package hook into validation through a "pydantic" entry
    # point (tracing tools record what was validated: here, a client's name). Nothing here
    # needs one, and not looking spares every start a scan of all installed packages.
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from .helptext import plain_help

    plain_help()
    try:
        _arguments_are_text(sys.argv[1:])
        app(prog_name="handouts")  # also under `python -m handoutkit`: the name help and completion use
    except HandoutkitError as exc:
        for message in exc.messages():
            print(visible(message), file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug, not the user's doing: say so plainly, keep the detail for us
        import os
        import traceback

        if os.environ.get("HANDOUTS_DEBUG"):
            traceback.print_exc()
        print(visible(f"handoutkit hit an internal error, which is a bug: {type(exc).__name__}: {exc}\n")
              + "Please report it (run with HANDOUTS_DEBUG=1 to see the details).", file=sys.stderr)
        sys.exit(70)


def run() -> None:
    """The `handouts` command itself: ``main()``, then an exit without the last full
    garbage collection.

    On exit CPython collects garbage once more, and after a build that means walking every
    object WeasyPrint made: about 0.2 s, a tenth of a whole build, spent tidying memory the
    operating system takes back anyway. Frozen objects are skipped by that walk; exit
    handlers, flushing and closing still run. (``main()`` alone is what tests call.)"""
    try:
        main()
    finally:
        import gc

        gc.freeze()
