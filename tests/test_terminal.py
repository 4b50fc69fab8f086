"""The terminal shows text, never commands: what a file or flag holds is spelled out, and
YAML escapes or !!binary cannot put control characters into a handout."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import ROOT, handouts
from handoutkit import sources
from handoutkit.errors import InputError
from handoutkit.terminal import CONTROL, visible

GOOD = (ROOT / "handouts" / "body-scan.yaml").read_text(encoding="utf-8")
TITLE = "title: A gentle body scan"
TITLE_LINE = GOOD.split("\n").index(TITLE) + 1

# Anything that makes a terminal act: escapes, a bell, a carriage return that overwrites the
# line, a C1 control sequence introducer, DEL, bidi overrides and isolates, a bidi mark.
RAW = ["\x1b", "\x07", "\r", "\x08", "\x9b", "\x7f", "\x85", "\u202e", "\u2066", "\u2069", "\u200f", "\u2028"]


def plainly(run, code: int) -> str:
    assert run.code == code, run.text
    assert "Traceback" not in run.err and "internal error" not in run.text, run.text
    assert not any(c in run.text for c in RAW), repr(run.text)  # nothing reached the terminal raw
    return run.text


@pytest.mark.parametrize("char, shown", [
    ("\x1b", "\\x1b"), ("\x07", "\\x07"), ("\r", "\\x0d"), ("\x00", "\\x00"), ("\x7f", "\\x7f"),
    ("\x9b", "\\x9b"), ("\u202e", "\\u202e"), ("\u2066", "\\u2066"), ("\u200e", "\\u200e"),
    ("\u2028", "\\u2028"), (os.fsdecode(b"\xff"), "\\xff"),
])
def test_visible_spells_out_what_a_terminal_would_obey(char: str, shown: str):
    assert visible(f"a{char}b") == f"a{shown}b"
    visible(f"a{char}b").encode("ascii")  # printable on any terminal, even one that is not UTF-8


def test_visible_keeps_text_newlines_and_tabs():
    text = "Café — 你好 😀 שלום\n\tnext line"
    assert visible(text) == text


def test_content_keeps_the_plain_bidi_marks_and_refuses_the_rest():
    assert not CONTROL.search("\u200e\u200f\u200b\t\n")
    assert all(CONTROL.search(c) for c in ["\x1b", "\x00", "\r", "\x9b", "\u202a", "\u202e", "\u2066", "\u2069"])


# ---- YAML cannot smuggle them into content ---------------------------------------------


@pytest.mark.parametrize("escaped, name", [
    ("\\e[31m", "U+001B (ESCAPE)"), ("\\x07", "U+0007 (BELL)"), ("\\r", "U+000D (CARRIAGE RETURN)"),
    ("\\x9b", "U+009B"), ("\\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("\\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ("\\L", "U+2028 (LINE SEPARATOR)"), ("\\N", "U+0085 (NEXT LINE)"),
])
def test_yaml_escapes_cannot_put_control_characters_into_text(tmp_path: Path, escaped: str, name: str):
    module = tmp_path / "esc.yaml"
    module.write_text(GOOD.replace(TITLE, f'title: "Body {escaped} scan"'), encoding="utf-8")
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "esc.pdf")), code=2)
    assert f"esc.yaml:{TITLE_LINE}:8: this text holds an invisible control character {name}" in text
    assert not (tmp_path / "esc.pdf").exists()


def test_a_raw_bidi_override_in_the_file_is_refused_too(tmp_path: Path):
    module = tmp_path / "rlo.yaml"
    module.write_text(GOOD.replace(TITLE, "title: Body \u202escan"), encoding="utf-8")
    text = plainly(handouts("check", "--no-pages", str(module)), code=1)
    assert f"rlo.yaml:{TITLE_LINE}:8: error: this text holds an invisible control character U+202E" in text


def test_the_plain_bidi_marks_stay(tmp_path: Path):
    path = tmp_path / "rtl.yaml"
    path.write_text(GOOD.replace(TITLE, 'title: "Body scan \\u200f(שלום)"'), encoding="utf-8")
    assert sources.load(path).data["title"] == "Body scan \u200f(שלום)"


def test_binary_values_are_refused(tmp_path: Path):
    module = tmp_path / "bin.yaml"
    module.write_text(GOOD.replace(TITLE, "title: !!binary G1szMW0="), encoding="utf-8")  # ESC[31m
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "bin.pdf")), code=2)
    assert f"bin.yaml:{TITLE_LINE}:8: binary data (!!binary) is not allowed" in text
    assert not (tmp_path / "bin.pdf").exists()


def test_control_characters_in_a_config_value(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text('practice: "\\e]0;owned\\a"\n', encoding="utf-8")
    text = plainly(handouts("config", env={"HANDOUTS_CONFIG": str(config)}), code=2)
    assert "config.yaml:1:11: this text holds an invisible control character U+001B (ESCAPE)" in text


# ---- what reaches the terminal ---------------------------------------------------------


def test_flags_with_control_characters_are_refused_and_shown_as_text(tmp_path: Path):
    text = plainly(handouts("build", "body-scan", "--client", "\x1b]0;pwned\x07Bob", cwd=tmp_path), code=2)
    assert "'\\x1b]0;pwned\\x07Bob' (given to --client) holds an invisible control character U+001B (ESCAPE)" in text
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_key_with_escapes_is_named_as_text(tmp_path: Path):
    module = tmp_path / "key.yaml"
    module.write_text('"\\e[2J\\e[Hall good": 1\n' + GOOD, encoding="utf-8")
    text = plainly(handouts("check", "--no-pages", str(module)), code=1)
    assert "key.yaml:1:1: error: unknown key '\\x1b[2J\\x1b[Hall good'" in text


@pytest.fixture(scope="module")
def hostile_names(tmp_path_factory) -> Path:
    """A library folder whose broken files are named to drive a terminal."""
    lib = tmp_path_factory.mktemp("lib")
    (lib / "\x1b[2Jwiped.yaml").write_text("title: [\n", encoding="utf-8")
    (lib / "evil\u202eyaml.txt.yaml").write_text("title: only\n", encoding="utf-8")
    (lib / (os.fsdecode(b"caf\xe9") + ".yaml")).write_text("title: [\n", encoding="utf-8")
    (lib / "mine.yaml").write_text(GOOD.replace("id: body-scan", "id: mine"), encoding="utf-8")
    return lib


def test_list_shows_hostile_file_names_as_text(hostile_names: Path):
    run = handouts("-L", str(hostile_names), "list")
    text = plainly(run, code=0)
    assert "\\x1b[2Jwiped.yaml:2:1: YAML syntax" in text
    assert "evil\\u202eyaml.txt.yaml:1:1:" in text
    assert "caf\\xe9.yaml:2:1: YAML syntax" in text
    assert "mine" in run.out


def test_list_json_is_json(hostile_names: Path):
    run = handouts("-L", str(hostile_names), "list", "--json")
    plainly(run, code=0)
    assert "mine" in {m["id"] for m in json.loads(run.out)}


def test_check_shows_hostile_file_names_as_text(hostile_names: Path):
    text = plainly(handouts("check", "--no-pages", str(hostile_names)), code=1)
    assert "\\x1b[2Jwiped.yaml:2:1: error: YAML syntax" in text


def test_show_of_a_hostile_name_is_text(hostile_names: Path):
    text = plainly(handouts("-L", str(hostile_names), "show", "\u202eevil"), code=2)
    assert "'\\u202eevil' holds an invisible control character U+202E (RIGHT-TO-LEFT OVERRIDE)" in text


def test_a_library_folder_named_in_another_encoding(tmp_path: Path):
    folder = os.fsdecode(str(tmp_path).encode() + b"/caf\xe9")
    text = plainly(handouts("list", env={"HANDOUTS_LIBRARY": folder}), code=2)
    assert "caf\\xe9 (give a folder that holds .yaml handout modules)" in text


def test_the_internal_error_message_is_text_too(monkeypatch, capsys):
    """Even a bug's message (which may quote a file) reaches the terminal as text."""
    import sys

    from handoutkit import cli

    def broken(**_):  # main() calls app(prog_name="handouts")
        raise RuntimeError("boom \x1b[2J\u202e")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(sys, "argv", ["handouts"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 70
    assert "boom \\x1b[2J\\u202e" in err


def test_inputerror_messages_print_as_text(tmp_path: Path, monkeypatch, capsys):
    import sys

    from handoutkit import cli
    from handoutkit.errors import Problem

    def broken(**_):  # main() calls app(prog_name="handouts")
        raise InputError(Problem(tmp_path / "a\x1b[31m.yaml", 1, 1, "said \x07"))

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(sys, "argv", ["handouts"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    assert "a\\x1b[31m.yaml:1:1: said \\x07" in capsys.readouterr().err
