"""Aspect: `reconciler --version` and the offline `validate` do not import the HTTP stack.

requests (with urllib3) costs about 0.1-0.15 s to import, as much as the rest of a
`--version`; the pre-commit hook runs `validate` on every commit. Each command runs in a fresh
interpreter (a test process has long imported everything), and the test asserts what was
imported, not how long it took: the time is measured by `python -m bench.startup`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HTTP_STACK = ("requests", "urllib3", "azure.core", "azure.identity", "msal")

PROBE = """
import json, sys
from reconciler.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:  # --version exits through argparse
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    return last["code"], set(last["modules"])


@pytest.mark.parametrize(
    "argv", [("--version",), ("validate", "manifests")], ids=["--version", "validate"]
)
def test_no_http_stack_is_imported(argv):
    code, modules = imported_by(*argv)
    assert code == 0
    assert "reconciler.cli.parser" in modules  # the probe ran the real command line
    assert [m for m in HTTP_STACK if m in modules] == []


def test_plan_does_import_it():
    """The probe can see an import: `plan` needs requests (and fails here without a tenant)."""
    _, modules = imported_by("plan", "manifests", "--graph-url", "http://127.0.0.1:9/beta")
    assert "requests" in modules
