"""Long unbroken text (a pasted web address, a name with no spaces) made breakable anywhere.

CSS alone cannot do this well: `overflow-wrap: anywhere` on a table cell lets the table
squeeze a column until its ordinary words break mid-word too, and `break-word` does not
let a cell narrow below its longest word, so a 200-character address pushes the table off
the page. Marking only the long runs (`<span class="long">`, styled in base.css) breaks
those and nothing else.
"""

from __future__ import annotations

import re

LONG = 20  # characters: longer than nearly every ordinary word, shorter than any address

# Our own HTML, escaped by Jinja: `>` never stands inside a tag, `<` never in text.
_TAG = re.compile(r"(<[^>]*>)")
_RAW = ("style", "title", "textarea", "script")  # text there is not laid out as words
_RUN = re.compile(r"(?:[^\s<&]|&#?\w+;)+")  # an entity (&amp;) is one character


def _mark(match: re.Match[str]) -> str:
    run = match.group()
    if len(re.sub(r"&#?\w+;", "x", run)) < LONG:
        return run
    return f'<span class="long">{run}</span>'


def breakable(html: str) -> str:
    """The document with every run of LONG or more non-space characters marked breakable."""
    out, raw = [], None
    for part in _TAG.split(html):
        if part.startswith("<"):
            name = re.match(r"</?([a-zA-Z0-9]+)", part)
            tag = name.group(1).lower() if name else ""
            if raw is None and tag in _RAW and not part.startswith("</"):
                raw = tag
            elif raw == tag and part.startswith("</"):
                raw = None
            out.append(part)
        elif raw is None:
            out.append(_RUN.sub(_mark, part))
        else:
            out.append(part)
    return "".join(out)
