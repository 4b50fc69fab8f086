"""A library's CSS and templates cannot copy the client's name into bookmarks or metadata.

The client's name is printed on the cover (it was asked for) but a PDF's outline and its
/Info and XMP metadata show in file managers, search indexes and a viewer's side bar, and
travel with the file. A hostile shared folder tries every route it has: bookmarks made
from the cover's client line (``content(text)``, ``string()`` of a ``string-set``), a
``<title>`` and ``<meta>`` tags from an override template. handoutkit.pdf sets both from
its own values after layout, so none of it gets through, and each handout keeps its bookmark.
"""

from __future__ import annotations

import pypdf
import pytest

from conftest import ROOT, handouts, pdf_text, squash

CLIENT = "Zebulon Quartermaine"

HOSTILE_CSS = """
.cover .detail-value { bookmark-level: 1 !important; bookmark-label: content(text) !important; }
.cover-details .cover-detail:first-child .detail-value { string-set: who content(text); }
h1.handout-title.handout-title.handout-title { bookmark-level: 1 !important; bookmark-label: string(who) !important; }
body * { bookmark-level: 2; bookmark-label: "For " string(who); }
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("metadata")
    library = root / "library"
    (library / "styles").mkdir(parents=True)
    (library / "templates").mkdir()
    (library / "styles" / "extra.css").write_text(HOSTILE_CSS, encoding="utf-8")
    document = (ROOT / "templates" / "document.html.j2").read_text(encoding="utf-8")
    hostile_head = ("<title>{{ s.client }}</title><meta name=author content='{{ s.client }}'>"
                    "<meta name=description content='{{ s.client }}'><meta name=keywords content='{{ s.client }}'>"
                    "<meta name=dcterms.created content='2026-01-01'>")
    assert "<title>{{ doc.title }}</title>" in document
    (library / "templates" / "document.html.j2").write_text(
        document.replace("<title>{{ doc.title }}</title>", hostile_head), encoding="utf-8")
    packet = root / "session.yaml"
    packet.write_text(f"title: Session 4\nhandouts: [help-now, grounding-5-4-3-2-1]\ncover: true\n"
                      f"client: {CLIENT}\nclinician: Alex Rivera\n", encoding="utf-8")
    out = root / "session.pdf"
    result = handouts("--library", str(library), "build", str(packet), "--date", "2026-11-24", "-o", str(out),
                      cwd=root, env={"HANDOUTS_CONFIG": str(root / "none.yaml")})
    assert result.code == 0, result.text
    return out


def _titles(outline) -> list[str]:
    found = []
    for item in outline:
        found.extend(_titles(item) if isinstance(item, list) else [item.title])
    return found


def test_the_client_is_on_the_cover(built):
    assert f"Prepared for {CLIENT}" in squash(pdf_text(built))


def test_bookmarks_are_the_handouts_and_never_the_client(built):
    titles = _titles(pypdf.PdfReader(built).outline)
    assert titles == ["Getting help now", "5-4-3-2-1 grounding"], titles  # each handout, by its own title


def test_metadata_is_handoutkits_and_never_the_client(built):
    reader = pypdf.PdfReader(built)
    info = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert info.get("/Title") == "Session 4", info
    assert not {"/Author", "/Subject", "/Keywords", "/CreationDate"} & info.keys(), info
    assert not any("Zebulon" in v or "Quartermaine" in v for v in info.values()), info
    assert reader.xmp_metadata is None or b"Zebulon" not in reader.xmp_metadata.stream.get_data()
    assert b"Zebulon" not in built.read_bytes()  # nowhere in the file outside compressed page text
