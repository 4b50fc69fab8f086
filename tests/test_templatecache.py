"""Compiled page templates kept between builds (templatecache.py).

Kept: the bundled templates only, written after a build has written its PDF, in the
folder HANDOUTS_CACHE names (the platform's cache folder by default; "off": nowhere).
A kept template must print exactly what a freshly compiled one prints; a damaged entry
or a folder that cannot be written only means compiling again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import pytest

from conftest import ROOT, handouts, pdf_text
from handoutkit import build, paths, templatecache
from handoutkit.library import Library
from handoutkit.settings import Settings

DAY = dt.date(2026, 11, 24)
BUNDLED = sorted(p.relative_to(paths.TEMPLATES).as_posix() for p in paths.TEMPLATES.rglob("*.j2"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    """An empty cache folder, and a process that has compiled nothing yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HANDOUTS_CACHE", str(folder))
    monkeypatch.setattr(templatecache, "shared", templatecache.CompiledTemplates())
    return folder


@pytest.fixture
def compiled(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from here on."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def spy(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", spy)
    return names


# Every block type, and two handouts for a cover: every bundled template is used.
TARGETS = [str(ROOT / "tests" / "fixtures" / "all-blocks.yaml"), "grounding-5-4-3-2-1"]


def _build(out: Path, library: list[Path] | None = None) -> bytes:
    lib = Library(library or [])
    (job,) = build.plan(TARGETS, lib, base=Settings(), flags={"date": DAY})
    build.write_job(build.render_job(job, lib), out)
    return out.read_bytes()


def _new_process(monkeypatch) -> None:
    """What a new `handouts` process starts with: nothing compiled in memory."""
    monkeypatch.setattr(templatecache, "shared", templatecache.CompiledTemplates())


def test_a_build_keeps_the_bundled_templates_and_the_next_one_compiles_none(tmp_path, cache, compiled, monkeypatch):
    first = _build(tmp_path / "first.pdf")
    assert sorted(compiled) == BUNDLED
    kept = sorted(cache.iterdir())
    assert len(kept) == len(BUNDLED) and all(p.suffix == ".cache" for p in kept), kept

    _new_process(monkeypatch)
    compiled.clear()
    second = _build(tmp_path / "second.pdf")
    assert compiled == [], "the kept templates were compiled again"
    assert second == first, "a kept template must print exactly what a fresh one prints"


def test_templates_changed_since_are_compiled_again(tmp_path, cache, compiled, monkeypatch):
    # A copy of the bundled templates stands in for them, so one can change between builds.
    copy = tmp_path / "templates"
    for name in BUNDLED:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_text((paths.TEMPLATES / name).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(paths, "TEMPLATES", copy)
    _new_process(monkeypatch)
    _build(tmp_path / "first.pdf")
    assert len(list(cache.iterdir())) == len(BUNDLED)

    handout = copy / "handout.html.j2"
    handout.write_text(handout.read_text(encoding="utf-8").replace("</article>", "<p>Changed since</p></article>", 1),
                       encoding="utf-8")
    assert "Changed since" in handout.read_text(encoding="utf-8")
    _new_process(monkeypatch)
    compiled.clear()
    _build(tmp_path / "changed.pdf")
    assert compiled == ["handout.html.j2"]
    assert "Changed since" in pdf_text(tmp_path / "changed.pdf")


def test_a_clinicians_own_template_is_never_kept(tmp_path, cache, compiled, monkeypatch):
    library = tmp_path / "lib"
    (library / "templates" / "blocks").mkdir(parents=True)
    own = (paths.TEMPLATES / "blocks" / "text.html.j2").read_text(encoding="utf-8")
    (library / "templates" / "blocks" / "text.html.j2").write_text("<p>My own text block</p>\n" + own, encoding="utf-8")
    _build(tmp_path / "own.pdf", [library])
    assert "My own text block" in pdf_text(tmp_path / "own.pdf")
    kept = list(cache.iterdir())
    assert len(kept) == len(BUNDLED) - 1
    assert not any(b"My own text block" in p.read_bytes() or str(library).encode() in p.read_bytes() for p in kept)

    _new_process(monkeypatch)
    compiled.clear()
    _build(tmp_path / "own-again.pdf", [library])
    assert compiled == ["blocks/text.html.j2"]


def test_a_damaged_entry_is_compiled_again(tmp_path, cache, compiled, monkeypatch):
    first = _build(tmp_path / "first.pdf")
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # cut off mid-write, say
    _new_process(monkeypatch)
    compiled.clear()
    assert _build(tmp_path / "second.pdf") == first
    assert sorted(compiled) == BUNDLED
    _new_process(monkeypatch)
    compiled.clear()
    _build(tmp_path / "third.pdf")
    assert compiled == [], "the damaged entries were written again, whole"


def test_a_cache_folder_that_cannot_be_made_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv("HANDOUTS_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(templatecache, "shared", templatecache.CompiledTemplates())
    assert _build(tmp_path / "out.pdf").startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "out.pdf"]


def test_off_keeps_nothing_on_disk(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    env = {"HANDOUTS_CACHE": "off", "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    result = handouts("build", "body-scan", "-o", str(tmp_path / "out.pdf"), cwd=tmp_path, env=env)
    assert result.code == 0, result.text
    assert list(home.iterdir()) == []


@pytest.mark.parametrize("case", ["bad module", "unwritable output"])
def test_a_failed_build_keeps_nothing(tmp_path: Path, case: str):
    cache = tmp_path / "cache"
    if case == "bad module":
        args = [str(ROOT / "tests" / "fixtures" / "bad" / next(p.name for p in sorted((ROOT / "tests" / "fixtures" / "bad").glob("*.yaml"))))]
    else:
        args = ["body-scan", "-o", str(tmp_path / "no-such-folder" / "out.pdf")]
    result = handouts("build", *args, cwd=tmp_path, env={"HANDOUTS_CACHE": str(cache)})
    assert result.code == 2, result.text
    assert "Traceback" not in result.text
    assert not cache.exists()
