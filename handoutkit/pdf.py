"""HTML → PDF with WeasyPrint, imported here only: listing and checking never pay for it."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import overflow, wrapping
from .errors import ResourceRefused


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    overflows: tuple[overflow.Overflow, ...] = ()  # what crosses a page's edge (check reports it)


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


def render(html: str, *, base_url: Path, roots: list[Path], fillable: bool = False,
           day: dt.date | None = None) -> Rendered:
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
                string=wrapping.breakable(html), base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=font_config, pdf_forms=fillable, pdf_tags=True)
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
    return Rendered(pdf, len(document.pages), tuple(overflow.find(document)))
