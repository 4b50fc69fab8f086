"""`youth: true` on a resources block: youth lines (Childline, Kids Help Phone…) print on
that help box only, so a teen handout carries them and an adult handout never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import handouts, pdf_text, squash
from handoutkit import crisis

MODULE = """\
title: Help box test
kind: handout
audience: client
topics: [test]
summary: [A test of the help box.]
blocks:
  - type: steps
    items: [Call a line below.]
  - type: resources
    title: Canada lines
    region: CA{youth}
  - type: resources
    title: United Kingdom lines
    region: UK{youth}
"""


def _build(folder: Path, name: str, youth: str) -> str:
    module = folder / f"{name}.yaml"
    module.write_text(MODULE.format(youth=youth), encoding="utf-8")
    out = folder / f"{name}.pdf"
    result = handouts("build", str(module), "-o", str(out))
    assert result.code == 0, result.text
    return squash(pdf_text(out))


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("youth")
    return {"youth": _build(folder, "teen", "\n    youth: true"),
            "adult": _build(folder, "adult", "")}


def _youth_lines(region: str) -> list[dict]:
    return [line for line in crisis.lines_for(region, youth=True)["lines"] if line["youth"]]


def test_youth_true_prints_the_regions_youth_lines(printed):
    text = printed["youth"]
    assert "Kids Help Phone" in text and "1-800-668-6868" in text  # CA
    assert "Childline" in text and "0800 1111" in text  # UK
    for region in ("CA", "UK"):
        for line in _youth_lines(region):
            assert squash(line["contact"]) in text
    # the adult lines stay: youth lines are added, not swapped in
    assert "9-8-8 Suicide Crisis Helpline" in text and "Samaritans" in text


def test_without_youth_no_youth_line_prints(printed):
    text = printed["adult"]
    assert "9-8-8 Suicide Crisis Helpline" in text and "Samaritans" in text
    for region in ("CA", "UK"):
        for line in _youth_lines(region):
            assert squash(line["service"]) not in text
            assert squash(line["contact"]) not in text


def test_only_handouts_for_teens_ask_for_youth_lines():
    """CONTENT.md: youth lines belong on handouts for teens, not on every adult handout."""
    from handoutkit.library import Library

    modules, _ = Library().all()
    asking = {m.id for m in modules for block in m.module.blocks
              if block.type == "resources" and block.youth}
    assert asking == {m.id for m in modules if "teens" in m.module.topics}
    assert "what-is-sexual-coercion-teens" in asking
