"""Read the entries of a tenant's catalog that the manifests (or `catalog search`) need, in
`$batch`: in rounds, each round the reads the kinds still name given what the earlier ones
answered (Administrative Templates: definitions by address, then their presentations), every
URL once per run, never more than the kinds ask for."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.kinds.kind import CatalogRead

MAX_ROUNDS = 8  # a kind needs two or three; more means it keeps asking (a bug)


def read_entries(client: GraphClient, reads: Iterable[CatalogRead]) -> dict[str, Any]:
    """Each read's answer by URL: the entity, or every item of a collection (`many`,
    following its pages), or None when the catalog has no such entry (404). Any other
    failure raises: a catalog that cannot be read checks nothing."""
    wanted = list({r.url: r for r in reads}.values())
    gets = [BatchRequest(id=str(i), method="GET", url=r.url) for i, r in enumerate(wanted)]
    results = client.batch(gets) if gets else {}
    found: dict[str, Any] = {}
    for i, read in enumerate(wanted):
        result = results[str(i)]
        if result.status == 404:
            found[read.url] = None
        elif result.error is not None:
            raise result.error
        elif read.many:
            found[read.url] = _all_pages(client, result.body, read.url)
        else:
            found[read.url] = result.body if isinstance(result.body, dict) else None
    return found


def _all_pages(client: GraphClient, body: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise GraphResponseError(f"GET {url}: the answer has no 'value' list")
    items = [item for item in body["value"] if isinstance(item, dict)]
    next_link = body.get("@odata.nextLink")
    if isinstance(next_link, str):
        items.extend(client.list_all(next_link))
    return items


def read_catalog(
    client: GraphClient, wanted: Callable[[Mapping[str, Any]], list[CatalogRead]]
) -> dict[str, Any]:
    """What `wanted` asks for, round after round, until it asks for nothing new."""
    found: dict[str, Any] = {}
    for _ in range(MAX_ROUNDS):
        reads = [r for r in wanted(found) if r.url not in found]
        if not reads:
            return found
        found.update(read_entries(client, reads))
    raise GraphResponseError(
        f"the catalog reads did not settle in {MAX_ROUNDS} rounds",
        hint="Report it with the command you ran: a kind keeps asking for more.",
    )
