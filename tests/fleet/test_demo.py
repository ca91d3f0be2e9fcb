"""Aspect: `make fleet-demo` works from a checkout: the example fleet against the embedded
emulator over https, as its own process, exits 0 after each step exited as expected (plan
2, apply 0, plan again 0, drift 2 naming the tenant edited in the portal), and leaves an
HTML report."""

from __future__ import annotations

import subprocess
import sys


def test_the_fleet_demo_runs_end_to_end(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler.cli.fleet_demo", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout + done.stderr
    assert "Fleet apply: 3 tenant(s) done, 0 not." in out
    assert "Fleet plan: 0 tenant(s) with changes, 3 without, 0 failed." in out
    assert "Fleet drift: 3 tenant(s): 2 without drift, 1 with drift (northwind); 0 failed." in out
    assert (tmp_path / "fleet-drift.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "fleet-demo-secret" not in out
