"""`handouts check`: validate modules and packets, then review them as an editor would.

Each rule is a small function from a loaded module to findings; a finding says where,
how serious, what is wrong and how to fix it, in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
import re
from pathlib import Path
from typing import Callable, Iterator

from . import crisis, glyphs, markdown, models, overflow, pictures, readability, sources, translations
from .errors import HandoutkitError, InputError, Problem, UsageError
from .library import LINKED_OUT, SUFFIXES, Library, module_files, LoadedModule, LoadedPacket, is_packet, linked_out, load_module, load_packet
from .settings import Settings
from .sources import Loc

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

# Words that say a text discusses pressure, abuse, assault or freezing (CONTENT.md: such a
# handout has a content note and help lines). "Pressure" alone is left out, since a body
# scan may notice "warmth, coolness or pressure"; so are words for a passing feeling.
SENSITIVE = re.compile(
    r"\b(coerc\w*|abus\w*|assault\w*|rape[ds]?|raping|pressur(?:ed|es|ing)"
    r"|(?:sexual|under|using|is|was|of) pressure|pressure (?:to|into|you|them|me)"
    r"|freez(?:e|es|ing)|froze|frozen)\b",
    re.IGNORECASE,
)
REVIEW_EVERY = dt.timedelta(days=730)


def reading_level(m: LoadedModule) -> Iterator[Problem]:
    if not m.module.client_facing:
        return
    reading = readability.reading_of(m.source.data)
    if reading is None or reading.ok:
        return
    if reading.lang == "en":
        level = f"reads at grade {reading.grade}, above grade {MAX_GRADE:g}"
        hardest = "; ".join(f'"{s}" (grade {g})' for g, s in reading.hardest)
    else:
        target = reading.target
        also = f" ({target.also} {reading.also})" if reading.also is not None else ""
        level = (f"reads at {target.formula} {reading.grade}{also}, below {target.limit:g} "
                 f"(about grade 6–8 in {reading.lang})")
        hardest = "; ".join(f'"{s}" ({g})' for g, s in reading.hardest)
    yield m.source.problem(
        ("blocks",),
        f"{level}: use shorter sentences and everyday words. Hardest sentences: {hardest}",
        key=True, level="warning",
    )


def translation_source(m: LoadedModule, library: Library) -> Iterator[Problem]:
    """A translation whose English source has changed since it was translated."""
    lang = m.module.lang or "en"
    if lang == "en":
        return
    if m.id not in library.english_index:
        return  # a module written in this language, with no English to follow
    if m.module.source_version is None:
        yield m.source.problem(("lang",), "a translation needs 'source_version:', the version of the English "
                                          "module it follows (quoted, like \"1.0\")", key=True, level="warning")
        return
    try:
        english = library.load(m.id)
    except (InputError, UsageError):
        return  # said where the English module is checked
    for difference in translations.differences(m.module, english.module):
        yield m.source.problem(("blocks",), f"not the shape of its English source: {difference}", key=True, level="warning")
    if english.module.version != m.module.source_version:
        yield m.source.problem(
            ("source_version",),
            f"the English '{m.id}' is now version {english.module.version}, but this translation follows "
            f"version {m.module.source_version}: bring it up to date, then set source_version to "
            f"\"{english.module.version}\"",
            level="warning",
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
    """Whether the module discusses pressure, abuse, assault or freezing anywhere: in what it
    says it is about, or in any text of its blocks."""
    module = m.module
    about = [module.title, module.subtitle or "", *module.topics, *(module.summary or [])]
    about += readability.texts_of(m.source.data.get("blocks") or [])
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


def _markdown_texts(module: models.Module) -> Iterator[tuple[Loc, str, bool]]:
    """Each text the templates print as Markdown, where it stands, and whether it is a
    whole body (the `md` filter: paragraphs and lists) rather than one line (`inline`)."""
    if module.content_note:
        yield ("content_note",), module.content_note, False
    for i, point in enumerate(module.summary or []):
        yield ("summary", i), point, False
    for i, block in enumerate(module.blocks):
        at = ("blocks", i)
        match block:
            case models.TextBlock() | models.CalloutBlock():
                yield at + ("body",), block.body, True
            case models.ListBlock():
                for j, item in enumerate(block.items):
                    yield at + ("items", j, "text"), item.text, False
            case models.ChecklistBlock() | models.ExamplesBlock():
                for j, item in enumerate(block.items):
                    yield at + ("items", j), item, False
                if isinstance(block, models.ExamplesBlock) and block.note:
                    yield at + ("note",), block.note, False
            case models.StepsBlock():
                # A step or prompt written as a plain string has no "text" or "question"
                # key; its place is then the string itself.
                for j, step in enumerate(block.items):
                    yield at + ("items", j, "text"), step.text, False
            case models.PromptsBlock():
                for j, prompt in enumerate(block.items):
                    yield at + ("items", j, "question"), prompt.question, False
            case models.ScaleBlock():
                yield at + ("question",), block.question, False
                for point, label in block.labels.items():
                    yield at + ("labels", point), label, False
            case models.ScriptBlock():
                for j, line in enumerate(block.lines):
                    yield at + ("lines", j, "say"), line.say, False
            case models.TableBlock():
                for j, column in enumerate(block.columns):
                    yield at + ("columns", j), column, False
                for r, row in enumerate(block.rows):
                    for c, cell in enumerate(row):
                        if cell.strip():  # a blank cell is a space to write in, not text
                            yield at + ("rows", r, c), cell, False


FIX_LINK = "use the full address, starting with https://, or write the address out in the text"


def markdown_on_paper(m: LoadedModule) -> Iterator[Problem]:
    """Markdown that renders without a word of complaint, but not as the author meant."""
    for loc, text, block in _markdown_texts(m.module):
        lost = markdown.unprinted(text, block=block)
        if lost.tangled:
            yield m.source.problem(
                loc,
                "this text has too many * or _ marks run together, or formatting inside formatting, so "
                "it will print just as typed, marks and all, with no bold or italics: use fewer * and _ "
                "marks, with spaces between them",
                level="warning",
            )
        for words in lost.unlinked:
            yield m.source.problem(
                loc,
                f'the link "{words}" will print as its words only, with no address, because a printed '
                "page can only carry a full web address (https://…), an email address (mailto:…) or a "
                f"phone number (tel:…): {FIX_LINK}",
                level="warning",
            )
        for kind, words in lost.as_typed:
            if kind == "link":
                yield m.source.problem(
                    loc,
                    f'the link "{words}" has an address a handout cannot use (like a file on this computer), '
                    f"so the page will print it just as typed, brackets and address included: {FIX_LINK}",
                    level="warning",
                )
            else:
                yield m.source.problem(
                    loc,
                    f'the picture "{words}" has an address a handout cannot use (like a file:// address), '
                    "so the page will print its brackets and address instead of the picture: put the "
                    f"picture beside the handout and give just its file name, like ![{words}](picture.png)",
                    level="warning",
                )


def characters_the_fonts_lack(source: sources.Source) -> Iterator[Problem]:
    """Text in any field, a module's or a packet's, that the bundled fonts cannot draw."""
    for loc, text in glyphs.strings(source.data):
        if lacking := glyphs.missing(text):
            yield source.problem(loc, glyphs.message(lacking), level="warning")


def _field_holding(source: sources.Source, loc: Loc, text: str) -> Loc:
    """The text field under ``loc`` that holds the longest word of ``text``, else ``loc``."""
    word = max(re.findall(r"[^\W_]+", text) or [""], key=len)
    node = source.data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return loc
    if word:
        for inner, value in glyphs.strings(node, loc):
            if word in value:
                return inner
    return loc


def off_the_page(m: LoadedModule, found: tuple[overflow.Overflow, ...], paper: str) -> Iterator[Problem]:
    """What the laid-out pages show crossing the page's edge, at the block that holds it."""
    for o in found:
        if o.handout not in (None, m.id):
            continue
        loc: Loc = ("blocks", o.block) if o.block is not None else (o.part,) if o.part else ()
        if o.text:  # the words themselves, at the field that holds them
            loc = _field_holding(m.source, loc, o.text)
            words = o.text if len(o.text) <= 40 else o.text[:39] + "…"
            what, quoted = "text", f': "{words}"'
        else:  # a picture, a box or a line
            what, quoted = "something", ""
        header = " (in the running header or footer)" if o.margin else ""
        yield m.source.problem(
            loc,
            f"{what} runs past the {o.side} edge of the page{header} on {paper}, page {o.page}{quoted} "
            "(shorten it, or use shorter words, fewer columns or fewer points)",
            key=not o.text, level="warning",
        )


def page_budget(m: LoadedModule, library: Library) -> Iterator[Problem]:
    """Render on Letter and A4 in the default theme, count the pages and find what runs
    off them."""
    from .build import Job, render_job
    from .render import TemplateProblem

    budget = m.module.page_budget
    for paper in ("letter", "a4"):
        job = Job(m.module.title, [m], Settings(paper=paper, lang=m.module.lang or "en"), f"{m.id}.pdf",
                  [m.path.resolve().parent])
        try:
            rendered = render_job(job, library).rendered
        except InputError as exc:
            yield from exc.problems
            return
        except TemplateProblem:
            raise  # a page template, not this module: exit 2 like `build`, naming the template
        except HandoutkitError as exc:  # a picture it may not load, say: the build would stop here
            for message in exc.messages():
                yield m.source.problem(("blocks",), f"it cannot be built: {message}", key=True)
            return
        pages = rendered.pages
        yield from off_the_page(m, rendered.overflows, "Letter" if paper == "letter" else "A4")
        if pages > budget:
            yield m.source.problem(
                ("pages",) if m.module.pages else ("kind",),
                f"renders to {pages} pages on {'Letter' if paper == 'letter' else 'A4'}, over its budget of "
                f"{budget}: shorten it, or raise 'pages' if the length is right",
                key=True, level="warning",
            )


def _stale_lines(source: sources.Source, loc: Loc, regions: list[str], today: dt.date | None) -> Iterator[Problem]:
    for region in regions:
        if crisis.unknown(region) is None and (why := crisis.stale(region, today)):
            yield source.problem(loc, why, level="warning")


def crisis_lines_checked(m: LoadedModule, region: str, today: dt.date | None = None) -> Iterator[Problem]:
    """A help box whose lines were checked over six months ago, at the box (``region``:
    the one it prints when the block names none: the config's, as a build would)."""
    for i, block in enumerate(m.module.blocks):
        if block.type == "resources":
            yield from _stale_lines(m.source, ("blocks", i), [block.region or region], today)


def packet_lines_checked(path: Path, source: sources.Source, library: Library, region: str,
                         today: dt.date | None = None) -> Iterator[Problem]:
    """The same for the lines a packet prints, at its `region` (or `handouts`)."""
    from .build import printed_regions

    loaded = load_packet(path, source)
    modules = library.resolve_in_packet(loaded)
    regions = printed_regions(modules, loaded.packet.region or region)
    yield from _stale_lines(source, ("region",) if loaded.packet.region else ("handouts",), regions, today)


def discreet_title_alone(source: sources.Source) -> Iterator[Problem]:
    """A neutral title on a packet that is not discreet hides nothing (build.unused_discreet_title)."""
    data = source.data
    if data.get("discreet_title") is not None and data.get("discreet") is not True:
        yield source.problem(("discreet_title",), "'discreet_title' is set but the packet is not discreet, so "
                             "it shows what it is about: add 'discreet: true' (or remove 'discreet_title')",
                             level="warning")


RULES: tuple[Rule, ...] = (
    reading_level, long_sentences, summary_and_action, care_for_sensitive_topics,
    review_date, source_links, markdown_on_paper,
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


def _files(paths: list[Path], library: Library) -> list[tuple[Path, bool]]:
    """The files to check, each with whether it was found in a folder (rather than named)."""
    if not paths:
        english = [(library.index[i], True) for i in library.ids() if i not in library.clashes]
        others = [(path, True) for key, path in sorted(library.translations.items())
                  if path not in {p for p, _ in english} and f"{key[0]} ({key[1]})" not in library.clashes]
        return english + others
    out: list[tuple[Path, bool]] = []
    for path in paths:
        if path.is_dir():
            out += [(p, True) for p in module_files(path)]
        else:
            out.append((path, False))
    return out


def check(paths: list[Path], library: Library, *, render_pages: bool = True,
          region: str = crisis.DEFAULT_REGION, today: dt.date | None = None) -> Report:
    """``region``: the one a help box prints when neither it nor its packet names one (the
    config's); ``today``: for the dates `check` judges (tests set it)."""
    findings: list[Finding] = [] if paths else [Finding.of(p) for ps in library.clashes.values() for p in ps]
    try:
        files = _files(paths, library)
    except InputError as exc:  # e.g. two modules with one id in a library folder
        return Report([Finding.of(p) for p in exc.problems], 0)
    for path, in_folder in files:
        try:
            if in_folder and linked_out(path):  # as the library itself refuses it
                raise InputError(Problem(path, 1, 1, LINKED_OUT))
            source = sources.load(path)
            if is_packet(source):
                findings += [Finding.of(p) for p in packet_refusals(load_packet(path, source), library)]
                findings += [Finding.of(p) for p in characters_the_fonts_lack(source)]
                findings += [Finding.of(p) for p in packet_lines_checked(path, source, library, region, today)]
                findings += [Finding.of(p) for p in discreet_title_alone(source)]
                continue
            loaded = load_module(path, source)
        except InputError as exc:
            findings += [Finding.of(p) for p in exc.problems]
            continue
        for rule in RULES:
            findings += [Finding.of(p) for p in (rule(loaded, today) if rule is review_date else rule(loaded))]
        findings += [Finding.of(p) for p in crisis_lines_checked(loaded, region, today)]
        findings += [Finding.of(p) for p in translation_source(loaded, library)]
        findings += [Finding.of(p) for p in characters_the_fonts_lack(loaded.source)]
        # What stops `build` of this module alone, found without rendering (so --no-pages
        # finds it too); a module that cannot be built has no pages to count.
        if unbuildable := pictures.in_module(loaded):
            findings += [Finding.of(p) for p in unbuildable]
        elif render_pages:
            findings += [Finding.of(p) for p in page_budget(loaded, library)]
    # A module named, and named again by a packet that was checked too, is told once.
    return Report(list(dict.fromkeys(findings)), len(files))


def packet_refusals(loaded: LoadedPacket, library: Library) -> list[Problem]:
    """Everything in a packet that `build` would refuse, in build's own words: the same
    planning (its region, logo, handouts, settings) and the same picture checks. The
    clinician's settings file is left out: check judges the files, not this computer."""
    from .build import packet_job, unprintable

    try:
        job = packet_job(loaded, library, base=Settings(), flags={})
    except InputError as exc:
        return exc.problems
    except HandoutkitError as exc:  # a setting with no line of its own
        return [Problem(loaded.source.path, 1, 1, message) for message in exc.messages()]
    return unprintable(job)
