"""Building this project's wheel in a test: from a copy of the sources, never in the checkout
(setuptools builds in place, and a stale build/lib would slip deleted modules into the
wheel), with the venv's setuptools (`--no-build-isolation`: no package index needed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What the wheel is built from: pyproject names README.md and LICENSE in its metadata.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "reconciler")


def copy_sources(context: Path, sources: Iterable[str] = SOURCES) -> Path:
    context.mkdir(parents=True, exist_ok=True)
    for source in sources:
        origin, target = REPO / source, context / source.rstrip("/")
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, target)
    return context


def build_wheel(context: Path, out: Path) -> Path:
    """The one wheel built from `context` into `out`."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--wheel-dir", str(out), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    (wheel,) = out.glob("*.whl")
    return wheel
