"""`handouts check` as a reviewer: each finding fires on a fixture made for it, and is quiet on the library."""

from __future__ import annotations

import json

import pytest
from markupsafe import escape

from conftest import FIXTURES, ROOT, handouts
from handoutkit import markdown

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
    ("sensitive-in-body.yaml", 1, 1, "warning", "about coercion, abuse or assault but has no content note"),
    ("sensitive-in-body.yaml", 6, 1, "warning", "has no way to get help now: add a block '- type: resources'"),
    ("stale-review.yaml", 9, 11, "warning", "last reviewed 2020-01-15, over two years ago"),
    ("http-source.yaml", 11, 10, "warning", "the source link http://example.org/page is not https"),
    ("over-budget.yaml", 2, 1, "warning", "pages on Letter, over its budget of 1"),
    ("link-to-a-path.yaml", 8, 11, "warning", 'the link "my notes" will print as its words only, with no address'),
    ("link-without-https.yaml", 10, 9, "warning", 'the link "the clinic website" will print as its words only'),
    ("link-to-a-file-url.yaml", 9, 9, "warning", 'the link "the form" has an address a handout cannot use'),
    ("picture-file-url.yaml", 8, 11, "warning", 'the picture "the breathing chart" has an address a handout cannot use'),
    ("tangled-formatting.yaml", 10, 9, "warning", "too many * or _ marks run together"),
    ("picture-from-the-web.yaml", 10, 11, "error", "the picture 'https://example.org/chart.png' is from the web"),
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


MARKDOWN_LOSSES = ["link-to-a-path.yaml", "link-without-https.yaml", "link-to-a-file-url.yaml",
                   "picture-file-url.yaml", "tangled-formatting.yaml"]


@pytest.mark.parametrize("name", MARKDOWN_LOSSES)
def test_markdown_the_page_loses_is_one_warning(name):
    result = handouts("check", "--no-pages", str(CHECK / name))
    lines = result.out.strip().splitlines()
    assert len(lines) == 2 and ": warning: " in lines[0], result.out
    assert lines[-1] == "1 file checked: 0 errors, 1 warning"


def test_links_that_print_and_plain_formatting_are_quiet():
    result = handouts("check", "--strict", str(CHECK / "links-that-print.yaml"))
    assert result.code == 0, result.out
    assert result.out.strip().splitlines() == ["1 file checked: 0 errors, 0 warnings"]


def test_every_field_printed_as_markdown_is_checked_and_no_other():
    path = CHECK / "links-in-every-field.yaml"
    result = handouts("check", "--no-pages", str(path))
    found = [line.removeprefix(f"{path}:").split(": warning: the link ") for line in result.out.splitlines()[:-1]]
    assert [(at, rest.split('"')[1]) for at, rest in found] == [
        ("7:15", "note"), ("8:11", "point"), ("12:11", "body"), ("14:11", "callout"), ("16:13", "list item"),
        ("18:13", "example"), ("19:11", "note"), ("21:13", "check"), ("24:9", "plain step"), ("25:15", "step"),
        ("29:9", "plain prompt"), ("30:19", "prompt"), ("33:15", "scale"), ("35:10", "label"), ("39:14", "line"),
        ("41:15", "column"), ("43:10", "cell"),
    ]


@pytest.mark.parametrize("text", [
    "[my notes](../notes.md)", "[x](www.example.org) and [y](/etc/hosts)", "[**bold** words](notes.md)",
    "[form](file:///Users/x/form.pdf)", "![chart](file:///x.png)", "[js](javascript:alert(1))",
    "[web](https://example.org) [mail](mailto:a@example.org) [call](tel:123) [top](#top)",
    "Glued " + "*a" * 40, "*" * 20 + "deep" + "*" * 20, "**bold**, _italic_ and `code`",
])
def test_check_and_render_agree_on_what_markdown_loses(text):
    for block, render in ((True, markdown.block), (False, markdown.inline)):
        lost, html = markdown.unprinted(text, block=block), str(render(text))
        assert lost.tangled == ("<em>" not in html and "<strong>" not in html and "*" in html)
        assert len(lost.unlinked) == html.count("<a>")
        assert bool(lost.as_typed) == ("](" in html)


def test_an_address_written_out_loses_nothing():
    # Render drops the link of <ftp://…>, but its address prints as its words.
    assert str(markdown.inline("<ftp://example.org>")) == "<a>ftp://example.org</a>"
    assert markdown.unprinted("<ftp://example.org>") == (False, [], [])


def test_json_output_for_tools():
    result = handouts("check", "--json", "--no-pages", str(CHECK / "sensitive.yaml"), str(CHECK / "no-summary.yaml"))
    report = json.loads(result.out)
    assert report["files"] == 2 and report["errors"] == 0 and report["warnings"] == 3
    first = report["findings"][0]
    assert set(first) == {"path", "line", "col", "level", "message"}


def test_summary_line_counts_files_errors_and_warnings():
    result = handouts("check", "--no-pages", str(CHECK / "sensitive.yaml"))
    assert result.out.strip().splitlines()[-1] == "1 file checked: 0 errors, 2 warnings"


def test_a_sensitive_word_in_a_block_body_alone_asks_for_both_note_and_help_lines():
    result = handouts("check", "--no-pages", str(CHECK / "sensitive-in-body.yaml"))
    assert "has no content note" in result.out and "has no way to get help now" in result.out, result.out
    assert result.out.strip().splitlines()[-1] == "1 file checked: 0 errors, 2 warnings"


def test_a_grounding_exercise_that_names_a_feeling_or_a_sensation_is_not_sensitive():
    result = handouts("check", "--strict", "--no-pages", str(CHECK / "grounding-feeling.yaml"))
    assert result.code == 0, result.out


@pytest.mark.parametrize("text,sensitive", [
    ("Someone pressured you.", True), ("That is pressure.", True), ("sexual pressure", True),
    ("You may freeze.", True), ("I froze.", True), ("It was rape.", True), ("abuse", True),
    ("Notice warmth, coolness or pressure.", False), ("You may feel upset or worried.", False),
    ("Grapes and drapes", False),
])
def test_which_words_make_a_module_sensitive(text, sensitive):
    from handoutkit.check import SENSITIVE

    assert bool(SENSITIVE.search(text)) is sensitive


def test_table_cells_count_for_the_reading_level():
    from handoutkit import readability

    easy = "You can stop. You can say no. It is okay to rest. " * 4
    module = {"blocks": [{"type": "text", "body": easy},
                         {"type": "table", "columns": ["What", "Why"],
                          "rows": [["Notwithstanding contemporaneous psychophysiological considerations, "
                                    "institutional accountability necessitates comprehensive documentation.", ""]]}]}
    without = {"blocks": module["blocks"][:1]}
    with_cells = readability.reading_of(module)
    assert with_cells.grade > readability.reading_of(without).grade + 2
    assert any("Notwithstanding" in s for _, s in with_cells.hardest)


def test_validation_errors_are_check_findings_too():
    path = FIXTURES / "bad" / "colon-in-text.yaml"
    result = handouts("check", str(path))
    assert result.code == 1
    assert f"{path}:9:9: error: this text reads as 'key: value' because of the ': ' in it (expected plain text: put the whole text in quotes)" in result.out


def test_the_bundled_library_is_quiet():
    result = handouts("check", "--strict")
    assert result.code == 0, result.out
    bundled = len(list((ROOT / "handouts").rglob("*.yaml")))
    assert result.out.strip().splitlines() == [f"{bundled} files checked: 0 errors, 0 warnings"]


def test_check_of_a_missing_path_is_a_usage_error(tmp_path):
    result = handouts("check", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "no such file or folder" in result.err
