"""Markdown in handout text: inline (bold, italic, links) and block (paragraphs, lists).

Raw HTML is off, so a ``<script>`` in content prints as text. markdown-it's own link
check already refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links; we
keep only links a printed page can honestly carry (see ``_LINKABLE``), and print text
whose formatting would stall the PDF engine as plain text (see ``_tangled``).
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Iterator, NamedTuple

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


def _unlinkable(tokens: list[Token]) -> Iterator[tuple[list[Token], int]]:
    """Each link a page cannot carry, as (its siblings, its place among them)."""
    for token in tokens:
        children = token.children or []
        for i, child in enumerate(children):
            if child.type == "link_open" and not _LINKABLE.match(str(child.attrGet("href") or "")):
                yield children, i


def _unlink_paths(tokens: list[Token]) -> None:
    for children, i in _unlinkable(tokens):
        children[i].attrs.pop("href", None)


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


# `handouts check` tells authors what their Markdown will lose on paper. It asks the same
# parser the same questions as render does, so the two cannot disagree.


class Unprinted(NamedTuple):
    """What a printed page will not show of a text as it was written."""

    tangled: bool  # the whole text prints as typed, marks and all, without formatting
    unlinked: list[str]  # the words of each link that prints without its address
    as_typed: list[tuple[str, str]]  # ("link" or "picture", its words): printed as typed, brackets and address too


@lru_cache(maxsize=1)
def _md_taking_every_address() -> MarkdownIt:
    # The same parser, except that it takes every address: a link it finds that _md()
    # refuses is one _md() leaves as plain text, brackets and all.
    md = copy.copy(_md())
    md.validateLink = lambda url: True
    return md


def _words(children: list[Token], start: int) -> str:
    """The words a reader sees of the link that opens at ``children[start]``."""
    words: list[str] = []
    depth = 0
    for child in children[start:]:
        depth += child.nesting
        if child.type in ("text", "code_inline", "image"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
        if depth == 0:
            break
    return " ".join("".join(words).split())


def unprinted(text: str, *, block: bool = False) -> Unprinted:
    """What ``block(text)`` (``block=True``) or ``inline(text)`` will not show of ``text``."""
    def parse(md: MarkdownIt) -> list[Token]:
        return md.parse(text) if block else md.parseInline(text)

    tokens = parse(_md())
    if _tangled(tokens):
        return Unprinted(True, [], [])
    # An autolink, <ftp://…>, prints its address as its words: nothing the author wrote is lost.
    unlinked = [_words(children, i) or str(children[i].attrGet("href"))
                for children, i in _unlinkable(tokens) if children[i].markup != "autolink"]
    as_typed: list[tuple[str, str]] = []
    for token in parse(_md_taking_every_address()):
        for i, child in enumerate(token.children or []):
            address = str(child.attrGet("src") if child.type == "image" else child.attrGet("href"))
            if child.type == "image" and not _md().validateLink(address):
                as_typed.append(("picture", child.content or address))
            elif child.type == "link_open" and child.markup != "autolink" and not _md().validateLink(address):
                as_typed.append(("link", _words(token.children, i) or address))
    return Unprinted(False, unlinked, as_typed)


def picture_addresses(text: str, *, block: bool = False) -> list[str]:
    """The address of each picture ``block(text)`` or ``inline(text)`` will ask the PDF engine for."""
    tokens = _md().parse(text) if block else _md().parseInline(text)
    if _tangled(tokens):
        return []  # printed as typed: no pictures
    found, stack = [], list(reversed(tokens))
    while stack:
        token = stack.pop()
        if token.type == "image":
            found.append(str(token.attrGet("src") or ""))
        stack.extend(reversed(token.children or []))
    return found
