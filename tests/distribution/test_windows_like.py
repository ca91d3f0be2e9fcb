"""Aspect: reconciler runs where Windows' Python lacks the Unix-only names.

No Windows runner here, so each command runs as a real process whose `os`, `signal` and
module list have been stripped of what CPython on Windows does not have
(`windows_like/sitecustomize.py`). The emulator runs the same way, with a state file, so
its saves are covered too. What cannot be simulated (sys.platform, drive letters, NTFS
semantics) is left to the `windows-latest` job of examples/github-actions/ci.yml.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Run, run_process

REPO = Path(__file__).resolve().parents[2]
WINDOWS_LIKE = Path(__file__).resolve().parent / "windows_like"
ENV = {
    "PYTHONPATH": os.pathsep.join(p for p in (str(WINDOWS_LIKE), os.environ.get("PYTHONPATH")) if p)
}


def windows_like(*argv: str | Path, cwd: Path) -> Run:
    result = run_process(*argv, env=ENV, cwd=cwd)
    assert "Traceback" not in result.err, result.err
    assert "internal error" not in result.err, result.err
    return result


def test_the_simulation_takes_the_unix_only_names_away(tmp_path):
    probe = (
        "import os, signal, sys\n"
        "assert os.environ['RECONCILER_TEST_WINDOWS_LIKE'] == '1'\n"
        "assert not hasattr(os, 'O_NONBLOCK') and not hasattr(os, 'O_DIRECTORY')\n"
        "assert not hasattr(signal, 'SIGKILL')\n"
        "try:\n"
        "    import fcntl\n"
        "except ImportError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('fcntl imported')\n"
        # What reconciler did before it guarded its open flags: fails here as on Windows.
        "os.open('x', os.O_RDONLY | os.O_NONBLOCK)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **ENV},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "AttributeError: module 'os' has no attribute 'O_NONBLOCK'" in proc.stderr


@pytest.fixture
def windows_like_emulator(tmp_path: Path) -> Iterator[str]:
    """`reconciler emulator` with the demo tenant and a state file, in a Windows-like
    process; yields its Graph URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0"]
        + ["--seed", str(REPO / "examples" / "demo" / "tenant.json")]
        + ["--state", str(tmp_path / "tenant-state.json")],
        env={**os.environ, **ENV},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        assert line.startswith("Graph emulator listening on "), line + process.stderr.read()
        yield line.split()[-1]
    finally:
        # SIGTERM: what the emulator handles on Windows as well (there, TerminateProcess).
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        assert "Traceback" not in err, err


def test_validate_plan_apply_drift_and_export_without_unix_only_names(
    windows_like_emulator, tmp_path
):
    url = windows_like_emulator
    shutil.copytree(REPO / "manifests", tmp_path / "manifests")

    result = windows_like("validate", "manifests", cwd=tmp_path)
    assert result.code == 0 and result.out.startswith("Valid: 8 resource(s)"), result.err

    plan = windows_like("plan", "manifests", "--graph-url", url, "--out", "plan.json", cwd=tmp_path)
    assert plan.code == 0, plan.err
    assert "to create" in plan.out and json.loads((tmp_path / "plan.json").read_text())["plan"]

    applied = windows_like(
        "apply", "plan.json", "--graph-url", url, "--write-rate", "0", "--state-dir", "state",
        cwd=tmp_path,
    )  # fmt: skip
    assert applied.code == 0, applied.err
    assert "Apply complete" in applied.out
    assert (tmp_path / "state" / "audit.jsonl").read_text().count("\n") > 0
    assert any((tmp_path / "state" / "backups").iterdir())  # written before the first write

    again = windows_like(
        "plan", "manifests", "--graph-url", url, "--detailed-exitcode", cwd=tmp_path
    )
    assert again.code == 0, again.out + again.err

    drift = windows_like(
        "drift", "manifests", "--graph-url", url, "--report", "reports/drift.json",
        "--report", "reports/junit.xml", cwd=tmp_path,
    )  # fmt: skip
    # The demo tenant's legacy policy is unmanaged inside the set's scope: drift, exit 2.
    assert drift.code == 2, drift.out + drift.err
    summary = json.loads((tmp_path / "reports" / "drift.json").read_text())["summary"]
    assert (summary["drifted_fields"], summary["unmanaged"]) == (0, 1)
    assert "<testsuite" in (tmp_path / "reports" / "junit.xml").read_text()

    exported = windows_like("export", "--graph-url", url, "--out", "exported", cwd=tmp_path)
    assert exported.code == 0, exported.err
    assert windows_like("plan", "exported", "--graph-url", url, "--detailed-exitcode",
                        cwd=tmp_path).code == 0  # fmt: skip
    # The emulator saved its state as it went (its own atomic writes, directory fsync).
    assert json.loads((tmp_path / "tenant-state.json").read_text())


def test_the_demo_runs_without_unix_only_names(tmp_path):
    """`make run` on Windows is `py -m reconciler.cli.demo` (docs/install.md)."""
    proc = subprocess.run(
        [sys.executable, "-m", "reconciler.cli.demo", str(REPO / "manifests")],
        env={**os.environ, **ENV},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Demo complete" in proc.stdout
    assert "Traceback" not in proc.stderr
