"""Private by default: a client's name appears only in the page text of the PDF asked for.

Not in the PDF's metadata, XMP or any other object of it, not in a default file name, not
in any file written under the working folder, ``$TMPDIR``, ``$HOME`` or the XDG cache,
config and data folders (all pointed at fresh folders for the run), and not on stdout
or stderr: of builds as a packet value and as a flag, in every theme, fillable, in a
batch of packets, and of builds and checks that fail. test_variants.py has the short
version of this test.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pypdf
import pytest

from conftest import handouts, pdf_text, squash

NAME = "Zephyrine Quackenbush-Ølund"
PARTS = ("Zephyrine", "Quackenbush", "Ølund")


def _needles() -> list[bytes]:
    """The name's parts in every encoding a file or a PDF string might hold them."""
    out = []
    for part in PARTS:
        for codec in ("utf-8", "utf-16-be", "utf-16-le", "latin-1"):
            try:
                out.append(part.encode(codec))
            except UnicodeEncodeError:
                pass
    out.append("Quackenbush".upper().encode())  # a heading in capitals
    return out


NEEDLES = _needles()


def _leaks(data: bytes) -> list[bytes]:
    return [n for n in NEEDLES if n in data]


def _pdf_objects(pdf: Path) -> bytes:
    """Every object of the PDF, streams inflated: what any tool could read from the file."""
    reader = pypdf.PdfReader(pdf)
    chunks = [pdf.read_bytes()]
    for number in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry in the cross-reference table
            continue
        if obj is None:
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            try:
                chunks.append(obj.get_data())
            except Exception:
                chunks.append(zlib.decompress(obj._data) if obj._data else b"")
            obj = {k: v for k, v in obj.items()}
        chunks.append(repr(obj).encode("utf-8", "backslashreplace"))
        chunks.append(str(obj).encode("utf-16-be", "ignore"))
    return b"\n".join(chunks)


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """Fresh folders for everything a build might write to, and the environment naming them."""
    folders = {name: tmp_path / name for name in ("work", "tmp", "home", "cache", "config", "data", "state")}
    for folder in folders.values():
        folder.mkdir()
    return folders


def _env(place: dict[str, Path]) -> dict[str, str]:
    return {
        "TMPDIR": str(place["tmp"]), "TEMP": str(place["tmp"]), "TMP": str(place["tmp"]),
        "HOME": str(place["home"]), "XDG_CACHE_HOME": str(place["cache"]),
        "XDG_CONFIG_HOME": str(place["config"]), "XDG_DATA_HOME": str(place["data"]),
        "XDG_STATE_HOME": str(place["state"]),
        "HANDOUTS_CACHE": "",  # the platform's cache folder, here inside "cache"
    }


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


def test_the_name_is_in_the_page_text_and_nowhere_else(place: dict[str, Path]):
    work = place["work"]
    env = _env(place)
    # What the clinician writes: these files hold the name because the clinician put it there.
    written_by_hand = {
        work / "thursday.yaml": f"title: Thursday session\nhandouts: [help-now, grounding-5-4-3-2-1]\nclient: {NAME}\n"
                                "clinician: Alex Rivera, LMFT\npractice: Riverside Counseling\ndate: 2026-11-24\n",
        work / "friday.yaml": f"title: Friday session\nhandouts: [body-scan]\nclient: {NAME}\ntheme: large-print\n",
    }
    for path, text in written_by_hand.items():
        path.write_text(text, encoding="utf-8")

    runs = [
        handouts("build", "thursday.yaml", cwd=work, env=env),  # the name from the packet, default file name
        handouts("build", "help-now", "--client", NAME, "--fillable", "--theme", "print", cwd=work, env=env),
        handouts("build", "thursday.yaml", "friday.yaml", "-j", "2", "--client", NAME, cwd=work, env=env),  # a batch
    ]
    for run in runs:
        assert run.code == 0, run.text
    built = {"thursday.pdf", "help-now.pdf", "friday.pdf"}
    assert sorted(p.name for p in work.iterdir()) == sorted([*built, "friday.yaml", "thursday.yaml"])

    # Builds and checks that fail: their messages name files and problems, not the client.
    (work / "broken.yaml").write_text(f"title: Broken\nhandouts: [no-such-handout]\nclient: {NAME}\n", encoding="utf-8")
    failed = [
        handouts("build", "broken.yaml", cwd=work, env=env),
        handouts("build", "help-now", "--client", NAME, "--region", "NZ", cwd=work, env=env),
        handouts("check", "broken.yaml", cwd=work, env=env),
    ]
    assert [r.code for r in failed] == [2, 2, 1], [r.text for r in failed]
    (work / "broken.yaml").unlink()

    for run in runs + failed:
        assert not _leaks(run.out.encode()) and not _leaks(run.err.encode()), run.text

    # The scan below does read the PDF's strings: the packet's title is one of them.
    assert b"Thursday session" in _pdf_objects(work / "thursday.pdf")
    for name in sorted(built):
        pdf = work / name
        assert NAME in squash(pdf_text(pdf)), f"{name}: the name is not on the page"
        reader = pypdf.PdfReader(pdf)
        assert all(not _leaks(str(v).encode()) for v in (reader.metadata or {}).values()), reader.metadata
        assert reader.xmp_metadata is None or not _leaks(reader.xmp_metadata.stream.get_data())
        # Page text is drawn as glyph numbers: the name in readable form anywhere in the
        # file (an outline, a form field, alternative text, an annotation) is a leak.
        assert not _leaks(_pdf_objects(pdf)), f"{name}: the name is readable inside the PDF's objects"

    for folder in ("work", "tmp", "home", "cache", "config", "data", "state"):
        for path in _files(place[folder]):
            assert not _leaks(str(path).encode()), f"a file name holds the name: {path}"
            if path in written_by_hand or (folder == "work" and path.name in built):
                continue
            assert not _leaks(path.read_bytes()), f"{path} holds the client's name"
    assert _files(place["tmp"]) == [], "a build left files in $TMPDIR"
    # The one thing a build keeps outside its PDF: the bundled page templates, compiled
    # (templatecache.py), which the scan above found free of the name.
    kept = _files(place["cache"])
    assert kept and all(p.parent == place["cache"] / "handoutkit" / "templates" and p.suffix == ".cache" for p in kept), kept
    assert not (place["home"] / ".cache").exists()


def test_the_default_file_name_never_holds_the_name(place: dict[str, Path]):
    work = place["work"]
    result = handouts("build", "grounding-5-4-3-2-1", "body-scan", "--client", NAME, cwd=work, env=_env(place))
    assert result.code == 0, result.text
    assert [p.name for p in work.iterdir()] == ["packet.pdf"]
    assert not _leaks(result.text.encode())
