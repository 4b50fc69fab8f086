"""Shared helpers: run the real `handouts` command and read PDFs back."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def handouts(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `handouts ARGS…` as a user would, in a fresh process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("HANDOUTS_LIBRARY", None) if env is None or "HANDOUTS_LIBRARY" not in env else None
    proc = subprocess.run(
        [sys.executable, "-m", "handoutkit", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Text with all white space folded, so line breaks in a PDF don't matter."""
    return " ".join(text.split())


@pytest.fixture
def run():
    return handouts


@pytest.fixture(autouse=True, scope="session")
def _own_template_cache(tmp_path_factory):
    """Compiled templates (templatecache.py) go to a folder of this test run's own, for
    builds in this process and in every `handouts` the tests start: never the developer's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HANDOUTS_CACHE", str(tmp_path_factory.mktemp("template-cache")))
        yield
