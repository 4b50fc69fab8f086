"""Handouts and settings → one HTML document (Jinja2), ready for the PDF engine.

One Jinja loader over a stack of template folders (the clinician's first, the bundled
last), autoescape on and ``StrictUndefined``, so a template mistake fails loudly and
content can never become markup. Content is only ever passed *into* templates as data:
``{{ … }}`` written in a handout prints literally. Templates get that data as plain,
read-only values (context.py) and render in a bounded sandbox (sandbox.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generator

import jinja2

from . import context, crisis, labels, limits, markdown, sandbox, templatecache, writein
from .coverfit import CoverFit
from .errors import HandoutkitError, UsageError
from .library import LoadedModule
from .settings import Settings

PAPER_SIZES = {"letter": "letter", "a4": "A4"}


class TemplateProblem(HandoutkitError):
    """A page template that cannot render (a syntax slip or an unknown name)."""


@dataclass(frozen=True)
class Document:
    """Everything a page layout needs. Templates see it only as plain data (context.py)."""

    title: str
    settings: Settings
    handouts: list[LoadedModule]
    cover: bool
    date: dt.date
    stylesheets: list[str]
    logo_url: str | None = None
    crisis: dict[str, Any] | None = None  # the lines it prints, for the clinician's copy (build.crisis_summary)
    cover_fit: CoverFit = CoverFit()  # how much the cover says (coverfit.py)
    cover_only: bool = False  # the cover alone, to measure it: each handout is an empty anchor


def css_string(text: str) -> str:
    """Text as a quoted CSS string: every character that is not plainly safe is escaped."""
    safe = "".join(ch if ch.isalnum() or ch in " .,-" else f"\\{ord(ch):x} " for ch in text)
    return f'"{safe}"'


def resources_for(region: str, youth: bool = False, lang: str = "en") -> Any:
    if why := crisis.unknown(region):
        raise UsageError(why)
    found = crisis.lines_for(region, youth=bool(youth), lang=labels.base_language(lang))
    found["checked"] = labels.month_year(lang, found["checked_on"])
    return context.plain(found)


def _slug(text: str, limit: int = 40) -> str:
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    out = "-".join(words)[:limit].rstrip("-")
    return out or "field"


class FieldNames:
    """Unique, readable form-field names: handout id, then the question's words."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, handout_id: str, label: str) -> str:
        base = f"{handout_id}.{_slug(label)}"
        name, n = base, 2
        while name in self.used:
            name, n = f"{base}-{n}", n + 1
        self.used.add(name)
        return name


class _FolderLoader(jinja2.FileSystemLoader):
    """Templates from these folders only. Jinja follows symbolic links, so without this a
    link in a received library (`templates/blocks/text.html.j2 -> ~/.ssh/id_rsa`) would
    print any file of the clinician's into the PDF; styles are held to the same rule by
    the fetcher."""

    def get_source(self, environment: jinja2.Environment, template: str):
        self._refuse_large(template)
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise self._not_text(template, exc) from None
        real = Path(filename).resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise jinja2.TemplateError(
                f"{filename} links to a file outside its templates folder (copy the file there instead)")
        return source, filename, uptodate


    def _find(self, template: str) -> Path | None:
        parts = jinja2.loaders.split_template_path(template)
        return next((Path(folder, *parts) for folder in self.searchpath if Path(folder, *parts).is_file()), None)

    def _refuse_large(self, template: str) -> None:
        """Jinja reads a template whole: a huge (or endless) file is refused before it is read."""
        path = self._find(template)
        try:
            size = path.stat().st_size if path is not None else 0
        except OSError:
            return  # Jinja reports it in its own words
        if size > limits.MAX_TEMPLATE_BYTES:
            raise jinja2.TemplateSyntaxError(
                f"this template is {limits.size(size)}, more than handoutkit's limit of "
                f"{limits.size(limits.MAX_TEMPLATE_BYTES)} for a page template", 1, template, str(path))

    def _not_text(self, template: str, exc: UnicodeDecodeError) -> jinja2.TemplateSyntaxError:
        """Which file is not UTF-8, and where: Jinja would only say a byte could not be decoded."""
        found = self._find(template)
        filename = str(found) if found is not None else template
        try:
            line = Path(filename).read_bytes()[: exc.start].count(b"\n") + 1
        except OSError:
            line = 1
        return jinja2.TemplateSyntaxError("this template is not UTF-8 text (save it as UTF-8)", line, template, filename)


def environment(template_dirs: list[Path], lang: str = "en") -> sandbox.PageEnvironment:
    """The page templates' environment. What a template may use, besides the data in
    ``doc`` and ``s`` (context.py) and the filters sandbox.BUILTIN_FILTERS, join, replace:

    filters  md, inline (Markdown to HTML), css_string, long_date (24 November 2026),
             month_year (November 2026), number (2, 1.5), all three in ``lang``
    tests    web_address (``{% if src.url is web_address %}``)
    globals  t(key, field=value…) (handoutkit's own words in ``lang``: labels.py),
             field_name(handout_id, label), resources_for(region, youth, lang) (its lines in
             ``lang``), range(…) (bounded), kind_label[kind], paper_size[paper],
             block_copies(blocks) (each block with the partner whose copy it is, writein.py),
             table_layout(columns, rows), fill_columns(rows)
    """
    # Sandboxed, and narrower than Jinja's own sandbox: a library folder received from a
    # colleague may carry override templates, and a template that could call methods
    # reached `Path.read_text` through a module's path. See sandbox.py for what is allowed.
    env = sandbox.PageEnvironment(
        loader=_FolderLoader([str(d) for d in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        bytecode_cache=templatecache.shared,
    )
    env.filters["md"] = env.markdown_filter(markdown.block)
    env.filters["inline"] = env.markdown_filter(markdown.inline)
    env.filters["css_string"] = env.charged(css_string)
    # Dates, numbers and labels in the document's language (labels.py, locales/*.yaml).
    env.filters["long_date"] = env.charged(lambda day: labels.long_date(lang, day))
    env.filters["month_year"] = env.charged(lambda day: labels.month_year(lang, day))
    env.filters["number"] = env.charged(lambda value: labels.number(lang, value))
    env.tests["web_address"] = sandbox.is_web_address
    env.globals["t"] = lambda key, **fields: labels.text(lang, key, **fields)
    env.globals["kind_label"] = sandbox.frozen(labels.locale(lang)["kind"])
    env.globals["resources_for"] = lambda region, youth=False: resources_for(region, youth, lang)
    env.globals["page_of_css"] = labels.css_content(lang, "page_of", {"page": "counter(page)", "pages": "counter(pages)"})
    env.globals["paper_size"] = sandbox.frozen(PAPER_SIZES)
    env.globals["block_copies"] = writein.block_copies
    env.globals["table_layout"] = writein.table_layout
    env.globals["fill_columns"] = writein.fill_columns
    return env


def render_html(document: Document, template_dirs: list[Path]) -> str:
    env = environment(template_dirs, document.settings.lang)
    env.globals["field_name"] = FieldNames().__call__  # names unique within this render only
    data = context.for_document(document)
    env.fresh_budget(data)
    try:
        template = env.get_template("document.html.j2")
        return _printed(template.generate(data))
    except HandoutkitError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a template does wrong, say where
        # Most often a clinician's own override template; say which file and line.
        raise TemplateProblem(f"{_template_line(exc)}template error: {_reason(exc)}") from None


def _printed(chunks: Generator[str, None, None]) -> str:
    out, length = [], 0
    for chunk in chunks:
        length += len(chunk)
        if length > 2 * sandbox.MAX_OUTPUT:
            # Text printed by {{ … }} is stopped at MAX_OUTPUT where it is printed (sandbox.py);
            # this stops a template's own text. Thrown into the template, to name a line.
            chunks.throw(sandbox.Refused(sandbox.output_too_long(2 * sandbox.MAX_OUTPUT)))
        out.append(chunk)
    return "".join(out)


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "templates nested too deeply (a template that includes itself, or a macro that calls itself, without end?)"
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or str(exc)
    return str(exc) or type(exc).__name__


def _template_line(exc: jinja2.TemplateError) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}:1: "
    tb = exc.__traceback__
    where = ""
    while tb is not None:  # the innermost frame that belongs to a template
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}:1: "
        tb = tb.tb_next
    return where
