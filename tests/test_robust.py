"""Every problem a user or a received folder can cause is exit 2 with a location, never an
internal error; one broken file in a library stops only itself; the validation gaps of
issue 10 (languages, ids from file names, merge keys, empty config, positions) are closed."""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, handouts, pdf_text
from handoutkit import models, sources
from handoutkit.errors import InputError

GOOD = (ROOT / "handouts" / "body-scan.yaml").read_text(encoding="utf-8")


def mine(module_id: str = "mine", title: str = "A gentle body scan") -> str:
    """The bundled body scan, under another id (and title)."""
    return GOOD.replace("id: body-scan", f"id: {module_id}").replace("title: A gentle body scan", f"title: {title}")


def plainly(run, code: int = 2) -> str:
    """All the run printed, after checking it failed plainly: this status, no traceback."""
    assert run.code == code, run.text
    assert "Traceback" not in run.err and "internal error" not in run.text, run.text
    return run.text


def unchanged(folder: Path, before: dict[str, bytes]) -> None:
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ---- keys YAML reads as something other than a word ------------------------------------


@pytest.mark.parametrize("key, where, says", [
    ("2026-13-45", "1:1", "unknown key '2026-13-45'"),  # a date that is no date
    ("2026-01-01", "1:1", "unknown key '2026-01-01'"),  # a real date
    ("!!int x", "1:1", "unknown key 'x'"),  # tagged a number, not one
    ("!!float abc", "1:1", "unknown key 'abc'"),
    ("1e999", "1:1", "unknown key '1e999'"),  # a float that overflows
    ("12", "1:1", "unknown key '12'"),
    ("true", "1:1", "unknown key 'true'"),
    ("? [a, b]\n", "1:3", "a key must be a plain word"),
])
def test_keys_that_yaml_reads_as_dates_or_numbers(tmp_path: Path, key: str, where: str, says: str):
    module = tmp_path / "k.yaml"
    module.write_text(f"{key}: 1\n" + GOOD, encoding="utf-8")
    before = snapshot(tmp_path)
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "k.pdf")))
    assert f"k.yaml:{where}: {says}" in text
    unchanged(tmp_path, before)


# ---- files that cannot be read ---------------------------------------------------------


def test_a_symlink_loop_as_target(tmp_path: Path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    build = plainly(handouts("build", str(tmp_path / "a.yaml"), "-o", str(tmp_path / "a.pdf")))
    assert "a.yaml:1:1: this link leads round in a circle (a symlink loop" in build
    check = plainly(handouts("check", "--no-pages", str(tmp_path / "a.yaml")), code=1)
    assert "a.yaml:1:1: error: this link leads round in a circle" in check
    assert not (tmp_path / "a.pdf").exists()


def test_a_fifo_as_target_is_never_opened(tmp_path: Path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    # Opening a FIFO to read waits for a writer for ever: a hang here would fail by the
    # helper's own timeout. It must be refused from its kind alone.
    build = plainly(handouts("build", str(fifo), "-o", str(tmp_path / "p.pdf")))
    assert "pipe.yaml:1:1: this is not a regular file (a FIFO" in build
    check = plainly(handouts("check", "--no-pages", str(fifo)), code=1)
    assert "pipe.yaml:1:1: error: this is not a regular file" in check
    assert not (tmp_path / "p.pdf").exists()


def test_a_path_under_a_file(tmp_path: Path):
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    text = plainly(handouts("build", str(tmp_path / "good.yaml" / "x.yaml"), "-o", str(tmp_path / "x.pdf")))
    assert "x.yaml:1:1: no such file (a part of this path is a file, not a folder)" in text


def test_an_unreadable_file(tmp_path: Path, monkeypatch, capsys):
    """chmod 000 does not stop root (the tests may run as root), so the refusal the
    operating system gives is made here, in the process, where `handouts` opens the file."""
    from handoutkit import cli

    module = tmp_path / "secret.yaml"
    module.write_text(GOOD, encoding="utf-8")
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if Path(path) == module:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sources.os, "open", refuse)
    monkeypatch.setattr(sys, "argv", ["handouts", "build", str(module), "-o", str(tmp_path / "s.pdf")])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2, err
    assert f"{module}:1:1: permission denied: this file cannot be read (check its permissions)" in err
    assert not (tmp_path / "s.pdf").exists()


# ---- arguments that are not text -------------------------------------------------------


@pytest.mark.parametrize("args, says", [
    (["build", os.fsdecode(b"\xff.yaml")], "'\\xff.yaml' is not valid text"),
    (["build", "body-scan", "--client", os.fsdecode(b"Al\xe9x")], "'Al\\xe9x' (given to --client) is not valid text"),
    (["build", "body-scan", "--client=" + os.fsdecode(b"\xff")], "'\\xff' (given to --client) is not valid text"),
    (["show", os.fsdecode(b"\xc3")], "'\\xc3' is not valid text"),
])
def test_arguments_that_are_not_utf8(tmp_path: Path, args: list[str], says: str):
    text = plainly(handouts(*args, cwd=tmp_path))
    assert says in text
    assert list(tmp_path.iterdir()) == []


# ---- one broken file in a library folder -----------------------------------------------

BROKEN = {  # file → what is said about it
    "badyaml.yaml": "badyaml.yaml:2:1: YAML syntax",
    "invalid.yaml": "invalid.yaml:1:1: missing required key 'kind'",
    "twin-b.yaml": "twin-b.yaml:2:5: the id 'twin' is also used by",
    "out.yaml": "out.yaml:1:1: this file is a link to a file outside its library folder",
    "pipe.yaml": "pipe.yaml:1:1: this is not a regular file",
    "loop-a.yaml": "loop-a.yaml:1:1: this link leads round in a circle",
    "My Handout.yaml": "My Handout.yaml:1:1: the file name 'My Handout' cannot be the module's id",
}


@pytest.fixture(scope="module")
def broken_library(tmp_path_factory) -> Path:
    lib = tmp_path_factory.mktemp("lib")
    (lib / "mine.yaml").write_text(mine(title="Mine still builds"), encoding="utf-8")
    (lib / "badyaml.yaml").write_text("title: [\n", encoding="utf-8")
    (lib / "invalid.yaml").write_text("title: Only a title\n", encoding="utf-8")
    (lib / "twin-a.yaml").write_text(mine("twin"), encoding="utf-8")
    (lib / "twin-b.yaml").write_text(mine("twin"), encoding="utf-8")
    outside = tmp_path_factory.mktemp("elsewhere") / "notes.yaml"
    outside.write_text(mine("notes"), encoding="utf-8")
    (lib / "out.yaml").symlink_to(outside)
    os.mkfifo(lib / "pipe.yaml")
    (lib / "loop-a.yaml").symlink_to(lib / "loop-b.yml")
    (lib / "loop-b.yml").symlink_to(lib / "loop-a.yaml")
    (lib / "My Handout.yaml").write_text(GOOD.replace("id: body-scan\n", ""), encoding="utf-8")
    return lib


def test_list_shows_the_rest_and_names_each_broken_file_once(broken_library: Path):
    run = handouts("-L", str(broken_library), "list", env={"COLUMNS": "300"})
    plainly(run, code=0)
    assert "mine" in run.out and "Mine still builds" in run.out and "body-scan" in run.out
    for name, says in BROKEN.items():
        assert says in run.err, name
        assert run.err.count(f"{broken_library / name}:") == (4 if name == "invalid.yaml" else 1), run.err
    assert "twin" not in run.out  # neither of two files claiming one id is listed


def test_show_other_works_and_show_broken_says_why(broken_library: Path):
    run = handouts("-L", str(broken_library), "show", "mine")
    plainly(run, code=0)
    assert "Mine still builds" in run.out
    for module_id, name in [("twin", "twin-b.yaml"), ("badyaml", "badyaml.yaml"), ("pipe", "pipe.yaml"),
                            ("loop-a", "loop-a.yaml"), ("out", "out.yaml"), ("My Handout", "My Handout.yaml")]:
        assert BROKEN[name] in plainly(handouts("-L", str(broken_library), "show", module_id)), module_id


def test_check_reports_each_broken_file_and_checks_the_rest(broken_library: Path):
    run = handouts("-L", str(broken_library), "check", "--no-pages")
    text = plainly(run, code=1)
    for name, says in BROKEN.items():
        error = says.replace(": ", ": error: ", 1) if ":1:1:" in says or ":2:" in says else says
        assert error in text, name
    assert text.count(str(broken_library / "twin-b.yaml")) == 1


def test_build_other_works_and_build_broken_says_why(broken_library: Path, tmp_path: Path):
    out = tmp_path / "mine.pdf"
    plainly(handouts("-L", str(broken_library), "build", "mine", "-o", str(out)), code=0)
    assert "Mine still builds" in pdf_text(out)
    text = plainly(handouts("-L", str(broken_library), "build", "twin", "-o", str(tmp_path / "twin.pdf")))
    assert BROKEN["twin-b.yaml"] in text
    assert not (tmp_path / "twin.pdf").exists()


# ---- languages -------------------------------------------------------------------------


def test_the_printable_languages_are_one_tuple():
    assert models.LANGUAGES == ("en", "es", "fr")  # each with handoutkit/locales/<lang>.yaml
    assert models.unprintable_lang("en") is None and models.unprintable_lang("en-GB") is None
    assert models.unprintable_lang("es-US") is None and models.unprintable_lang("fr-CA") is None
    assert "expected one of: en, es, fr" in models.unprintable_lang("de")


@pytest.mark.parametrize("lang", ["de", "klingon", "e", "de-CA"])
def test_lang_flag_accepts_only_printable_languages(tmp_path: Path, lang: str):
    text = plainly(handouts("build", "body-scan", "--lang", lang, "-o", str(tmp_path / "x.pdf")))
    assert f"--lang: handoutkit cannot print in '{lang}' (expected one of: en, es, fr; a region may follow, like en-GB)" in text
    assert not (tmp_path / "x.pdf").exists()


def test_a_packets_lang_accepts_only_printable_languages(tmp_path: Path):
    packet = tmp_path / "p.yaml"
    packet.write_text("title: Session\nhandouts: [body-scan]\nlang: de\n", encoding="utf-8")
    text = plainly(handouts("build", str(packet), "-o", str(tmp_path / "p.pdf")))
    assert "p.yaml:3:7: handoutkit cannot print in 'de' (expected one of: en, es, fr" in text
    assert not (tmp_path / "p.pdf").exists()


# ---- ids from file names ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["build"], ["check", "--no-pages"]])
def test_an_id_from_a_file_name_follows_the_id_rule(tmp_path: Path, command: list[str]):
    module = tmp_path / "My Handout.yaml"
    module.write_text(GOOD.replace("id: body-scan\n", ""), encoding="utf-8")
    before = snapshot(tmp_path)
    text = plainly(handouts(*command, str(module), cwd=tmp_path), code=2 if command == ["build"] else 1)
    assert ("My Handout.yaml:1:1: " + ("error: " if command[0] == "check" else "")
            + "the file name 'My Handout' cannot be the module's id") in text
    assert "add 'id: my-handout' to the file, or rename it to my-handout.yaml" in text
    unchanged(tmp_path, before)


# ---- merge keys ------------------------------------------------------------------------


MERGED = GOOD.replace("blocks:\n", "x-base: &base\n  type: text\n  body: Breathe.\nblocks:\n  - <<: *base\n    title: Merged\n", 1)


def test_merge_keys_are_refused_by_both_readers_alike(tmp_path: Path):
    line = MERGED.split("\n").index("  - <<: *base") + 1
    module = tmp_path / "m.yaml"
    module.write_text(MERGED, encoding="utf-8")
    assert sources._fast(module, MERGED) is None  # libyaml's reading leaves it to PyYAML…
    with pytest.raises(InputError) as refused:
        sources._careful(module, MERGED)  # …which says why, once
    assert str(refused.value) == f"{module}:{line}:5: YAML merge keys ('<<: *name') are not supported here (write the keys out in full)"
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "m.pdf")))
    assert f"m.yaml:{line}:5: YAML merge keys" in text
    assert not (tmp_path / "m.pdf").exists()


def test_merge_as_a_value_or_a_quoted_key_is_text(tmp_path: Path):
    source = sources.load(_write(tmp_path / "v.yaml", 'a: <<\n"<<": b\n'))
    assert source.data == {"a": "<<", "<<": "b"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- an empty config -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "# handoutkit settings: `handouts config set KEY VALUE` changes them.\n"])
def test_an_empty_config_file_is_an_empty_config(tmp_path: Path, text: str):
    config = _write(tmp_path / "config.yaml", text)
    env = {"HANDOUTS_CONFIG": str(config)}
    run = handouts("config", env=env)
    plainly(run, code=0)
    assert "paper: (not set)" in run.out
    plainly(handouts("config", "set", "paper", "a4", env=env), code=0)
    assert "paper: a4" in config.read_text(encoding="utf-8")


# ---- positions as an editor shows them -------------------------------------------------

BOM = "\ufeff"


def test_the_column_after_a_byte_order_mark(tmp_path: Path):
    module = tmp_path / "bom.yaml"
    module.write_bytes(BOM.encode() + b"kind: leaflet\n" + GOOD.replace("kind: exercise\n", "").encode())
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "b.pdf")))
    assert "bom.yaml:1:7: 'kind' cannot be 'leaflet'" in text  # `leaflet` is column 7 in an editor
    module.write_bytes(BOM.encode() + "title: Café \xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff") + GOOD.encode())
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "b.pdf")))
    assert "bom.yaml:1:13: this file is not UTF-8 text" in text  # characters, not bytes; the mark takes none
    assert not (tmp_path / "b.pdf").exists()


@pytest.mark.parametrize("char, name", [("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"), ("\x85", "NEXT LINE")])
def test_the_line_after_a_yaml_only_line_break(tmp_path: Path, char: str, name: str):
    """PyYAML counts these as line breaks and editors do not: refused where they stand,
    counted as an editor counts, so no later line is misplaced."""
    module = tmp_path / "sep.yaml"
    module.write_text(GOOD.replace("title: A gentle body scan", f"title: A gentle{char} body scan"), encoding="utf-8")
    line = GOOD.split("\n").index("title: A gentle body scan") + 1
    text = plainly(handouts("build", str(module), "-o", str(tmp_path / "s.pdf")))
    assert f"sep.yaml:{line}:16: this file holds U+{ord(char):04X} ({name}), which YAML reads as a line break" in text
    assert not (tmp_path / "s.pdf").exists()


# ---- a stylesheet import cycle ---------------------------------------------------------


@pytest.mark.parametrize("sheets, at, says", [
    ({"extra.css": '@import "extra.css";\nbody { color: black }\n'},
     "extra.css:1:1", "stylesheet extra.css imports itself (directly)"),
    ({"extra.css": '@charset "utf-8";\n/* mine */\n@import url(b.css);\n', "b.css": "@import url('extra.css');\n"},
     "b.css:1:1", "stylesheet extra.css imports itself (through b.css)"),
])
def test_a_stylesheet_import_cycle(tmp_path: Path, sheets: dict[str, str], at: str, says: str):
    lib = tmp_path / "lib"
    (lib / "styles").mkdir(parents=True)
    _write(lib / "mine.yaml", mine())
    for name, css in sheets.items():
        _write(lib / "styles" / name, css)
    text = plainly(handouts("-L", str(lib), "build", "mine", "-o", str(tmp_path / "mine.pdf")))
    assert f"{at}: {says}, which would never end (remove this @import)" in text
    assert not (tmp_path / "mine.pdf").exists()


def test_an_import_of_another_sheet_twice_is_no_cycle(tmp_path: Path):
    from handoutkit import cssimports

    for name, css in {"a.css": '@import "c.css";', "b.css": '@import "c.css";', "c.css": "p { margin: 0 }",
                      "d.css": '@import "a.css";\n@import "b.css";'}.items():
        _write(tmp_path / name, css)
    cssimports.refuse_cycles([tmp_path / "d.css"])  # a diamond: c.css twice, but no circle


# ---- symlink loops wherever a path is followed -----------------------------------------


def _loop(folder: Path, name: str) -> Path:
    (folder / name).symlink_to(folder / f"{name}-back")
    (folder / f"{name}-back").symlink_to(folder / name)
    return folder / name


def test_a_library_folder_that_is_a_symlink_loop(tmp_path: Path):
    loop = _loop(tmp_path, "lib")
    text = plainly(handouts("-L", str(loop), "list"))
    assert "library folder not found" in text and "lib" in text


@pytest.mark.parametrize("name, packet, says", [
    ("twist.yaml", "handouts: [twist.yaml]\n", "p.yaml:2:12: 'twist.yaml': this link leads round in a circle (a symlink loop"),
    ("logo.png", "handouts: [body-scan]\nlogo: logo.png\n", "p.yaml:3:7: no logo file at 'logo.png'"),
])
def test_a_packet_path_that_is_a_symlink_loop(tmp_path: Path, name: str, packet: str, says: str):
    _loop(tmp_path, name)
    packet_file = _write(tmp_path / "p.yaml", "title: Session\n" + packet)
    assert says in plainly(handouts("build", str(packet_file), "-o", str(tmp_path / "p.pdf")))
    assert not (tmp_path / "p.pdf").exists()


def test_a_config_logo_that_is_a_symlink_loop(tmp_path: Path):
    _loop(tmp_path, "logo.png")
    env = {"HANDOUTS_CONFIG": str(tmp_path / "config.yaml")}
    text = plainly(handouts("config", "set", "logo", str(tmp_path / "logo.png"), env=env))
    assert "no logo file at" in text
    assert not (tmp_path / "config.yaml").exists()


def test_a_config_file_that_is_a_fifo_is_never_opened(tmp_path: Path):
    os.mkfifo(tmp_path / "config.yaml")
    text = plainly(handouts("config", env={"HANDOUTS_CONFIG": str(tmp_path / "config.yaml")}))
    assert "config.yaml:1:1: this is not a regular file (a FIFO" in text


def test_an_unreadable_library_folder(tmp_path: Path, monkeypatch, capsys):
    from handoutkit import cli

    lib = tmp_path / "lib"
    lib.mkdir()
    real_iterdir = Path.iterdir

    def refuse(self):
        if self == lib:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    monkeypatch.setattr(sys, "argv", ["handouts", "-L", str(lib), "list"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2, err
    assert f"library folder {lib}: permission denied: this folder cannot be read" in err


def test_a_dangling_link_as_target(tmp_path: Path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "deleted.yaml")
    text = plainly(handouts("build", str(tmp_path / "gone.yaml"), "-o", str(tmp_path / "g.pdf")))
    assert "gone.yaml:1:1: this link points to a file that does not exist" in text
    assert not (tmp_path / "g.pdf").exists()
