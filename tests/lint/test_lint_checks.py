"""Aspects: the import contracts fail when a layer is crossed (an `import requests` in the
core, the emulator importing the client); the kind-name check fails when a kind's property
or path is written outside `kinds/`. Both are run on a copy of the package, never on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.check_kind_names import findings

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "reconciler", tmp_path / "reconciler")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": ""},
        timeout=120,
    )


def test_the_contracts_hold_on_the_package(tmp_path: Path) -> None:
    result = _lint_imports(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("engine/diff.py", "import requests", "the core does no I/O BROKEN"),
        ("values/plan.py", "import os", "the core does no I/O BROKEN"),
        ("engine/planner.py", "import reconciler.fetch.client", "the pipeline is layered BROKEN"),
        (
            "emulator/app.py",
            "import reconciler.errors",
            "the emulator imports nothing of the client BROKEN",
        ),
    ],
)
def test_crossing_a_layer_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    root = _copy(tmp_path)
    target = root / "reconciler" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(root)
    assert result.returncode == 1
    assert contract in result.stdout, result.stdout


def test_the_package_names_no_kind_outside_kinds() -> None:
    assert list(findings()) == []


def test_a_kind_property_written_in_the_engine_is_found(tmp_path: Path) -> None:
    root = _copy(tmp_path) / "reconciler"
    diff = root / "engine" / "diff.py"
    diff.write_text(
        diff.read_text(encoding="utf-8") + '\n_X = {"policyPayload": 1}\n', encoding="utf-8"
    )
    planner = root / "engine" / "planner.py"
    planner.write_text(
        planner.read_text(encoding="utf-8")
        + '\n_Y = "/officeConfiguration/clientConfigurations/x"\n',
        encoding="utf-8",
    )
    found = list(findings(root))
    assert any("engine/diff.py" in f and "'policyPayload'" in f for f in found), found
    assert any("engine/planner.py" in f and "clientConfigurations" in f for f in found), found
