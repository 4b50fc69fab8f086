"""Text that reaches a terminal shows as text, never acts as a command.

A module, a file name or a flag can hold an escape sequence (which a terminal obeys:
colours, a new window title, a hidden line), a carriage return (which overwrites what
was printed) or a bidi override (which shows ``exe.txt`` as ``txt.exe``). Everything
handoutkit prints passes through ``visible``, which spells such characters out instead.
"""

from __future__ import annotations

import re

# Characters that have no place in a handout's text: C0 controls but tab and newline,
# DEL, C1 controls (NEL too), the line and paragraph separators (YAML counts them as line
# breaks, editors mostly do not, so positions after them would be wrong), and the bidi
# overrides and isolates. The plain marks U+200E/U+200F (LRM, RLM) stay: they only nudge
# neutral characters, and right-to-left text uses them.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# What a terminal must not receive: the above (less newline and tab, which messages and
# outlines use), plus the bidi marks and the lone surrogates Python makes of bytes that
# are not UTF-8 (a file name or flag in another encoding), which cannot be printed at all.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMES = {
    "\x1b": "ESCAPE", "\x07": "BELL", "\x08": "BACKSPACE", "\r": "CARRIAGE RETURN", "\x00": "NUL",
    "\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING", "\u202b": "RIGHT-TO-LEFT EMBEDDING", "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE", "\u202e": "RIGHT-TO-LEFT OVERRIDE", "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE", "\u2068": "FIRST STRONG ISOLATE", "\u2069": "POP DIRECTIONAL ISOLATE",
}


def describe(char: str) -> str:
    """``U+001B (ESCAPE)``: a character a person cannot see, named so they can find it."""
    name = _NAMES.get(char)
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _spelled(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` with every control character, escape and bidi control spelled out
    (``\\x1b``, ``\\u202e``), so a terminal shows it and does not obey it."""
    return _UNSAFE.sub(_spelled, str(text))


def undecodable(text: str) -> bool:
    """A command-line argument that was not valid UTF-8 (Python kept its bytes as
    lone surrogates)."""
    return any(0xDC80 <= ord(c) <= 0xDCFF for c in text)
