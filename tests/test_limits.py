"""Every limit holds: beyond one, exit 2 with `file:line:col:` naming it, nothing written,
no traceback, and little CPU; within them, pictures and logos still print.

The corpus (tests/limits_corpus.py) is made by the tests: a PNG and a JPEG whose headers
claim 50000×50000 pixels, SVGs that multiply through <use>, declare entities, are huge or
reach outside themselves, oversized files, logos over the limits (packet and config), a
500-handout packet, 500 blocks, a 20,000-row table, a list of 11,000 items and a document
past the page limit.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from conftest import ROOT
from handoutkit import limits
from limits_corpus import make, png

CPU_SECONDS = 30  # generous: each case needs a few seconds at most, even on a busy machine


def handouts_bounded(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`handouts ARGS…` in a child that the kernel stops after CPU_SECONDS of CPU time."""
    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))

    full = {k: v for k, v in os.environ.items() if k != "HANDOUTS_LIBRARY"}
    return subprocess.run([sys.executable, "-m", "handoutkit", *args], cwd=cwd, env={**full, **env},
                          capture_output=True, text=True, preexec_fn=bound)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("limits")
    return folder, make(folder)


CASES = ["png-bomb", "jpeg-bomb", "svg-use-chain", "svg-laughs", "svg-huge", "svg-local-file", "svg-network",
         "image-too-many-bytes", "not-a-picture", "picture-from-the-web", "css-image-bomb", "css-too-big",
         "logo-bomb", "config-logo-bomb", "packet-500", "too-many-blocks", "table-20000-rows", "too-many-elements",
         "too-many-pages"]


def test_the_corpus_is_every_case(corpus):
    assert sorted(corpus[1]) == sorted(CASES)


@pytest.mark.parametrize("name", CASES)
def test_beyond_a_limit(corpus, tmp_path: Path, name: str):
    folder, cases = corpus
    case = cases[name]
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    env = {"HANDOUTS_CONFIG": str(tmp_path / "none.yaml"), **case.env}
    result = handouts_bounded(*case.args, "-o", str(out / "out.pdf"), cwd=out, env=env)
    assert result.returncode == 2, result.stderr  # a CPU-time kill would be -SIGXCPU
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{folder / case.at}: "), result.stderr
    assert case.error in result.stderr, result.stderr
    assert "limit" in result.stderr or "references" in result.stderr or "DOCTYPE" in result.stderr \
        or "from the web" in result.stderr or "not a picture" in result.stderr, result.stderr
    assert list(out.iterdir()) == [], "a refused build wrote something"
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


def test_each_message_is_one_line_per_problem(corpus, tmp_path: Path):
    folder, cases = corpus
    result = handouts_bounded(*cases["png-bomb"].args, "-o", str(tmp_path / "o.pdf"), cwd=tmp_path,
                              env={"HANDOUTS_CONFIG": str(tmp_path / "none.yaml")})
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# ---- within the limits, pictures print ---------------------------------------------------


def _images(pdf: Path) -> int:
    count = 0
    for page in pypdf.PdfReader(pdf).pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        count += sum(xobjects[k].get_object().get("/Subtype") == "/Image" for k in xobjects)
    return count


def _real_png(path: Path, size: int = 64) -> None:
    from PIL import Image

    Image.new("RGB", (size, size), (30, 90, 160)).save(path)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """A module with a Markdown picture, and a packet with a logo from the config file."""
    folder = tmp_path_factory.mktemp("pictures")
    _real_png(folder / "chart.png")
    (folder / "m.yaml").write_text(
        "title: Picture\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n"
        "  - type: text\n    body: \"Here it is: ![a chart](chart.png)\"\n", encoding="utf-8")
    elsewhere = folder / "practice"
    elsewhere.mkdir()
    _real_png(elsewhere / "logo.png")
    (elsewhere / "notes.png").write_bytes(b"")  # beside the logo: never readable by the engine
    config = folder / "config.yaml"
    config.write_text(f"practice: Oak Clinic\nlogo: {elsewhere / 'logo.png'}\n", encoding="utf-8")
    (folder / "packet.yaml").write_text("title: Two\nhandouts: [help-now, paced-breathing]\n", encoding="utf-8")
    env = {"HANDOUTS_CONFIG": str(config)}
    for name, target in (("picture", "m.yaml"), ("logo", "packet.yaml")):
        result = handouts_bounded("build", str(folder / target), "-o", str(folder / f"{name}.pdf"), cwd=folder, env=env)
        assert result.returncode == 0, result.stderr
    return {"picture": folder / "picture.pdf", "logo": folder / "logo.pdf", "folder": folder}


def test_a_picture_in_markdown_prints(printed):
    assert _images(printed["picture"]) >= 1


def test_a_logo_from_the_config_file_prints(printed):
    assert _images(printed["logo"]) >= 1


def test_a_config_logo_opens_that_file_only(tmp_path: Path):
    """The engine may read the config's logo, and nothing else in its folder."""
    from handoutkit.fetcher import LocalOnlyFetcher

    _real_png(tmp_path / "logo.png")
    _real_png(tmp_path / "other.png")
    fetcher = LocalOnlyFetcher([], [tmp_path / "logo.png"])
    assert fetcher.fetch((tmp_path / "logo.png").as_uri()).read().startswith(b"\x89PNG")
    with pytest.raises(PermissionError):
        fetcher.fetch((tmp_path / "other.png").as_uri())


def test_the_fetcher_checks_every_picture_it_serves(tmp_path: Path):
    from handoutkit.fetcher import LocalOnlyFetcher

    (tmp_path / "bomb.png").write_bytes(png(50_000, 50_000))
    (tmp_path / "fine.png").write_bytes(png(10, 10))
    fetcher = LocalOnlyFetcher([tmp_path])
    fetcher.fetch((tmp_path / "fine.png").as_uri())
    with pytest.raises(PermissionError, match="50000×50000 pixels"):
        fetcher.fetch((tmp_path / "bomb.png").as_uri())


# ---- `handouts config set logo` ----------------------------------------------------------


@pytest.mark.parametrize("logo, error", [
    ("bomb.png", "has 50000×50000 pixels, more than handoutkit's limit"),
    ("notes.txt", "is not a picture handoutkit can print"),
])
def test_config_set_logo_refuses_what_cannot_print(tmp_path: Path, logo: str, error: str):
    (tmp_path / "bomb.png").write_bytes(png(50_000, 50_000))
    (tmp_path / "notes.txt").write_text("my notes", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("practice: Oak Clinic\n", encoding="utf-8")
    result = handouts_bounded("config", "set", "logo", str(tmp_path / logo), cwd=tmp_path,
                              env={"HANDOUTS_CONFIG": str(config)})
    assert result.returncode == 2, result.stderr
    assert error in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert config.read_text(encoding="utf-8") == "practice: Oak Clinic\n"


def test_config_set_logo_takes_a_picture(tmp_path: Path):
    _real_png(tmp_path / "logo.png")
    config = tmp_path / "config.yaml"
    result = handouts_bounded("config", "set", "logo", str(tmp_path / "logo.png"), cwd=tmp_path,
                              env={"HANDOUTS_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "logo.png") in config.read_text(encoding="utf-8")


# ---- one table ---------------------------------------------------------------------------


def test_the_readme_lists_the_table_of_limits():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert limits.markdown_table() in readme


def test_the_models_hold_the_limits():
    from handoutkit import models

    def most(model, name):
        return next(m.max_length for m in model.model_fields[name].metadata if hasattr(m, "max_length"))

    assert most(models.Packet, "handouts") == limits.MAX_PACKET_HANDOUTS
    assert most(models.Module, "blocks") == limits.MAX_MODULE_BLOCKS
    assert most(models.TableBlock, "rows") == limits.MAX_TABLE_ROWS
    from handoutkit import sources
    assert sources.MAX_BYTES == limits.MAX_YAML_BYTES


def test_the_whole_library_fits_in_one_packet():
    """The largest real document there is stays far inside every count limit."""
    from handoutkit.library import Library

    modules, problems = Library().all()
    assert problems == []
    assert len(modules) * 3 <= limits.MAX_PACKET_HANDOUTS  # room for the library to grow threefold
    for m in modules:
        assert len(m.module.blocks) * 4 <= limits.MAX_MODULE_BLOCKS
        for block in m.module.blocks:
            assert len(getattr(block, "rows", [])) * 10 <= limits.MAX_TABLE_ROWS
    assert re.search(r"\d", limits.markdown_table())


# ---- the header check itself --------------------------------------------------------------


@pytest.mark.parametrize("kind, options", [("PNG", {}), ("JPEG", {"progressive": True}), ("GIF", {}),
                                           ("WEBP", {}), ("WEBP", {"lossless": True}), ("BMP", {})])
def test_width_and_height_come_from_the_header(kind: str, options: dict):
    import io

    from PIL import Image

    from handoutkit import pictures

    data = io.BytesIO()
    Image.new("RGB", (123, 45), (1, 2, 3)).save(data, kind, **options)
    assert pictures.dimensions(data.getvalue()) == (123, 45)
    assert pictures.problem(data.getvalue()) is None


def test_an_ordinary_svg_passes_and_a_looping_one_does_not():
    from handoutkit import pictures

    logo = (b'<?xml version="1.0"?>\n<!-- a logo -->\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 200 100" width="60mm">'
            b'<defs><linearGradient id="g"><stop offset="0"/></linearGradient><circle id="c" r="5"/></defs>'
            b'<rect fill="url(#g)" width="10" height="10"/><use xlink:href="#c"/><style>.a{fill:url(#g)}</style></svg>')
    assert pictures.problem(logo) is None
    loop = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>'
    assert "in a loop" in pictures.problem(loop)
    assert "references 'x.html'" in pictures.problem(
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="x.html"/></foreignObject></svg>')


def test_a_picture_beside_a_handout_in_another_folder_is_told_not_lost(tmp_path: Path):
    """A packet's pictures are found from the packet's folder; one beside a handout kept in a
    subfolder would not print, so the build says so at the Markdown instead."""
    (tmp_path / "sub").mkdir()
    _real_png(tmp_path / "sub" / "chart.png")
    (tmp_path / "sub" / "m.yaml").write_text(
        "title: Picture\nkind: handout\naudience: client\ntopics: [testing]\nblocks:\n"
        "  - type: text\n    body: \"![a chart](chart.png)\"\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text("title: P\nhandouts: [sub/m.yaml]\n", encoding="utf-8")
    result = handouts_bounded("build", str(tmp_path / "p.yaml"), "-o", str(tmp_path / "o.pdf"), cwd=tmp_path,
                              env={"HANDOUTS_CONFIG": str(tmp_path / "none.yaml")})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"{tmp_path / 'sub' / 'm.yaml'}:7:11: the picture 'chart.png' is beside the handout")
    assert not (tmp_path / "o.pdf").exists()
