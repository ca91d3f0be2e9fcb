"""Aspect: the wheel built from this checkout is this project, complete, and runs.

Built from a copy of the sources (tests/distribution/wheels.py), then installed without dependencies into a folder of its own and run through its console
script, with that folder first on the path so the checkout's own copy cannot stand in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from reconciler import __version__
from tests.distribution.wheels import build_wheel, copy_sources

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    return build_wheel(copy_sources(work / "src"), work / "dist")


def test_the_wheel_is_named_for_this_project_and_version(wheel):
    assert wheel.name == f"m365_office_reconciler-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        info = f"m365_office_reconciler-{__version__}.dist-info"
        meta = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        names = archive.namelist()
    assert meta["Name"] == "m365-office-reconciler" and meta["Version"] == __version__
    assert meta["License-Expression"] == "MIT"
    assert any(u.startswith("Source, https://github.com/") for u in meta.get_all("Project-URL", []))
    assert "[console_scripts]\nreconciler = reconciler.cli:main" in entry_points
    assert f"{info}/licenses/LICENSE" in names
    packages = {n.split("/")[0] for n in names if n.endswith(".py")}
    assert packages == {"reconciler"}  # no tests, bench, tools or integrations inside
    assert "reconciler/emulator/surfaces/settings_catalog/catalog.py" in names


def test_the_installed_wheel_runs_validate(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target)]
        + [str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import reconciler; print(reconciler.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert where.stdout.strip().startswith(str(target))  # the wheel's copy, not the checkout
    script = target / "bin" / "reconciler"
    for argv, expected in (
        (["--version"], f"reconciler {__version__}"),
        (["validate", str(REPO / "manifests")], "Valid: "),
    ):
        run = subprocess.run(
            [str(script), *argv], env=env, capture_output=True, text=True, cwd=tmp_path
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith(expected)
