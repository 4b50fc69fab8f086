"""Output never costs a file or mixes clients (SPEC.md, "Output").

Refused before anything renders, exit 2: an output that is a file the build reads (the
packet, a module, the logo, the settings file, a library's template, stylesheet or
module; also through a hard or symbolic link), -o and --html naming one file, two
packets of a batch writing one file, a target that is not a file (/dev/null, /dev/full, a
named pipe), a folder that does not exist. Refusals run in a child whose renderer is
replaced by one that stops the process, so "before rendering" is what is tested, and a
broken check could never write over /dev/null. -o DIR/ or an existing folder writes
inside it; the HTML is written only with its PDF; a PDF with a client's name is 0600.
"""

from __future__ import annotations

import os
import re
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, Run, pdf_text, squash
from handoutkit import build, output
from handoutkit.errors import OutputError
from handoutkit.pdf import Rendered

CPU_SECONDS = 60  # generous: a refusal needs start-up and reading YAML, never a render

# The command as `handouts` runs it, except that rendering stops the process (exit 99)
# with a message: any refusal the test expects has then happened before rendering.
NO_RENDER = """
import sys
from handoutkit import build, cli
def rendered(*args, **kwargs):
    sys.stderr.write("RENDERED: the refusal came after rendering began\\n")
    raise SystemExit(99)
build.render_job = build.build_one = rendered
sys.argv[0] = "handouts"
cli.main()
"""


def _child_limits(mask: int = 0o022):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
        os.umask(mask)
    return apply


def _env(folder: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HANDOUTS_LIBRARY"}
    return {**env, "HANDOUTS_CONFIG": str(folder / "no-config.yaml"), **more}


def refused(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run([sys.executable, "-c", NO_RENDER, *args], cwd=cwd, env=env or _env(cwd),
                          capture_output=True, text=True, timeout=300, preexec_fn=_child_limits())
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    assert run.code == 2, run.text
    assert "Traceback" not in run.text and "RENDERED" not in run.text and "internal error" not in run.text
    assert run.out == "" and len(run.err.strip().splitlines()) == 1, run.text
    return run


def built(*args: str, cwd: Path, mask: int = 0o022, env: dict[str, str] | None = None) -> Run:
    proc = subprocess.run([sys.executable, "-m", "handoutkit", *args], cwd=cwd, env=env or _env(cwd),
                          capture_output=True, text=True, timeout=300, preexec_fn=_child_limits(mask))
    run = Run(proc.returncode, proc.stdout, proc.stderr)
    assert run.code == 0 and "Traceback" not in run.text, run.text
    return run


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, mode, mtime and content (never opening a pipe)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        if path.is_symlink():
            content = os.readlink(path)
        elif stat.S_ISREG(st.st_mode):
            content = path.read_bytes()
        else:
            content = None
        found[str(path.relative_to(folder))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_mtime_ns, content)
    return found


def _png(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (4, 4), "white").save(path)


# ---- a batch never mixes two clients -----------------------------------------------------


@pytest.fixture
def two_sessions(tmp_path: Path) -> Path:
    for client in ("alice", "bob"):
        (tmp_path / client).mkdir()
        (tmp_path / client / "session.yaml").write_text(
            f"title: Session 3\nhandouts: [help-now]\nclient: {client.title()} Client\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    return tmp_path


def test_two_packets_with_one_name_are_refused_naming_both(two_sessions: Path):
    before = snapshot(two_sessions)
    run = refused("build", "alice/session.yaml", "bob/session.yaml", cwd=two_sessions)
    assert run.err.startswith("alice/session.yaml and bob/session.yaml would both write session.pdf: "), run.err
    assert "-o DIR/" in run.err and "rename one" in run.err
    assert snapshot(two_sessions) == before  # no session.pdf here, none in either folder


def test_two_packets_with_one_name_into_a_folder_are_refused(two_sessions: Path):
    # Told apart by folder, the names would be alice-session.pdf: the client's name in a file name.
    before = snapshot(two_sessions)
    for out in ("out", "out/"):
        run = refused("build", "alice/session.yaml", "bob/session.yaml", "-o", out, cwd=two_sessions)
        assert run.err.startswith(f"alice/session.yaml and bob/session.yaml would both write {Path('out', 'session.pdf')}: ")
    assert snapshot(two_sessions) == before


def test_a_batch_takes_a_folder_not_a_file(two_sessions: Path):
    (two_sessions / "bob" / "session.yaml").rename(two_sessions / "bob" / "review.yaml")
    before = snapshot(two_sessions)
    for flag in ("-o", "--html"):
        run = refused("build", "alice/session.yaml", "bob/review.yaml", flag, "both.pdf", cwd=two_sessions)
        assert run.err.startswith(f"{flag} both.pdf names one file, but there are 2 packets: give a folder"), run.err
    run = refused("build", "alice/session.yaml", "bob/review.yaml", "-o", "missing/", cwd=two_sessions)
    assert run.err.startswith("-o missing/: the folder missing does not exist"), run.err
    assert snapshot(two_sessions) == before


def test_the_same_packet_twice_is_refused(two_sessions: Path):
    before = snapshot(two_sessions)
    run = refused("build", "alice/session.yaml", "./alice/../alice/session.yaml", cwd=two_sessions)
    assert run.err.strip() == "alice/session.yaml and ./alice/../alice/session.yaml are the same packet file (name it once)"
    assert snapshot(two_sessions) == before


@pytest.fixture(scope="module")
def batch_into_a_folder(tmp_path_factory) -> tuple[Path, Run]:
    """Alice's packet (with her name) and a packet without a client, into out/, umask 0."""
    where = tmp_path_factory.mktemp("batch")
    (where / "alice").mkdir()
    (where / "team").mkdir()
    (where / "out").mkdir()
    (where / "alice" / "session.yaml").write_text("title: Session 3\nhandouts: [help-now]\nclient: Alice Client\n", encoding="utf-8")
    (where / "team" / "review.yaml").write_text("title: Review\nhandouts: [help-now]\n", encoding="utf-8")
    run = built("build", "alice/session.yaml", "team/review.yaml", "-o", "out", "--html", "out/", "-j", "2",
                cwd=where, mask=0)
    return where, run


def test_a_batch_writes_each_pdf_inside_the_folder(batch_into_a_folder):
    where, run = batch_into_a_folder
    out = where / "out"
    assert sorted(p.name for p in out.iterdir()) == ["review.html", "review.pdf", "session.html", "session.pdf"]
    wrote = [line for line in run.out.splitlines() if not line.startswith("  note: ")]  # crisis-line notes
    assert re.fullmatch(r"wrote out/session\.pdf \(\d+ pages?\)\nwrote out/review\.pdf \(\d+ pages?\)", "\n".join(wrote)), run.out
    assert "Prepared for" in squash(pdf_text(out / "session.pdf")) and "Alice Client" in squash(pdf_text(out / "session.pdf"))
    assert "Alice" not in pdf_text(out / "review.pdf")
    assert sorted(p.name for p in where.iterdir()) == ["alice", "out", "team"]  # nothing in the working folder
    assert [p.name for p in (where / "alice").iterdir()] == ["session.yaml"]


def test_a_pdf_with_a_clients_name_is_for_its_owner_only(batch_into_a_folder):
    where, _ = batch_into_a_folder  # built with umask 0: anything wider than 0600 would show
    out = where / "out"
    assert stat.S_IMODE((out / "session.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "session.html").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "review.pdf").stat().st_mode) == 0o644  # no client: as before
    assert stat.S_IMODE((out / "review.html").stat().st_mode) == 0o644


# ---- an output is never a file the build reads -------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Path:
    """A packet with its own module and logo, a library with a stylesheet, a settings file."""
    (tmp_path / "packet.yaml").write_text(
        "title: Session\nhandouts: [mine.yaml, help-now]\nlogo: logo.png\nclient: Alice Client\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "title: Mine\nkind: handout\naudience: client\ntopics: [sleep]\nblocks:\n  - type: text\n"
        "    body: \"Sleep well. ![A quiet room](room.png)\"\n",
        encoding="utf-8")
    _png(tmp_path / "logo.png")
    _png(tmp_path / "room.png")
    (tmp_path / "lib" / "styles").mkdir(parents=True)
    (tmp_path / "lib" / "styles" / "extra.css").write_text("body { color: black; }\n", encoding="utf-8")
    (tmp_path / "lib" / "theirs.yaml").write_text(
        "title: Theirs\nkind: handout\naudience: client\ntopics: [sleep]\nblocks:\n  - type: text\n    body: Rest.\n",
        encoding="utf-8")
    (tmp_path / "config.yaml").write_text("practice: Riverside Counseling\n", encoding="utf-8")
    os.link(tmp_path / "packet.yaml", tmp_path / "hard.pdf")
    (tmp_path / "link.pdf").symlink_to("mine.yaml")
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "same.pdf").write_bytes(b"%PDF-1.7 last week's")
    return tmp_path


READS = {
    "onto the packet": (["-o", "packet.yaml"],
                        "-o packet.yaml is the packet this build reads (give another file name, like packet.pdf)"),
    "onto its module": (["-o", "mine.yaml"], "-o mine.yaml is a handout module this build reads (give another file name, like packet.pdf)"),
    "onto the logo": (["-o", "logo.png"], "-o logo.png is the logo this build prints (give another file name, like packet.pdf)"),
    "onto a picture a handout prints": (["-o", "room.png"], "-o room.png is a picture this build prints (give another file name, like packet.pdf)"),
    "onto a hard link of the packet": (["-o", "hard.pdf"],
                                       "-o hard.pdf is the same file as packet.yaml, the packet this build reads (give another file name, like packet.pdf)"),
    "onto a link to a module": (["-o", "link.pdf"], "-o link.pdf is a handout module this build reads (give another file name, like packet.pdf)"),
    "onto the settings file": (["-o", "config.yaml"], "-o config.yaml is your settings file (give another file name, like packet.pdf)"),
    "onto a library stylesheet": (["-o", "lib/styles/extra.css"], "-o lib/styles/extra.css is a stylesheet or font this build reads"),
    "onto a library module": (["-o", "lib/theirs.yaml"], "-o lib/theirs.yaml is a handout in the library folder"),
    "html onto the packet": (["--html", "packet.yaml"],
                             "--html packet.yaml is the packet this build reads (give another file name, like packet.html)"),
    "html onto a hard link of the packet": (["--html", "hard.pdf"], "--html hard.pdf is the same file as packet.yaml"),
    "-o and --html one file": (["-o", "same.pdf", "--html", "same.pdf"],
                               "-o same.pdf and --html same.pdf are the same file (give each its own name, like packet.pdf and packet.html)"),
    "-o and --html one file by another name": (["-o", "same.pdf", "--html", "./lib/../same.pdf"], "are the same file"),
    "/dev/null": (["-o", "/dev/null"], "-o /dev/null is a device, not a file (give another file name, like packet.pdf)"),
    "/dev/full": (["--html", "/dev/full"], "--html /dev/full is a device, not a file"),
    "a named pipe": (["-o", "pipe.pdf"], "-o pipe.pdf is a named pipe, not a file (give another file name, like packet.pdf)"),
    "a folder that does not exist": (["-o", "missing/"], "-o missing/: the folder missing does not exist (create the folder first, or name a file, like packet.pdf)"),
    "a folder under a file": (["-o", "same.pdf/x.pdf"], "cannot write same.pdf/x.pdf: same.pdf is a file, not a folder"),
}


@pytest.mark.parametrize("case", READS)
def test_an_output_the_build_reads_is_refused_before_rendering(session: Path, case: str):
    args, message = READS[case]
    before = snapshot(session)
    run = refused("--library", "lib", "build", "packet.yaml", *args, cwd=session,
                  env=_env(session, HANDOUTS_CONFIG=str(session / "config.yaml")))
    assert message in run.err, run.err
    assert snapshot(session) == before  # every input unchanged, to the mtime; the pipe still a pipe


def test_a_default_name_that_is_the_packet_is_refused(tmp_path: Path):
    # A packet file saved as .pdf by mistake: its PDF would replace it.
    (tmp_path / "session.pdf").write_text("title: Session\nhandouts: [help-now]\n", encoding="utf-8")
    before = snapshot(tmp_path)
    run = refused("build", "session.pdf", cwd=tmp_path)
    assert run.err.strip() == ("session.pdf (where the PDF goes by default) is the packet this build reads "
                               "(give another file name with -o)")
    assert snapshot(tmp_path) == before


def test_a_module_given_by_file_is_never_its_own_output(session: Path):
    before = snapshot(session)
    run = refused("build", "mine.yaml", "-o", "mine.yaml", cwd=session)
    assert run.err.strip() == "-o mine.yaml is a handout module this build reads (give another file name, like mine.pdf)"
    assert snapshot(session) == before


# ---- -o DIR/ and an existing folder --------------------------------------------------------


def test_a_folder_gets_the_pdf_inside_it(tmp_path: Path):
    (tmp_path / "out").mkdir()
    run = built("build", "help-now", "-o", "out/", "--html", "out", cwd=tmp_path)
    assert re.fullmatch(r"wrote out/help-now\.pdf \(\d+ pages?\)\n  note: .*confirm the local lines.*\n", run.out), run.out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["help-now.html", "help-now.pdf"]
    assert (tmp_path / "out" / "help-now.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---- the HTML only with its PDF (in this process: a failure a test cannot cause for real) --


RESULT = build.Result("<html>new</html>", Rendered(b"%PDF-1.7 new", 1))


def test_no_html_when_the_pdf_cannot_be_written(tmp_path: Path):
    (tmp_path / "packet.pdf").mkdir()  # the PDF's target is a folder: its write must fail
    with pytest.raises(OutputError, match="it is a folder"):
        build.write_job(RESULT, tmp_path / "packet.pdf", tmp_path / "packet.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["packet.pdf"]


@pytest.mark.parametrize("existed", [True, False])
def test_a_failed_second_rename_puts_the_pdf_back(tmp_path: Path, monkeypatch, existed: bool):
    pdf, html = tmp_path / "packet.pdf", tmp_path / "packet.html"
    if existed:
        pdf.write_bytes(b"%PDF-1.7 old")
        html.write_bytes(b"<html>old</html>")
    real_replace = os.replace

    def replace(source, target):
        if Path(target) == html:
            raise OSError(5, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", replace)
    with pytest.raises(OutputError, match="cannot write .*packet.html: Input/output error"):
        build.write_job(RESULT, pdf, html)
    if existed:
        assert (pdf.read_bytes(), html.read_bytes()) == (b"%PDF-1.7 old", b"<html>old</html>")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["packet.html", "packet.pdf"]  # no stray copies
    else:
        assert list(tmp_path.iterdir()) == []


def test_both_are_written_together(tmp_path: Path):
    assert build.write_job(RESULT, tmp_path / "p.pdf", tmp_path / "p.html") == tmp_path / "p.pdf"
    assert (tmp_path / "p.pdf").read_bytes() == b"%PDF-1.7 new"
    assert (tmp_path / "p.html").read_text() == "<html>new</html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html", "p.pdf"]


def test_a_pipe_that_appears_before_the_rename_is_not_replaced(tmp_path: Path, monkeypatch):
    target = tmp_path / "packet.pdf"
    real_temporary = output._temporary

    def then_a_pipe(*args):
        temp = real_temporary(*args)
        os.mkfifo(target)  # between the first check and the rename
        return temp

    monkeypatch.setattr(output, "_temporary", then_a_pipe)
    with pytest.raises(OutputError, match="it is a named pipe, not a file"):
        output.write_atomic(target, b"%PDF")
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["packet.pdf"]


# ---- permissions ---------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize(("mask", "private", "mode"), [
    (0o022, False, 0o644), (0o077, False, 0o600), (0o002, False, 0o644),
    (0o022, True, 0o600), (0o000, True, 0o600), (0o077, True, 0o600),
])
def test_new_files_get_their_mode(tmp_path: Path, umask, mask: int, private: bool, mode: int):
    umask(mask)
    build.write_job(RESULT, tmp_path / "p.pdf", tmp_path / "p.html", private=private)
    assert (_mode(tmp_path / "p.pdf"), _mode(tmp_path / "p.html")) == (mode, mode)


@pytest.mark.parametrize(("old", "private", "mode"), [
    (0o600, False, 0o600),  # a rebuild without the client stays private
    (0o640, False, 0o640),
    (0o640, True, 0o600),
    (0o400, False, 0o400),
])
def test_a_rebuild_never_widens_the_mode(tmp_path: Path, umask, old: int, private: bool, mode: int):
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(b"%PDF-1.7 old")
    pdf.chmod(old)
    build.write_job(RESULT, pdf, private=private)
    assert pdf.read_bytes() == b"%PDF-1.7 new"
    assert _mode(pdf) == mode


def test_a_client_flag_makes_the_pdf_private(tmp_path: Path):
    (tmp_path / "old.pdf").write_bytes(b"%PDF-1.7 old")
    (tmp_path / "old.pdf").chmod(0o644)
    built("build", "help-now", "--client", "Alice Client", "-o", "old.pdf", cwd=tmp_path, mask=0)
    assert _mode(tmp_path / "old.pdf") == 0o600
    assert "Alice Client" in squash(pdf_text(tmp_path / "old.pdf"))


def test_names_that_differ_only_in_case_are_one_file(two_sessions: Path):
    # On a Mac's or Windows' disk Session.pdf and session.pdf are one file.
    (two_sessions / "alice" / "session.yaml").rename(two_sessions / "alice" / "Session.yaml")
    before = snapshot(two_sessions)
    run = refused("build", "alice/Session.yaml", "bob/session.yaml", "-o", "out", cwd=two_sessions)
    assert run.err.startswith(f"alice/Session.yaml and bob/session.yaml would both write {Path('out', 'session.pdf')}: "), run.err
    assert snapshot(two_sessions) == before


def test_one_packets_pdf_is_never_anothers_module(tmp_path: Path):
    # b.yaml prints the module saved as a.pdf; a.yaml's PDF would be a.pdf.
    (tmp_path / "a.yaml").write_text("title: A\nhandouts: [help-now]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("title: B\nhandouts: [./a.pdf]\n", encoding="utf-8")
    (tmp_path / "a.pdf").write_text(
        "title: Mine\nkind: handout\naudience: client\ntopics: [sleep]\nblocks:\n  - type: text\n    body: Sleep.\n",
        encoding="utf-8")
    before = snapshot(tmp_path)
    run = refused("build", "a.yaml", "b.yaml", cwd=tmp_path)
    assert run.err.strip() == ("a.pdf (where the PDF goes by default) is a handout module this build reads "
                               "(give another file name with -o)")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("target", ["help-now", str(ROOT / "handouts" / "help-now.yaml")])
@pytest.mark.parametrize("onto", ["handouts/help-now.yaml", "handouts/body-scan.yaml", "templates/document.html.j2", "styles/base.css"])
def test_bundled_files_are_never_outputs(tmp_path: Path, target: str, onto: str):
    # Safe to try: the child cannot render, so it cannot write either.
    path = ROOT / onto
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    run = refused("build", target, "-o", str(path), cwd=tmp_path)
    assert run.err.startswith(f"-o {path} is "), run.err
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert list(tmp_path.iterdir()) == []
