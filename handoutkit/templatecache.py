"""The bundled page templates, compiled once and kept between builds.

Jinja compiles every template to Python on each start, and for our dozen templates that
is about 30 ms: an eighth of all that handoutkit adds to WeasyPrint's own time on a
build. So compiled templates are kept, in memory for the life of the process (``check``
and ``preview`` render many times) and in the user's cache folder between runs.

What is kept is code made from the bundled template files alone, keyed by their text:
never a clinician's override templates (they are compiled each time), and nothing of a
handout, a practice or a client. It is written only by ``save()``, after a build has
written its PDF, so a failed build writes nothing here either; and a cache folder that
cannot be written, or a damaged entry, only means compiling again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from . import __version__, paths
from .errors import OutputError
from .output import write_atomic

ENV_VAR = "HANDOUTS_CACHE"  # another folder, or "off" to keep nothing on disk


def folder() -> Path | None:
    """Where compiled templates are kept between runs; None when they are not."""
    value = os.environ.get(ENV_VAR, "")
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("handoutkit", appauthor=False)) / "templates"


def _fingerprint(environment: jinja2.Environment) -> str:
    """What besides a template's text shapes the code it compiles to (Jinja checks the text):
    the environment and its code generator (sandbox.py charges a budget in the code it
    generates), and the options that change that code."""
    shape = (type(environment).__qualname__, environment.code_generator_class.__qualname__,
             getattr(environment, "CODE_VERSION", None), sorted(getattr(environment, "intercepted_binops", ())),
             environment.finalize is not None, environment.autoescape, environment.trim_blocks,
             environment.lstrip_blocks, environment.keep_trailing_newline, environment.newline_sequence,
             environment.block_start_string, environment.variable_start_string, environment.comment_start_string,
             environment.optimized, jinja2.__version__, __version__)
    return hashlib.sha256(repr(shape).encode()).hexdigest()[:16]


class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self) -> None:
        self.bundled = paths.TEMPLATES.resolve()
        self.memory: dict[str, bytes] = {}
        self.unsaved: set[str] = set()

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        if filename is None or not Path(filename).resolve().is_relative_to(self.bundled):
            return Bucket(environment, "", "")  # a clinician's own template: never kept
        key = f"{_fingerprint(environment)}-{self.get_cache_key(name, filename)}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        if not bucket.key:
            return
        data = self.memory.get(bucket.key)
        where = folder()
        if data is None and where is not None:
            try:
                data = (where / f"{bucket.key}.cache").read_bytes()
            except OSError:
                return
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - a damaged entry: compile again
                bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.key and bucket.code is not None:
            self.memory[bucket.key] = bucket.bytecode_to_string()
            self.unsaved.add(bucket.key)

    def save(self) -> None:
        """Write what was compiled in this process to the cache folder, if it can be written."""
        where = folder()
        if where is None or not self.unsaved:
            return
        try:
            where.mkdir(parents=True, exist_ok=True, mode=0o700)
            for key in sorted(self.unsaved):
                # Whole or not at all, also with builds side by side; no stray temporary files.
                write_atomic(where / f"{key}.cache", self.memory[key])
        except (OSError, OutputError):
            return  # a read-only or full disk: the next build compiles again
        self.unsaved.clear()


shared = CompiledTemplates()  # one per process: `check` and `preview` render many times


def save() -> None:
    shared.save()
