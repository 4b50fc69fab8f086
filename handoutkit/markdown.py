"""Markdown in handout text: inline (bold, italic, links) and block (paragraphs, lists).

Raw HTML is off, so a ``<script>`` in content prints as text. markdown-it's own link
check already refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links; we
keep only links a printed page can honestly carry (see ``_LINKABLE``), and print text
whose formatting would stall the PDF engine as plain text (see ``_tangled``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape
from markdown_it import MarkdownIt
from markdown_it.token import Token

# The web, mail, a phone number or a place in this document. A relative or absolute path
# would become a file:// link to the author's own disk, and put that folder's name
# (perhaps a client's) into the PDF; such links keep their words but lose the link.
_LINKABLE = re.compile(r"(https?:|mailto:|tel:|#)", re.IGNORECASE)

# WeasyPrint lays out a run of inline boxes with no break between them in quadratic time,
# and recurses once per nested box: 20,000 `*a` (a 40 KB file) took eight minutes, and
# 5,000 nested `**` crashed it. Real handouts stay far below these limits; text beyond
# them is printed as written, without formatting.
MAX_GLUED = 32  # formatting tokens in one run of text without a space
MAX_DEPTH = 8  # formatting inside formatting


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _tangled(tokens: list[Token]) -> bool:
    for token in tokens:
        depth = glued = 0
        for child in token.children or []:
            depth += child.nesting
            if depth > MAX_DEPTH:
                return True
            if child.type in ("softbreak", "hardbreak") or (child.type == "text" and any(c.isspace() for c in child.content)):
                glued = 0
            elif child.type != "text":
                glued += 1
                if glued > MAX_GLUED:
                    return True
    return False


def _unlink_paths(tokens: list[Token]) -> None:
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open" and not _LINKABLE.match(str(child.attrGet("href") or "")):
                child.attrs.pop("href", None)


def _render(tokens: list[Token]) -> str | None:
    if _tangled(tokens):
        return None
    _unlink_paths(tokens)
    md = _md()
    return md.renderer.render(tokens, md.options, {})


def block(text: str) -> Markup:
    html = _render(_md().parse(text))
    return Markup(html) if html is not None else Markup("<p>%s</p>\n") % text


def inline(text: str) -> Markup:
    html = _render(_md().parseInline(text))
    return Markup(html) if html is not None else escape(text)
