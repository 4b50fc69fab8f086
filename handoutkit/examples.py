"""The example packets that come with handoutkit, named ``example:NAME`` on the command line.

They live in the repo's ``examples/`` folder and, in a wheel, in ``handoutkit/_assets/examples``
(paths.EXAMPLES), so an installed `handouts` can build one from any folder:
``handouts build example:first-session`` writes first-session.pdf here.
"""

from __future__ import annotations

from pathlib import Path

from . import paths, sources
from .errors import InputError, UsageError

PREFIX = "example:"


def names() -> list[str]:
    return sorted(p.stem for p in paths.EXAMPLES.glob("*.yaml")) if paths.EXAMPLES.is_dir() else []


def named(target: str) -> str:
    """The file an ``example:NAME`` target stands for; any other target as it is."""
    if not target.startswith(PREFIX):
        return target
    name = target[len(PREFIX):]
    if name not in names():
        known = ", ".join(PREFIX + n for n in names()) or "none are installed"
        raise UsageError(f"no example packet '{target}' (expected one of: {known}; `handouts examples` lists them)")
    return str(paths.EXAMPLES / f"{name}.yaml")


def listing() -> list[tuple[str, str, int]]:
    """Each example's name, title and number of handouts."""
    out = []
    for name in names():
        try:
            data = sources.load(paths.EXAMPLES / f"{name}.yaml").data
        except InputError:
            continue  # a broken example is `check`'s to report, not the list's
        out.append((name, str(data.get("title", name)), len(data.get("handouts") or [])))
    return out
