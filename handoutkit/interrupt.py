"""Ctrl-C during a batch: no new packet starts, those running end, nothing half-written.

A terminal sends SIGINT to the whole process group, workers included. A worker hit in the
middle of a render would hand back a KeyboardInterrupt, and one hit while it waits for a
job dies and breaks the pool; neither says which packets were built. So workers ignore
SIGINT and only the main process acts on it: it starts no further packet and waits for
the running ones, each of which writes its PDF whole (output.py) or not at all.
The wait is at most one packet's render.
"""

from __future__ import annotations

import signal
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from typing import Callable, Iterator


def worker_ignores_interrupts() -> None:
    """A worker's initializer: the main process decides what Ctrl-C means."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT held back for a moment; a Ctrl-C pressed meanwhile arrives afterwards. Worker
    processes started meanwhile inherit the held mask and let it through once they ignore it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run_stoppably(submit: Callable[[str], Future], targets: list[str], at_once: int,
                  on_outcome: Callable) -> bool:
    """Hand ``on_outcome`` the outcome of each target, ``at_once`` running at a time; True when
    Ctrl-C stopped the run. Each packet is submitted only when a worker is free: the pool
    itself would queue the rest as started already, beyond the reach of ``cancel``."""
    waiting, running, submitted = list(targets), set(), []
    try:
        while waiting or running:
            while waiting and len(running) < at_once:
                with signals_held():  # not between submitting and remembering it
                    submitted.append(submit(waiting.pop(0)))
                    running.add(submitted[-1])
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                with signals_held():  # a Ctrl-C waits until this outcome is told whole
                    on_outcome(future.result())
        return False
    except KeyboardInterrupt:
        wait(submitted)  # those running end by themselves: each writes its PDF whole or not at all
        for future in submitted:
            if future.exception() is None:
                on_outcome(future.result())  # told once: a second time is ignored
        return True


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
