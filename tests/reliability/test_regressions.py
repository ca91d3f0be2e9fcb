"""Aspect: inputs that once broke the manifest loader's contract stay fixed. Each directory
under regressions/ is a manifest root (p.yaml, maybe p.json) with found.txt saying what
went wrong; `make fuzz` adds one for every failure it finds, and the first ones came from
the hostile corpus. Contract: `manifests.load` returns a Desired or raises ManifestError,
every issue prints as one short line, and it takes seconds at most.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.load import manifests

REGRESSIONS = Path(__file__).parent / "regressions"
CASES = sorted(p.name for p in REGRESSIONS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_regression_keeps_the_loader_contract(case, tmp_path):
    source = REGRESSIONS / case
    assert (source / "found.txt").read_text(encoding="utf-8").strip(), "say what was found"
    root = tmp_path / "m"  # a copy: a regression must not depend on where the repo lives
    root.mkdir()
    for path in source.iterdir():
        if path.name != "found.txt":
            (root / path.name).write_bytes(path.read_bytes())
    started = time.monotonic()
    try:
        manifests.load([root])
    except ManifestError as error:
        assert error.issues
        assert all(len(str(issue)) <= 1000 for issue in error.issues)
        assert all(str(issue).isprintable() for issue in error.issues)
    assert time.monotonic() - started < 5


def test_there_are_regression_cases():
    assert len(CASES) >= 5
