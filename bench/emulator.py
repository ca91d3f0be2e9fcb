"""The Graph emulator as a child process, so its CPU and memory are never counted as ours."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

BANNER = "Graph emulator listening on "


class EmulatorProcess:
    """`python -m reconciler.emulator --port 0 ...` with the tenant from `seed_file`."""

    def __init__(self, seed_file: Path, *extra: str) -> None:
        argv = [sys.executable, "-m", "reconciler.emulator", "--port", "0"]
        argv += ["--streams", "separate", "--seed", str(seed_file), "--random-seed", "0", *extra]
        self._process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(BANNER):
            self.stop()
            raise RuntimeError(f"the emulator did not start (it printed {line!r})")
        self.base_url = line.removeprefix(BANNER)
        self.root_url = self.base_url.removesuffix("/beta")
        self.session = requests.Session()  # for control calls and mutations only

    def stats(self) -> dict[str, Any]:
        reply = self.session.get(f"{self.root_url}/_emulator/stats", timeout=30)
        reply.raise_for_status()
        return dict(reply.json())

    def reset_stats(self) -> None:
        self.session.post(f"{self.root_url}/_emulator/reset", timeout=30).raise_for_status()

    def batch(self, items: list[dict[str, Any]]) -> None:
        """Raw writes through $batch, 20 at a time; any item not 2xx is an error."""
        for start in range(0, len(items), 20):
            chunk = [dict(item, id=str(n)) for n, item in enumerate(items[start : start + 20])]
            reply = self.session.post(
                f"{self.base_url}/$batch", json={"requests": chunk}, timeout=60
            )
            reply.raise_for_status()
            bad = [r for r in reply.json()["responses"] if not 200 <= r["status"] < 300]
            if bad:
                raise RuntimeError(f"emulator refused a raw write: {json.dumps(bad[0])[:300]}")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_idle(seconds: float = 0.2) -> None:
    """Let the emulator finish logging the last reply before counters are read."""
    time.sleep(seconds)
