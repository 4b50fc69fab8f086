"""Shared helpers: run the real `handouts` command and read PDFs back."""

from __future__ import annotations

import os
import resource
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
    cpu: float = 0.0  # seconds of CPU the command used (user + system)

    @property
    def text(self) -> str:
        return self.out + self.err


CPU_CEILING = 120  # seconds of CPU after which a command is killed: a hang fails, never stalls the suite


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_ceiling(seconds: int):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    return limit


def handouts(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             cpu_limit: int = CPU_CEILING) -> Run:
    """Run `handouts ARGS…` as a user would, in a fresh process.

    Its CPU time is measured, not its wall-clock time: a busy machine slows the clock, not
    the work (``Run.cpu``). The child is killed once it has used ``cpu_limit`` seconds."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("HANDOUTS_LIBRARY", None) if env is None or "HANDOUTS_LIBRARY" not in env else None
    before = _children_cpu()  # one test at a time per process (also under xdist): the delta is this child's
    proc = subprocess.run(
        [sys.executable, "-m", "handoutkit", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600,
        preexec_fn=_cpu_ceiling(cpu_limit),
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, _children_cpu() - before)


def startup_cpu() -> float:
    """CPU seconds a build process needs before it does any work of its own."""
    before = _children_cpu()
    subprocess.run([sys.executable, "-c", "import handoutkit.cli, handoutkit.build, weasyprint"], check=True)
    return _children_cpu() - before


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
