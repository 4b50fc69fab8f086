"""Room to write, as the page templates lay it out: who writes (each partner on their own
copy) and how a table with cells to fill becomes handwriting-sized.

Handwriting needs about 8–9 mm between lines, cells at least 12 mm tall and wide enough for
a few words (DESIGN.md), and lines dark enough to survive a photocopier; styles/base.css
holds the sizes and colours, tests/test_write_space.py reads them back from the PDF.
"""

from __future__ import annotations

import types
from typing import Any, Literal

# The two copies of a `per_partner: true` block, in print order: the label heads the copy,
# the key goes into its form-field names so each partner's answers stay their own.
PARTNERS = (
    {"label": "Partner A", "key": "partner-a"},
    {"label": "Partner B", "key": "partner-b"},
)

# Narrowest a cell to write in may be: about three handwritten words.
MIN_CELL_WIDTH_MM = 40
MIN_CELL_HEIGHT_MM = 12
MIN_LINE_PITCH_MM = 8
# Columns a table with cells to fill may have, as equal columns on the narrower paper (A4,
# 174 mm between the margins): four would be 43 mm each, one handwritten line of a word or
# two. More than this and each row becomes a card of labelled boxes, two to a line.
MAX_WRITE_COLUMNS = 3

# The same, read-only, as page templates see them (context.py: templates get plain data only).
PARTNERS_VIEW = tuple(types.MappingProxyType(dict(p)) for p in PARTNERS)

TableLayout = Literal["plain", "write", "cards"]


def table_layout(columns: Any, rows: Any) -> TableLayout:
    """'plain' for a table of text, 'write' (equal columns, tall blank cells) for a table
    with cells to fill that fits, 'cards' for one with too many columns to write in."""
    if not any(not str(cell).strip() for row in rows for cell in row):
        return "plain"
    return "write" if len(columns) <= MAX_WRITE_COLUMNS else "cards"


def block_copies(blocks: Any) -> tuple[tuple[int, Any, Any, str], ...]:
    """The blocks of a handout in print order, as (index, block, partner, mark): a run of
    consecutive `per_partner` blocks prints whole for Partner A, then whole for Partner B
    (never A1 B1 A2 B2). ``partner`` is None for a block everyone shares. ``mark`` is
    "partner-start" where a partner's copy starts (a new page, under their label) and
    "after-partners" on the shared block that follows the last copy (a new page too, so
    nothing shared is written on Partner B's sheet), else ""."""
    out: list[tuple[int, Any, Any, str]] = []
    run: list[tuple[int, Any]] = []

    def flush() -> None:
        for partner in PARTNERS_VIEW:
            out.extend((i, block, partner, "" if n else "partner-start") for n, (i, block) in enumerate(run))
        run.clear()

    for i, block in enumerate(blocks):
        if block.get("per_partner"):
            run.append((i, block))
            continue
        after = bool(run)
        flush()
        out.append((i, block, None, "after-partners" if after else ""))
    flush()
    return tuple(out)


def fill_columns(rows: Any) -> tuple[bool, ...]:
    """For each column, whether it has a cell to fill: those columns are held to
    MIN_CELL_WIDTH_MM (styles/base.css, `th.to-fill`) and the text columns take the rest."""
    width = max((len(row) for row in rows), default=0)
    return tuple(any(i < len(row) and not str(row[i]).strip() for row in rows) for i in range(width))
