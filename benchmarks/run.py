#!/usr/bin/env python3
"""handoutkit's speed, memory and size figures, each against its bar.

Run from the repo:  .venv/bin/python benchmarks/run.py [--quick] [--only list,packet,…]

Every figure is measured on a fresh `handouts` process, the way a clinician runs it, and
reported as the median of several runs next to its bar with PASS or FAIL. Packets are
made in a temporary folder that is removed at the end; nothing is written to the repo,
nothing reaches the network. See benchmarks/README.md for what each figure means.

Standard library only (plus the project's own dependencies, run in child processes).
Needs a Unix-like system (os.wait4 gives each child's peak memory).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Eight bundled client handouts: the "eight-handout packet" of the packet-overhead figure.
EIGHT = [
    "what-is-sexual-coercion", "consent-literacy", "pressure-tactics", "boundaries-and-pacing",
    "grounding-5-4-3-2-1", "paced-breathing", "body-scan", "help-now",
]

# The baseline: a bare script that imports WeasyPrint and renders the HTML `--html` wrote.
# handoutkit renders with pdf_tags=True (a tagged, accessible PDF), so the baseline asked
# for the same PDF does the same work; the untagged one is shown for information.
BASELINE_TAGGED = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2], pdf_tags=True)"
BASELINE_PLAIN = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
# `handouts` skips CPython's last garbage collection at exit (cli.run: about 0.2 s after a
# build); the bare script pays it. This one skips it too, so the ratio against it shows
# what handoutkit's own work costs, like for like; for information.
BASELINE_FROZEN = BASELINE_TAGGED + "; import gc; gc.freeze()"

BARS = {
    "list_seconds": 0.4,
    "packet_ratio": 1.15,
    "batch_speedup": 1.6,
    "library_rss_mb": 300.0,
    "two_page_kb": 60.0,
    "hostile_cpu_seconds": 2.0,
}


# ---- running a child process ---------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # user + system time of the process and the children it waited for
    max_rss_mb: float  # peak resident memory of the process (and any children it waited for)
    out: str
    err: str


IDLE = {"wait": False, "waited": 0.0}


def busy_cores(interval: float = 0.5) -> float | None:
    """How many cores' worth of CPU the machine used over `interval` seconds (Linux only)."""
    def sample() -> tuple[int, int] | None:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle

    first = sample()
    time.sleep(interval)
    second = sample()
    if first is None or second is None or second[0] == first[0]:
        return None
    total, idle = second[0] - first[0], second[1] - first[1]
    return (total - idle) / total * (os.cpu_count() or 1)


def wait_for_idle(limit: float = 60.0, budget: float = 900.0) -> None:
    """With --wait-idle: before a run, wait (up to `limit` s, `budget` s in all) until other work uses < 0.2 core."""
    if not IDLE["wait"] or IDLE["waited"] > budget:
        return
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        used = busy_cores()
        if used is None or used < 0.2:
            break
    IDLE["waited"] += time.perf_counter() - start


def handouts_command() -> list[str]:
    """The installed `handouts` script next to this Python, else `python -m handoutkit`."""
    script = Path(PYTHON).with_name("handouts")
    return [str(script)] if script.is_file() else [PYTHON, "-m", "handoutkit"]


def child_env(tmp: Path, *, bytecode: bool = True) -> dict[str, str]:
    env = dict(os.environ)
    # A normal install caches compiled bytecode, so a warm start does not recompile
    # handoutkit. Some environments (CI images, sandboxes) set PYTHONDONTWRITEBYTECODE;
    # we cache into the temp folder instead, so nothing is written beside the code.
    # handoutkit keeps its compiled page templates in the user's cache folder the same way
    # (templatecache.py); here in the temp folder, filled by the warm-up runs.
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        env["HANDOUTS_CACHE"] = str(tmp / "templates")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
        env["HANDOUTS_CACHE"] = "off"
    env.pop("HANDOUTS_LIBRARY", None)  # the bundled library only
    env["HANDOUTS_CONFIG"] = str(tmp / "no-settings.yaml")  # defaults, not this machine's settings
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if not (REPO / "handoutkit" / "__init__.py").is_file():
        raise SystemExit(f"no handoutkit package at {REPO}")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run(cmd: list[str], *, cwd: Path, env: dict[str, str], exits: tuple[int, ...] = (0,)) -> Run:
    wait_for_idle()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode not in exits:
        raise SystemExit(f"benchmark command failed (exit {proc.returncode}): {shlex.join(cmd)}\n{stderr}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS; report MB (10^6 bytes).
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Run(seconds, usage.ru_utime + usage.ru_stime, rss_bytes / 1e6, stdout, stderr)


# ---- results ---------------------------------------------------------------------------


@dataclass
class Row:
    figure: str
    median: str
    runs: str
    bar: str
    ok: bool | None  # None: information, no bar
    details: list[str] = field(default_factory=list)

    @property
    def result(self) -> str:
        return "info" if self.ok is None else ("PASS" if self.ok else "FAIL")


def secs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values) + " s"


def progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# ---- the figures -----------------------------------------------------------------------


class Bench:
    def __init__(self, tmp: Path, quick: bool):
        self.tmp = tmp
        self.quick = quick
        self.env = child_env(tmp)
        self.handouts = handouts_command()
        self.cwd = tmp / "cwd"
        self.cwd.mkdir()

    def runs(self, full: int, quick: int) -> int:
        return quick if self.quick else full

    def bundled_ids(self) -> list[str]:
        listed = run([*self.handouts, "list", "--json"], cwd=self.cwd, env=self.env)
        return [row["id"] for row in json.loads(listed.out)]

    # 1. `handouts list` start-up, and that it never imports WeasyPrint.
    def list_startup(self) -> list[Row]:
        n = self.runs(5, 3)
        progress(f"handouts list start-up ({n} runs, after one warm-up)")
        cmd = [*self.handouts, "list"]
        cold_env = child_env(self.tmp, bytecode=False)
        run(cmd, cwd=self.cwd, env=self.env)  # warm-up: bytecode cached, files in the page cache
        times, cold = [], []
        for _ in range(n):  # interleaved, so a slow spell on the machine hits both alike
            times.append(run(cmd, cwd=self.cwd, env=self.env).seconds)
            cold.append(run(cmd, cwd=self.cwd, env=cold_env).seconds)

        traced = run(cmd, cwd=self.cwd, env={**self.env, "PYTHONPROFILEIMPORTTIME": "1"})
        imported = [line.rsplit("|", 1)[-1].strip() for line in traced.err.splitlines() if line.startswith("import time:")]
        heavy = sorted({m for m in imported if m.split(".")[0] in ("weasyprint", "fontTools", "pydyf", "cffi")})
        median = statistics.median(times)
        return [
            Row("`handouts list` start-up", f"{median:.2f} s", str(n), f"≤ {BARS['list_seconds']:.2f} s",
                median <= BARS["list_seconds"], [f"runs: {secs(times)}"]),
            Row("`handouts list` imports WeasyPrint", "yes" if heavy else "no", "1", "no", not heavy,
                [f"imported: {', '.join(heavy[:8])}"] if heavy else []),
            Row("`handouts list` start-up, no bytecode cache", f"{statistics.median(cold):.2f} s", str(n), "—", None,
                [f"with PYTHONDONTWRITEBYTECODE=1 every start recompiles handoutkit: {secs(cold)}"]),
        ]

    # 2. An eight-handout packet against a bare WeasyPrint render of the same HTML.
    def packet_overhead(self) -> list[Row]:
        n = self.runs(5, 3)
        progress(f"eight-handout packet vs bare WeasyPrint ({n} runs each, interleaved, after one warm-up)")
        folder = self.tmp / "packet"
        folder.mkdir()
        packet = folder / "eight.yaml"
        packet.write_text(textwrap.dedent(f"""\
            title: Eight handouts
            handouts: [{", ".join(EIGHT)}]
            client: A. Sample
            clinician: Alex Rivera, LMFT
            practice: Riverside Counseling
            region: US
            """), encoding="utf-8")
        html, pdf = folder / "eight.html", folder / "eight.pdf"
        ours = [*self.handouts, "build", str(packet), "-o", str(pdf)]
        first = run([*ours, "--html", str(html)], cwd=self.cwd, env=self.env)  # warm-up, and the HTML
        tagged = [PYTHON, "-c", BASELINE_TAGGED, str(html), str(folder / "baseline-tagged.pdf")]
        plain = [PYTHON, "-c", BASELINE_PLAIN, str(html), str(folder / "baseline-plain.pdf")]
        frozen = [PYTHON, "-c", BASELINE_FROZEN, str(html), str(folder / "baseline-frozen.pdf")]
        for baseline in (tagged, plain, frozen):
            run(baseline, cwd=self.cwd, env=self.env)
        r_ours, r_tagged, r_plain, r_frozen = [], [], [], []
        for _ in range(n):  # interleaved, so a slow spell on the machine hits them all alike
            r_ours.append(run(ours, cwd=self.cwd, env=self.env))
            r_tagged.append(run(tagged, cwd=self.cwd, env=self.env))
            r_plain.append(run(plain, cwd=self.cwd, env=self.env))
            r_frozen.append(run(frozen, cwd=self.cwd, env=self.env))
        t_ours, t_tagged, t_plain, t_frozen = ([r.seconds for r in rs] for rs in (r_ours, r_tagged, r_plain, r_frozen))
        m_ours, m_tagged, m_plain, m_frozen = (statistics.median(t) for t in (t_ours, t_tagged, t_plain, t_frozen))
        cpu_ours, cpu_tagged = (statistics.median(r.cpu_seconds for r in rs) for rs in (r_ours, r_tagged))
        ratio = m_ours / m_tagged
        pages = re.search(r"\((\d+) pages?\)", first.out)
        return [
            Row("8-handout packet ÷ bare WeasyPrint (tagged PDF)", f"{ratio:.3f} ×", f"{n} + {n}",
                f"≤ {BARS['packet_ratio']:.2f} ×", ratio <= BARS["packet_ratio"], [
                    f"handouts build: median {m_ours:.2f} s ({secs(t_ours)}), {pages.group(1) if pages else '?'} pages",
                    f"baseline, pdf_tags=True: median {m_tagged:.2f} s ({secs(t_tagged)})",
                    f"handoutkit's own share: {m_ours - m_tagged:+.2f} s",
                ]),
            Row("8-handout packet ÷ bare WeasyPrint, CPU time", f"{cpu_ours / cpu_tagged:.3f} ×", f"{n} + {n}", "—", None, [
                f"user + system time, medians {cpu_ours:.2f} s and {cpu_tagged:.2f} s "
                "(leaves out time spent waiting for a core)",
            ]),
            Row("8-handout packet ÷ bare WeasyPrint skipping the last collection too", f"{m_ours / m_frozen:.3f} ×",
                f"{n} + {n}", "—", None, [
                    f"baseline that also freezes the garbage collector before exiting: median {m_frozen:.2f} s "
                    f"({secs(t_frozen)}); handoutkit's own work, like for like: {m_ours - m_frozen:+.2f} s",
                ]),
            Row("8-handout packet ÷ bare WeasyPrint (untagged)", f"{m_ours / m_plain:.3f} ×", f"{n} + {n}", "—", None, [
                f"baseline without pdf_tags: median {m_plain:.2f} s ({secs(t_plain)}); "
                "not the bar's baseline, since it makes a different (untagged) PDF",
            ]),
        ]

    # 3. Eight packet files at once: -j 2 against -j 1.
    def batch_speedup(self) -> list[Row]:
        n = self.runs(3, 1)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        progress(f"eight packets, -j 1 and -j 2 ({n} run{'s' if n > 1 else ''} each, interleaved)")
        ids = self.bundled_ids()
        folder = self.tmp / "batch"
        folder.mkdir()
        packets = []
        for i in range(8):  # three handouts each, like a session's packet
            chosen = [ids[(3 * i + k) % len(ids)] for k in range(3)]
            path = folder / f"session-{i + 1}.yaml"
            path.write_text(f"title: Session {i + 1}\nhandouts: [{', '.join(chosen)}]\nregion: US\n", encoding="utf-8")
            packets.append(str(path))
        cmd = [*self.handouts, "build", *packets]
        run([*self.handouts, "build", packets[0]], cwd=folder, env=self.env)  # warm-up: bytecode cached
        j1, j2 = [], []
        for _ in range(n):
            j1.append(run([*cmd, "-j", "1"], cwd=folder, env=self.env).seconds)
            j2.append(run([*cmd, "-j", "2"], cwd=folder, env=self.env).seconds)
        speedup = statistics.median(j1) / statistics.median(j2)
        ok = speedup >= BARS["batch_speedup"] if cores >= 2 else None
        return [Row("8 packets: (-j 1 time) ÷ (-j 2 time)", f"{speedup:.2f} ×", f"{n} + {n}",
                    f"≥ {BARS['batch_speedup']:.1f} × on 2 cores", ok, [
                        f"-j 1: {secs(j1)}; -j 2: {secs(j2)}",
                        *([f"only {cores} core(s) here: the bar does not apply"] if cores < 2 else []),
                    ])]

    # 4. The whole bundled library as one packet: peak memory.
    def library_memory(self) -> list[Row]:
        n = self.runs(3, 1)
        progress(f"the whole library as one packet ({n} run{'s' if n > 1 else ''})")
        ids = self.bundled_ids()
        folder = self.tmp / "library"
        folder.mkdir()
        packet = folder / "everything.yaml"
        packet.write_text(f"title: The whole library\nhandouts: [{', '.join(ids)}]\nregion: US\n", encoding="utf-8")
        runs = [run([*self.handouts, "build", str(packet), "-o", str(folder / "everything.pdf")], cwd=self.cwd, env=self.env)
                for _ in range(n)]
        rss = [r.max_rss_mb for r in runs]
        median = statistics.median(rss)
        pages = re.search(r"\((\d+) pages?\)", runs[0].out)
        return [Row(f"whole library ({len(ids)} handouts) as one packet: peak memory", f"{median:.0f} MB", str(n),
                    f"< {BARS['library_rss_mb']:.0f} MB", median < BARS["library_rss_mb"], [
                        f"max RSS: {', '.join(f'{v:.0f}' for v in rss)} MB; "
                        f"{pages.group(1) if pages else '?'} pages in {secs([r.seconds for r in runs])}",
                    ])]

    # 5. Each bundled handout on its own: the largest two-page PDF.
    def pdf_size(self) -> list[Row]:
        ids = self.bundled_ids()
        progress(f"each of the {len(ids)} bundled handouts built alone (once each: the bytes do not vary)")
        folder = self.tmp / "sizes"
        folder.mkdir()

        def build(handout_id: str) -> tuple[str, int, int]:
            out = folder / f"{handout_id}.pdf"
            done = run([*self.handouts, "build", handout_id, "-o", str(out)], cwd=self.cwd, env=self.env)
            pages = re.search(r"\((\d+) pages?\)", done.out)
            return handout_id, int(pages.group(1)) if pages else 0, out.stat().st_size

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            built = list(pool.map(build, ids))
        two = sorted((b for b in built if b[1] == 2), key=lambda b: b[2], reverse=True)
        if not two:
            return [Row("two-page handout PDF size", "—", "0", f"≤ {BARS['two_page_kb']:.0f} KB", False,
                        ["no bundled handout renders to exactly two pages"])]
        worst_id, _, worst = two[0]
        kb = worst / 1000
        return [Row("largest two-page handout PDF", f"{kb:.1f} KB", "1", f"≤ {BARS['two_page_kb']:.0f} KB",
                    kb <= BARS["two_page_kb"], [
                        f"largest: {worst_id}; the {len(two)} two-page handouts run "
                        f"{two[-1][2] / 1000:.1f}–{kb:.1f} KB (1 KB = 1000 bytes)",
                        "all: " + ", ".join(f"{i} {p}p {s / 1000:.1f} KB" for i, p, s in sorted(built)),
                    ])]


    # 6. The slowest hostile input: CPU time beyond start-up, refused or built harmlessly.
    def hostile_cpu(self) -> list[Row]:
        progress("every input of the limits corpus and of tests/hostile/, once each (CPU time does not wait)")
        sys.path[:0] = [str(REPO), str(REPO / "tests")]
        import limits_corpus

        folder = self.tmp / "hostile"
        inputs = {name: (case.args, case.env) for name, case in limits_corpus.make(folder / "limits").items()}
        inputs.update(hostile_inputs(folder / "corpus"))
        plain = [PYTHON, "-c", "import handoutkit.cli, handoutkit.build, weasyprint"]
        run(plain, cwd=self.cwd, env=self.env)  # warm-up: bytecode cached
        startup = statistics.median(run(plain, cwd=self.cwd, env=self.env).cpu_seconds for _ in range(3))
        out = folder / "out"
        out.mkdir()
        cpu = {}
        for name, (args, env) in inputs.items():
            done = run([*self.handouts, *args, "-o", str(out / "out.pdf")], cwd=out, env={**self.env, **env}, exits=(0, 2))
            cpu[name] = done.cpu_seconds - startup
            (out / "out.pdf").unlink(missing_ok=True)
        worst = max(cpu, key=cpu.get)
        ranked = sorted(cpu.items(), key=lambda kv: kv[1], reverse=True)
        return [Row("slowest hostile input: CPU beyond start-up", f"{cpu[worst]:.2f} s", "1",
                    f"≤ {BARS['hostile_cpu_seconds']:.0f} s", cpu[worst] <= BARS["hostile_cpu_seconds"], [
                        f"slowest: {worst}; start-up (Python, handoutkit and WeasyPrint imported) {startup:.2f} s of CPU",
                        "below zero: refused before WeasyPrint is even imported",
                        "each, beyond start-up: " + ", ".join(f"{n} {c:.2f}" for n, c in ranked) + " s",
                    ])]


def hostile_inputs(folder: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The `handouts` arguments that build each file of tests/hostile/, arranged as the test does."""
    library = folder / "lib"
    (library / "styles").mkdir(parents=True)
    (library / "templates" / "blocks").mkdir(parents=True)
    (library / "plain.yaml").write_text("id: hostile-plain\ntitle: Plain\nkind: handout\naudience: client\n"
                                        "topics: [testing]\nblocks:\n  - type: text\n    body: Plain words.\n", encoding="utf-8")
    inputs = {}
    for source in sorted((REPO / "tests" / "hostile").iterdir()):
        # Port 9 (discard) on this machine: nothing is fetched, the refusal comes first.
        data = source.read_bytes().replace(b"@PORT@", b"9").replace(b"@OUTSIDE@", str(folder).encode())
        if source.suffix in (".css", ".j2"):
            case = folder / source.stem
            shutil.copytree(library, case)
            target = case / ("styles/extra.css" if source.suffix == ".css" else "templates/blocks/text.html.j2")
            target.write_bytes(data)
            inputs[source.name] = (["--library", str(case), "build", "hostile-plain"], {})
        else:
            target = folder / "pack" / source.name
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
            inputs[source.name] = (["build", str(target)], {})
    return inputs


FIGURES = {
    "list": Bench.list_startup,
    "packet": Bench.packet_overhead,
    "size": Bench.pdf_size,
    "memory": Bench.library_memory,
    "batch": Bench.batch_speedup,
    "hostile": Bench.hostile_cpu,
}


# ---- the machine ---------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    mem = first("/proc/meminfo", "MemTotal")
    ram = f"{int(mem.split()[0]) / 1024 ** 2:.1f} GiB" if mem.split()[0].isdigit() else mem
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        weasyprint = metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        weasyprint = "not installed"
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        revision = f"{rev}{' + local changes' if dirty else ''}" if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        revision = "unknown"
    return [
        ("date", dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("cores (nproc)", str(cores)),
        ("RAM", ram),
        ("CPU", first("/proc/cpuinfo", "model name")),
        ("system", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("WeasyPrint", weasyprint),
        ("handoutkit", revision),
    ]


def load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (3 for the quick figures, 1 for the slow ones)")
    parser.add_argument("--only", default="", help=f"comma-separated figures to run: {', '.join(FIGURES)} (default: all)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its bar")
    parser.add_argument("--wait-idle", action="store_true",
                        help="before each run, wait (up to a minute; 15 minutes in all) until other work on the "
                             "machine uses less than a fifth of a core (Linux; for shared machines)")
    args = parser.parse_args()
    IDLE["wait"] = args.wait_idle
    chosen = [f.strip() for f in args.only.split(",") if f.strip()] or list(FIGURES)
    unknown = [f for f in chosen if f not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)} (expected: {', '.join(FIGURES)})")
    if not hasattr(os, "wait4"):
        raise SystemExit("benchmarks/run.py needs a Unix-like system (os.wait4)")

    print("## Machine\n")
    for key, value in machine():
        print(f"- {key}: {value}")
    load_before = load()
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="handoutkit-bench-") as tmp:
        bench = Bench(Path(tmp), args.quick)
        for name in chosen:
            rows += FIGURES[name](bench)
    print(f"- load average (1, 5, 15 min): {load_before} before, {load()} after")
    waited = f", of which {IDLE['waited']:.0f} s waiting for the machine to be idle" if args.wait_idle else ""
    print(f"- mode: {'--quick' if args.quick else 'full'}; took {time.perf_counter() - started:.0f} s{waited}\n")

    failed = report(rows, "Figures")
    return 1 if failed and args.strict else 0


def report(rows: list[Row], heading: str) -> bool:
    """The figures as a Markdown table, their raw runs, and the bars missed; True if any was."""
    print(f"## {heading}\n")
    print("| figure | median | runs | bar | result |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r.figure} | {r.median} | {r.runs} | {r.bar} | {r.result} |")
    print()
    for r in rows:
        for line in r.details:
            print(f"- {r.figure}: {line}")
    failed = [r for r in rows if r.ok is False]
    print(f"\n{len(failed)} of {sum(r.ok is not None for r in rows)} bars missed" if failed else "\nevery bar met")
    return bool(failed)


if __name__ == "__main__":
    sys.exit(main())
