"""A handout's outline as plain text, for `handouts show`."""

from __future__ import annotations

from .library import LoadedModule
from .readability import strip_markdown


def _short(text: str, width: int = 72) -> str:
    text = " ".join(strip_markdown(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _block_lines(block) -> list[str]:
    kind = block.type
    if kind in ("text", "callout"):
        return [_short(block.body)]
    if kind == "list":
        return [_short(i.text) for i in block.items]
    if kind in ("examples", "checklist"):
        return [_short(i) for i in block.items]
    if kind == "steps":
        return [_short(s.text) for s in block.items]
    if kind == "prompts":
        return [f"{_short(p.question)} [{p.lines} lines]" for p in block.items]
    if kind == "scale":
        return [f"{_short(block.question)} [{block.min}–{block.max}]"]
    if kind == "script":
        return [f"{line.speaker}: {_short(line.say, 60)}" for line in block.lines]
    if kind == "table":
        return [" | ".join(block.columns) + f" [{len(block.rows)} rows]"]
    if kind == "resources":
        return [f"crisis lines for {block.region or 'the packet region'}"]
    return []


def outline(loaded: LoadedModule) -> str:
    m = loaded.module
    head = [f"{m.title}  ({loaded.id})"]
    if m.subtitle:
        head.append(m.subtitle)
    facts = [m.kind, f"for {m.audience}", ", ".join(m.topics)]
    if m.minutes:
        facts.append(f"about {m.minutes} min")
    facts.append(f"{m.page_budget} page{'s' if m.page_budget != 1 else ''}")
    head.append(" · ".join(facts))
    head.append(f"file: {loaded.path}")
    out = head + [""]
    if m.clinician_notes:  # the terminal is the clinician's: show when to use it first
        out += ["For the clinician"] + [f"  {_short(p, 200)}" for p in m.clinician_notes.split("\n\n") if p.strip()] + [""]
    if m.content_note:
        out += [f"Content note: {_short(m.content_note)}", ""]
    if m.summary:
        out += ["Key points"] + [f"  • {_short(p)}" for p in m.summary] + [""]
    for n, block in enumerate(m.blocks, 1):
        each = ", once for each partner" if block.per_partner else ""  # SPEC: per_partner
        out.append(f"{n}. [{block.type}{each}] {block.title or ''}".rstrip())
        out += [f"     {line}" for line in _block_lines(block)]
    return "\n".join(out)
