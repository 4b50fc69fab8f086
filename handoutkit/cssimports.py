"""A library's stylesheets may @import each other, but never in a circle.

WeasyPrint follows ``@import`` without remembering where it has been: a stylesheet that
imports itself, or two that import each other, recurse until Python's stack runs out and
the build fails with a message that names nothing. So the import graph of the build's
stylesheets is walked first, and a circle is refused at the ``@import`` that closes it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import tinycss2

from .errors import InputError, Problem

MAX_BYTES = 1024 * 1024  # larger files are the fetcher's to refuse, not ours to parse


def refuse_cycles(stylesheets: list[Path]) -> None:
    """InputError at the ``@import`` that makes a stylesheet import itself."""
    done: set[Path] = set()
    for sheet in stylesheets:
        _walk(sheet.resolve(), [], done)


def _walk(sheet: Path, chain: list[Path], done: set[Path]) -> None:
    if sheet in done:
        return
    chain = [*chain, sheet]
    for target, line, col in _imports(sheet):
        if target in chain:
            between = chain[chain.index(target) + 1:]
            through = f"through {', '.join(p.name for p in between)}" if between else "directly"
            raise InputError(Problem(sheet, line, col,
                                     f"stylesheet {target.name} imports itself ({through}), which would never "
                                     f"end (remove this @import)"))
        _walk(target, chain, done)
    done.add(sheet)


def _imports(sheet: Path) -> list[tuple[Path, int, int]]:
    """The local files this stylesheet's leading ``@import`` rules name (WeasyPrint, like
    browsers, ignores an @import after other rules), with each rule's line and column."""
    try:
        if not sheet.is_file() or sheet.stat().st_size > MAX_BYTES:
            return []
        text = sheet.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []  # reading it for the render says why
    found = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword not in ("import", "charset", "layer"):
            break
        if rule.lower_at_keyword == "import" and (target := _target(sheet, rule.prelude)) is not None:
            found.append((target, rule.source_line, rule.source_column))
    return found


def _target(sheet: Path, prelude: list) -> Path | None:
    token = next((t for t in prelude if t.type not in ("whitespace", "comment")), None)
    if token is None:
        return None
    if token.type in ("string", "url"):
        ref = token.value
    elif token.type == "function" and token.lower_name == "url":
        ref = next((t.value for t in token.arguments if t.type == "string"), None)
    else:
        return None
    if ref is None:
        return None
    url = urlsplit(urljoin(sheet.as_uri(), ref))
    if url.scheme != "file":
        return None
    try:
        return Path(unquote(url.path)).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
