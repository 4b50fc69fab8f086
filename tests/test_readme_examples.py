"""The README's "Writing your own handouts" commands run as written, in an empty folder."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from conftest import ROOT, handouts

SECTION = "## Writing your own handouts"


def _commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    section = section[:section.find("\n## ", len(SECTION))]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        lines += [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]
    return [line for line in lines if line]


def test_readme_section_has_commands():
    commands = _commands()
    assert commands and all(line[0] == "handouts" for line in commands)
    assert any(line[1:2] == ["new"] for line in commands)


def test_every_command_runs_as_written(tmp_path):
    env = {"HANDOUTS_CONFIG": str(tmp_path / "config.yaml")}
    for line in _commands():
        args = line[1:]
        if args[0] == "preview":  # serves until stopped: only its target is checked
            assert (tmp_path / args[-1]).is_file(), line
            continue
        run = handouts(*args, cwd=tmp_path, env=env)
        assert run.code == 0, (line, run.text)
        assert "Traceback" not in run.text
    assert (tmp_path / "my-handouts" / "sleep-worries.yaml").is_file()
    pdfs = list(tmp_path.rglob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs), pdfs


def test_new_creates_the_folder_named(tmp_path):
    run = handouts("new", "calm-breath", "--kind", "exercise", "--dir", "fresh", cwd=tmp_path)
    assert run.code == 0, run.text
    assert (tmp_path / "fresh" / "calm-breath.yaml").is_file()
    assert handouts("check", "--strict", "fresh/calm-breath.yaml", cwd=tmp_path).code == 0


def test_new_refuses_a_dir_that_is_a_file(tmp_path):
    (tmp_path / "notes").write_text("mine\n")
    run = handouts("new", "calm-breath", "--dir", "notes", cwd=tmp_path)
    assert run.code == 2 and "notes is a file, not a folder" in run.err, run.text
    assert "Traceback" not in run.text
    assert (tmp_path / "notes").read_text() == "mine\n"


def test_new_makes_one_level_only(tmp_path):
    run = handouts("new", "calm-breath", "--dir", "typo/deeper", cwd=tmp_path)
    assert run.code == 2 and "no folder typo" in run.err, run.text
    assert not (tmp_path / "typo").exists()
