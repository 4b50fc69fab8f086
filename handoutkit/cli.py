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

app = typer.Typer(
    name="handouts",
    help="Build printable psychoeducation handouts from plain YAML modules. Nothing leaves this computer.",
    no_args_is_help=True,
    add_completion=False,
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


def _library(ctx: typer.Context):
    from .library import Library

    return Library.from_options(ctx.obj or [])


@app.callback()
def _global(
    ctx: typer.Context,
    library: Optional[list[Path]] = typer.Option(
        None, "--library", "-L", help="A folder of your own modules (repeatable). Also: HANDOUTS_LIBRARY."
    ),
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
    targets: list[str] = typer.Argument(..., help="Handout ids, module files or packet files."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write the PDF."),
    paper: Optional[Paper] = typer.Option(None, help="Paper size."),
    theme: Optional[Theme] = typer.Option(None, help="default, print (black and white) or large-print."),
    client: Optional[str] = typer.Option(None, help="The client's name, printed in the PDF only."),
    clinician: Optional[str] = typer.Option(None),
    practice: Optional[str] = typer.Option(None),
    region: Optional[str] = typer.Option(None, help="Crisis lines: US, UK, CA, AU or IE."),
    fillable: Optional[bool] = typer.Option(None, "--fillable/--not-fillable", help="PDF form fields to fill in on a tablet."),
    lang: Optional[str] = typer.Option(None, help="Document language, like en or en-GB."),
    date: Optional[str] = typer.Option(None, help="The date on the cover (YYYY-MM-DD); default today."),
    html: Optional[Path] = typer.Option(None, "--html", help="Also write the final HTML to this file."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Packets built at once (default: one per CPU core)."),
    open_: bool = typer.Option(False, "--open", help="Open the PDF in the system's viewer."),
    print_: bool = typer.Option(False, "--print", help="Send the PDF to the default printer (with `lp`)."),
) -> None:
    """Build one PDF from handouts, or one PDF per packet file."""
    from . import build as building
    from . import config, glyphs, system

    library = _library(ctx)
    base = config.base_settings()
    flags = dict(
        paper=paper.value if paper else None, theme=theme.value if theme else None,
        client=client, clinician=clinician, practice=practice, region=region,
        fillable=fillable, lang=lang, date=_parse_date(date),
    )
    if building.is_batch(targets):
        if output is not None or html is not None:
            raise UsageError("-o and --html name one file, but there are several packets: leave them out to get one PDF per packet")
        outcomes = _build_batch(targets, library, base, flags, jobs)
        written = [o.output for o in outcomes if o.ok]
    else:
        (job,) = building.plan(targets, library, base=base, flags=flags)
        result = building.render_job(job, library)
        out = building.write_job(result, output or Path(job.output_name), html)
        typer.echo(f"wrote {out} ({_pages(result.rendered.pages)})")
        for warning in glyphs.in_details(job.title, job.settings):
            typer.echo(warning, err=True)
        written, outcomes = [out], []
    for path in written:
        if open_:
            system.open_file(path)
        if print_:
            system.print_file(path)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        typer.echo(f"{len(failed)} of {len(outcomes)} packets failed: " + ", ".join(o.target for o in failed), err=True)
        raise typer.Exit(2)


def _pages(n: int) -> str:
    return f"{n} page{'s' if n != 1 else ''}"


def _build_batch(targets, library, base, flags, jobs):
    """Each packet in its own worker process, with a progress bar; failures don't stop the rest."""
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .build import build_one

    workers = min(jobs or os.cpu_count() or 1, len(targets))
    outcomes = []
    console = Console(stderr=True, highlight=False)
    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), console=console, transient=True) as bar:
        task = bar.add_task("packets", total=len(targets))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(build_one, t, library.user_folders, base, flags) for t in targets]
            for future in as_completed(futures):
                outcomes.append(future.result())
                bar.advance(task)
    order = {t: i for i, t in enumerate(targets)}
    outcomes.sort(key=lambda o: order[o.target])
    for o in outcomes:
        if o.ok:
            typer.echo(f"wrote {o.output} ({_pages(o.pages)})")
        else:
            for message in o.errors:
                typer.echo(message, err=True)
    return outcomes


@app.command("list")
def list_(
    ctx: typer.Context,
    topic: Optional[str] = typer.Option(None, help="Only handouts with this topic."),
    audience: Optional[Audience] = typer.Option(None),
    kind: Optional[Kind] = typer.Option(None),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for other programs."),
) -> None:
    """The library as a table."""
    library = _library(ctx)
    loaded, problems = library.all()
    rows = [
        m for m in loaded
        if (topic is None or topic in m.module.topics)
        and (audience is None or m.module.audience == audience.value)
        and (kind is None or m.module.kind == kind.value)
    ]
    if as_json:
        typer.echo(json.dumps([
            {"id": m.id, "title": m.module.title, "kind": m.module.kind, "audience": m.module.audience,
             "topics": m.module.topics, "minutes": m.module.minutes, "path": str(m.path)}
            for m in rows
        ], indent=2))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(box=None, header_style="bold", pad_edge=False)
        table.add_column("id", no_wrap=True)
        for column in ("title", "kind", "audience", "topics"):
            table.add_column(column, overflow="fold")
        for m in rows:
            table.add_row(m.id, m.module.title, m.module.kind, m.module.audience, ", ".join(m.module.topics))
        Console(highlight=False, markup=False).print(table)
    for problem in problems:
        typer.echo(f"{problem} (left out of the list)", err=True)


@app.command()
def show(ctx: typer.Context, handout_id: str = typer.Argument(..., metavar="ID")) -> None:
    """A handout's outline in the terminal."""
    from .outline import outline

    typer.echo(outline(_library(ctx).load(handout_id)))


@app.command()
def check(
    ctx: typer.Context,
    paths: Optional[list[Path]] = typer.Argument(None, help="Module or packet files or folders; default: the library."),
    strict: bool = typer.Option(False, "--strict", help="Warnings count as problems too."),
    as_json: bool = typer.Option(False, "--json", help="Print findings as JSON."),
    pages: bool = typer.Option(True, "--pages/--no-pages", help="Render each module to check its page budget."),
) -> None:
    """Validate and review modules and packets. Exit 1 when something is wrong."""
    from .check import check as run_check

    for path in paths or []:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    report = run_check(list(paths or []), _library(ctx), render_pages=pages)
    if as_json:
        typer.echo(json.dumps({
            "files": report.files, "errors": report.errors, "warnings": report.warnings,
            "findings": [f.as_dict() for f in report.findings],
        }, indent=2))
    else:
        for finding in report.findings:
            typer.echo(str(finding))
        typer.echo(f"{report.files} file{'s' if report.files != 1 else ''} checked: "
                   f"{report.errors} error{'s' if report.errors != 1 else ''}, "
                   f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    raise typer.Exit(1 if report.failed(strict) else 0)


@app.command()
def preview(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A handout id, a module file or a packet file."),
    paper: Optional[Paper] = typer.Option(None, help="Paper size."),
    theme: Optional[Theme] = typer.Option(None, help="default, print (black and white) or large-print."),
    region: Optional[str] = typer.Option(None, help="Crisis lines: US, UK, CA, AU or IE."),
    fillable: Optional[bool] = typer.Option(None, "--fillable/--not-fillable", help="PDF form fields to fill in on a tablet."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (default: a free one)."),
    no_open: bool = typer.Option(False, "--no-open", help="Do not open the browser."),
) -> None:
    """Live preview in the browser, paged as it prints; it reloads when you save."""
    from . import config
    from .preview import serve

    flags = dict(paper=paper.value if paper else None, theme=theme.value if theme else None,
                 region=region, fillable=fillable)
    serve(target, _library(ctx), flags, base=config.base_settings(), port=port, open_browser=not no_open)


@app.command()
def new(
    handout_id: str = typer.Argument(..., metavar="ID", help="The new module's id, like sleep-worries."),
    kind: Kind = typer.Option(Kind.handout, "--kind", "-k", help="What kind of module to start."),
    folder: Path = typer.Option(Path("."), "--dir", "-d", help="Where to write it."),
) -> None:
    """Write a starter module that passes `handouts check`."""
    from .starters import write_starter

    typer.echo(f"wrote {write_starter(handout_id, kind.value, folder)}")


class SchemaKind(str, Enum):
    module = "module"
    packet = "packet"


@app.command()
def schema(
    kind: SchemaKind = typer.Argument(SchemaKind.module, help="module or packet"),
    write: Optional[Path] = typer.Option(None, "--write", metavar="DIR", help="Write both schemas into DIR."),
) -> None:
    """JSON Schema for editors: completion and typo checks while typing."""
    from . import schema as schemas

    if write is not None:
        for path in schemas.write(write):
            typer.echo(f"wrote {path}")
        return
    typer.echo(schemas.text_of(kind.value), nl=False)


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
    typer.echo(f"settings file: {config.path()}{'' if config.path().exists() else ' (not created yet)'}")
    for key in config.KEYS:
        value = getattr(settings, key)
        typer.echo(f"  {key}: {value if value is not None else '(not set)'}")


@config_app.command("set")
def config_set(key: str = typer.Argument(..., metavar="KEY"), value: str = typer.Argument(..., metavar="VALUE")) -> None:
    """Set one default, like `handouts config set paper a4`."""
    from . import config

    written = config.set_value(key, value)
    typer.echo(f"{key} set in {written}")


def main() -> None:
    # pydantic lets any installed package hook into validation through a "pydantic" entry
    # point (tracing tools record what was validated: here, a client's name). Nothing here
    # needs one, and not looking spares every start a scan of all installed packages.
    import os

    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    except HandoutkitError as exc:
        for message in exc.messages():
            print(message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug, not the user's doing: say so plainly, keep the detail for us
        import os
        import traceback

        if os.environ.get("HANDOUTS_DEBUG"):
            traceback.print_exc()
        print(f"handoutkit hit an internal error, which is a bug: {type(exc).__name__}: {exc}\n"
              "Please report it (run with HANDOUTS_DEBUG=1 to see the details).", file=sys.stderr)
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
