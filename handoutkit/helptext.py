"""What the command says about itself: its version, its help and its shell completions.

Kept out of cli.py, which only declares the commands.
"""

from __future__ import annotations

from pathlib import Path


def version() -> str:
    """The installed distribution's version; in a checkout run without installing, the package's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("handoutkit")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def plain_help() -> None:
    """Help that names what to type, never Python's types.

    Typer prints each argument's Python type beside its name ("ID <str>", "paths...
    <list[Path]>") and wraps required arguments in braces ("{ID}"). Every argument here
    has a metavar that says what it is (ID, TARGET..., FILE|DIR...), so for those the
    type is left out and the usage line shows the metavar as written. Options need no
    change: an option's metavar already replaces its type. (Older Typer releases, which
    lack these methods, print the metavar alone anyway.)"""
    from typer import core

    argument = getattr(core, "TyperArgument", None)
    if argument is None or getattr(argument, "_handouts_plain", False):
        return
    if hasattr(argument, "display_type_rich"):
        typed = argument.display_type_rich

        def display_type_rich(self, ctx):
            return None if self.metavar is not None else typed(self, ctx)

        argument.display_type_rich = display_type_rich
    if hasattr(argument, "_usage_display_name"):
        braced = argument._usage_display_name

        def usage_display_name(self):
            if self.metavar is None:
                return braced(self)
            return self.metavar if self.required else f"[{self.metavar.strip('[]')}]"

        argument._usage_display_name = usage_display_name
    argument._handouts_plain = True


# ---- shell completion ----------------------------------------------------------------
# Called by the shell at every Tab: quick, quiet, and never an error (a broken library
# folder just completes nothing from it).


def _ids(ctx) -> list[str]:
    from .library import Library

    root = ctx.find_root()
    folders = root.params.get("library") or []
    try:
        return Library.from_options(list(folders)).ids()
    except Exception:  # noqa: BLE001  # a Tab must never print a traceback into the prompt
        return []


def complete_id(ctx, incomplete: str) -> list[str]:
    """Handout ids for `show ID`."""
    return [i for i in _ids(ctx) if i.startswith(incomplete)]


def complete_target(ctx, incomplete: str) -> list[str]:
    """For `build` and `preview`: handout ids, example packets and .yaml files here.

    Folders are left to the shell: when nothing here matches, this returns nothing and
    the shell completes file and folder names itself (the script Typer installs asks for
    that), which ends a folder with / rather than a space."""
    from .examples import PREFIX, names

    found = complete_id(ctx, incomplete)
    found += [PREFIX + n for n in names() if (PREFIX + n).startswith(incomplete)]
    folder, _, start = incomplete.rpartition("/")
    try:
        entries = sorted(Path(folder or ".").iterdir()) if not incomplete.startswith(PREFIX) else []
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.startswith(start) and entry.suffix in (".yaml", ".yml") and not entry.is_dir():
            found.append(f"{folder}/{entry.name}" if folder else entry.name)
    return found
