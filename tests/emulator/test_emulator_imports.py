"""Aspect: the emulator is a stranger to the client — its modules import only the standard
library, ``reconciler.emulator`` itself and ``cryptography`` (client-assertion checks), never
the client's packages (``reconciler.kinds``, ``values``, ``load``, ``fetch``, ``engine``, ...)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import reconciler.emulator

ROOT = Path(reconciler.emulator.__file__).parent
ALLOWED_THIRD_PARTY = {"cryptography"}


def imported(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_the_emulator_imports_nothing_of_the_client() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) > 30
    assert all(
        any(name in str(m) for m in modules) for name in ("settings_catalog", "admin_templates")
    )
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in modules
        for name in imported(path)
        if not (
            name == "reconciler.emulator"
            or name.startswith("reconciler.emulator.")
            or name.split(".")[0] in sys.stdlib_module_names
            or name.split(".")[0] in ALLOWED_THIRD_PARTY
        )
    ]
    assert wrong == []
