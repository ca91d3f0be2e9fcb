"""Aspect: every install line we ship installs this project, by its pinned version or from a
checkout. `reconciler` on the package index is somebody else's project: a workflow that ran
`pip install reconciler==0.1.0` installed it into a job holding the tenant's credentials.

Scanned: README.md, docs/, examples/, integrations/, action.yml, Dockerfile, the Makefile
and .pre-commit-hooks.yaml. An install line is `pip`, `pip3`, `pipx`, `uv pip` or `uv tool`
followed by `install` (or `pip wheel`); each requirement on it must be
`m365-office-reconciler==<this version>` (extras allowed), a path to this checkout (`.`,
`.[dev]`, the action's own folder) or a wheel built from it, or one of a few tools.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from reconciler import __version__

REPO = Path(__file__).resolve().parents[2]
PROJECT = "m365-office-reconciler"
TOOLS = {"pip", "pipx", "pre-commit", "build", "wheel", "setuptools"}
# Version variables whose default is this version (checked below).
PINNED_VARIABLES = {"$RECONCILER_VERSION", "${{ parameters.version }}"}
# Checkouts: the working tree, the action's own folder (`version: checkout`).
CHECKOUTS = re.compile(r"^(\.|\./\S*|\.\[[\w,-]+\]|\$RECONCILER_SOURCE|/src)$")
WHEELS = re.compile(r"^(\S*/)?m365_office_reconciler-[^/\s]*\.whl$")
OPTIONS_WITH_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-f", "--find-links", "-t", "--target",
    "-i", "--index-url", "--extra-index-url", "-w", "--wheel-dir", "--prefix", "--root",
    "--python", "--pip-args", "--platform", "--python-version",
}  # fmt: skip
INSTALL = re.compile(r"\b(?:pipx|pip3?|uv pip|uv tool)\s+(?:install|wheel)\b([^\n;&|#`)]*)")


def shipped_files() -> list[Path]:
    fixed = ["README.md", "action.yml", "Dockerfile", "Makefile", ".pre-commit-hooks.yaml"]
    found = [REPO / name for name in fixed]
    for folder in ("docs", "examples", "integrations"):
        found += [p for p in (REPO / folder).rglob("*") if p.is_file() and p.suffix != ".py"]
    return sorted(found)


def install_lines(text: str) -> list[str]:
    joined = re.sub(r"[\\`]\n\s*", " ", text)  # shell and PowerShell line continuations
    return [match.group(0).strip() for match in INSTALL.finditer(joined)]


def requirement_problem(token: str) -> str | None:
    """Why a requirement on an install line is not acceptable (None: it is)."""
    if CHECKOUTS.match(token) or WHEELS.match(token) or token.lower() in TOOLS:
        return None
    pin = re.fullmatch(rf"{PROJECT}(?:\[[\w,-]+\])?==(.+)", token, flags=re.IGNORECASE)
    if pin is None:
        return f"{token!r} is not {PROJECT}==VERSION, a checkout or a wheel built from one"
    if pin.group(1) not in ({__version__} | PINNED_VARIABLES):
        return f"{token!r} pins {pin.group(1)}, not this release ({__version__})"
    return None


def line_problems(line: str) -> list[str]:
    words = line.split(None, 2)
    rest = line.split("install", 1)[1] if " install" in line else line.split("wheel", 1)[1]
    try:
        tokens = shlex.split(rest)
    except ValueError:
        tokens = rest.split()
    problems, skip = [], False
    requirements = 0
    for token in tokens:
        if skip:
            skip = False
        elif token in OPTIONS_WITH_VALUE:
            skip = True
        elif token.startswith("-"):
            continue
        else:
            requirements += 1
            if problem := requirement_problem(token):
                problems.append(problem)
    if requirements == 0:
        problems.append(f"no requirement found in {words[:2]}")
    return problems


def test_the_checker_refuses_the_wrong_project_and_unpinned_lines():
    assert line_problems("pip install reconciler==0.1.0")
    assert line_problems(f"python -m pip install {PROJECT}")  # unpinned
    assert line_problems(f"pipx install {PROJECT}==0.0.1")  # another release
    assert line_problems("pip install -r requirements.txt")  # cannot tell what it installs
    assert not line_problems(f"pipx install {PROJECT}=={__version__}")
    assert not line_problems(f"py -m pip install --upgrade '{PROJECT}[x]=={__version__}'")
    assert not line_problems("pip install -e '.[dev,sdk]'")
    assert not line_problems(
        "pip install --no-index --find-links /w /w/m365_office_reconciler-*.whl"
    )


@pytest.mark.parametrize("path", shipped_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_install_line_names_this_project(path):
    text = path.read_text(encoding="utf-8")
    problems = [f"{line}: {p}" for line in install_lines(text) for p in line_problems(line)]
    assert problems == []


def test_the_scan_sees_the_install_lines_that_matter():
    """Where users copy install lines from: each must hold at least one."""
    for name in ("README.md", "docs/install.md", "action.yml", "Dockerfile"):
        assert install_lines((REPO / name).read_text(encoding="utf-8")), name
    assert install_lines((REPO / "integrations/azure-pipelines/install-steps.yml").read_text())


def test_version_variables_default_to_this_release():
    yaml = YAML(typ="safe")
    action = yaml.load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["inputs"]["version"]["default"] == __version__
    stages = yaml.load((REPO / "integrations/azure-pipelines/stages.yml").read_text())
    (version,) = [p for p in stages["parameters"] if p["name"] == "version"]
    assert version["default"] == __version__
