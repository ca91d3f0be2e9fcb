"""Read the entries of a tenant's catalog (Settings Catalog setting definitions) that the
manifests use, by id, in `$batch`: once per id per run, never the whole catalog."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from reconciler.fetch.client import BatchRequest, GraphClient


def read_entries(client: GraphClient, collection: str, ids: Iterable[str]) -> dict[str, Any]:
    """Each id's entry (a JSON object), or None when the catalog has no such entry (404).
    Any other failure raises: a catalog that cannot be read checks nothing."""
    wanted = sorted(set(ids))
    gets = [
        BatchRequest(id=str(i), method="GET", url=f"{collection}/{quote(entry, safe='~._-')}")
        for i, entry in enumerate(wanted)
    ]
    results = client.batch(gets) if gets else {}
    found: dict[str, Any] = {}
    for i, entry in enumerate(wanted):
        result = results[str(i)]
        if result.status == 404:
            found[entry] = None
        elif result.error is not None:
            raise result.error
        else:
            found[entry] = result.body if isinstance(result.body, dict) else None
    return found
