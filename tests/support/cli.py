"""The CLI run in-process (fast; output captured) or as a real process (exit codes,
tracebacks, signals)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler import cli

# Tests against an unthrottled emulator need no client-side pacing.
UNPACED = ("--write-rate", "0")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(capsys: Any, *argv: str) -> Run:
    """In-process, with pytest's `capsys` capturing the output."""
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def cli_run(*argv: str | Path) -> Run:
    """In-process without fixtures (usable inside hypothesis tests)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return Run(code, out.getvalue(), err.getvalue())


def run_process(
    *argv: str | Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> Run:
    """`python -m reconciler ...` as a real process."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "reconciler", *map(str, argv)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
