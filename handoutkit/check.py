"""`handouts check`: validate modules and packets, then review them as an editor would.

Each rule is a small function from a loaded module to findings; a finding says where,
how serious, what is wrong and how to fix it, in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import models, readability, sources
from .errors import InputError, Problem
from .library import Library, LoadedModule, is_packet, load_module, load_packet
from .settings import Settings

MAX_GRADE = 8.0


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    level: str  # error | warning
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: {self.message}"

    @classmethod
    def of(cls, problem: Problem) -> "Finding":
        return cls(str(problem.path), problem.line, problem.col, problem.level, problem.message)

    def as_dict(self) -> dict:
        return asdict(self)


Rule = Callable[[LoadedModule], Iterator[Problem]]


def reading_level(m: LoadedModule) -> Iterator[Problem]:
    if not m.module.client_facing:
        return
    reading = readability.reading_of(m.source.data)
    if reading is not None and reading.grade > MAX_GRADE:
        hardest = "; ".join(f'"{s}" ({g})' for g, s in reading.hardest[:2])
        yield m.source.problem(
            ("blocks",),
            f"reads at grade {reading.grade}, above grade {MAX_GRADE:g} (use shorter sentences and "
            f"everyday words; hardest: {hardest})",
            key=True, level="warning",
        )


def page_budget(m: LoadedModule, library: Library) -> Iterator[Problem]:
    from .build import Job, render_job

    budget = m.module.page_budget
    for paper in ("letter", "a4"):
        job = Job(m.module.title, [m], Settings(paper=paper), f"{m.id}.pdf", [m.path.resolve().parent])
        pages = render_job(job, library).rendered.pages
        if pages > budget:
            where = ("pages",) if m.module.pages else ("kind",)
            yield m.source.problem(
                where,
                f"renders to {pages} pages on {paper.title() if paper == 'letter' else 'A4'}, over its budget of "
                f"{budget} (shorten it, or raise 'pages' if the length is right)",
                key=True, level="warning",
            )


RULES: tuple[Rule, ...] = (reading_level,)


@dataclass
class Report:
    findings: list[Finding]
    files: int

    @property
    def errors(self) -> int:
        return sum(f.level == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level == "warning" for f in self.findings)

    def failed(self, strict: bool) -> bool:
        return bool(self.errors or (strict and self.warnings))


def _files(paths: list[Path], library: Library) -> list[Path]:
    if not paths:
        return [library.index[i] for i in library.ids()]
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            out.append(path)
    return out


def check(paths: list[Path], library: Library, *, render_pages: bool = True) -> Report:
    findings: list[Finding] = []
    files = _files(paths, library)
    for path in files:
        try:
            source = sources.load(path)
            if is_packet(source):
                library.resolve_in_packet(load_packet(path, source))
                continue
            loaded = load_module(path, source)
        except InputError as exc:
            findings += [Finding.of(p) for p in exc.problems]
            continue
        for rule in RULES:
            findings += [Finding.of(p) for p in rule(loaded)]
        if render_pages:
            findings += [Finding.of(p) for p in page_budget(loaded, library)]
    return Report(findings, len(files))
