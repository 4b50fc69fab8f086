"""`check` agrees with `build`: whatever makes `build` refuse a packet or a module is an
error in `check` too, with the same message at the same place, with or without
`--no-pages`.

Each bad input is a small folder of its own (written here), so every message can be told
apart by where it points. Every case is built on its own; `check` runs once over all of
them, rendered and not, and each case's errors must be exactly the build's messages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import handouts

MODULE = """\
title: {title}
kind: handout
audience: clinician
topics: [general]
blocks:
  - type: text
    body: {body}
"""
PNG = bytes.fromhex(  # a 1×1 PNG
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def module(body: str, title: str = "A handout") -> str:
    return MODULE.format(title=title, body=body)


def packet(*lines: str, handouts_: str = "[help-now]") -> str:
    return "\n".join(["title: A packet", f"handouts: {handouts_}", *lines]) + "\n"


# name → (the file to build and check, {file: content})
CASES: dict[str, tuple[str, dict[str, str | bytes]]] = {
    # modules: pictures it cannot use, a block it does not know, a region it does not know
    "picture-missing": ("m.yaml", {"m.yaml": module("See ![a map](nope.png).")}),
    "picture-from-the-web": ("m.yaml", {"m.yaml": module("See ![a map](https://example.com/a.png).")}),
    "picture-not-a-picture": ("m.yaml", {"m.yaml": module("See ![a map](fake.png)."), "fake.png": "not a picture"}),
    "picture-outside": ("m.yaml", {"m.yaml": module("See ![a map](../outside.png).")}),
    "picture-svg-reaching-out": ("m.yaml", {
        "m.yaml": module("See ![a map](map.svg)."),
        "map.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   '<image href="https://example.com/x.png" width="10" height="10"/></svg>'}),
    "two-pictures": ("m.yaml", {"m.yaml": module("See ![a](nope.png) and ![b](https://example.com/b.png).")}),
    "block-type": ("m.yaml", {"m.yaml": module("hi").replace("type: text", "type: txet")}),
    "resources-region": ("m.yaml", {"m.yaml": module("hi").replace("type: text\n    body: hi", "type: resources\n    region: XX")}),
    "kind": ("m.yaml", {"m.yaml": module("hi").replace("kind: handout", "kind: poster")}),
    # packets: their own settings, the handouts they name, and those handouts' pictures
    "packet-region": ("p.yaml", {"p.yaml": packet("region: XX")}),
    "packet-logo-missing": ("p.yaml", {"p.yaml": packet("logo: nope.png")}),
    "packet-logo-not-a-picture": ("p.yaml", {"p.yaml": packet("logo: logo.png"), "logo.png": "not a picture"}),
    "packet-logo-outside": ("p.yaml", {"p.yaml": packet("logo: ../logo.png")}),
    "packet-theme": ("p.yaml", {"p.yaml": packet("theme: neon")}),
    "packet-paper": ("p.yaml", {"p.yaml": packet("paper: legal")}),
    "packet-lang": ("p.yaml", {"p.yaml": packet("lang: de")}),
    "packet-unknown-id": ("p.yaml", {"p.yaml": packet(handouts_="[help-now, grounding-5-4-3-2]")}),
    "packet-missing-file": ("p.yaml", {"p.yaml": packet(handouts_="[missing.yaml]")}),
    "packet-file-outside": ("p.yaml", {"p.yaml": packet(handouts_="[../elsewhere.yaml]")}),
    "packet-module-picture": ("p.yaml", {
        "p.yaml": packet(handouts_="[m.yaml]"), "m.yaml": module("See ![a map](fake.png)."), "fake.png": "not"}),
    "packet-picture-beside-a-module-elsewhere": ("p.yaml", {
        "p.yaml": packet(handouts_="[sub/m.yaml]"), "sub/m.yaml": module("See ![a dot](dot.png)."), "sub/dot.png": PNG}),
    "packet-bad-module": ("p.yaml", {
        "p.yaml": packet(handouts_="[help-now, a.yaml, b.yaml]"),
        "a.yaml": module("hi").replace("type: text", "type: txet"),
        "b.yaml": module("hi").replace("type: text\n    body: hi", "type: resources\n    region: XX")}),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    for name, (_target, files) in CASES.items():
        for file, content in files.items():
            path = root / name / file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def _errors_by_case(root: Path, *flags: str) -> dict[str, set[str]]:
    result = handouts("check", "--json", *flags, *(str(root / n / t) for n, (t, _) in CASES.items()))
    assert result.code == 1, result.text
    found: dict[str, set[str]] = {name: set() for name in CASES}
    for f in json.loads(result.out)["findings"]:
        if f["level"] == "error":
            case = Path(f["path"]).relative_to(root).parts[0]
            found[case].add(f"{f['path']}:{f['line']}:{f['col']}: {f['message']}")
    return found


@pytest.fixture(scope="module")
def checked(cases: Path) -> dict[str, dict[str, set[str]]]:
    return {"--pages": _errors_by_case(cases), "--no-pages": _errors_by_case(cases, "--no-pages")}


@pytest.mark.parametrize("name", CASES)
def test_check_says_what_build_refuses(name: str, cases: Path, checked, tmp_path: Path):
    target, _files = CASES[name]
    out = tmp_path / "out.pdf"
    built = handouts("build", str(cases / name / target), "-o", str(out))
    assert built.code == 2 and "Traceback" not in built.text, built.text
    assert not out.exists()
    refused = set(built.err.strip().splitlines())
    assert refused, built.text
    for how, errors in checked.items():
        assert errors[name] == refused, f"check {how} disagrees with build on {name}"
