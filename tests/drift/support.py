"""Shared by the drift tests: the vendored SARIF schema and applying manifests in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import run

SARIF_SCHEMA: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def apply(capsys, emulator, path: Path, state_dir: Path) -> None:
    """Make the emulator match the manifests at `path` (asserts success)."""
    result = run(
        capsys,
        "apply",
        str(path),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--state-dir",
        str(state_dir),
    )
    assert result.code == 0, result.out + result.err
