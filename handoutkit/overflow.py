"""What still crosses the page's edge after layout, and which part of a handout holds it.

base.css makes long words wrap, but some things cannot (a scale with more points than
the line has room for, a library's own CSS that forbids wrapping). WeasyPrint lays them
out past the edge and the printer cuts them off; here we find them in the laid-out pages
so `check` can say where. Each block's section carries `data-block` (handout.html.j2);
the parts around the blocks are known by their class.
"""

from __future__ import annotations

from dataclasses import dataclass

SLACK = 0.5  # CSS px: rounding in the layout, not a visible overflow

# The parts of a handout outside its blocks, by the class the templates give them, and
# the module key that holds their text.
PARTS = {
    "handout-title": "title", "subtitle": "subtitle", "content-note": "content_note",
    "summary": "summary", "sources": "sources", "colophon": "reviewed",
}


@dataclass(frozen=True)
class Overflow:
    page: int  # from 1
    side: str  # "right" | "left"
    text: str  # the words that cross the edge ("" for a picture or a shape)
    handout: str | None = None  # the handout's id, from its <article>
    block: int | None = None  # the block's index in the module
    part: str | None = None  # or the module key of the part outside the blocks
    margin: bool = False  # in the running header or footer


def _where(element, handout, block, part):
    if element is None:
        return handout, block, part
    if element.tag == "article" and element.get("id"):
        handout = element.get("id")
    if element.get("data-block") is not None:
        block = int(element.get("data-block"))
    for cls in (element.get("class") or "").split():
        part = PARTS.get(cls, part)
    return handout, block, part


def _leaves(box, handout=None, block=None, part=None):
    """Each box without children, or that clips its children (what is cut off there never
    reaches the paper), with the handout, block and part it stands in."""
    handout, block, part = _where(getattr(box, "element", None), handout, block, part)
    children = getattr(box, "children", None)
    if not children or box.style["overflow"] != "visible":
        yield box, handout, block, part
        return
    for child in children:
        yield from _leaves(child, handout, block, part)


def _crossing(box, left: float, right: float) -> str | None:
    x, width = box.border_box_x(), box.border_width()
    if width <= 0:
        return None
    if x + width > right + SLACK:
        return "right"
    if x < left - SLACK:
        return "left"
    return None


def find(document) -> list[Overflow]:
    """Every leaf box of a laid-out WeasyPrint document that crosses its page's content
    box (or, in the running header and footer, the page itself): the first in each part."""
    found: dict[tuple, Overflow] = {}
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        for top in page_box.children:
            margin = type(top).__name__ == "MarginBox"
            if margin:  # the header and footer stand in the margin, but within the page
                left, right = 0.0, page_box.margin_width()
            else:
                left = page_box.content_box_x()
                right = left + page_box.width
            for box, handout, block, part in _leaves(top):
                side = _crossing(box, left, right)
                if side is None:
                    continue
                key = (handout, block, part, margin)
                if key not in found:
                    text = getattr(box, "text", "") or ""
                    found[key] = Overflow(number, side, text.strip(), handout, block, part, margin)
    return list(found.values())
