"""The small things a new user reaches for in the first hour: the version, shell completion
(with handout ids), help that names what to type, `list` that greps, the example packets,
a starter whose schema line survives git, schema suggestions for `handouts:`, and a
block-type error that lists every block type."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pypdf
import pytest

from conftest import ROOT, handouts

from handoutkit.models import BLOCK_TYPES

COMMANDS = [["build"], ["list"], ["show"], ["examples"], ["check"], ["preview"], ["new"], ["schema"],
            ["config"], ["config", "set"], ["config", "unset"], ["config", "edit"], ["config", "path"]]


def _bundled_ids() -> list[str]:
    listed = handouts("list", "--json")
    assert listed.code == 0, listed.text
    return [h["id"] for h in json.loads(listed.out)]


def test_version_is_the_packages():
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    result = handouts("--version")
    assert result.code == 0 and result.out == f"handouts {version}\n", result.text


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_what_to_type_not_python_types(command: list[str]):
    result = handouts(*command, "--help")
    assert result.code == 0, result.text
    assert result.out.startswith(f"Usage: handouts {' '.join(command)} "), result.out
    python_types = re.compile(r"<(str|int|float|bool|path|Path|list\[[^\]]*\]|[a-z]+ range)>"
                              r"|\b(TEXT|INTEGER|PATH|FLOAT|BOOLEAN|FILENAME)\b|\{\w+\}")
    assert not python_types.search(result.out), python_types.search(result.out).group()


def test_shell_completion_installs_and_completes_handout_ids(tmp_path: Path):
    # `handouts` on PATH, as installed; run from bash, which is the shell it detects.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "handouts").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m handoutkit "$@"\n')
    (bin_dir / "handouts").chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    home = tmp_path / "home"
    home.mkdir()
    installed = subprocess.run(["bash", "-c", "handouts --install-completion; exit $?"], capture_output=True, text=True,
                               timeout=600, env={**os.environ, "PATH": path, "HOME": str(home), "SHELL": "/bin/bash"})
    assert installed.returncode == 0, installed.stdout + installed.stderr
    script = home / ".bash_completions" / "handouts.sh"
    assert installed.stdout.startswith(f"bash completion installed in {script}")
    assert f"source '{script}'" in (home / ".bashrc").read_text()

    # The installed script, run by bash as a Tab would.
    own = tmp_path / "mine"
    own.mkdir()
    (own / "sleep-worries.yaml").write_text("title: Mine\n", encoding="utf-8")
    (tmp_path / "session-3.yaml").write_text("title: S\nhandouts: [help-now]\n", encoding="utf-8")

    def tab(*words: str) -> list[str]:
        line = " ".join(["handouts", *words])
        done = subprocess.run(
            ["bash", "-c", f'source "{script}"; COMP_WORDS=({line}); COMP_CWORD={len(words)}; '
                           '_handouts_completion handouts; printf "%s\\n" "${COMPREPLY[@]}"'],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
            env={**os.environ, "PATH": path})
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        return [w for w in done.stdout.splitlines() if w]

    assert tab("build", "grounding") == ["grounding-5-4-3-2-1", "grounding-phrases"]
    assert tab("show", "body") == ["body-scan"]
    assert tab("build", "example:f") == ["example:first-session"]
    assert tab("build", "sess") == ["session-3.yaml"]  # packet files here too
    assert tab("-L", "mine", "show", "sleep") == ["sleep-worries"]  # and the clinician's own ids
    assert tab("preview", "help") == ["help-now"]


def test_list_piped_is_one_line_per_handout():
    result = handouts("list")  # stdout is a pipe here, as in `handouts list | grep sleep`
    assert result.code == 0, result.text
    ids = _bundled_ids()
    lines = result.out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ids
    listed = json.loads(handouts("list", "--json").out)
    for line, entry in zip(lines, listed):
        # Every column whole on its line, however long: nothing wrapped or cut.
        assert line.split("\t") == [entry["id"], entry["title"], entry["kind"], entry["audience"], ", ".join(entry["topics"])]
    assert max(map(len, lines)) > 80  # some lines are longer than a terminal's default width


def test_example_packets_are_listed_and_built_by_name(tmp_path: Path):
    listed = handouts("examples")
    assert listed.code == 0, listed.text
    names = [line.split("\t")[0] for line in listed.out.splitlines()]
    assert names == sorted(f"example:{p.stem}" for p in (ROOT / "examples").glob("*.yaml"))
    assert "example:first-session\tUnderstanding sexual coercion (3 handouts)" in listed.out.splitlines()

    built = handouts("build", "example:first-session", cwd=tmp_path)
    assert built.code == 0, built.text
    assert built.out.startswith("wrote first-session.pdf (")
    reader = pypdf.PdfReader(tmp_path / "first-session.pdf")
    assert "Understanding sexual coercion" in reader.pages[0].extract_text()

    unknown = handouts("build", "example:first-sesion", cwd=tmp_path)
    assert unknown.code == 2 and "Traceback" not in unknown.text
    assert unknown.err.startswith("no example packet 'example:first-sesion' (expected one of: example:")
    assert "example:first-session" in unknown.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first-session.pdf"]


def _schema_line(module: Path) -> str:
    first = module.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), first
    return first.split("$schema=", 1)[1]


def test_starter_schema_line_survives_git(tmp_path: Path):
    # In a repository that keeps the schema (`handouts schema --write schema`): a relative path to it.
    repo = tmp_path / "practice"
    (repo / ".git").mkdir(parents=True)
    assert handouts("schema", "--write", str(repo / "schema")).code == 0
    made = handouts("new", "sleep-worries", "--dir", str(repo / "handouts"))
    assert made.code == 0, made.text
    assert made.out == f"wrote {repo / 'handouts' / 'sleep-worries.yaml'}\n"
    assert _schema_line(repo / "handouts" / "sleep-worries.yaml") == "../schema/module.schema.json"
    clone = tmp_path / "colleague"
    shutil.copytree(repo, clone)  # what a colleague's clone holds
    schema = json.loads((clone / "handouts" / "../schema/module.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "handoutkit handout module"

    # Anywhere else: a copy beside the module, shared with it; the next starter reuses it.
    folder = tmp_path / "loose"
    made = handouts("new", "calm", "--dir", str(folder))
    assert made.code == 0 and made.out.splitlines() == [f"wrote {folder / 'calm.yaml'}", f"wrote {folder / 'module.schema.json'}"]
    assert _schema_line(folder / "calm.yaml") == "module.schema.json"
    assert json.loads((folder / "module.schema.json").read_text())["title"] == "handoutkit handout module"
    again = handouts("new", "calm-two", "--dir", str(folder))
    assert again.out == f"wrote {folder / 'calm-two.yaml'}\n"
    assert _schema_line(folder / "calm-two.yaml") == "module.schema.json"
    assert "file://" not in (folder / "calm-two.yaml").read_text()


def test_packet_schema_suggests_bundled_ids_and_accepts_ones_own():
    result = handouts("schema", "packet")
    assert result.code == 0, result.text
    schema = json.loads(result.out)
    items = schema["properties"]["handouts"]["items"]
    enums = [branch["enum"] for branch in items["anyOf"] if "enum" in branch]
    assert enums == [_bundled_ids()]  # what an editor offers while typing
    for handouts_ in (["help-now"], ["sleep-worries"], ["mine/sleep-worries.yaml", "body-scan"]):
        jsonschema.validate({"title": "P", "handouts": handouts_}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "P", "handouts": [""]}, schema)
    assert json.loads((ROOT / "schema" / "packet.schema.json").read_text(encoding="utf-8")) == schema


@pytest.mark.parametrize("block", ["- type: paragraph\n    body: hi", "- body: hi", "- Just some text"])
def test_a_block_type_error_lists_every_block_type(tmp_path: Path, block: str):
    module = tmp_path / "m.yaml"
    module.write_text("title: T\nkind: handout\naudience: clinician\ntopics: [general]\nblocks:\n  " + block + "\n",
                      encoding="utf-8")
    for command in (["check", "--no-pages"], ["build", "-o", str(tmp_path / "m.pdf")]):
        result = handouts(*command, str(module))
        assert result.code in (1, 2) and "Traceback" not in result.text
        assert f"expected one of: {', '.join(BLOCK_TYPES)})" in result.text, result.text
    assert len(BLOCK_TYPES) == 11
    assert not (tmp_path / "m.pdf").exists()
