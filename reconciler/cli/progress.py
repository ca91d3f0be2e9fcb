"""Progress of a long apply: a bar with an ETA on a terminal, a plain line every 10 s
without one (CI logs), nothing for a handful of writes.

The ETA is the writes left at the rate seen so far, or at the paced rate where that is
slower. `RECONCILER_PROGRESS_INTERVAL` sets the plain line's
period in seconds.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

MIN_WRITES = 6  # below this an apply is over before a bar would help
PLAIN_INTERVAL = 10.0
BAR_WIDTH = 30


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    def __init__(
        self,
        *,
        seconds_per_write: float,
        stream: TextIO | None = None,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.clock = clock
        self.started = clock()
        self.last_line = self.started
        self.seconds_per_write = seconds_per_write
        configured = os.environ.get("RECONCILER_PROGRESS_INTERVAL")
        self.interval = interval if interval is not None else float(configured or PLAIN_INTERVAL)

    def left(self, done: int, total: int) -> float:
        """Writes left at the rate seen so far, never faster than the pacing allows (the
        first writes go out in a burst, the rest at the paced rate)."""
        elapsed = self.clock() - self.started
        seen = elapsed / done if done else 0.0
        return (total - done) * max(seen, self.seconds_per_write)

    def line(self, done: int, total: int) -> str:
        if done >= total:
            return f"{done}/{total} writes, done in {duration(self.clock() - self.started)}"
        return f"{done}/{total} writes, {duration(self.left(done, total))} left"

    def __call__(self, done: int, total: int) -> None:
        if self.terminal:
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            end = "\n" if done >= total else ""
            print(
                f"\r[{bar}] {self.line(done, total)}\033[K", end=end, file=self.stream, flush=True
            )
            return
        now = self.clock()
        if done >= total or now - self.last_line >= self.interval:
            self.last_line = now
            print(self.line(done, total), file=self.stream, flush=True)


def for_apply(writes: int, write_rate: float) -> Progress | None:
    if writes < MIN_WRITES:
        return None
    return Progress(seconds_per_write=1 / write_rate if write_rate > 0 else 0.0)
