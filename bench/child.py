"""`python -m bench.child ARGS`: run `reconciler ARGS` here, then record this process's peak RSS.

The peak must come from the process itself: Linux carries a parent's memory high-water mark
into a child across fork and exec, so `wait4`'s ru_maxrss of a command started by the
(large) harness reports the harness. VmHWM in /proc/self/status belongs to this process only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reconciler.cli import main

RSS_FILE_ENV = "BENCH_RSS_FILE"


def peak_rss_kib() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None  # not Linux: the caller falls back to wait4's number
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


if __name__ == "__main__":
    try:
        code = main(sys.argv[1:])
    finally:
        peak = peak_rss_kib()
        if peak is not None and RSS_FILE_ENV in os.environ:
            Path(os.environ[RSS_FILE_ENV]).write_text(str(peak))
    sys.exit(code)
