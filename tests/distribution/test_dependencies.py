"""Aspect: what reconciler imports is what it declares, and the fast YAML parser is there.

- Every third-party module imported anywhere in `reconciler/` belongs to a distribution named
  in pyproject's `dependencies`: relying on a transitive one (urllib3 through requests,
  azure-core through azure-identity) breaks the day that package stops pulling it in.
- The manifest loader drives libyaml through ruamel.yaml's C binding; without it ruamel
  parses in pure Python, silently, six times slower (ruamel.yaml 0.19 made the binding an
  optional extra). This fails instead.
- matplotlib is the `bench` extra's, not dev's and not the runtime's.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

from reconciler.load import yaml_events

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _imported_modules() -> set[str]:
    """Dotted names (two levels: `azure.core`, `ruamel.yaml`) of every absolute import."""
    found: set[str] = set()
    for path in (REPO / "reconciler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module)
    return {".".join(name.split(".")[:2]) for name in found}


def _distribution_of(module: str) -> str | None:
    """The installed distribution that holds `module` (None: the standard library or ours)."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "reconciler":
        return None
    candidates = metadata.packages_distributions().get(top, [])
    assert candidates, f"{module} is imported but no installed distribution provides it"
    if len(candidates) == 1:
        return _name(candidates[0])
    # A namespace package (azure, ruamel): the one whose files hold the sub-package.
    prefix = module.replace(".", "/")
    for candidate in candidates:
        files = metadata.distribution(candidate).files or []
        if any(str(f).startswith((prefix + "/", prefix + ".")) for f in files):
            return _name(candidate)
    raise AssertionError(f"none of {candidates} holds {module}")


def test_every_imported_distribution_is_declared():
    declared = {_name(r) for r in PROJECT["dependencies"]}
    imported = {d for m in _imported_modules() if (d := _distribution_of(m))}
    assert {"requests", "urllib3", "azure-core", "azure-identity"} <= imported  # the scan works
    assert imported - declared == set(), "imported but not in pyproject's dependencies"


def test_the_libyaml_parser_is_installed_and_used():
    assert yaml_events._HAVE_CLIB, (
        "ruamel.yaml's C binding (ruamel.yaml.clib, the _ruamel_yaml module) is missing: "
        "manifests parse in pure Python, about six times slower"
    )
    # The parser the loader drives is the compiled one, not a pure-Python stand-in.
    assert yaml_events.CParser.__module__.endswith("_ruamel_yaml")  # the compiled extension
    assert list(yaml_events._events("a: [1, 2]\n"))
    requirements = {_name(r): r for r in PROJECT["dependencies"]}
    assert "<0.19" in requirements["ruamel-yaml"]  # 0.19: the binding became optional
    assert "ruamel-yaml-clib" in requirements


def test_matplotlib_is_only_in_the_bench_extra():
    extras = PROJECT["optional-dependencies"]
    owners = [
        group
        for group, requirements in {"runtime": PROJECT["dependencies"], **extras}.items()
        if "matplotlib" in {_name(r) for r in requirements}
    ]
    assert owners == ["bench"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    bench_recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert ".[bench]" in bench_recipe
