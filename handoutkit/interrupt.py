"""Ctrl-C during a batch: no new packet starts, those running end, nothing half-written.

A terminal sends SIGINT to the whole process group, workers included. A worker hit in the
middle of a render would hand back a KeyboardInterrupt, and one hit while it waits for a
job dies and breaks the pool; neither says which packets were built. So workers ignore
SIGINT and only the main process acts on it.

The main process does not let Ctrl-C raise KeyboardInterrupt either: raised between two
bytecodes, it could land after the pool took a packet and before the batch remembered it,
and that packet's PDF would be written but never told. Instead Ctrl-C only sets a flag; the
batch looks at it between waits, starts no further packet, and tells every running one as it
ends, each writing its PDF whole (output.py) or not at all. The wait is at most one
packet's render.
"""

from __future__ import annotations

import signal
import threading
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Callable

LOOK_EVERY = 0.2  # seconds between looks at the flag while packets render


def worker_ignores_interrupts() -> None:
    """A worker's initializer: the main process decides what Ctrl-C means."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_stoppably(submit: Callable[[str], Future], targets: list[str], at_once: int,
                  on_outcome: Callable) -> bool:
    """Hand ``on_outcome`` the outcome of each target, ``at_once`` running at a time; True when
    Ctrl-C stopped the run. Each packet is submitted only when a worker is free: the pool
    itself would queue the rest as started already, beyond the reach of ``cancel``.
    Call from the main thread (only it can set a signal handler)."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    waiting, running = list(targets), set()
    try:
        while running or (waiting and not stop.is_set()):
            while waiting and len(running) < at_once and not stop.is_set():
                running.add(submit(waiting.pop(0)))
            done, running = wait(running, timeout=LOOK_EVERY, return_when=FIRST_COMPLETED)
            for future in done:
                on_outcome(future.result())
    finally:
        signal.signal(signal.SIGINT, previous)
    return stop.is_set()


class InOrder:
    """Outcomes told in the order the packets were named, each as soon as those before it are."""

    def __init__(self, targets: list[str], tell: Callable) -> None:
        self._order = {t: i for i, t in enumerate(targets)}
        self._tell = tell
        self._waiting: dict[int, object] = {}
        self._next = 0
        self.outcomes: list = []

    def add(self, outcome) -> bool:
        """False when this packet's outcome was added already."""
        if any(o.target == outcome.target for o in self.outcomes):
            return False
        self.outcomes.append(outcome)
        self.outcomes.sort(key=lambda o: self._order[o.target])
        self._waiting[self._order[outcome.target]] = outcome
        while self._next in self._waiting:
            self._tell(self._waiting.pop(self._next))
            self._next += 1
        return True

    def tell_the_rest(self) -> None:
        """After a stop: what finished behind a packet that never will."""
        for i in sorted(self._waiting):
            self._tell(self._waiting.pop(i))
