"""One exception hierarchy; the CLI turns each into plain messages and an exit status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, where a person can find it."""

    path: Path | str
    line: int
    col: int
    message: str
    level: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def with_level(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.level}: {self.message}"


class HandoutkitError(Exception):
    """Anything a user can cause. Never shown as a traceback."""

    exit_code = 2

    def messages(self) -> list[str]:
        return [str(self)]


class InputError(HandoutkitError):
    """Bad input: one or more problems, each with a file and a line."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(map(str, self.problems)))

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(HandoutkitError):
    """A command used in a way that cannot work (no file position to point at)."""


class ResourceRefused(HandoutkitError):
    """A handout asked for a file or address it is not allowed to read."""


class OutputError(HandoutkitError):
    """The result could not be written where it was asked for."""
