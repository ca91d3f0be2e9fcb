"""The CLI as real OS processes, forked from a forkserver that has the package imported
(a fresh interpreter spends most of a second importing it): for tests that run many
applies at once, send them signals, or kill them."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(
    ["reconciler.cli", "reconciler.apply.executor", "reconciler.engine.planner"]
)


def _child(argv: list[str], log: str, env: dict[str, str]) -> None:
    from reconciler import cli

    os.environ.update(env)
    with open(log, "w", encoding="utf-8") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        code = cli.main(argv)
    os._exit(code)


class Forked:
    """`reconciler ARGV...` in a forked process; its stdout and stderr go to `log`."""

    def __init__(self, argv: list[str | Path], log: Path, env: dict[str, str] | None = None):
        self.log = log
        self.process: Any = _FORKSERVER.Process(
            target=_child, args=([str(a) for a in argv], str(log), dict(env or {}))
        )

    def start(self) -> Forked:
        self.process.start()
        return self

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def wait(self, timeout: float = 60) -> int:
        self.process.join(timeout=timeout)
        assert self.process.exitcode is not None, f"still running after {timeout}s: {self.output}"
        return int(self.process.exitcode)

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""
