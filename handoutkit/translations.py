"""Whether a translation still has its English source's shape (docs/translating.md).

A translation keeps the same blocks in the same order, with the same number of items,
steps, prompts, rows and lines: a test holds every bundled translation to it, and `check`
warns about any translation that has drifted.
"""

from __future__ import annotations

from typing import Any

from .models import Module

# Per block type, what must match besides the type: its list lengths and its numbers.
_COUNTED = ("items", "rows", "lines", "columns")
_SAME = ("style", "tone", "min", "max", "region")


def shape(module: Module) -> list[tuple[Any, ...]]:
    """The module's structure with its words left out: one tuple per block, plus the summary's length."""
    out: list[tuple[Any, ...]] = [("summary", len(module.summary or []))]
    for block in module.blocks:
        data = block.model_dump()
        counts = tuple((key, len(data[key])) for key in _COUNTED if key in data)
        same = tuple((key, data[key]) for key in _SAME if key in data)
        extra: tuple[Any, ...] = ()
        if block.type == "steps":
            extra = tuple(step["minutes"] for step in data["items"])
        elif block.type == "prompts":
            extra = tuple(prompt["lines"] for prompt in data["items"])
        elif block.type == "scale":
            extra = tuple(sorted(data["labels"]))
        out.append((block.type, counts, same, extra))
    return out


def differences(translation: Module, english: Module) -> list[str]:
    """How ``translation``'s shape differs from ``english``'s, in words; empty when it keeps it."""
    ours, theirs = shape(translation), shape(english)
    found = []
    if ours[0] != theirs[0]:
        found.append(f"the summary has {ours[0][1]} points, the English {theirs[0][1]}")
    if [b[0] for b in ours[1:]] != [b[0] for b in theirs[1:]]:
        found.append(f"the blocks are {', '.join(b[0] for b in ours[1:])}; the English has "
                     f"{', '.join(b[0] for b in theirs[1:])} (same types, same order)")
        return found
    for i, (a, b) in enumerate(zip(ours[1:], theirs[1:])):
        if a != b:
            found.append(f"block {i + 1} ({a[0]}) differs from the English: {_describe(a)} here, {_describe(b)} there")
    for field in ("kind", "audience", "minutes", "topics"):
        if getattr(translation, field) != getattr(english, field):
            found.append(f"'{field}' is {getattr(translation, field)!r}, the English {getattr(english, field)!r} (keep it)")
    return found


def _describe(block: tuple[Any, ...]) -> str:
    _type, counts, same, extra = block
    parts = [f"{n} {key}" for key, n in counts] + [f"{key} {value}" for key, value in same]
    if extra:
        parts.append("minutes/lines/labels " + ", ".join(map(str, extra)))
    return "; ".join(parts) or "no counts"
