"""`handouts check` as a reviewer: each finding fires on a fixture made for it, and is quiet on the library."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, handouts

CHECK = FIXTURES / "check"

# fixture, line, col, level, words in the message
FINDINGS = [
    ("hard-reading.yaml", 6, 1, "warning", "reads at grade"),
    ("hard-reading.yaml", 6, 1, "warning", 'Hardest sentences: "Notwithstanding contemporaneous'),
    ("long-sentence.yaml", 8, 11, "warning", "a sentence of 38 words (over 25): split it in two"),
    ("no-summary.yaml", 1, 1, "warning", "no summary: add 'summary:'"),
    ("no-action.yaml", 6, 1, "warning", "no action: add a steps, checklist, prompts, script or scale block"),
    ("sensitive.yaml", 1, 1, "warning", "about coercion, abuse or assault but has no content note"),
    ("sensitive.yaml", 6, 1, "warning", "has no way to get help now: add a block '- type: resources'"),
    ("stale-review.yaml", 9, 11, "warning", "last reviewed 2020-01-15, over two years ago"),
    ("http-source.yaml", 11, 10, "warning", "the source link http://example.org/page is not https"),
    ("over-budget.yaml", 2, 1, "warning", "pages on Letter, over its budget of 1"),
    ("unknown-id-packet.yaml", 4, 5, "error", "no handout with the id 'body-scann' (did you mean 'body-scan'? `handouts list` shows them all)"),
]


@pytest.mark.parametrize("name,line,col,level,words", FINDINGS)
def test_each_finding_fires_where_it_should(name, line, col, level, words):
    path = CHECK / name
    result = handouts("check", str(path))
    assert "Traceback" not in result.text
    expected = f"{path}:{line}:{col}: {level}: "
    hits = [l for l in result.out.splitlines() if l.startswith(expected) and words in l]
    assert hits, result.out
    # Warnings alone pass a plain check and fail a strict one; errors always fail.
    assert result.code == (1 if level == "error" else 0)
    assert handouts("check", "--strict", str(path)).code == 1


def test_json_output_for_tools():
    result = handouts("check", "--json", "--no-pages", str(CHECK / "sensitive.yaml"), str(CHECK / "no-summary.yaml"))
    report = json.loads(result.out)
    assert report["files"] == 2 and report["errors"] == 0 and report["warnings"] == 3
    first = report["findings"][0]
    assert set(first) == {"path", "line", "col", "level", "message"}


def test_summary_line_counts_files_errors_and_warnings():
    result = handouts("check", "--no-pages", str(CHECK / "sensitive.yaml"))
    assert result.out.strip().splitlines()[-1] == "1 file checked: 0 errors, 2 warnings"


def test_validation_errors_are_check_findings_too():
    path = FIXTURES / "bad" / "colon-in-text.yaml"
    result = handouts("check", str(path))
    assert result.code == 1
    assert f"{path}:9:9: error: this text reads as 'key: value' because of the ': ' in it (expected plain text: put the whole text in quotes)" in result.out


def test_the_bundled_library_is_quiet():
    result = handouts("check", "--strict")
    assert result.code == 0, result.out
    assert result.out.strip().splitlines() == ["18 files checked: 0 errors, 0 warnings"]


def test_check_of_a_missing_path_is_a_usage_error(tmp_path):
    result = handouts("check", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "no such file or folder" in result.err
