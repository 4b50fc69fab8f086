"""Reading a YAML file safely, remembering where every key and value stands.

PyYAML's node graph carries line and column; the plain ``safe_load`` result does not.
We compose the graph and build the data ourselves, so that every later problem can
point at ``file:line:col``. Only the standard tags are accepted (no ``!!python/…``),
and files, nesting and alias expansion are bounded so a hostile file stays harmless.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem
from .limits import MAX_YAML_BYTES as MAX_BYTES
from .terminal import CONTROL, describe
MAX_NODES = 200_000  # counted with aliases expanded: stops "billion laughs"

Loc = tuple[Any, ...]

_STANDARD = "tag:yaml.org,2002:"
_MERGE = _STANDARD + "merge"
_PLAIN_TAGS = {
    _STANDARD + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


@dataclass
class Source:
    """A loaded YAML file: its data and where each part of it stands."""

    path: Path
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``loc``, or of its nearest ancestor that exists."""
        loc = tuple(_norm(part) for part in loc)
        while True:
            table = self.keys if key and loc in self.keys else self.values
            if loc in table:
                return table[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def problem(self, loc: Loc, message: str, *, key: bool = False, level: str = "error") -> Problem:
        line, col = self.where(loc, key=key)
        return Problem(self.path, line, col, message, level)


def _norm(part: Any) -> Any:
    # Mapping keys are stored as text so `labels: {0: …}` and a pydantic loc of 0 meet.
    return part if isinstance(part, int) and not isinstance(part, bool) else str(part)


def _line_col(text: str | bytes, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of ``offset`` in ``text``, as an editor counts them:
    characters, not bytes, and a byte-order mark takes no column (as in PyYAML's marks)."""
    if isinstance(text, bytes):
        text = text[:offset].decode("utf-8", errors="replace")
        offset = len(text)
    before = text[:offset]
    line = before[before.rfind("\n") + 1:]
    return before.count("\n") + 1, len(line.replace("\ufeff", "")) + 1


def why_unreadable(exc: OSError) -> str:
    """What an operating-system error means for a file a person named."""
    return {
        errno.ENOENT: "no such file",
        errno.ENOTDIR: "no such file (a part of this path is a file, not a folder)",
        errno.ELOOP: LOOP,
        errno.EACCES: "permission denied: this file cannot be read (check its permissions)",
        errno.EPERM: "permission denied: this file cannot be read (check its permissions)",
        errno.ENAMETOOLONG: "this file name is too long",
    }.get(exc.errno, f"cannot read this file ({exc.strerror or exc})")


LOOP = "this link leads round in a circle (a symlink loop: point it at a real file)"


def resolved(path: Path) -> Path | None:
    """``path`` with its links followed, or None when they lead round in a circle
    (Python before 3.13 raises RuntimeError there, which would read as a bug)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


NOT_REGULAR = "this is not a regular file (a FIFO, socket or device), which handoutkit does not read (expected a .yaml file)"


def read_text(path: Path) -> str:
    """The file's text, or one clear problem saying why it cannot be read."""
    def fail(message: str, line: int = 1, col: int = 1) -> InputError:
        return InputError(Problem(path, line, col, message))

    too_big = fail(f"file is larger than {MAX_BYTES // 1024} KiB (a handout module is a few KiB of text)")
    try:
        if stat.S_ISDIR(path.stat().st_mode):
            raise fail("this is a folder, not a file (expected a .yaml file)")
        # Non-blocking, and checked once open: opening a FIFO to read would wait for a
        # writer for ever, and the name may have changed since the stat above.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise fail("this link points to a file that does not exist (point it at a real file)") from None
        raise fail(why_unreadable(exc)) from None
    with open(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(NOT_REGULAR)
        if info.st_size > MAX_BYTES:
            raise too_big
        try:
            raw = fh.read(MAX_BYTES + 1)  # a /proc file reports no size, and may never end
        except OSError as exc:
            raise fail(why_unreadable(exc)) from None
    if len(raw) > MAX_BYTES:
        raise too_big
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark: Windows editors write one
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail("this file is not UTF-8 text (save it as UTF-8)", *_line_col(raw, exc.start)) from None
    # PyYAML refuses control characters (a NUL, a form feed…) when the loader is created,
    # outside any error handling, so say so here, where the character is.
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        raise fail(f"this file holds an invisible control character (U+{ord(bad.group()):04X}) that YAML does not "
                   f"allow (delete it, or retype the text around it)", *_line_col(text, bad.start()))
    # YAML counts these as line breaks and most editors do not, so every line after one
    # would be misplaced in a message; no handout needs them.
    for char in ("\x85", "\u2028", "\u2029"):
        if (at := text.find(char)) >= 0:
            raise fail(f"this file holds {describe(char)}, which YAML reads as a line break but editors do not show "
                       f"(replace it with a normal line break or a space)", *_line_col(text, at))
    return text


# libyaml (PyYAML's C loader, when installed) reads YAML about five times faster, which
# every build and `handouts list` feel: the library reads each of its files to learn the
# id it claims. But libyaml tells problems in other words than PyYAML, reads a few
# malformed files that PyYAML refuses (most of them with tabs), places explicit tags,
# empty values and stray byte-order marks differently, and composes recursively in C, so
# a deeply nested file could crash the process. So it reads only shallow files with none
# of those, and only where it reads them cleanly: otherwise PyYAML reads the file, and
# every YAML problem a user sees is told in PyYAML's words, with its marks and limits.
# For the files both read, both give the same data, lines and columns (tests/test_fuzz.py).
_LIBYAML = getattr(yaml, "CSafeLoader", None)
MAX_FAST_DEPTH = 100  # handouts nest a handful of levels


def _plain(text: str) -> bool:
    """libyaml parses the text (event by event: no recursion), it nests at most
    MAX_FAST_DEPTH deep, and has no explicit tags and no empty values."""
    loader = _LIBYAML(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if getattr(event, "tag", None) is not None or getattr(event, "value", None) == "":
                return False  # the two differ on explicit tags and on where an empty value stands
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FAST_DEPTH:
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    return True


def load(path: Path | str, *, empty_ok: bool = False) -> Source:
    """The file's data and positions, or InputError with every reason it cannot be read.
    A file with nothing but comments is an error, unless ``empty_ok`` (its data is None)."""
    path = Path(path)
    text = read_text(path)
    return _fast(path, text) or _careful(path, text, empty_ok)


def _fast(path: Path, text: str) -> Source | None:
    """The file read by libyaml, or None where PyYAML should read it (see above)."""
    if _LIBYAML is None or "\t" in text or "\ufeff" in text or not _plain(text):
        return None
    loader = _LIBYAML(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        source = Source(path, None)
        source.data = _Builder(loader, source).build(node, ())
        return source
    except Exception:  # noqa: BLE001 - whatever the trouble, PyYAML tells it in its own words
        return None
    finally:
        loader.dispose()


def _careful(path: Path, text: str, empty_ok: bool = False) -> Source:
    source = Source(path, None)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None and empty_ok:
            return source
        if node is None:
            raise InputError(Problem(path, 1, 1, "the file is empty (expected a handout module or a packet)"))
        source.data = _Builder(loader, source).build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "not valid YAML"
        raise InputError(Problem(path, line, col, f"YAML syntax: {what} (check the quotes, brackets and indentation here and on the line before)")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(path, 1, 1, f"YAML syntax: {exc}")) from None
    except RecursionError:
        raise InputError(Problem(path, 1, 1, "nested far too deeply to be a handout")) from None
    finally:
        loader.dispose()
    return source


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, source: Source):
        self.loader = loader
        self.source = source
        self.count = 0
        # Text counted with aliases expanded too: a few hundred references to one long
        # string stay under MAX_NODES yet make a 60 KB file print 100 MB of text, which
        # would keep the build busy for hours. Without aliases no file can reach this.
        self.chars = 0

    def fail(self, node: yaml.Node, message: str) -> InputError:
        return InputError(Problem(self.source.path, node.start_mark.line + 1, node.start_mark.column + 1, message))

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, "too many repeated references (YAML aliases): this file would expand without end")
        if loc not in self.source.values:
            self.source.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self._allowed(node)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, "a key must be a plain word")
                self._allowed(key_node)
                if key_node.tag == _MERGE:
                    # Merged keys would be placed where their anchor stands, and overriding
                    # one would read as a key given twice: refused, so every value is where
                    # the file shows it and both YAML readers read the file alike.
                    raise self.fail(key_node, "YAML merge keys ('<<: *name') are not supported here (write the keys out in full)")
                key = self._key(key_node)
                if key in out:
                    raise self.fail(key_node, f"the key {key!r} appears twice here (keep one)")
                child = loc + (_norm(key),)
                self.source.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        self.chars += len(node.value)
        if self.chars > MAX_BYTES:
            raise self.fail(node, f"too many repeated references (YAML aliases): this file would expand to "
                                  f"more than {MAX_BYTES // 1024} KiB of text")
        if node.tag == _MERGE:
            return node.value  # `<<` merges only as a key; as a value it is text
        value = self._scalar(node)
        if isinstance(value, str) and (bad := CONTROL.search(value)):
            # YAML escapes ("\e[31m", "\u202e") make them from plain-looking text.
            raise self.fail(node, f"this text holds an invisible control character {describe(bad.group())}, which could "
                                  f"hide or reorder what is printed or shown (delete it; check escapes like \\e or \\u202e)")
        return value

    def _allowed(self, node: yaml.Node) -> None:
        if node.tag == _STANDARD + "binary":
            raise self.fail(node, "binary data (!!binary) is not allowed (handouts hold plain text, numbers, lists and keys)")
        if node.tag not in _PLAIN_TAGS and node.tag != _MERGE:
            raise self.fail(node, f"the tag {node.tag!r} is not allowed (handouts hold plain text, numbers, lists and keys)")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            # PyYAML checks a scalar's form, not its value: `2026-13-45` looks like a date
            # and `!!int abc` is tagged as a number, and both then crash the constructor.
            # Keep the text as written; where text does not belong, validation says so.
            self.loader.recursive_objects.pop(node, None)
            return node.value

    def _key(self, node: yaml.ScalarNode) -> Any:
        """A key as the file spells it; only whole numbers stay numbers (a scale's labels).
        `2026-01-01:` or `yes:` as a key then reads as an unknown key, named as typed."""
        key = self._scalar(node)
        return key if isinstance(key, (str, int)) and not isinstance(key, bool) else node.value
