"""Icons (SPEC: `icon:` on steps, list items and callouts): drawn on the page in every theme,
beside the text they belong to, hidden from screen readers, and a name not in the bundled
set is refused before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import FIXTURES, ROOT, handouts

ICONS = ROOT / "styles" / "icons"
SENSES = {"Look around.": "eye", "Notice 4": "hand", "Listen for": "ear", "Find 2": "nose", "Name 1": "mouth"}
THEMES = ("default", "print", "large-print")


@pytest.fixture(scope="module", params=THEMES)
def grounding(request, tmp_path_factory):
    """grounding-5-4-3-2-1 and the icons fixture in one packet, as PDF and as HTML."""
    tmp = tmp_path_factory.mktemp(request.param)
    out, html = tmp / "g.pdf", tmp / "g.html"
    result = handouts("build", "grounding-5-4-3-2-1", str(FIXTURES / "partner" / "icons.yaml"),
                      "--theme", request.param, "--html", str(html), "-o", str(out))
    assert result.code == 0, result.text
    with pdfplumber.open(out) as pdf:
        pages = [(page.extract_words(), page.curves + page.lines, page.width) for page in pdf.pages]
    return request.param, pages, html.read_text(), _pictures_by_tag(out)


def _pictures_by_tag(path: Path) -> dict[str, int]:
    """How many pictures (XObjects) the pages draw inside each kind of marked content."""
    counts: dict[str, int] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            stack: list[str] = []
            for op in pikepdf.parse_content_stream(page):
                name = str(op.operator)
                if name in ("BDC", "BMC"):
                    stack.append(str(op.operands[0]))
                elif name == "EMC":
                    stack.pop()
                elif name == "Do":
                    key = stack[-1] if stack else "untagged"
                    counts[key] = counts.get(key, 0) + 1
    return counts


def _grey(colour) -> tuple[float, ...]:
    return tuple(colour) if isinstance(colour, (tuple, list)) else (colour,)


def _drawings_before(words, drawings, first_words: str, reach_mm: float = 12):
    """The strokes drawn on the text line that starts with ``first_words``, up to
    ``reach_mm`` to the left of it."""
    wanted = first_words.split()
    for i, word in enumerate(words):
        if [w["text"] for w in words[i:i + len(wanted)]] == wanted:
            return [d for d in drawings
                    if d["x1"] <= word["x0"] + 0.5 and d["x0"] >= word["x0"] - reach_mm * 72 / 25.4
                    and d["bottom"] >= word["top"] - 4 and d["top"] <= word["bottom"] + 4], word
    return None, None


def test_the_five_senses_have_their_icons_in_every_theme(grounding):
    theme, pages, *_ = grounding
    for start in SENSES:
        found = [_drawings_before(words, drawings, start) for words, drawings, _ in pages]
        strokes, word = next(((s, w) for s, w in found if w is not None), (None, None))
        assert word is not None, f"{theme}: '{start}' is not in the PDF"
        assert strokes, f"{theme}: no icon drawn before '{start}'"
        for stroke in strokes:
            colour = _grey(stroke["stroking_color"])
            if theme == "print":
                assert all(v == 0 for v in colour), f"print theme: icon in {colour}, not black"
            # Dark enough to read on a black-and-white copy (the accent is 7:1 on white).
            assert sum(colour) / len(colour) < 0.5, f"{theme}: icon colour {colour} too pale"


def test_a_step_without_an_icon_has_none(grounding):
    theme, pages, *_ = grounding
    for words, drawings, _ in pages:
        strokes, word = _drawings_before(words, drawings, "Marker plain step")
        if word is not None:
            # Only the step's number circle (drawn as curves around the number) is there.
            icon_strokes = [d for d in strokes if d["x0"] > word["x0"] - 8 * 72 / 25.4]
            assert not icon_strokes, f"{theme}: something drawn before a step without an icon"
            return
    pytest.fail("the fixture's plain step is not in the PDF")


@pytest.mark.parametrize("start", ["Marker see step", "Marker heard item"])
def test_steps_and_list_items_with_icons(grounding, start):
    theme, pages, *_ = grounding
    for words, drawings, _ in pages:
        strokes, word = _drawings_before(words, drawings, start)
        if word is not None:
            assert strokes, f"{theme}: no icon before '{start}'"
            return
    pytest.fail(f"'{start}' is not in the PDF")


def test_a_callout_icon_sits_beside_its_title(grounding):
    theme, pages, *_ = grounding
    for words, drawings, _ in pages:
        strokes, word = _drawings_before(words, drawings, "Marker callout title", reach_mm=20)
        if word is not None:
            assert strokes, f"{theme}: no icon beside the callout's title"
            return
    pytest.fail("the callout is not in the PDF")


def test_icons_are_hidden_from_screen_readers(grounding):
    theme, _, html, pictures = grounding
    # Six icons in the grounding steps, three in the fixture: hidden in the HTML...
    assert html.count('class="icon icon-') == 9
    assert html.count('" aria-hidden="true"></span>') == 9
    # ...and artifacts in the tagged PDF (not figures wanting a description).
    assert pictures == {"/Artifact": 9}, pictures


def test_unknown_icon_is_refused_with_its_place_and_nothing_is_written(tmp_path):
    out = tmp_path / "bad.pdf"
    bad = FIXTURES / "partner" / "bad-icon.yaml"
    result = handouts("build", str(bad), "-o", str(out))
    assert result.code == 2
    assert f"{bad}:10:15: 'icon' cannot be 'unicorn' (expected one of: 'ear', 'eye', 'hand'" in result.err, result.err
    assert "Traceback" not in result.text
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_check_refuses_an_unknown_icon_too(tmp_path):
    result = handouts("check", str(FIXTURES / "partner" / "bad-icon.yaml"))
    assert result.code == 1, result.text  # check: 1 when it finds problems
    assert "bad-icon.yaml:10:15: error: 'icon' cannot be 'unicorn'" in result.text


def test_the_schema_lists_exactly_the_bundled_icons():
    bundled = sorted(p.stem for p in ICONS.glob("*.svg"))
    assert {"eye", "hand", "ear", "nose", "mouth"} <= set(bundled)
    schema = json.loads((ROOT / "schema" / "module.schema.json").read_text())
    enums = [d["enum"] for d in _walk(schema) if isinstance(d, dict) and "enum" in d and "eye" in d["enum"]]
    assert enums and all(sorted(e) == bundled for e in enums)
    # Steps, list items and callouts name an icon; a list item may still be a plain string.
    defs = schema["$defs"]
    for model in ("Step", "ListItem", "CalloutBlock"):
        assert "icon" in defs[model]["properties"], model
    assert {"type": "string", "minLength": 1} in defs["ListBlock"]["properties"]["items"]["items"]["anyOf"]


def _walk(node):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_icon_has_its_rule_in_the_stylesheet():
    css = (ROOT / "styles" / "icons.css").read_text()
    for svg in ICONS.glob("*.svg"):
        assert f".icon-{svg.stem} {{ background-image: url(icons/{svg.name}); }}" in css, svg.name


def test_the_icons_are_line_drawings_with_their_licence():
    assert (ICONS / "LICENSE").is_file()
    for svg in ICONS.glob("*.svg"):
        text = svg.read_text()
        # One stroke weight, in the colour of the text, no fills: clear in black and white.
        assert 'stroke="currentColor"' in text and 'fill="none"' in text and 'stroke-width="2"' in text, svg.name
        assert "href" not in text and "<script" not in text and "<image" not in text, svg.name
