"""Markdown in handout text: inline (bold, italic, links) and block (paragraphs, lists).

Raw HTML is off, so a ``<script>`` in content prints as text. markdown-it's own link
check already refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup
from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def block(text: str) -> Markup:
    return Markup(_md().render(text))


def inline(text: str) -> Markup:
    return Markup(_md().renderInline(text))
