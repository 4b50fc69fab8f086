"""Every input a user can get wrong: a clear `path:line:col` message, exit 2, no traceback, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, handouts

BAD = FIXTURES / "bad"

# file, line, col, words the message must contain
CASES = [
    ("yaml-syntax.yaml", 5, 7, "YAML syntax: expected ',' or ']'"),
    ("unknown-key.yaml", 5, 1, "unknown key 'sumary' (did you mean 'summary'?"),
    ("wrong-type.yaml", 5, 10, "'minutes' is text 'a while' (expected a whole number)"),
    ("bad-block-type.yaml", 8, 11, "unknown block type 'paragraph'"),
    ("short-table-row.yaml", 10, 9, "this row has 2 cells but the table has 3 columns"),
    ("unknown-id-packet.yaml", 4, 5, "no handout with the id 'grounding-5-4-3-2-one' (did you mean 'grounding-5-4-3-2-1'"),
    ("nested-error.yaml", 10, 18, "'minutes' cannot be -1 (expected more than 0)"),
]


def build_beside(tmp_path: Path, content: str | bytes, name: str = "input.yaml"):
    """Write a file beside tmp_path and build it with tmp_path as the (empty) working folder."""
    path = tmp_path.parent / f"{tmp_path.name}-{name}"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path, handouts("build", str(path), cwd=tmp_path)


def assert_clean_failure(result, tmp_path: Path) -> None:
    assert result.code == 2, result.text
    assert "Traceback" not in result.text
    assert not list(tmp_path.iterdir()), "a failed build wrote something"


@pytest.mark.parametrize("name,line,col,words", CASES)
def test_bad_input_is_one_clear_message(tmp_path: Path, name, line, col, words):
    result = handouts("build", str(BAD / name), cwd=tmp_path)
    assert_clean_failure(result, tmp_path)
    assert f"{BAD / name}:{line}:{col}: " in result.err, result.err
    assert words in result.err, result.err


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path):
    _, result = build_beside(
        tmp_path,
        "title: Many problems\nkind: leaflet\naudience: client\ntopics: [testing]\ncolour: blue\nblocks:\n"
        "  - type: list\n    items: []\n  - type: scale\n    question: How much?\n    labels: {11: Too far}\n",
    )
    assert_clean_failure(result, tmp_path)
    lines = result.err.strip().splitlines()
    assert [line.split(":")[1] for line in lines] == ["2", "5", "8", "11"], result.err
    assert "'kind' cannot be 'leaflet'" in lines[0]
    assert "unknown key 'colour'" in lines[1]
    assert "'items' is empty" in lines[2]
    assert "label 11 is outside the scale" in lines[3]


def test_unknown_id_on_the_command_line_suggests_the_closest(tmp_path: Path):
    result = handouts("build", "consent-litracy", cwd=tmp_path)
    assert_clean_failure(result, tmp_path)
    assert "no handout with the id 'consent-litracy' (did you mean 'consent-literacy'" in result.err


def test_duplicate_id_in_one_folder_names_both_files(tmp_path: Path):
    library = tmp_path.parent / f"{tmp_path.name}-lib"
    library.mkdir()
    body = "title: Twin\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n  - type: text\n    body: Hi.\n"
    (library / "a.yaml").write_text("id: twin\n" + body, encoding="utf-8")
    (library / "b.yaml").write_text("id: twin\n" + body, encoding="utf-8")
    result = handouts("--library", str(library), "build", "twin", cwd=tmp_path)
    assert_clean_failure(result, tmp_path)
    assert f"{library / 'b.yaml'}:1:5: the id 'twin' is also used by {library / 'a.yaml'}" in result.err


@pytest.mark.parametrize("content,words", [
    (b"", "the file is empty"),
    (b"title: \xff\xfe bad bytes\n", "not UTF-8"),
    (b"- just\n- a list\n", "expected a set of keys"),
    (b"title: !!python/object/apply:os.system [echo hi]\n", "is not allowed"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, words: str):
    _, result = build_beside(tmp_path, content)
    assert_clean_failure(result, tmp_path)
    assert words in result.err


def test_a_folder_where_a_file_is_expected(tmp_path: Path):
    folder = tmp_path.parent / f"{tmp_path.name}-dir.yaml"
    folder.mkdir(exist_ok=True)
    result = handouts("build", str(folder), cwd=tmp_path)
    assert_clean_failure(result, tmp_path)
    assert "is a folder" in result.err or "this is a folder" in result.err


def test_bad_flags_are_usage_errors(tmp_path: Path):
    for args in (["--paper", "legal"], ["--date", "next tuesday"], ["--region", "FR"]):
        result = handouts("build", "consent-literacy", *args, cwd=tmp_path)
        assert_clean_failure(result, tmp_path)
    assert "expected one of: US, UK, CA, AU, IE" in result.err


def test_failed_build_leaves_an_existing_output_untouched(tmp_path: Path):
    out = tmp_path / "session.pdf"
    out.write_bytes(b"the PDF from last week")
    result = handouts("build", str(BAD / "short-table-row.yaml"), "-o", str(out))
    assert result.code == 2
    assert out.read_bytes() == b"the PDF from last week"
    assert [p.name for p in tmp_path.iterdir()] == ["session.pdf"]  # no stray temporary file


def test_packet_region_error_points_at_the_key(tmp_path: Path):
    packet, result = build_beside(tmp_path, "title: P\nhandouts: [help-now]\nregion: NZ\n")
    assert_clean_failure(result, tmp_path)
    assert f"{packet}:3:9: unknown region 'NZ' (expected one of: US, UK, CA, AU, IE)" in result.err


def test_a_mistyped_client_name_is_not_echoed(tmp_path: Path):
    packet, result = build_beside(tmp_path, "title: P\nhandouts: [help-now]\nclient: [Zelda, Quixote]\n")
    assert_clean_failure(result, tmp_path)
    assert f"{packet}:3:9: 'client' is a list (expected text" in result.err
    assert "Zelda" not in result.text
