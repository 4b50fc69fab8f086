"""`build --print` against a real CUPS: a private `cupsd` of this test's own, with a
cups-pdf queue, whose job options are read back from the scheduler's page log.

The scheduler runs from a folder of its own (its config, spool, logs and a Unix socket),
and every `handouts` here reaches it through CUPS_SERVER, so the machine's own CUPS, if it
has one, is never touched. Starting `cupsd` needs root (CI runs as root on Debian, with
`cups` and `printer-driver-cups-pdf` installed by .ci/run).

The page log is written with a format of our own (PageLogFormat): the printer, the job
and the job's copies, media and sides, as the scheduler handed them to the driver.
cups-pdf then writes the printed PDF to the home folder of the job's user (root's:
~root/PDF), where its page size is read and the file removed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pypdf
import pytest

from conftest import handouts

SAFETY_NET = 120  # seconds: only so that a scheduler that never answers fails instead of stalling
PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
LETTER, A4 = (612, 792), (595, 842)

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="starts its own cupsd, which needs root (CI runs as root)")


def _tool(name: str) -> str:
    """CUPS's admin tools live in /usr/sbin, which not every PATH holds."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin") or name


class PrivateCups:
    """A cupsd of its own in a fresh folder, listening only on a Unix socket there."""

    def __init__(self) -> None:
        # Filters run as the unprivileged 'lp' user and read the spool: the folder must be
        # open to it (pytest's own tmp folders are not).
        self.root = Path(tempfile.mkdtemp(prefix="handouts-cups-"))
        self.root.chmod(0o755)
        for name in ("conf", "spool", "spool/tmp", "cache", "state", "log"):
            (self.root / name).mkdir(mode=0o755)
        self.socket = self.root / "cups.sock"
        self.page_log = self.root / "log" / "page_log"
        (self.root / "conf" / "cups-files.conf").write_text(
            f"ServerRoot {self.root}/conf\nRequestRoot {self.root}/spool\nTempDir {self.root}/spool/tmp\n"
            f"CacheDir {self.root}/cache\nStateDir {self.root}/state\n"
            f"AccessLog {self.root}/log/access_log\nErrorLog {self.root}/log/error_log\n"
            f"PageLog {self.page_log}\nSystemGroup root\n", encoding="utf-8")
        (self.root / "conf" / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nBrowsing No\nPreserveJobHistory Yes\n"
            'PageLogFormat %p %j copies=%{copies} media=%{media} sides=%{sides}\n'
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n", encoding="utf-8")
        self.env = {"CUPS_SERVER": str(self.socket), "LC_ALL": "C"}
        self.process = subprocess.Popen(
            [_tool("cupsd"), "-f", "-c", f"{self.root}/conf/cupsd.conf", "-s", f"{self.root}/conf/cups-files.conf"],
            stdout=subprocess.DEVNULL, stderr=open(self.root / "log" / "stderr", "w"))
        self.wait_for(lambda: "scheduler is running" in self.run("lpstat", "-r").stdout, "cupsd to start")

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run([_tool(args[0]), *args[1:]], env={**os.environ, **self.env}, capture_output=True, text=True,
                              check=check, timeout=SAFETY_NET)

    def wait_for(self, ready, what: str) -> None:
        """Poll until ``ready()``; the safety net only turns a hang into a failure."""
        give_up = time.monotonic() + SAFETY_NET
        while not ready():
            if self.process.poll() is not None or time.monotonic() > give_up:
                raise AssertionError(f"waited in vain for {what}:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        files = [self.root / "log" / "stderr", self.root / "log" / "error_log"]
        return "\n".join(f.read_text(errors="replace")[-4000:] for f in files if f.exists())

    def add_queue(self, name: str) -> None:
        self.run("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-P", PPD, check=True)

    def job_line(self, job: str) -> str:
        """The page log's line for ``job`` (like testpdf-3), once the job has finished."""
        printer, number = job.rsplit("-", 1)
        pattern = re.compile(rf"^{re.escape(printer)} {number} (.*)$", re.M)

        def logged() -> bool:
            return self.page_log.exists() and pattern.search(self.page_log.read_text()) is not None

        self.wait_for(lambda: job in self.run("lpstat", "-W", "completed", "-o", printer).stdout and logged(),
                      f"job {job} to finish")
        return pattern.search(self.page_log.read_text()).group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=SAFETY_NET)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


CUPS_PDF_OUT = Path(pwd.getpwuid(0).pw_dir) / "PDF"  # cups-pdf's Out for root's jobs (cups-pdf.conf)


@pytest.fixture(scope="module")
def cups():
    made_out = not CUPS_PDF_OUT.exists()
    server = PrivateCups()
    try:
        server.add_queue("testpdf")
        yield server
    finally:
        server.remove()
        if made_out:  # cups-pdf made it for these tests: leave root's home as it was
            with contextlib.suppress(OSError):
                CUPS_PDF_OUT.rmdir()  # only when empty: never another run's files


@pytest.fixture
def env(tmp_path: Path, cups: PrivateCups) -> dict[str, str]:
    """What every `handouts` here runs with: our scheduler, no default printer from the
    environment or a lpoptions file, and no settings file."""
    home = tmp_path / "home"
    home.mkdir()
    return {**cups.env, "HOME": str(home), "LPDEST": "", "PRINTER": "",
            "HANDOUTS_CONFIG": str(tmp_path / "no-config.yaml")}


def _packet(folder: Path, name: str, paper: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(f"title: {name}\nhandouts: [help-now, grounding-5-4-3-2-1]\npaper: {paper}\n", encoding="utf-8")
    return path


def _printed(output: str) -> dict[str, str]:
    """Each PDF sent to a printer, by file name: its job (like testpdf-3)."""
    return {Path(path).name: job for path, job in re.findall(r"^sent (.+) to \S+ \(.*\): job (\S+)$", output, re.M)}


def _cups_pdf_output(title: str, job: str) -> Path:
    """The PDF cups-pdf wrote for the job, in its user's (root's) home: removed by the caller."""
    home = CUPS_PDF_OUT
    number = job.rsplit("-", 1)[1]
    found = sorted(home.glob(f"{title}*job_{number}.pdf"))
    assert len(found) == 1, (title, job, list(home.glob("*")))
    return found[0]


def _page_size(path: Path) -> tuple[int, int]:
    box = pypdf.PdfReader(path).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def test_print_tells_the_printer_the_packets_paper_copies_and_sides(tmp_path: Path, cups: PrivateCups, env):
    tag = uuid.uuid4().hex[:8]  # the cups-pdf file names of this run, beside other runs'
    letter = _packet(tmp_path, f"letter-{tag}", "letter")
    a4 = _packet(tmp_path, f"a4-{tag}", "a4")
    out = tmp_path / "out"
    out.mkdir()

    result = handouts("build", str(letter), str(a4), "-o", f"{out}/", "--print", "--printer", "testpdf",
                      "--copies", "2", "--duplex", env=env)
    assert result.code == 0, result.text + cups.log()
    jobs = _printed(result.out)
    by_packet = {name: jobs[f"{name}-{tag}.pdf"] for name in ("letter", "a4")}
    assert len(set(jobs.values())) == 2, result.out
    assert cups.job_line(by_packet["letter"]) == "copies=2 media=Letter sides=two-sided-long-edge"
    assert cups.job_line(by_packet["a4"]) == "copies=2 media=A4 sides=two-sided-long-edge"
    assert "(2 copies on Letter, two-sided)" in result.out and "(2 copies on A4, two-sided)" in result.out
    for name, size in (("letter", LETTER), ("a4", A4)):
        assert (out / f"{name}-{tag}.pdf").exists()
        printed = _cups_pdf_output(f"{name}-{tag}", by_packet[name])
        try:
            assert _page_size(printed) == size  # what the printer put on paper
        finally:
            printed.unlink()


def test_print_goes_to_the_default_printer_on_the_handouts_paper(tmp_path: Path, cups: PrivateCups, env):
    out = tmp_path / f"one-{uuid.uuid4().hex[:8]}.pdf"
    result = handouts("build", "help-now", "--paper", "a4", "-o", str(out), "--print", "--one-sided",
                      env={**env, "LPDEST": "testpdf"})
    assert result.code == 0, result.text + cups.log()
    (job,) = _printed(result.out).values()
    assert f"sent {out} to testpdf (1 copy on A4, one-sided): job {job}" in result.out
    assert cups.job_line(job) == "copies=1 media=A4 sides=one-sided"
    _cups_pdf_output(out.stem, job).unlink()


def test_a_paused_queue_is_said_and_nothing_is_queued(tmp_path: Path, cups: PrivateCups, env):
    cups.add_queue("paused")
    cups.run("cupsdisable", "-r", "out of toner", "paused", check=True)
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print", "--printer", "paused", env=env)
    assert result.code == 2 and "Traceback" not in result.text
    assert result.err.strip() == (
        f"wrote {out}, but did not print it: the printer 'paused' is paused (out of toner). "
        "Resume it (`cupsenable paused`, or in the printer's settings), then print again")
    assert out.exists()
    assert cups.run("lpstat", "-o", "paused").stdout == ""  # no job left waiting in the queue


def test_a_queue_refusing_jobs_is_said(tmp_path: Path, cups: PrivateCups, env):
    cups.add_queue("refusing")
    cups.run("cupsreject", "-r", "moving office", "refusing", check=True)
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print", "--printer", "refusing", env=env)
    assert result.code == 2 and "Traceback" not in result.text
    assert result.err.strip() == (
        f"wrote {out}, but did not print it: the printer 'refusing' is not accepting jobs (moving office). "
        "Let it take jobs again (`cupsaccept refusing`), then print again")
    assert out.exists()


def test_no_default_printer_is_said(tmp_path: Path, cups: PrivateCups, env):
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print", env=env)
    assert result.code == 2 and "Traceback" not in result.text
    assert result.err.strip() == (
        f"wrote {out}, but did not print it: there is no default printer. Name one with --printer NAME "
        "(`lpstat -p` lists the printers), or make one the default with `lpoptions -d NAME`")
    assert out.exists()


def test_an_unknown_printer_is_said(tmp_path: Path, cups: PrivateCups, env):
    out = tmp_path / "h.pdf"
    result = handouts("build", "help-now", "-o", str(out), "--print", "--printer", "nosuch", env=env)
    assert result.code == 2
    assert result.err.strip() == (
        f"wrote {out}, but did not print it: there is no printer named 'nosuch' (`lpstat -p` lists the printers)")
    assert out.exists()


def test_a_stopped_cups_is_said(tmp_path: Path, env):
    stopped = PrivateCups()
    try:
        stopped.add_queue("testpdf")
        stopped.stop()
        out = tmp_path / "h.pdf"
        result = handouts("build", "help-now", "-o", str(out), "--print", "--printer", "testpdf",
                          env={**env, **stopped.env})
    finally:
        stopped.remove()
    assert result.code == 2 and "Traceback" not in result.text
    assert result.err.strip() == (
        f"wrote {out}, but did not print it: the print system (CUPS) is not running. "
        "Start it (on Linux: `sudo systemctl start cups`), then print again")
    assert out.exists()


def test_print_options_without_print_are_refused(tmp_path: Path):
    for flags in (["--copies", "2"], ["--printer", "x"], ["--duplex"]):
        result = handouts("build", "help-now", "-o", str(tmp_path / "h.pdf"), *flags)
        assert result.code == 2
        assert "add --print to print" in result.err
        assert not (tmp_path / "h.pdf").exists()
