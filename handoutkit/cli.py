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
) -> None:
    """Build one PDF from handouts, or one PDF per packet file."""
    from .build import plan, render_job, write_job
    from .settings import Settings

    library = _library(ctx)
    flags = dict(
        paper=paper.value if paper else None, theme=theme.value if theme else None,
        client=client, clinician=clinician, practice=practice, region=region,
        fillable=fillable, lang=lang, date=_parse_date(date),
    )
    jobs = plan(targets, library, base=Settings(), flags=flags)
    if output is not None and len(jobs) > 1:
        raise UsageError("-o names one file, but there are several packets: leave -o out to get one PDF per packet")
    for job in jobs:
        result = render_job(job, library)
        out = write_job(result, output or Path(job.output_name), html)
        typer.echo(f"wrote {out} ({result.rendered.pages} page{'s' if result.rendered.pages != 1 else ''})")


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
        for column in ("id", "title", "kind", "audience", "topics"):
            table.add_column(column, overflow="fold")
        for m in rows:
            table.add_row(m.id, m.module.title, m.module.kind, m.module.audience, ", ".join(m.module.topics),
                          )
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


def main() -> None:
    try:
        app()
    except HandoutkitError as exc:
        for message in exc.messages():
            print(message, file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        sys.exit(130)
