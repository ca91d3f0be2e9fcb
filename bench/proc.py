"""Run one `reconciler` command as a child process: wall time, CPU seconds and peak RSS.

`os.wait4` gives the CPU time of exactly that child, so neither the harness nor the emulator
(another child) is counted; the peak RSS comes from the child itself (see bench.child).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import child


@dataclass(frozen=True)
class Run:
    exit_code: int
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss_mb: float  # peak resident set size, MiB
    stdout: str
    stderr: str


ROOT = Path(__file__).resolve().parent.parent


def reconciler(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """`reconciler ARGS` in `cwd` (through bench.child, which records its own peak RSS);
    output kept in files so a big plan cannot block on a pipe."""
    out_path, err_path, rss_path = (cwd / f".bench-{name}" for name in ("stdout", "stderr", "rss"))
    rss_path.unlink(missing_ok=True)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    child_env = {**os.environ, **(env or {}), "PYTHONPATH": path, child.RSS_FILE_ENV: str(rss_path)}
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.child", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=child_env,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
    # ru_maxrss (KiB on Linux) is only a fallback: it inherits the harness's high-water mark.
    peak_kib = int(rss_path.read_text()) if rss_path.exists() else usage.ru_maxrss
    return Run(
        exit_code=process.returncode,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=peak_kib / 1024,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def expect(run: Run, codes: set[int], what: str) -> Run:
    if run.exit_code not in codes:
        raise RuntimeError(f"{what} exited {run.exit_code}:\n{run.stderr[-2000:]}")
    return run


STARTUP_IMPORTS = "import reconciler.cli, reconciler.load.manifests, reconciler.engine.planner, reconciler.fetch.tenant"


def startup(repeats: int = 3) -> float:
    """Best wall time of a Python process that only imports what `plan` imports: the part
    of every command's time that does not depend on the tenant."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP_IMPORTS], check=True)
        best = min(best, time.perf_counter() - start)
    return best
