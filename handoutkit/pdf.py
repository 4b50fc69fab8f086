"""HTML → PDF with WeasyPrint, imported here only: listing and checking never pay for it."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import limits, overflow, wrapping
from .errors import InputError, Problem, ResourceRefused


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    overflows: tuple[overflow.Overflow, ...] = ()  # what crosses a page's edge (check reports it)
    cover_pages: int = 0  # pages the cover runs over: one, unless nothing fits (coverfit.py)


def _quiet_weasyprint() -> None:
    # WeasyPrint warns on stderr about CSS it ignores; the clinician cannot act on that.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


@contextlib.contextmanager
def _timestamps_from(day: dt.date | None):
    """Pin the timestamps fontTools writes into embedded fonts, so equal inputs give equal bytes."""
    if day is None or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


class TooManyPages(Exception):
    """Layout passed the page limit; raised from inside WeasyPrint to stop it there."""


class _PageLimit(logging.Filter):
    """Stops layout at the first page past the limit, so a document that would run to
    thousands of pages costs no more than the limit's worth of work. WeasyPrint tells its
    progress logger each page it lays out; nothing else reports it as it happens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Step 5 - Creating layout - Page") and record.args:
            if int(record.args[0]) > limits.MAX_PAGES:
                raise TooManyPages()
        return False  # progress is never printed


@contextlib.contextmanager
def _page_limit():
    progress = logging.getLogger("weasyprint.progress")
    level, guard = progress.level, _PageLimit()
    progress.setLevel(logging.INFO)
    progress.addFilter(guard)
    try:
        yield
    finally:
        progress.removeFilter(guard)
        progress.setLevel(level)


def _refusal(fetcher) -> InputError | ResourceRefused:
    """The clearest message for the file the fetcher refused: at the stylesheet that asked, when one did."""
    if not fetcher.refused:
        return ResourceRefused("a file the handout needs could not be loaded")
    url = fetcher.refused[-1]
    why, asker, held = fetcher.why(url)
    if asker is not None:
        return InputError(Problem(asker.stylesheet, asker.line, asker.col,
                                  f"this stylesheet loads '{asker.written}', which {why}"))
    if held is not None:  # a stylesheet the page links to, say: the file itself is at fault
        return InputError(Problem(held, 1, 1, f"this file {why}"))
    return ResourceRefused(f"handoutkit does not load {url}: it {why}")


@contextlib.contextmanager
def _one_font_subsetter():
    """Subset fonts with fontTools whether or not the system has libharfbuzz-subset.

    WeasyPrint 70 subsets with HarfBuzz when the library is installed and with fontTools
    otherwise; the two write different font bytes, so the same packet gave different PDFs
    on different machines. fontTools always comes with WeasyPrint and its timestamps are
    pinned (``_timestamps_from``), so choosing it gives the same bytes everywhere. WeasyPrint
    reads the module global at each call; a build holds it only while writing.
    """
    from weasyprint.pdf import fonts

    saved = fonts.harfbuzz_subset
    fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        fonts.harfbuzz_subset = saved


# The one class whose boxes get a bookmark; templates give it to each handout's title.
OUTLINE_CLASS = "handout-title"


def _own_outline_and_metadata(document, title: str, outline: list[str]) -> None:
    """Bookmarks and document metadata from handoutkit's own values, never from CSS or HTML.

    Library CSS can turn any text into a bookmark (``bookmark-label: content(text)`` on the
    cover's client line, or ``string()`` of a ``string-set``), and a template's ``<title>``
    or ``<meta>`` becomes /Title, /Author, /Keywords. A final stylesheet with ``!important``
    cannot stop the first: author rules with ``!important`` and higher specificity still
    beat it, and WeasyPrint 70 lets us add author sheets only. So after layout we throw
    away every bookmark and metadata field and set our own: one bookmark per handout,
    labelled with its title from the module, pointing at its title's box; the document's
    title is the packet's title, and there is no author, subject or keywords.
    """
    from weasyprint.pdf.metadata import DocumentMetadata

    seen: set[int] = set()
    labels = iter(outline)
    for page in document.pages:
        page.bookmarks = []
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or id(element) in seen or box.element_tag != "h1":
                continue
            if OUTLINE_CLASS not in (element.get("class") or "").split():
                continue
            seen.add(id(element))  # a title split over two pages is bookmarked once
            label = next(labels, None)
            if label is None:
                break
            x, y, _, _ = box.hit_area()
            page.bookmarks.append((1, label, (x, y), "open"))
    lang = document.metadata.lang or ""
    document.metadata = DocumentMetadata(  # a language tag only: the attribute is a template's
        title=title, lang=lang if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang) else None)


def _elements_checked(html: str, origin: Path | str) -> None:
    # Counted in the HTML, before the engine parses it: its work grows with the elements.
    # Content is escaped, so each "<" opens or closes a tag handoutkit's templates wrote.
    elements = html.count("<") - html.count("</") - html.count("<!")
    if elements > limits.MAX_ELEMENTS:
        raise InputError(Problem(origin, 1, 1, limits.beyond(
            "this document", elements, "elements (paragraphs, list items, table cells, writing lines…)",
            limits.MAX_ELEMENTS, "build it as several packets, or shorten its lists")))


@contextlib.contextmanager
def _laid_out(html: str, *, base_url: Path, roots: list[Path], fillable: bool, day: dt.date | None,
              files: list[Path], origin: Path | str):
    """The document laid out by WeasyPrint; what the block does with it (write it) runs
    with the same guards: the fetcher, pinned timestamps and the page limit."""
    _elements_checked(html, origin)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import LocalOnlyFetcher

    _quiet_weasyprint()
    fetcher = LocalOnlyFetcher(roots, files)
    # WeasyPrint copies each @font-face font into a temporary folder that only the font
    # configuration's __del__ removes, and a reference cycle puts that off until a garbage
    # collection the process may exit before: every build left a weasyprint-* folder in
    # $TMPDIR. So we hold the configuration and remove its folder ourselves.
    font_config = FontConfiguration()
    try:
        with _timestamps_from(day), _page_limit():
            yield weasyprint.HTML(
                string=wrapping.breakable(html), base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, pdf_forms=fillable, pdf_tags=True)
    except FatalURLFetchingError:
        raise _refusal(fetcher) from None
    except TooManyPages:
        raise InputError(Problem(origin, 1, 1, (
            f"this document has more than {limits.MAX_PAGES} pages, handoutkit's limit for one PDF "
            f"(build it as several packets)"))) from None
    finally:
        folder = getattr(font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _cover_pages(document) -> int:
    """How many pages the cover (the template's ``section.cover``) runs over; 0 without one."""
    def on(page) -> bool:
        return any(box.element_tag == "section" and "cover" in (box.element.get("class") or "").split()
                   for box in page._page_box.descendants() if getattr(box, "element", None) is not None)
    return sum(1 for page in document.pages if on(page))


def cover_pages(html: str, *, base_url: Path, roots: list[Path], fillable: bool = False,
                files: list[Path] = (), origin: Path | str = "the document") -> int:
    """Lay out ``html`` (the cover alone, see coverfit.py) and count the cover's pages; nothing is written."""
    with _laid_out(html, base_url=base_url, roots=roots, fillable=fillable, day=None,
                   files=list(files), origin=origin) as document:
        return _cover_pages(document)


def render(html: str, *, base_url: Path, roots: list[Path], fillable: bool = False,
           day: dt.date | None = None, files: list[Path] = (), origin: Path | str = "the document", title: str = "",
           outline: list[str] | None = None) -> Rendered:
    from . import tagging

    with _laid_out(html, base_url=base_url, roots=roots, fillable=fillable, day=day,
                   files=list(files), origin=origin) as document:
        _own_outline_and_metadata(document, title, outline or [])
        with _one_font_subsetter(), tagging.leaders_as_artifacts(document):
            pdf = document.write_pdf(pdf_forms=fillable, pdf_tags=True)
        if fillable:  # fields that keep a client's answers in real viewers (acroform.py)
            from . import acroform
            pdf = acroform.finish(pdf)
        # Artifacts, table scope, form and link names, XMP and the PDF/UA claim (tagging.py).
        pdf = tagging.finish(pdf, document, title=title)
    return Rendered(pdf, len(document.pages), tuple(overflow.find(document)), _cover_pages(document))
