"""Locate a problem found after loading (against the tenant's catalog) where the manifest
wrote it: `file:line:column` in the JSON file a field names, or in the manifest itself."""

from __future__ import annotations

from reconciler.engine.catalog import ChildIssue
from reconciler.errors import ManifestIssue
from reconciler.files import FileProblem, decode_utf8, read_bytes
from reconciler.load import json_positions
from reconciler.load.messages import dotted
from reconciler.values import pointers
from reconciler.values.desired import Desired


def located(desired: Desired, problems: list[ChildIssue]) -> list[ManifestIssue]:
    by_address = {r.address: r for r in desired.resources}
    texts: dict[str, str | None] = {}  # each file read once, only when a problem needs it
    issues = []
    for problem in problems:
        resource = by_address[problem.address]
        origins = resource.origins.get(problem.field, ())
        origin = origins[problem.index] if problem.index < len(origins) else (problem.index,)
        path = (*origin, *problem.path)
        source = resource.files.get(problem.field)
        if source is not None:
            if source.path not in texts:
                try:
                    texts[source.path] = decode_utf8(read_bytes(source.path))
                except FileProblem:
                    texts[source.path] = None  # changed since it was loaded: name the file
            text = texts[source.path]
            line, column = json_positions.position(text, path) if text is not None else (None, None)
            issues.append(ManifestIssue(source.shown, line, column, dotted(path), problem.message))
        else:
            pointer = pointers.join(("spec", problem.field, *path))
            pos = resource.position(pointer)
            issues.append(
                ManifestIssue(
                    resource.file,
                    pos.line if pos else None,
                    pos.column if pos else None,
                    dotted(("spec", problem.field, *path)),
                    problem.message,
                )
            )
    return issues
