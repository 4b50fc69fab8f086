"""The bundled library: the exact set of handouts, and the bar each must meet."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pypdf
import pytest
import yaml

from conftest import handouts, pdf_text, squash
from handoutkit import crisis, readability
from handoutkit.build import Job, render_job
from handoutkit.library import Library
from handoutkit.models import ACTION_TYPES
from handoutkit.settings import Settings

BUNDLED = {
    "what-is-sexual-coercion", "pressure-tactics", "consent-literacy", "consent-conversations",
    "attachment-after-coercion", "noticing-triggers", "grounding-5-4-3-2-1", "paced-breathing",
    "body-scan", "grounding-phrases", "couples-check-in", "boundaries-and-pacing",
    "rewriting-the-story", "shame-and-self-blame", "support-and-safety-plan", "progress-review",
    "trauma-informed-assessment", "help-now",
    # Library v2 (issue #11)
    "relationship-safety-plan", "options-after-assault", "common-reactions", "why-bodies-freeze",
    "couples-screening", "telling-someone", "supporting-a-survivor", "dissociation",
    "intimacy-at-your-own-pace", "checking-a-self-blaming-thought", "digital-and-image-pressure",
    "what-is-sexual-coercion-teens",
}
LIBRARY = Library()
MODULES = {m.id: m for m in LIBRARY.all()[0]}


def test_the_bundled_ids_are_exactly_these():
    assert set(LIBRARY.ids()) == BUNDLED
    assert set(MODULES) == BUNDLED, "some bundled modules do not validate"


@pytest.mark.parametrize("module_id", sorted(BUNDLED))
def test_reading_grade_and_shape(module_id: str):
    m = MODULES[module_id]
    if not m.module.client_facing:
        return
    reading = readability.reading_of(m.source.data)
    assert reading is not None and reading.grade <= 8, (reading.grade, reading.hardest)
    assert m.module.summary, "client and couple handouts need a summary"
    assert any(b.type in ACTION_TYPES for b in m.module.blocks), "needs at least one action"


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("module_id", sorted(BUNDLED))
def test_every_module_builds_within_its_page_budget(module_id: str, paper: str):
    m = MODULES[module_id]
    job = Job(m.module.title, [m], Settings(paper=paper), f"{module_id}.pdf", [m.path.parent])
    result = render_job(job, LIBRARY)
    assert result.rendered.pdf.startswith(b"%PDF")
    assert result.rendered.pages <= m.module.page_budget


@pytest.mark.parametrize("region", crisis.regions())
def test_every_regions_lines_print(tmp_path: Path, region: str):
    out = tmp_path / "help.pdf"
    result = handouts("build", "help-now", "--region", region, "-o", str(out))
    assert result.code == 0, result.text
    text = squash(pdf_text(out))
    lines = crisis.lines_for(region)
    for line in lines["lines"]:
        assert squash(line["service"]) in text
        assert squash(line["contact"]) in text
        for part in ("coverage", "languages", "note"):
            if line[part]:
                assert squash(line[part]) in text
    assert f"numbers were checked in {lines['checked']}" in text
    assert "confirm the local lines" not in text  # the clinician's job: said by the build, not on the page
    assert f"{lines['name']} crisis lines, checked {lines['checked']}" in result.out
    assert "confirm the local lines" in result.out


def test_crisis_lines_match_content_md():
    """The data file says exactly what the checked table in CONTENT.md says: each row's
    service and contact, and its coverage and languages, in the same order."""
    # Beside the checkout (/work/shared beside /work/main), or beside a folder of worktrees.
    beside = [folder / "shared" / "CONTENT.md" for folder in Path(__file__).resolve().parents[1:4]]
    content = next((c for c in beside if c.exists()), beside[0])
    if not content.exists():
        pytest.skip("shared/CONTENT.md is not beside this checkout")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in content.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and line.split("|")[1].strip() in crisis.regions()
    ]
    actual = [(region, line) for region in crisis.regions()
              for line in crisis.lines_for(region, youth=True)["lines"]]
    assert len(actual) == len(rows)
    for (region, service, contact, about, _source), (data_region, line) in zip(rows, actual):
        assert data_region == region
        if contact.startswith("print:"):  # no such line: the data prints this pointer instead
            assert line["pointer"] and contact == f'print: "{line["contact"]}"'
            continue
        assert (line["service"], line["contact"]) == (service, contact)
        printed = "; ".join(filter(None, [line["coverage"], line["languages"]]))
        assert printed in about, f"{service}: {printed!r} is not what CONTENT.md says ({about!r})"
        if line["note"]:
            assert f'"{line["note"]}"' in about


def test_youth_lines_only_when_asked():
    for region in crisis.regions():
        adult = crisis.lines_for(region)["lines"]
        assert not any(line["youth"] for line in adult)
    assert any(line["service"] == "Kids Help Phone" for line in crisis.lines_for("CA", youth=True)["lines"])


def test_list_shows_the_library_without_loading_weasyprint(tmp_path: Path):
    import subprocess

    code = (
        "import sys, io, contextlib\n"
        "from handoutkit.cli import app\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try: app(['list', '--json'])\n"
        "    except SystemExit: pass\n"
        "assert 'weasyprint' not in sys.modules, 'list imported WeasyPrint'\n"
        "print(buf.getvalue())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    ids = {row["id"] for row in yaml.safe_load(proc.stdout)}
    assert ids == BUNDLED


def test_show_prints_an_outline():
    result = handouts("show", "couples-check-in")
    assert result.code == 0, result.text
    assert result.out.startswith(MODULES["couples-check-in"].module.title)
    assert "[script]" in result.out


@pytest.mark.parametrize("packet", sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_example_packets_build(tmp_path: Path, packet: Path):
    result = handouts("build", str(packet), cwd=tmp_path)
    assert result.code == 0, result.text
    built = tmp_path / re.match(r"wrote (\S+) ", result.out).group(1)  # a discreet packet's name is its own
    source = yaml.safe_load(packet.read_text(encoding="utf-8"))
    assert len(pypdf.PdfReader(built).outline) == len(source["handouts"])


def test_list_filters_and_json():
    import json

    result = handouts("list", "--json", "--audience", "couple")
    assert result.code == 0, result.text
    rows = json.loads(result.out)
    assert {r["id"] for r in rows} == {m for m in BUNDLED if MODULES[m].module.audience == "couple"}
    assert set(rows[0]) >= {"id", "title", "kind", "audience", "topics"}
    by_topic = json.loads(handouts("list", "--json", "--topic", "grounding").out)
    assert by_topic and all("grounding" in r["topics"] for r in by_topic)
    by_kind = json.loads(handouts("list", "--json", "--kind", "exercise").out)
    assert {r["id"] for r in by_kind} == {m for m in BUNDLED if MODULES[m].module.kind == "exercise"}
    table = handouts("list")
    assert table.code == 0 and "grounding-5-4-3-2-1" in table.out


def test_show_an_unknown_id_is_a_clear_error():
    result = handouts("show", "body-scna")
    assert result.code == 2 and "Traceback" not in result.text
    assert "no handout with the id 'body-scna' (did you mean 'body-scan'?" in result.err


def test_a_module_linked_from_elsewhere_is_refused_everywhere(tmp_path: Path):
    """A received library cannot show a file of the clinician's by linking to it."""
    secret = "Notes about a client, never to be printed"
    (tmp_path / "elsewhere.yaml").write_text(
        f"title: {secret}\nkind: handout\naudience: client\ntopics: [x]\nblocks:\n  - type: text\n    body: {secret}\n",
        encoding="utf-8")
    library = tmp_path / "lib"
    library.mkdir()
    (library / "stolen.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (library / "inside.yaml").write_text("title: Inside\nkind: handout\naudience: client\ntopics: [x]\n"
                                         "blocks:\n  - type: text\n    body: Plain.\n", encoding="utf-8")
    (library / "also-inside.yaml").symlink_to(library / "inside.yaml")  # a link within the folder is fine
    refused = re.compile(re.escape(f"{library / 'stolen.yaml'}:1:1: ") + r"(error: )?this file is a link to a file outside its library folder")
    env = {"HANDOUTS_CONFIG": str(tmp_path / "none.yaml")}

    for args, code in ((["list"], 0), (["show", "stolen"], 2), (["check", "--no-pages"], 1), (["build", "stolen"], 2)):
        result = handouts("--library", str(library), *args, cwd=tmp_path, env=env)
        assert result.code == code, (args, result.text)
        assert refused.search(result.text), (args, result.text)
        assert secret not in result.text, args
    assert handouts("--library", str(library), "build", "also-inside", cwd=tmp_path, env=env).code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["also-inside.pdf", "elsewhere.yaml", "lib"]


def test_show_gives_the_clinician_notes_first(tmp_path: Path):
    module = tmp_path / "with-notes.yaml"
    module.write_text(
        "title: With notes\nkind: handout\naudience: client\ntopics: [testing]\n"
        "clinician_notes: |\n  Best after grounding is in place.\n\n  Not for session 1.\n"
        "blocks:\n  - type: text\n    body: Hello.\n", encoding="utf-8")
    result = handouts("--library", str(tmp_path), "show", "with-notes")
    assert result.code == 0, result.text
    lines = result.out.splitlines()
    at = lines.index("For the clinician")
    assert lines[at + 1:at + 3] == ["  Best after grounding is in place.", "  Not for session 1."]
    pdf = tmp_path / "with-notes.pdf"
    assert handouts("--library", str(tmp_path), "build", "with-notes", "-o", str(pdf)).code == 0
    assert "grounding is in place" not in pdf_text(pdf)  # the client's copy never carries them
