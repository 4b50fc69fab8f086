#!/usr/bin/env python3
"""The studio's speed and memory figures, each against its bar (issue 14).

Run from the repo:  .venv/bin/python benchmarks/studio.py [--quick] [--strict]

A real `handouts studio` is started in a child process (a temporary folder, no settings,
its own cache folder), then asked over HTTP what the page asks when a clinician changes
something. Timings are of a warm server: the first answer of each kind is a warm-up.
Output is Markdown like benchmarks/run.py's: the machine, a table, the raw runs.
Standard library only; nothing reaches the network.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import EIGHT, PYTHON, Row, child_env, handouts_command, load, machine, report, secs  # noqa: E402

BARS = {"one_seconds": 0.4, "eight_seconds": 1.5, "library_seconds": 1.0, "memory_ratio": 1.2}
TWO_PAGE = "what-is-sexual-coercion"  # a two-page handout (the figure says if it is not)


class Studio:
    """A `handouts studio` child process and the calls its pages make."""

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.proc = subprocess.Popen([*handouts_command(), "studio", "--folder", str(tmp / "folder"), "--no-open"],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"http://\S+/s/[^/ ]+/", line)
        if not match:
            raise SystemExit(f"the studio did not start: {line}")
        self.url = match.group(0)
        page = self.get("packet").decode()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def get(self, route: str) -> bytes:
        with urllib.request.urlopen(self.url + route, timeout=300) as r:
            return r.read()

    def post(self, route: str, data: dict) -> dict:
        request = urllib.request.Request(self.url + route, data=json.dumps(data).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "X-CSRF-Token": self.csrf})
        with urllib.request.urlopen(request, timeout=300) as r:
            return json.loads(r.read())

    def render(self, handouts: list[str], client: str) -> tuple[float, dict]:
        start = time.perf_counter()
        answer = self.post("packet/render", {"handouts": handouts, "values": {"client": client}})
        seconds = time.perf_counter() - start
        if not answer.get("ok"):
            raise SystemExit(f"the studio could not render {handouts}: {answer}")
        return seconds, answer

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def figure_renders(studio: Studio, runs: int) -> list[Row]:
    rows = []
    for name, handouts, bar in (("re-render one two-page handout", [TWO_PAGE], "one_seconds"),
                                ("re-render an eight-handout packet", EIGHT, "eight_seconds")):
        studio.render(handouts, "Warm Up")  # warm-up
        times, pages = [], 0
        for i in range(runs):  # a new name each time, as when the clinician types: a real re-render
            seconds, answer = studio.render(handouts, f"Client {i}")
            times.append(seconds)
            pages = answer["pages"]
        median = statistics.median(times)
        rows.append(Row(name, f"{median:.2f} s", str(runs), f"≤ {BARS[bar]} s", median <= BARS[bar],
                        [f"{secs(times)} ({pages} pages with the packet's own pages)"]))
    return rows


def figure_memory(studio: Studio, quick: bool) -> list[Row]:
    handouts = ["paced-breathing", "help-now"]
    for i in range(10):
        studio.render(handouts, f"Memory {i}")
    after_10 = studio.rss_mb()
    for i in range(10, 100):
        studio.render(handouts, f"Memory {i}")
    after_100 = studio.rss_mb()
    ratio = after_100 / after_10
    return [Row("memory after 100 rebuilds ÷ after 10", f"{ratio:.2f} ×", "1", f"≤ {BARS['memory_ratio']} ×",
                ratio <= BARS["memory_ratio"], [f"resident {after_10:.0f} MB after 10, {after_100:.0f} MB after 100"])]


def figure_library(tmp: Path, env: dict[str, str], runs: int) -> list[Row]:
    """The library page and every card's picture, on a second start (the first made the pictures)."""
    first = Studio(tmp, env)
    page = first.get("").decode()
    ids = re.findall(r'src="thumb/([a-z0-9-]+)\.png"', page)
    for handout_id in ids:  # the first start makes and keeps them
        first.get(f"thumb/{handout_id}.png")
    first.stop()
    second = Studio(tmp, env)
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            page = second.get("").decode()
            for handout_id in re.findall(r'src="thumb/([a-z0-9-]+)\.png"', page):
                second.get(f"thumb/{handout_id}.png")
            times.append(time.perf_counter() - start)
    finally:
        second.stop()
    median = statistics.median(times)
    return [Row(f"library page with all {len(ids)} thumbnails, after the first start", f"{median:.2f} s", str(runs),
                f"≤ {BARS['library_seconds']} s", median <= BARS["library_seconds"], [secs(times)])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its bar")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    print("## Machine\n")
    for key, value in machine():
        print(f"- {key}: {value}")
    load_before = load()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="handoutkit-studio-bench-") as name:
        tmp = Path(name)
        env = child_env(tmp)
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        rows = figure_library(tmp, env, runs)
        studio = Studio(tmp, env)
        try:
            rows += figure_renders(studio, runs)
            rows += figure_memory(studio, args.quick)
        finally:
            studio.stop()
    print(f"- load average (1, 5, 15 min): {load_before} before, {load()} after")
    print(f"- mode: {'--quick' if args.quick else 'full'}; took {time.perf_counter() - started:.0f} s; "
          f"Python {PYTHON}\n")
    failed = report(rows, "Studio figures")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
