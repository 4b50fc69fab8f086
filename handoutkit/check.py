"""`handouts check`: validate modules and packets, then review them as an editor would.

Each rule is a small function from a loaded module to findings; a finding says where,
how serious, what is wrong and how to fix it, in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
import re
from typing import Callable, Iterator

from . import models, readability, sources
from .errors import InputError, Problem
from .library import SUFFIXES, Library, LoadedModule, is_packet, load_module, load_packet
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

SENSITIVE = re.compile(r"\b(coerc\w*|abus\w*|assault\w*|rape\w*)\b", re.IGNORECASE)
REVIEW_EVERY = dt.timedelta(days=730)


def reading_level(m: LoadedModule) -> Iterator[Problem]:
    if not m.module.client_facing:
        return
    reading = readability.reading_of(m.source.data)
    if reading is not None and reading.grade > MAX_GRADE:
        hardest = "; ".join(f'"{s}" (grade {g})' for g, s in reading.hardest)
        yield m.source.problem(
            ("blocks",),
            f"reads at grade {reading.grade}, above grade {MAX_GRADE:g}: use shorter sentences and "
            f"everyday words. Hardest sentences: {hardest}",
            key=True, level="warning",
        )


def long_sentences(m: LoadedModule) -> Iterator[Problem]:
    for loc, sentence in readability.long_sentences(m.source.data):
        words = len(sentence.split())
        yield m.source.problem(
            loc,
            f"a sentence of {words} words (over {readability.LONG_SENTENCE}): split it in two. "
            f'It begins: "{" ".join(sentence.split()[:8])} …"',
            level="warning",
        )


def summary_and_action(m: LoadedModule) -> Iterator[Problem]:
    if not m.module.client_facing:
        return
    if not m.module.summary:
        yield m.source.problem(
            ("title",),
            "no summary: add 'summary:' with the one to three things to remember, so a reader "
            "finds the main message first",
            key=True, level="warning",
        )
    if not any(b.type in models.ACTION_TYPES for b in m.module.blocks):
        yield m.source.problem(
            ("blocks",),
            "no action: add a steps, checklist, prompts, script or scale block, so the reader "
            "knows one thing to do next",
            key=True, level="warning",
        )


def _is_sensitive(m: LoadedModule) -> bool:
    module = m.module
    about = [module.title, module.subtitle or "", *module.topics, *(module.summary or [])]
    return any(SENSITIVE.search(text) for text in about)


def care_for_sensitive_topics(m: LoadedModule) -> Iterator[Problem]:
    if not _is_sensitive(m):
        return
    if not m.module.content_note:
        yield m.source.problem(
            ("title",),
            "this module is about coercion, abuse or assault but has no content note: add "
            "'content_note:' with one calm, factual sentence, like "
            "\"This handout talks about sexual pressure and coercion.\"",
            key=True, level="warning",
        )
    if m.module.client_facing and not any(b.type == "resources" for b in m.module.blocks):
        yield m.source.problem(
            ("blocks",),
            "this module is about coercion, abuse or assault but has no way to get help now: "
            "add a block '- type: resources' near the end",
            key=True, level="warning",
        )


def review_date(m: LoadedModule, today: dt.date | None = None) -> Iterator[Problem]:
    reviewed = m.module.reviewed
    today = today or dt.date.today()
    if reviewed is not None and today - reviewed > REVIEW_EVERY:
        yield m.source.problem(
            ("reviewed",),
            f"last reviewed {reviewed.isoformat()}, over two years ago: check the content and "
            "the sources still hold, then update 'reviewed'",
            level="warning",
        )
    if reviewed is not None and reviewed > today:
        yield m.source.problem(("reviewed",), f"the review date {reviewed.isoformat()} is in the future", level="warning")


def source_links(m: LoadedModule) -> Iterator[Problem]:
    for i, source in enumerate(m.module.sources or []):
        if source.url and not source.url.startswith("https://"):
            yield m.source.problem(
                ("sources", i, "url"),
                f"the source link {source.url} is not https: use the https:// address, so readers "
                "reach the real page safely",
                level="warning",
            )


def page_budget(m: LoadedModule, library: Library) -> Iterator[Problem]:
    """Render on Letter and A4 in the default theme and count the pages."""
    from .build import Job, render_job

    budget = m.module.page_budget
    for paper in ("letter", "a4"):
        job = Job(m.module.title, [m], Settings(paper=paper), f"{m.id}.pdf", [m.path.resolve().parent])
        pages = render_job(job, library).rendered.pages
        if pages > budget:
            yield m.source.problem(
                ("pages",) if m.module.pages else ("kind",),
                f"renders to {pages} pages on {'Letter' if paper == 'letter' else 'A4'}, over its budget of "
                f"{budget}: shorten it, or raise 'pages' if the length is right",
                key=True, level="warning",
            )


RULES: tuple[Rule, ...] = (
    reading_level, long_sentences, summary_and_action, care_for_sensitive_topics,
    review_date, source_links,
)


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
            out += sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        else:
            out.append(path)
    return out


def check(paths: list[Path], library: Library, *, render_pages: bool = True) -> Report:
    findings: list[Finding] = []
    try:
        files = _files(paths, library)
    except InputError as exc:  # e.g. two modules with one id in a library folder
        return Report([Finding.of(p) for p in exc.problems], 0)
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
