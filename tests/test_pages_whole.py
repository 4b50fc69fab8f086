"""Pages stay whole: long words and web addresses wrap inside the page in every block, theme
and paper; `check` says where something still crosses the page's edge, and names the
characters the bundled fonts cannot draw."""

from __future__ import annotations

import pdfplumber
import pytest

from conftest import handouts

WORD = "Supercalifragilistic" * 15  # 300 characters, no break anywhere
URL = "https://example.org/" + "a" * 180  # 200
NAME = "Client" + "Longname" * 15  # 126 characters
PRACTICE = "Practice" + "Counselling" * 12
MM = 72 / 25.4
SIDE = 18 * MM  # base.css: the page's left and right margins
SLACK = 1.0  # pt: rounding, not a visible overflow

MODULE = f"""\
title: "Title {WORD}"
subtitle: "Subtitle {URL}"
kind: worksheet
audience: client
topics: [testing]
pages: 20
content_note: "Note {WORD}"
summary: ["Summary {WORD}", "Summary {URL}"]
blocks:
  - type: text
    title: "Heading {WORD}"
    body: |
      Text {WORD} and {URL} here.

      - in a list {URL}
  - type: list
    items: ["{WORD}", "{URL}"]
  - type: examples
    items: ["{WORD}"]
    note: "{URL}"
  - type: checklist
    items: ["{WORD}", "{URL}"]
  - type: steps
    items: ["{WORD}", {{text: "{URL}", minutes: 2}}]
  - type: prompts
    items: ["{WORD}?"]
  - type: scale
    question: "{WORD}?"
    labels: {{0: "{WORD[:80]}", 5: "{WORD[:80]}", 10: "{URL}"}}
  - type: script
    lines:
      - {{speaker: "{WORD[:60]}", say: "{WORD}"}}
      - {{speaker: Partner B, say: "{URL}"}}
  - type: callout
    body: "Callout {WORD} and {URL}"
  - type: table
    columns: ["{WORD[:80]}", "Day", "Rating"]
    rows:
      - ["{WORD}", "{URL}", "Wednesday"]
      - ["short", "{WORD[:200]}", ""]
  - type: resources
sources:
  - title: "{WORD}"
    url: "{URL}"
reviewed: 2026-01-01
clinician_notes: "{WORD} {URL}"
"""

BUILDS = [(theme, paper) for theme in ("default", "print", "large-print") for paper in ("letter", "a4")]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """One packet per theme and paper: the long module after a cover with long details."""
    folder = tmp_path_factory.mktemp("whole")
    (folder / "long.yaml").write_text(MODULE, encoding="utf-8")
    built = {}
    for theme, paper in BUILDS:
        packet = folder / f"{theme}-{paper}.yaml"
        packet.write_text(
            f'title: "Packet {WORD}"\nhandouts: [long.yaml, grounding-5-4-3-2-1]\n'
            f'client: "{NAME}"\nclinician: "Dr {WORD}"\npractice: "{PRACTICE}"\ncontact: "{URL}"\n'
            f"theme: {theme}\npaper: {paper}\ndate: 2026-01-01\n"
            # On A4, the clinician's copy: its notes, sources and running header stay on the page too.
            + ("copy: clinician\n" if paper == "a4" else ""), encoding="utf-8")
        result = handouts("build", str(packet), "-o", str(folder / f"{theme}-{paper}.pdf"))
        assert result.code == 0, result.text
        built[theme, paper] = folder / f"{theme}-{paper}.pdf"
    return built


@pytest.mark.parametrize("theme,paper", BUILDS)
def test_every_character_stays_inside_the_page(pdfs, theme, paper):
    with pdfplumber.open(pdfs[theme, paper]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for ch in page.chars:
                if not ch["text"].strip():
                    continue
                # Body text keeps to the content box; the running header and footer stand
                # in the margins, but inside the page.
                in_margin = ch["top"] < 18 * MM or ch["bottom"] > page.height - 20 * MM
                left, right = (0, page.width) if in_margin else (SIDE, page.width - SIDE)
                where = f"page {number}: {ch['text']!r} at x {ch['x0']:.1f}–{ch['x1']:.1f}"
                assert ch["x0"] >= left - SLACK and ch["x1"] <= right + SLACK, where
                assert ch["top"] >= -SLACK and ch["bottom"] <= page.height + SLACK, where


@pytest.mark.parametrize("theme,paper", BUILDS)
def test_the_long_words_are_printed_whole(pdfs, theme, paper):
    """Wrapped, not cut off: every copy is there once the line breaks are taken out."""
    # The running header and footer are left out: a copy broken over two pages is one copy.
    top, bottom = (22, 22) if theme == "large-print" else (18, 20)
    with pdfplumber.open(pdfs[theme, paper]) as pdf:
        text = "".join("".join(page.crop((0, top * MM, page.width, page.height - bottom * MM)).extract_text().split())
                       for page in pdf.pages)
    # The title, heading, content note, summary, text, list, checklist, steps, prompt,
    # scale question, script, callout, table cell and the cover's title; on Letter (the
    # client's copy) the cover's clinician, on A4 (the clinician's) the notes and the source.
    # In large print the reading of a page interleaves a few lines of neighbouring boxes with
    # one copy (pdftotext shows it whole, split by the next box's lines): 14 there.
    assert text.count(WORD) >= (14 if theme == "large-print" else 15)
    # In large print this cover has no room for the handouts' subtitles, one of them the
    # address: the cover gives them up first (coverfit.py). The clinician's copy (A4) prints
    # the address in its notes and source, not on its cover.
    expected = 10 - (theme == "large-print") - (paper == "a4")
    assert text.count(URL.removeprefix("https://")) >= expected
    assert NAME in text  # on the cover, whole


def test_ordinary_words_in_a_table_never_break(pdfs):
    """Only the long runs may break anywhere: 'Wednesday', in a column squeezed by a long
    address, stays one word."""
    with pdfplumber.open(pdfs["default", "a4"]) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert "Wednesday" in words


def test_the_header_and_footer_keep_to_one_line_each(pdfs):
    with pdfplumber.open(pdfs["default", "letter"]) as pdf:
        page = pdf.pages[2]  # the long handout's first page
        header = [c for c in page.chars if c["bottom"] < 18 * MM]
        footer = [c for c in page.chars if c["top"] > page.height - 20 * MM]
    for chars in (header, footer):
        assert chars and len({round(c["top"]) for c in chars}) == 1
    assert "".join(c["text"] for c in header).startswith("Prepared for Client")
    assert "Practice" in "".join(c["text"] for c in footer)


# ---- check ------------------------------------------------------------------------------

NOWRAP = """\
title: No wrapping
kind: worksheet
audience: client
topics: [testing]
summary: [One point.]
blocks:
  - type: steps
    items: [Breathe in.]
  - type: text
    title: A long line
    body: |
      Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out. Breathe in. Breathe out.
  - type: list
    items:
      - Short.
      - Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it. Notice one thing. Name it.
"""


@pytest.fixture(scope="module")
def nowrap(tmp_path_factory):
    """A library whose extra.css forbids wrapping, and a module that then runs off the page."""
    folder = tmp_path_factory.mktemp("nowrap")
    (folder / "styles").mkdir()
    (folder / "styles" / "extra.css").write_text(".block-text p, .block-list li { white-space: nowrap; }\n")
    (folder / "nowrap.yaml").write_text(NOWRAP, encoding="utf-8")
    return folder, handouts("--library", str(folder), "check", str(folder / "nowrap.yaml"))


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_check_warns_where_text_still_runs_off_the_page(nowrap, paper):
    folder, result = nowrap
    assert "Traceback" not in result.text and result.code == 0, result.text
    expected = (f'{folder / "nowrap.yaml"}:11:11: warning: text runs past the right edge of the page '
                f'on {paper}, page 1: "Breathe in. Breathe out. Breathe in. Br…"')
    assert any(line.startswith(expected) for line in result.out.splitlines()), result.out
    # At the very item that holds it, once per paper: the short item is fine.
    item = f'{folder / "nowrap.yaml"}:16:9: warning: text runs past the right edge of the page on {paper}, page 1: "Notice one'
    assert any(line.startswith(item) for line in result.out.splitlines()), result.out
    assert result.out.strip().splitlines()[-1] == "1 file checked: 0 errors, 4 warnings"


def test_check_is_quiet_about_long_words_that_wrap(tmp_path):
    (tmp_path / "long.yaml").write_text(MODULE, encoding="utf-8")
    result = handouts("check", str(tmp_path / "long.yaml"))
    assert "runs past" not in result.out, result.out


SCRIPTS = """\
title: Other scripts
kind: worksheet
audience: client
topics: [testing]
summary: [Say hello.]
blocks:
  - type: steps
    items: ["Say क to a friend."]
  - type: list
    items: ["A smile 😀 helps", "你好 means hello", "Café, naïve and Māori print fine"]
"""

PACKET = """\
title: For a client
handouts: [grounding-5-4-3-2-1]
client: "Ана 김"
"""


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scripts")
    (folder / "scripts.yaml").write_text(SCRIPTS, encoding="utf-8")
    (folder / "packet.yaml").write_text(PACKET, encoding="utf-8")
    return folder, handouts("check", "--no-pages", str(folder / "scripts.yaml"), str(folder / "packet.yaml"))


@pytest.mark.parametrize("file,line,col,named", [
    ("scripts.yaml", 8, 13, "U+0915 DEVANAGARI LETTER KA 'क'"),
    ("scripts.yaml", 10, 13, "U+1F600 GRINNING FACE '😀'"),
    ("scripts.yaml", 10, 32, "U+4F60 CJK UNIFIED IDEOGRAPH-4F60 '你', U+597D CJK UNIFIED IDEOGRAPH-597D '好'"),
    ("packet.yaml", 3, 9, "U+AE40 HANGUL SYLLABLE GIM '김'"),
])
def test_check_names_characters_the_fonts_cannot_draw(scripts, file, line, col, named):
    folder, result = scripts
    assert "Traceback" not in result.text
    expected = f"{folder / file}:{line}:{col}: warning: the bundled fonts cannot draw "
    assert any(l.startswith(expected) and named in l for l in result.out.splitlines()), result.out


def test_letters_the_fonts_have_are_not_named(scripts):
    _, result = scripts
    # Latin with accents and macrons is drawn; Cyrillic ('Ана') is not, in Atkinson Hyperlegible.
    assert "'é'" not in result.out and "'ï'" not in result.out and "'ā'" not in result.out
    assert "U+0410 CYRILLIC CAPITAL LETTER A 'А'" in result.out
    assert result.out.strip().splitlines()[-1] == "2 files checked: 0 errors, 4 warnings"


def test_a_build_warns_about_a_client_name_the_fonts_cannot_draw(tmp_path):
    """The name comes from a flag here, which `check` never sees: the build itself says so,
    and still writes the PDF."""
    result = handouts("build", "grounding-5-4-3-2-1", "--client", "Ана Kim", "-o", str(tmp_path / "out.pdf"))
    assert result.code == 0 and (tmp_path / "out.pdf").is_file(), result.text
    assert "warning: the client's name: the bundled fonts cannot draw U+0410 CYRILLIC CAPITAL LETTER A 'А'" in result.err


def test_only_long_runs_of_text_are_marked_breakable():
    from handoutkit.wrapping import breakable

    long = "a" * 25
    html = (f'<style>@page {{ content: "{long}"; }}</style><title>{long}</title>'
            f'<p class="{long}">Ordinary words, and {long}&amp;{long}</p>')
    out = breakable(html)
    assert out.startswith(f'<style>@page {{ content: "{long}"; }}</style><title>{long}</title><p class="{long}">')
    assert out.endswith(f'Ordinary words, and <span class="long">{long}&amp;{long}</span></p>')


def test_a_soft_hyphen_prints_a_hyphen_the_fonts_have(tmp_path):
    """Hyphenation stays manual, and where a soft hyphen breaks a word it prints '-',
    which the bundled fonts draw (their default, U+2010, printed as an empty box)."""
    word = "Psycho\u00adeducational"
    (tmp_path / "shy.yaml").write_text(
        "title: Soft hyphens\nkind: worksheet\naudience: client\ntopics: [testing]\nblocks:\n"
        f'  - type: table\n    columns: [A, B, C, D, E, F, G, H]\n    rows: [["{word} {word}", "{word}", x, x, x, x, x, x]]\n',
        encoding="utf-8")
    result = handouts("build", str(tmp_path / "shy.yaml"), "--theme", "large-print", "-o", str(tmp_path / "shy.pdf"))
    assert result.code == 0, result.text
    with pdfplumber.open(tmp_path / "shy.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    assert "Psycho-" in text.split() and "\u2010" not in text
