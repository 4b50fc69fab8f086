"""Reaching a damaged config file: `handouts config path`, `unset` and `edit`.

These work on the file as text, never through ``config.load``, so a file that the other
commands refuse can still be found, trimmed and opened for repair.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

from . import config, sources
from .errors import InputError, UsageError
from .output import write_atomic

EDIT = "`handouts config edit` opens it to fix by hand"


def unset(key: str) -> Path:
    """Remove ``key`` from the file, keeping every other line as it was.

    A key the file does not hold is already unset; a key it holds may be one no version
    knows (a typo to remove). A file that is not YAML is left alone: which lines belong
    to which key cannot be known, so nothing is guessed away."""
    file = config.path()
    if key not in config.KEYS and not file.exists():
        raise UsageError(f"unknown setting '{key}' (expected one of: {', '.join(config.KEYS)})")
    if not file.exists():
        return file
    try:
        source = sources.load(file, empty_ok=True)
    except InputError as exc:
        raise UsageError("\n".join(exc.messages()) + f"\n{file} is not readable YAML, so nothing was removed; {EDIT}") from None
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise UsageError(f"{file}:1:1: expected settings like 'paper: a4', so nothing was removed; {EDIT}")
    if key not in data:
        if key not in config.KEYS:
            raise UsageError(f"unknown setting '{key}', and {file} does not hold it "
                             f"(expected one of: {', '.join(config.KEYS)})")
        return file
    rest = {k: v for k, v in data.items() if k != key}
    return write_atomic(file, _without(source, key, rest).encode("utf-8"))


def _without(source: sources.Source, key: str, rest: dict) -> str:
    """The file's text with ``key``'s lines cut out (its comments and the others' kept),
    or, where the keys do not stand one per line, the remaining settings written afresh."""
    text = source.path.read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    line, col = source.keys[(key,)]
    later = sorted(at[0] for loc, at in source.keys.items() if len(loc) == 1 and at[0] > line)
    end = later[0] - 1 if later else len(lines)
    if col == 1:
        cut = "".join(lines[:line - 1] + lines[end:])
        try:
            if (yaml.safe_load(cut) or {}) == rest:
                return cut
        except yaml.YAMLError:
            pass
    return config.HEADER + (yaml.safe_dump(rest, sort_keys=False, allow_unicode=True) if rest else "")


def editor() -> list[str]:
    """The clinician's own editor, from $VISUAL or $EDITOR; never a guess."""
    for name in ("VISUAL", "EDITOR"):
        if (value := os.environ.get(name, "").strip()):
            return shlex.split(value)
    raise UsageError(f"no editor is set: set EDITOR (for example `export EDITOR=nano`), or open {config.path()} "
                     "in any text editor")


def edit() -> Path:
    """Open the file in the editor (created with its header comment when missing), then
    check what was saved: ConfigDamaged, with each problem's line, if it cannot be used."""
    command = editor()
    if shutil.which(command[0]) is None:  # said before the file is created for it
        raise UsageError(f"cannot find the editor '{command[0]}': check EDITOR or VISUAL")
    file = config.path()
    if not file.exists() and not file.is_symlink():
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the folder {file.parent}: {exc.strerror or exc}") from None
        write_atomic(file, config.HEADER.encode("utf-8"))
    try:
        done = subprocess.run([*command, str(file)])
    except OSError as exc:
        raise UsageError(f"cannot start the editor '{command[0]}' ({exc.strerror or exc}): check EDITOR or VISUAL") from None
    if done.returncode != 0:
        raise UsageError(f"the editor '{command[0]}' stopped with status {done.returncode}; {file} is as it left it")
    config.load()
    return file
