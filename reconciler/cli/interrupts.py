"""Signals during an apply: the first SIGINT or SIGTERM (Ctrl-C; how CI cancels a job)
stops scheduling, the second aborts at once.

First: the client sends nothing new (no request, retry or $batch chunk starts), requests in
flight finish within their timeout, and the apply ends with its summary. Second: every
write still in flight is recorded in the audit log as `unknown`, and the process exits 1.
The handler writes with os.write: print() from a signal handler can collide with the
progress line being printed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TYPE_CHECKING

from reconciler.cli.exits import EXIT_ERROR

if TYPE_CHECKING:
    from reconciler.apply.executor import ApplyControl
    from reconciler.fetch.client import GraphClient

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s)


def _say(text: str) -> None:
    with contextlib.suppress(OSError):
        os.write(sys.stderr.fileno(), text.encode("utf-8", "backslashreplace"))


@contextlib.contextmanager
def graceful(client: GraphClient, control: ApplyControl) -> Iterator[None]:
    def first(name: str) -> None:
        client.cancel()
        _say(
            f"\n{name}: stopping; nothing new is sent, the requests in flight finish "
            "(send it again to abort at once)\n"
        )

    def second(name: str) -> None:
        flying = control.runner.abort() if control.runner is not None else []
        _say(
            f"{name} again: aborted. {len(flying)} write(s) were in flight; their outcome is "
            "unknown (recorded in the audit log).\nhint: run reconciler plan to see the "
            "tenant as it is now.\n"
        )

    with on_signals(first, second):
        yield


@contextlib.contextmanager
def on_signals(first: Callable[[str], None], second: Callable[[str], None]) -> Iterator[None]:
    """For the block: `first(signal name)` at the first SIGINT or SIGTERM; `second(name)` at
    the next, then the process exits 1 at once."""
    received = 0

    def handle(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        received += 1
        name = signal.Signals(signum).name
        if received == 1:
            first(name)
            return
        second(name)
        os._exit(EXIT_ERROR)

    previous = {}
    for sig in SIGNALS:
        try:
            previous[sig] = signal.signal(sig, handle)
        except ValueError:  # not the main thread (embedded use): leave signals alone
            break
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
