"""Groups named by displayName, resolved in one tenant (`kinds.directory`): every name in
one round of `$batch` reads."""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.kinds import directory


def group_ids(client: GraphClient, names: Iterable[str]) -> dict[str, list[str]]:
    """Casefolded name -> the ids of the groups of that name (none, one, or several).
    A failed read raises; it never means "no such group"."""
    wanted = {name.strip().casefold(): name.strip() for name in names}
    paths = {key: directory.by_name(name) for key, name in wanted.items()}
    results = client.read_many(list(paths.values()))
    found: dict[str, list[str]] = {}
    for key, path in paths.items():
        result = results[path]
        if result.error is not None:
            raise result.error
        body = result.body
        values = body.get("value") if isinstance(body, dict) else None
        if not isinstance(values, list):
            raise GraphResponseError(f"GET {path}: expected a collection of groups")
        found[key] = sorted(
            str(g["id"]).lower()
            for g in values
            if isinstance(g, dict)
            and isinstance(g.get("id"), str)
            and isinstance(g.get(directory.NAME), str)  # a null name is no "None"
            and g[directory.NAME].strip().casefold() == key
        )
    return found
