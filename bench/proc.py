"""Run one `reconciler` command as a child process: wall time, CPU seconds and peak RSS.

`os.wait4` gives the rusage of exactly that child, so neither the harness nor the emulator
(another child) is counted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Run:
    exit_code: int
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss_mb: float  # peak resident set size, MiB
    stdout: str
    stderr: str


def reconciler(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """`python -m reconciler ARGS` in `cwd`; output kept in files so a big plan cannot block."""
    out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    return Run(
        exit_code=child.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def expect(run: Run, codes: set[int], what: str) -> Run:
    if run.exit_code not in codes:
        raise RuntimeError(f"{what} exited {run.exit_code}:\n{run.stderr[-2000:]}")
    return run


STARTUP_IMPORTS = (
    "import reconciler.cli, reconciler.manifests, reconciler.planner, reconciler.reader"
)


def startup(repeats: int = 3) -> float:
    """Best wall time of a Python process that only imports what `plan` imports: the part
    of every command's time that does not depend on the tenant."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP_IMPORTS], check=True)
        best = min(best, time.perf_counter() - start)
    return best
