"""Inputs just beyond each of handoutkit's limits, made on the spot (nothing big is committed).

``make(folder)`` writes every case into ``folder`` and returns them by name, each with the
`handouts` arguments that build it, what the message must say and where. Used by
tests/test_limits.py and by benchmarks/run.py (the CPU a hostile input costs).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from handoutkit import limits

MODULE = "title: {title}\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n"


@dataclass
class Case:
    args: list[str]  # after `handouts`, before `-o`
    error: str  # words the message must hold
    at: str  # "file:line:col" the message starts with (file relative to the case's folder)
    env: dict[str, str] = field(default_factory=dict)


def png(width: int, height: int) -> bytes:
    """A PNG whose header says width×height; its body is one tiny compressed row."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 4)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """A JPEG whose frame header (SOF0) says width×height, and nothing after it."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + sof + b"\xff\xd9"


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{h}">{body}</svg>'


def use_chain(levels: int = 12, fan: int = 10) -> bytes:
    """Each group draws the one before it ten times: 10^12 elements from 120."""
    groups = ['<g id="g0"><rect width="1" height="1"/></g>']
    for i in range(1, levels):
        groups.append(f'<g id="g{i}">' + f'<use xlink:href="#g{i - 1}"/>' * fan + "</g>")
    return SVG.format(w=100, h=100, body="<defs>" + "".join(groups) + f'</defs><use href="#g{levels - 1}"/>').encode()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&c;</text></svg>"""


def _module_with_picture(folder: Path, name: str, picture: bytes, file: str) -> Path:
    (folder / file).write_bytes(picture)
    module = folder / name
    module.write_text(MODULE.format(title="Picture") + f"  - type: text\n    body: \"See: ![a picture]({file})\"\n",
                      encoding="utf-8")
    return module


def make(folder: Path) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Case] = {}

    def picture_case(name: str, data: bytes, file: str, error: str) -> None:
        sub = folder / name
        sub.mkdir()
        module = _module_with_picture(sub, "m.yaml", data, file)
        cases[name] = Case([ "build", str(module)], error, f"{name}/m.yaml:7:11")

    picture_case("png-bomb", png(50_000, 50_000), "bomb.png",
                 f"the picture 'bomb.png' has 50000×50000 pixels, more than handoutkit's limit of {limits.MAX_IMAGE_PIXELS:,}")
    picture_case("jpeg-bomb", jpeg(60_000, 60_000), "bomb.jpg", "has 60000×60000 pixels, more than handoutkit's limit")
    picture_case("svg-use-chain", use_chain(), "chain.svg", f"more than handoutkit's limit of {limits.MAX_SVG_ELEMENTS:,}")
    picture_case("svg-laughs", LAUGHS, "laughs.svg", "is an SVG with a DOCTYPE or entity declarations")
    picture_case("svg-huge", SVG.format(w="100000", h="100000", body="<rect width='1' height='1'/>").encode(), "huge.svg",
                 f"more than handoutkit's limit of {limits.MAX_SVG_SIDE:,}")
    picture_case("svg-local-file", SVG.format(w=10, h=10, body='<image href="/etc/passwd"/>').encode(), "local.svg",
                 "is an SVG that references '/etc/passwd' outside itself")
    picture_case("svg-network", SVG.format(w=10, h=10, body='<rect style="fill: url(http://127.0.0.1:9/x)"/>').encode(),
                 "net.svg", "is an SVG that references 'http://127.0.0.1:9/x' outside itself")
    picture_case("image-too-many-bytes", png(10, 10) + b"\x00" * (limits.MAX_IMAGE_BYTES + 1), "heavy.png",
                 f"is larger than handoutkit's limit of {limits.size(limits.MAX_IMAGE_BYTES)} for a picture")
    picture_case("not-a-picture", b"MZ\x90\x00 not a picture", "virus.png", "is not a picture handoutkit can print")

    # A picture from the web, and one outside the handout's folder.
    web = folder / "picture-from-the-web"
    web.mkdir()
    (web / "m.yaml").write_text(MODULE.format(title="Web") + "  - type: callout\n    body: '![x](https://127.0.0.1:9/x.png)'\n", encoding="utf-8")
    cases["picture-from-the-web"] = Case(["build", str(web / "m.yaml")], "the picture 'https://127.0.0.1:9/x.png' is from the web",
                                         "picture-from-the-web/m.yaml:7:11")

    # A library whose extra.css loads a picture over the limit, and one that is itself too big.
    for name, css, files, error in (
        ("css-image-bomb", 'body {\n  background: url("bomb.png");\n}\n', {"bomb.png": png(50_000, 50_000)},
         "this stylesheet loads 'bomb.png', which has 50000×50000 pixels, more than handoutkit's limit"),
        ("css-too-big", "/* big */\n" + "p { color: red; }\n" * (limits.MAX_STYLESHEET_BYTES // 17 + 1), {},
         f"is larger than handoutkit's limit of {limits.size(limits.MAX_STYLESHEET_BYTES)} for a stylesheet"),
    ):
        lib = folder / name
        (lib / "styles").mkdir(parents=True)
        (lib / "styles" / "extra.css").write_text(css, encoding="utf-8")
        for file, data in files.items():
            (lib / "styles" / file).write_bytes(data)
        (lib / "plain.yaml").write_text("id: plain\n" + MODULE.format(title="Plain") + "  - type: text\n    body: Words.\n",
                                        encoding="utf-8")
        cases[name] = Case(["--library", str(lib), "build", "plain"], error,
                           f"{name}/styles/extra.css:" + ("2:15" if files else "1:1"))

    # A packet's logo over the limits, and the config file's.
    logo = folder / "logo-bomb"
    logo.mkdir()
    (logo / "logo.png").write_bytes(png(40_000, 40_000))
    (logo / "packet.yaml").write_text("title: Logo\nhandouts: [help-now]\nlogo: logo.png\n", encoding="utf-8")
    cases["logo-bomb"] = Case(["build", str(logo / "packet.yaml")],
                              "the logo 'logo.png' has 40000×40000 pixels, more than handoutkit's limit", "logo-bomb/packet.yaml:3:7")
    config = folder / "config-logo-bomb"
    config.mkdir()
    (config / "logo.svg").write_bytes(use_chain())
    (config / "config.yaml").write_text("practice: Oak Clinic\nlogo: logo.svg\n", encoding="utf-8")
    cases["config-logo-bomb"] = Case(["build", "help-now"], "the logo 'logo.svg' is an SVG that draws",
                                     "config-logo-bomb/config.yaml:2:7", {"HANDOUTS_CONFIG": str(config / "config.yaml")})

    # Counts: a 500-handout packet, a module of too many blocks, a 20,000-row table.
    (folder / "packet-500.yaml").write_text(
        "title: Everything\nhandouts:\n" + "  - help-now\n" * 500, encoding="utf-8")
    cases["packet-500"] = Case(["build", str(folder / "packet-500.yaml")],
                               f"this packet has 500 handouts, more than handoutkit's limit of {limits.MAX_PACKET_HANDOUTS}",
                               "packet-500.yaml:2:1")
    blocks = limits.MAX_MODULE_BLOCKS * 5
    (folder / "blocks.yaml").write_text(
        MODULE.format(title="Blocks") + "  - type: text\n    body: Words.\n" * blocks, encoding="utf-8")
    cases["too-many-blocks"] = Case(["build", str(folder / "blocks.yaml")],
                                    f"this module has {blocks:,} blocks, more than handoutkit's limit of {limits.MAX_MODULE_BLOCKS}",
                                    "blocks.yaml:5:1")
    (folder / "table.yaml").write_text(
        MODULE.format(title="Table") + "  - type: table\n    columns: [a, b]\n    rows:\n" + "      - [x, y]\n" * 20_000,
        encoding="utf-8")
    cases["table-20000-rows"] = Case(["build", str(folder / "table.yaml")],
                                     f"this table has 20,000 rows, more than handoutkit's limit of {limits.MAX_TABLE_ROWS} "
                                     "(split it into several tables)", "table.yaml:8:5")

    # Elements: a long list of one-word items, each one for the engine to style and lay out.
    items = limits.MAX_ELEMENTS + 1000
    (folder / "elements.yaml").write_text(
        MODULE.format(title="Items") + "  - type: list\n    items:\n" + "      - a\n" * items, encoding="utf-8")
    cases["too-many-elements"] = Case(["build", str(folder / "elements.yaml")],
                                      f"more than handoutkit's limit of {limits.MAX_ELEMENTS:,} (build it as several packets",
                                      "elements.yaml:1:1")

    # Pages: fillable prompts of thirty lines, a page apiece from one text field each, are
    # the cheapest pages to lay out.
    prompts = limits.MAX_PAGES + 20
    (folder / "pages.yaml").write_text(
        MODULE.format(title="Pages") + "  - type: prompts\n    items:\n"
        + "".join(f"      - {{question: Question {i}?, lines: 30}}\n" for i in range(prompts)), encoding="utf-8")
    cases["too-many-pages"] = Case(["build", str(folder / "pages.yaml"), "--fillable"],
                                   f"this document has more than {limits.MAX_PAGES} pages, handoutkit's limit", "pages.yaml:1:1")
    return cases
