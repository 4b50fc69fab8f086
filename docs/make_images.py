"""Regenerate the pictures in docs/ from the bundled library: `python docs/make_images.py`.

Renders with the real `handouts` pipeline, rasterises with pypdfium2 (installed with the
test extra, through pdfplumber) and lays pages out with Pillow. Run it after changing a
template, a style or a handout that the README shows, and commit the PNGs.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import pypdfium2
from PIL import Image, ImageDraw

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from handoutkit.build import Job, in_language, render_job  # noqa: E402
from handoutkit.library import Library  # noqa: E402
from handoutkit.settings import Settings  # noqa: E402

GAP = 16
BACKGROUND = (214, 219, 224)


def pages(pdf: bytes, scale: float, first_only: bool = False) -> list[Image.Image]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        doc = pypdfium2.PdfDocument(fh.name)
        count = 1 if first_only else len(doc)
        images = [doc[i].render(scale=scale).to_pil().convert("RGB") for i in range(count)]
        doc.close()
    return images


def framed(image: Image.Image) -> Image.Image:
    out = image.copy()
    ImageDraw.Draw(out).rectangle([0, 0, out.width - 1, out.height - 1], outline=(150, 156, 163))
    return out


def sheet(images: list[Image.Image], columns: int) -> Image.Image:
    w, h = images[0].size
    rows = (len(images) + columns - 1) // columns
    out = Image.new("RGB", (columns * w + (columns + 1) * GAP, rows * h + (rows + 1) * GAP), BACKGROUND)
    for i, image in enumerate(images):
        out.paste(framed(image), (GAP + (i % columns) * (w + GAP), GAP + (i // columns) * (h + GAP)))
    return out


def render(library: Library, ids: list[str], title: str | None = None, **settings) -> bytes:
    modules = in_language([library.load(i) for i in ids], library, settings.get("lang", "en"))
    job = Job(title or modules[0].module.title, modules, Settings(**settings), "x.pdf", [])
    return render_job(job, library).rendered.pdf


def main() -> None:
    library = Library()
    # The README's lead picture: one handout, first page, readable size.
    sheet(pages(render(library, ["grounding-5-4-3-2-1"]), scale=1.0, first_only=True), 1).save(DOCS / "page.png", optimize=True)
    # A contact sheet of the library: every handout's first page.
    firsts = [pages(render(library, [i]), scale=0.3, first_only=True)[0] for i in library.ids()]
    sheet(firsts, columns=6).save(DOCS / "library.png", optimize=True)
    # A session packet's cover, as the README's packet section shows it.
    cover = render(library, ["what-is-sexual-coercion", "consent-literacy", "grounding-5-4-3-2-1"],
                   title="Session 3 — Consent and boundaries", client="Jordan", clinician="Alex Rivera, LMFT",
                   practice="Riverside Counseling", contact="555-0100 · riverside.example", date=dt.date(2026, 11, 24))
    sheet(pages(cover, scale=0.55, first_only=True), 1).save(DOCS / "cover.png", optimize=True)
    # Each theme, on the same two pages.
    for theme in ("default", "print", "large-print"):
        shown = pages(render(library, ["consent-literacy"], theme=theme), scale=0.55)[:2]
        sheet(shown, columns=2).save(DOCS / f"theme-{theme}.png", optimize=True)
    # The same handout for a Spanish-speaking client in the US and a French-speaking one in Canada.
    spoken = [pages(render(library, ["what-is-sexual-coercion"], lang=lang, region=region), scale=0.55, first_only=True)[0]
              for lang, region in (("es-US", "US"), ("fr", "CA"))]
    sheet(spoken, columns=2).save(DOCS / "languages.png", optimize=True)
    # A couple's per-partner sheets: each partner writes alone.
    partner = pages(render(library, ["couples-check-in"]), scale=0.4)
    sheet(partner, columns=len(partner)).save(DOCS / "partners.png", optimize=True)
    for name in ("page", "library", "cover", "theme-default", "theme-print", "theme-large-print", "languages", "partners"):
        print(f"wrote {DOCS / (name + '.png')}")


if __name__ == "__main__":
    main()
