"""Authoring: starter modules, JSON Schema, and a practice's own templates and styles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pdfplumber
import pytest
import yaml

from conftest import ROOT, handouts, pdf_text
from handoutkit import schema as schemas
from handoutkit.models import KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_new_writes_a_starter_that_passes_strict_check(tmp_path: Path, kind: str):
    result = handouts("new", f"my-{kind}", "--kind", kind, "--dir", str(tmp_path))
    assert result.code == 0, result.text
    path = tmp_path / f"my-{kind}.yaml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=module.schema.json"  # travels with the folder (starters.py)
    assert (tmp_path / "module.schema.json").is_file()
    checked = handouts("check", "--strict", str(path))
    assert checked.code == 0, checked.out
    assert handouts("build", str(path), "-o", str(tmp_path / "x.pdf")).code == 0


def test_new_never_overwrites_and_checks_the_id(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text("my own words", encoding="utf-8")
    result = handouts("new", "mine", "--dir", str(tmp_path))
    assert result.code == 2 and "never overwrites" in result.err
    assert path.read_text(encoding="utf-8") == "my own words"
    for bad in (["new", "Bad Id", "--dir", str(tmp_path)], ["new", "ok-id", "--kind", "poem", "--dir", str(tmp_path)]):
        result = handouts(*bad)
        assert result.code == 2 and "Traceback" not in result.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]


def _as_json(path: Path):
    """A YAML file as an editor's language server sees it: dates are strings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v)))


@pytest.mark.parametrize("kind", ["module", "packet"])
def test_committed_schema_is_current(kind: str):
    committed = (ROOT / "schema" / schemas.NAMES[kind]).read_text(encoding="utf-8")
    assert committed == schemas.text_of(kind), "run `handouts schema --write schema` and commit the result"


def test_schema_accepts_every_bundled_module_and_packet():
    module_schema = schemas.schema_for("module")
    packet_schema = schemas.schema_for("packet")
    for path in sorted((ROOT / "handouts").glob("*.yaml")):
        jsonschema.validate(_as_json(path), module_schema)
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        jsonschema.validate(_as_json(path), packet_schema)


def test_schema_rejects_a_typo_and_a_bad_block():
    module_schema = schemas.schema_for("module")
    good = _as_json(ROOT / "handouts" / "body-scan.yaml")
    typo = {**good, "sumary": good["summary"]}
    with pytest.raises(jsonschema.ValidationError, match="sumary"):
        jsonschema.validate(typo, module_schema)
    bad_block = {**good, "blocks": [{"type": "paragraph", "body": "x"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad_block, module_schema)


def test_schema_command_prints_and_writes(tmp_path: Path):
    result = handouts("schema", "packet")
    assert result.code == 0 and json.loads(result.out)["title"] == "handoutkit packet"
    result = handouts("schema", "--write", str(tmp_path))
    assert result.code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["module.schema.json", "packet.schema.json"]


def _practice_library(tmp_path: Path) -> Path:
    library = tmp_path / "practice"
    (library / "templates" / "blocks").mkdir(parents=True)
    (library / "styles").mkdir()
    return library


def test_an_override_template_replaces_the_bundled_one(tmp_path: Path):
    library = _practice_library(tmp_path)
    (library / "templates" / "blocks" / "callout.html.j2").write_text(
        '<div class="callout-body">Our practice says: {{ block.body | md }}</div>\n', encoding="utf-8")
    out = tmp_path / "g.pdf"
    result = handouts("--library", str(library), "build", "grounding-5-4-3-2-1", "-o", str(out))
    assert result.code == 0, result.text
    assert "Our practice says:" in pdf_text(out)


def test_an_extra_stylesheet_is_applied_last(tmp_path: Path):
    library = _practice_library(tmp_path)
    (library / "styles" / "extra.css").write_text(
        ".handout-title { color: rgb(200, 0, 0); }\n"
        '@page { @bottom-center { content: "Oak Clinic · 555-0199"; } }\n', encoding="utf-8")
    out = tmp_path / "g.pdf"
    assert handouts("--library", str(library), "build", "grounding-5-4-3-2-1", "-o", str(out)).code == 0
    with pdfplumber.open(out) as doc:
        page = doc.pages[0]
        title_chars = [c for c in page.chars if c["size"] > 20]
        assert title_chars and all(tuple(round(v, 2) for v in c["non_stroking_color"]) == (0.78, 0.0, 0.0) for c in title_chars)
        assert "Oak Clinic · 555-0199" in page.extract_text()


def test_a_broken_override_template_is_a_clear_error(tmp_path: Path):
    library = _practice_library(tmp_path)
    (library / "templates" / "blocks" / "steps.html.j2").write_text("{% for x in %}\n", encoding="utf-8")
    out = tmp_path / "g.pdf"
    result = handouts("--library", str(library), "build", "grounding-5-4-3-2-1", "-o", str(out))
    assert result.code == 2 and "Traceback" not in result.text
    assert f"{library / 'templates' / 'blocks' / 'steps.html.j2'}:1:1: template error" in result.err
    assert not out.exists()
