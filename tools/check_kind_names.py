"""`make lint`: no Graph path, `@odata.type` or kind-specific property name is written in
`reconciler/` outside `kinds/` and `emulator/`.

The forbidden strings come from the registry itself: every kind's collection path and its
segments, its `@odata.type` values (create type, discriminator, assignment targets), its
spec model's field names, its facets' segments, actions and body keys, and its ordering's
keys. A string literal in the client that equals one of them (or, for paths and types,
contains one) means knowledge of a kind leaked out of `kinds/`. Docstrings are not code
and are not checked. What is Graph-wide is allowed (`ALLOWED`).

    python -m tools.check_kind_names        # exit 1 and one line per finding
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Assignments, Children, DeltaAction, Stream

ROOT = Path(__file__).resolve().parents[1] / "reconciler"
EXEMPT = ("kinds", "emulator")
ALLOWED = frozenset(
    {
        # Graph-wide words that a kind also happens to use
        "@odata.type",
        "@odata.nextLink",
        "/$batch",
        "id",
        "value",
        "name",
        # JSON Schema's keyword (the manifest and drift schemas), not a kind's property
        "description",
        # the plan's own word for an assignments write (`Purpose.ASSIGN`, step `...#assign`)
        "assign",
    }
)


def forbidden() -> tuple[set[str], set[str]]:
    """(exact names, substrings): property and member names must not appear as a whole
    literal; paths and types must not appear anywhere inside one."""
    names: set[str] = set()
    inside: set[str] = set()
    for kind in REGISTRY:
        inside.add(kind.collection)
        names.update(segment for segment in kind.collection.split("/") if segment)
        for value in (kind.create_type, kind.discriminator.value if kind.discriminator else None):
            if value and value.startswith("#"):
                inside.update({value, value.lstrip("#")})
        names.update(kind.spec_fields)
        names.update(kind.server_managed | kind.reporting)
        if kind.ordering is not None:
            o = kind.ordering
            names.update({o.field, o.action, o.ids_key, o.values_key})
        for facet in kind.facets.values():
            match facet:
                case Stream():
                    names.add(facet.segment)
                case Children():
                    names.add(facet.segment)
                    if facet.nested is not None:
                        names.add(facet.nested.segment)
                    if isinstance(facet.write, DeltaAction):
                        names.add(facet.write.action)
                    if facet.catalog:
                        inside.add(facet.catalog)
                case Assignments():
                    names.update({facet.list_segment, facet.action, facet.body_key})
                    inside.update(t.lstrip("#") for t in facet.targets.values())
    return names - ALLOWED, inside - ALLOWED


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.add(id(value))
    return found


def findings(root: Path = ROOT) -> Iterator[str]:
    names, inside = forbidden()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in EXEMPT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                continue
            if id(node) in docs:
                continue
            text = node.value
            contained = [s for s in inside if s in text]
            hit = text if text in names else max(contained, key=len, default=None)
            if hit is not None:
                yield f"reconciler/{relative}:{node.lineno}: {hit!r} belongs in reconciler/kinds/"


def main() -> int:
    found = list(findings())
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} kind-specific string(s) outside reconciler/kinds/", file=sys.stderr)
        return 1
    print("kind names: none outside reconciler/kinds/ and reconciler/emulator/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
