"""How much the cover says: as much as fits on one page, found by laying it out.

A rule that counts handouts cannot know how long their titles are, or the client's,
clinician's and practice's names: a four-handout, large-print A4 packet with every detail
ran its cover onto a second page and split its contents from its notes. So the cover is
laid out, alone, at each of ``steps()`` in turn (subtitles go first, then the note lines,
then the room around the title and details, then what kind each handout is, then the
logo) until it fits one page; the whole document is then checked once more, since its
real page numbers may be wider than those the cover-only layout printed. A packet too
long for any step keeps the last one: its contents runs on, complete, rather than
losing handouts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, TypeVar

from .settings import Settings


@dataclass(frozen=True)
class CoverFit:
    """What the cover template shows (``doc.cover_fit``)."""

    subtitles: bool = True    # each handout's one-line subtitle in the contents
    note_lines: int = 5       # lines (a text field when fillable) for the session's notes
    kinds: bool = True        # "Worksheet, about 10 minutes" under each title
    logo: bool = True
    roomy: bool = True        # False: a smaller title, and each detail on one line


def steps(settings: Settings) -> list[CoverFit]:
    """From the fullest cover to the barest, in the order things are given up."""
    lines = 3 if settings.theme == "large-print" else 5  # large print's lines are 12 mm apart
    full = CoverFit(note_lines=lines)
    return [
        full,
        dataclasses.replace(full, subtitles=False),
        dataclasses.replace(full, subtitles=False, note_lines=2),
        dataclasses.replace(full, subtitles=False, note_lines=0),
        dataclasses.replace(full, subtitles=False, note_lines=0, roomy=False),
        dataclasses.replace(full, subtitles=False, note_lines=0, roomy=False, kinds=False),
        dataclasses.replace(full, subtitles=False, note_lines=0, kinds=False, roomy=False, logo=False),
    ]


R = TypeVar("R")


def fitted(settings: Settings, cover_pages: Callable[[CoverFit], int],
           render: Callable[[CoverFit], tuple[R, int]]) -> R:
    """The rendering of the fullest cover that fits on one page.

    ``render(fit)`` renders the whole document and says how many pages its cover took;
    ``cover_pages(fit)`` lays out the cover alone and counts its pages (cheap). Most
    packets fit at the first step and cost one rendering, as before; the others are
    measured cover-only from the next step on, and the whole document is rendered again
    at the first step that fits.
    """
    options = steps(settings)
    result, pages = render(options[0])
    if pages <= 1:
        return result
    start = next((i for i, fit in enumerate(options[1:], 1) if cover_pages(fit) <= 1), len(options) - 1)
    for fit in options[start:]:
        result, pages = render(fit)
        if pages <= 1:
            return result
    return result  # nothing fits: the barest cover, its contents running on
