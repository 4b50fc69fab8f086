"""A config file can always be found, trimmed and opened, even when it is damaged; every
command that needs it says where it is broken and how to reach it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import handouts

HINT = "(`handouts config edit` opens it; `handouts config path` shows where it is)"

DAMAGED = {  # name: (file text, the located problem)
    "bad-yaml": ("practice: Oak Clinic\npaper: [a4\n", ":3:1: YAML syntax"),
    "unknown-key": ("practice: Oak Clinic\ncolour: red\n", ":2:1: unknown key 'colour'"),
    "bad-value": ("practice: Oak Clinic\npaper: a2\n", ":2:8: 'paper' cannot be 'a2'"),
    "not-a-mapping": ("- paper\n", ":1:1: expected a set of keys"),
}


def _env(file: Path, **extra: str) -> dict[str, str]:
    env = {"HANDOUTS_CONFIG": str(file), **extra}
    return env


def _clean(run) -> None:
    assert "Traceback" not in run.text and "internal error" not in run.text, run.text


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "settings" / "config.yaml"


# ---- empty is empty ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n", "# handoutkit settings: `handouts config set KEY VALUE` changes them.\n"])
def test_an_empty_or_comment_only_config_is_empty(cfg: Path, text: str):
    cfg.parent.mkdir()
    cfg.write_text(text)
    run = handouts("config", env=_env(cfg))
    assert run.code == 0, run.text
    assert "paper: (not set)" in run.out and "practice: (not set)" in run.out
    run = handouts("config", "set", "paper", "a4", env=_env(cfg))
    assert run.code == 0, run.text
    assert "paper: a4" in cfg.read_text()


# ---- damaged: every reader says where, and how to reach it ------------------------------------

@pytest.mark.parametrize("case", sorted(DAMAGED))
@pytest.mark.parametrize("command", [["config"], ["config", "set", "theme", "print"], ["build", "grounding-5-4-3-2-1"]])
def test_a_damaged_config_is_located_and_left_alone(cfg: Path, tmp_path: Path, case: str, command: list[str]):
    text, where = DAMAGED[case]
    cfg.parent.mkdir()
    cfg.write_text(text)
    run = handouts(*command, cwd=tmp_path, env=_env(cfg))
    assert run.code == 2, run.text
    assert f"{cfg}{where}" in run.err, run.err
    assert run.err.rstrip().endswith(HINT), run.err
    _clean(run)
    assert cfg.read_text() == text
    assert not list(tmp_path.rglob("*.pdf"))


# ---- config path ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", [None, *sorted(DAMAGED)])
def test_config_path_prints_only_the_path(cfg: Path, case: str | None):
    if case:
        cfg.parent.mkdir()
        cfg.write_text(DAMAGED[case][0])
    run = handouts("config", "path", env=_env(cfg))
    assert run.code == 0 and run.out == f"{cfg}\n" and run.err == "", run.text


# ---- config unset --------------------------------------------------------------------------

def test_unset_removes_one_key_and_keeps_the_rest(cfg: Path):
    cfg.parent.mkdir()
    cfg.write_text("# my practice\npractice: Oak Clinic   # the sign says so\ncolour: red\npaper: a4\n")
    run = handouts("config", "unset", "colour", env=_env(cfg))
    assert run.code == 0, run.text
    assert cfg.read_text() == "# my practice\npractice: Oak Clinic   # the sign says so\npaper: a4\n"
    run = handouts("config", "unset", "paper", env=_env(cfg))
    assert run.code == 0, run.text
    assert cfg.read_text() == "# my practice\npractice: Oak Clinic   # the sign says so\n"
    assert "paper: (not set)" in handouts("config", env=_env(cfg)).out


def test_unset_a_multi_line_value(cfg: Path):
    cfg.parent.mkdir()
    cfg.write_text("contact: |\n  555-0199\n  oak.example\ntheme: print\n")
    run = handouts("config", "unset", "contact", env=_env(cfg))
    assert run.code == 0, run.text
    assert cfg.read_text() == "theme: print\n"


def test_unset_on_a_flow_mapping_keeps_the_others(cfg: Path):
    cfg.parent.mkdir()
    cfg.write_text("{practice: Oak Clinic, paper: a2}\n")
    run = handouts("config", "unset", "paper", env=_env(cfg))
    assert run.code == 0, run.text
    assert "practice: Oak Clinic" in cfg.read_text() and "paper" not in cfg.read_text()


def test_unset_tells_what_is_still_wrong(cfg: Path):
    cfg.parent.mkdir()
    cfg.write_text("colour: red\ntheme: calm\n")
    run = handouts("config", "unset", "colour", env=_env(cfg))
    assert run.code == 2, run.text
    assert f"{cfg}:1:8: 'theme' cannot be 'calm'" in run.err and HINT in run.err, run.err
    assert cfg.read_text() == "theme: calm\n"
    _clean(run)


def test_unset_refuses_a_file_that_does_not_parse(cfg: Path):
    text = "practice: Oak Clinic\npaper: [a4\n"
    cfg.parent.mkdir()
    cfg.write_text(text)
    run = handouts("config", "unset", "paper", env=_env(cfg))
    assert run.code == 2, run.text
    assert f"{cfg}:3:1: YAML syntax" in run.err and "nothing was removed" in run.err
    assert "handouts config edit" in run.err
    assert cfg.read_text() == text
    _clean(run)


def test_unset_an_unknown_key_that_is_not_there(cfg: Path):
    cfg.parent.mkdir()
    cfg.write_text("paper: a4\n")
    run = handouts("config", "unset", "colour", env=_env(cfg))
    assert run.code == 2 and "unknown setting 'colour'" in run.err, run.text
    assert cfg.read_text() == "paper: a4\n"
    _clean(run)


def test_unset_a_key_not_set_is_fine(cfg: Path):
    run = handouts("config", "unset", "logo", env=_env(cfg))
    assert run.code == 0, run.text
    assert not cfg.exists()


# ---- config edit ---------------------------------------------------------------------------

def _editor(tmp_path: Path, line: str) -> str:
    """An 'editor' that appends a line to the file it is given, as a person would."""
    script = tmp_path / "fake-editor.py"
    script.write_text(f"import sys\nwith open(sys.argv[-1], 'a') as f:\n    f.write({line!r} + '\\n')\n")
    return f"{sys.executable} {script}"


def test_edit_without_an_editor_says_to_set_one(cfg: Path):
    env = _env(cfg)
    run = handouts("config", "edit", env={**env, "EDITOR": "", "VISUAL": ""})
    assert run.code == 2 and "set EDITOR" in run.err, run.text
    assert not cfg.exists()
    _clean(run)


def test_edit_creates_the_file_with_its_header(cfg: Path, tmp_path: Path):
    run = handouts("config", "edit", env=_env(cfg, EDITOR=_editor(tmp_path, "paper: a4"), VISUAL=""))
    assert run.code == 0, run.text
    assert cfg.read_text() == "# handoutkit settings: `handouts config set KEY VALUE` changes them.\npaper: a4\n"
    assert "paper: a4" in handouts("config", env=_env(cfg)).out


def test_visual_comes_before_editor(cfg: Path, tmp_path: Path):
    run = handouts("config", "edit", env=_env(cfg, VISUAL=_editor(tmp_path, "theme: print"), EDITOR="false"))
    assert run.code == 0, run.text
    assert "theme: print" in cfg.read_text()


def test_edit_repairs_a_damaged_file(cfg: Path, tmp_path: Path):
    cfg.parent.mkdir()
    cfg.write_text("paper: [a4\n")
    fixer = tmp_path / "fix.py"
    fixer.write_text("import sys\nopen(sys.argv[-1], 'w').write('paper: a4\\n')\n")
    run = handouts("config", "edit", env=_env(cfg, EDITOR=f"{sys.executable} {fixer}"))
    assert run.code == 0 and "is valid" in run.out, run.text


def test_edit_reports_what_the_editor_left_broken(cfg: Path, tmp_path: Path):
    run = handouts("config", "edit", env=_env(cfg, EDITOR=_editor(tmp_path, "paper: a2"), VISUAL=""))
    assert run.code == 2, run.text
    assert f"{cfg}:2:8: 'paper' cannot be 'a2'" in run.err, run.err
    _clean(run)


def test_edit_with_an_editor_that_is_not_there(cfg: Path):
    run = handouts("config", "edit", env=_env(cfg, EDITOR="no-such-editor-here", VISUAL=""))
    assert run.code == 2 and "no-such-editor-here" in run.err and "EDITOR" in run.err, run.text
    assert not cfg.exists()
    _clean(run)
