"""Keeps the launcher's children running: a crashed child is restarted, not the whole stack stopped.

Why: the embedded broker keeps its topics in memory. Stopping the stack because one service died took
the broker, and so every topic, with it. Now a dead service is restarted alone (with a back-off while
it keeps crashing), and a dead broker is restarted with hooks around it: the launcher pauses the
services before and, after, replays the outboxes into the new broker (see `shared.outbox.replay`)
and starts them again.

The launcher's main loop calls `check()` about twice a second; nothing here runs in the background.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.devstack.processes import stop

log = logging.getLogger(__name__)

BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0)
STABLE_S = 30.0  # up this long: the next crash starts the back-off over


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen[bytes]]
    before_restart: Callable[[], None] | None = None
    after_restart: Callable[[float], None] | None = None  # gets the wall time the lost run started
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0  # monotonic
    started_wall: float = 0.0
    restarts: int = 0
    crashes_in_a_row: int = 0
    restart_due: float | None = None
    paused: bool = False
    exit_codes: list[int] = field(default_factory=list)


class Supervisor:
    def __init__(
        self,
        *,
        backoff_s: tuple[float, ...] = BACKOFF_S,
        stable_s: float = STABLE_S,
        report: Callable[[str], None] = print,
    ) -> None:
        self.backoff_s = backoff_s
        self.stable_s = stable_s
        self.report = report
        self.children: dict[str, Child] = {}

    def add(self, child: Child) -> Child:
        self.children[child.name] = child
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        child.process = child.start()
        child.started_at, child.started_wall = time.monotonic(), time.time()
        child.restart_due = None

    def check(self) -> list[str]:
        """Restart what has died (once its back-off has passed); the names restarted."""
        restarted = []
        now = time.monotonic()
        for child in list(self.children.values()):
            if child.paused or child.process is None:
                continue
            code = child.process.poll()
            if code is None:
                continue
            if child.restart_due is None:
                child.exit_codes.append(code)
                up_for = now - child.started_at
                child.crashes_in_a_row = 1 if up_for >= self.stable_s else child.crashes_in_a_row + 1
                delay = self.backoff_s[min(child.crashes_in_a_row, len(self.backoff_s)) - 1]
                child.restart_due = now + delay
                self.report(f"{child.name} exited with {code} after {up_for:.1f}s; restarting in {delay:g}s")
            if now < child.restart_due:
                continue
            self._restart(child)
            restarted.append(child.name)
        return restarted

    def _restart(self, child: Child) -> None:
        lost_since = child.started_wall
        if child.before_restart is not None:
            child.before_restart()
        try:
            self._start(child)
        except Exception as exc:  # noqa: BLE001 - keep supervising; try again after the back-off
            child.crashes_in_a_row += 1
            delay = self.backoff_s[min(child.crashes_in_a_row, len(self.backoff_s)) - 1]
            child.restart_due = time.monotonic() + delay
            self.report(f"{child.name} did not start ({exc}); trying again in {delay:.0f}s")
            return
        child.restarts += 1
        self.report(f"{child.name} restarted (restart #{child.restarts})")
        if child.after_restart is not None:
            child.after_restart(lost_since)

    def pause(self, names: list[str]) -> None:
        """Stop these children and leave them stopped until `resume`."""
        for name in names:
            child = self.children[name]
            child.paused = True
            if child.process is not None:
                stop(child.process)

    def resume(self, names: list[str]) -> None:
        for name in names:
            child = self.children[name]
            child.paused = False
            self._start(child)

    def stop_all(self) -> None:
        for child in reversed(list(self.children.values())):
            child.paused = True
            if child.process is not None:
                stop(child.process)
