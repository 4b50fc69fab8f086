"""HTML → PDF with WeasyPrint, imported here only: listing and checking never pay for it."""

from __future__ import annotations

import logging
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


def render(html: str, *, base_url: Path, roots: list[Path], fillable: bool = False) -> Rendered:
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from .fetcher import LocalOnlyFetcher

    _quiet_weasyprint()
    fetcher = LocalOnlyFetcher(roots)
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_forms=fillable, pdf_tags=True)
        pdf = document.write_pdf(pdf_forms=fillable, pdf_tags=True)
    except FatalURLFetchingError:
        refused = fetcher.refused[-1] if fetcher.refused else "a resource"
        raise ResourceRefused(
            f"refused to load {refused}: handouts may only use files inside the library "
            f"folders and the packet's own folder, and never the network"
        ) from None
    return Rendered(pdf, len(document.pages))
