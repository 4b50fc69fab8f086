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

from .errors import ResourceRefused


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


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


def render(html: str, *, base_url: Path, roots: list[Path], fillable: bool = False,
           day: dt.date | None = None, title: str = "", outline: list[str] | None = None) -> Rendered:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import LocalOnlyFetcher

    _quiet_weasyprint()
    fetcher = LocalOnlyFetcher(roots)
    # WeasyPrint copies each @font-face font into a temporary folder that only the font
    # configuration's __del__ removes, and a reference cycle puts that off until a garbage
    # collection the process may exit before: every build left a weasyprint-* folder in
    # $TMPDIR. So we hold the configuration and remove its folder ourselves.
    font_config = FontConfiguration()
    try:
        with _timestamps_from(day):
            document = weasyprint.HTML(
                string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, pdf_forms=fillable, pdf_tags=True)
            _own_outline_and_metadata(document, title, outline or [])
            with _one_font_subsetter():
                pdf = document.write_pdf(pdf_forms=fillable, pdf_tags=True)
    except FatalURLFetchingError:
        refused = fetcher.refused[-1] if fetcher.refused else "a resource"
        raise ResourceRefused(
            f"refused to load {refused}: handouts may only use files inside the library "
            f"folders and the packet's own folder, and never the network"
        ) from None
    finally:
        folder = getattr(font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return Rendered(pdf, len(document.pages))
