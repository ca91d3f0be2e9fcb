"""Read the live tenant: the collections (and singletons) of the kinds in use, in few requests.

A collection is read whole, so kinds that share it (the two Office policy kinds, which share
one priority order) are all known; only the kinds in use are ever reported. Per object, each
facet says what to read (`_object_reads`): a stream not inlined in the list, the
assignments, a child collection, or one GET of the item with `$expand` of the facets that
can be expanded. Those reads go out in `$batch` requests of 20.

Cost for N objects: the list pages, plus ceil(k*N/20) `$batch` calls for k reads per object;
a facet with a nested read (`Children.nested`) adds one unit per child item, in $batch calls
of their own after the first (Administrative Templates: `1 + P(2 + D)` units for P profiles
of D settings each).
A failed read raises; it is never taken to mean "absent", and a child collection read short
of its count is never taken to mean "removed".
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any, assert_never
from urllib.parse import quote

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import BatchRequest, BatchResult, GraphClient
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import (
    Assignments,
    Children,
    ResourceKind,
    Stream,
    child_key,
    sorted_assignments,
)
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import Payload
from reconciler.values.live import NON_JSON_KEY, ForeignObject, Live, LiveObject

_ANNOTATION_PREFIX = "@odata."


def decode_stream_bytes(raw: bytes) -> Any:
    """A payload's bytes as its JSON document; None when empty; a marker when not JSON."""
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {NON_JSON_KEY: base64.b64encode(raw).decode("ascii")}


def decode_inline_stream(value: Any) -> Any:
    """An inline stream value (base64 or base64url string) as its JSON document."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return value  # a server that inlines the JSON itself
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode_stream_bytes(decode(padded))
        except (binascii.Error, ValueError):
            continue
    return {NON_JSON_KEY: value}


def _stream_value(body: Any) -> Any:
    if body is None or isinstance(body, bytes):
        return _payload(decode_stream_bytes(body or b""))
    return _payload(body)  # served as application/json: already the document


def _payload(document: Any) -> Payload | None:
    return None if document is None else Payload.of(document)


def _entity_properties(kind: ResourceKind, entity: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level properties without OData annotations; inline streams decoded."""
    props = {
        k: v for k, v in entity.items() if not k.startswith(_ANNOTATION_PREFIX) and "@" not in k
    }
    for name, facet in kind.facets.items():
        if isinstance(facet, Stream) and name in props:
            props[name] = _payload(decode_inline_stream(props[name]))
    return props


def read_tenant(
    client: GraphClient,
    *,
    kinds: Registry = REGISTRY,
    using: Iterable[str] | None = None,
    pinned: Mapping[str, Iterable[str]] | None = None,
    tenant_id: str = "unknown",
) -> Live:
    """The live objects of the kinds named in `using` (default: every kind) and of the
    other kinds that share their collections. `pinned` (kind -> ids) names objects the
    manifests pin by id: one the collection's listing does not show is fetched by its id
    (a server-side scope such as Settings Catalog's may hide it; a 404 means it is gone)."""
    requests_before, units_before = client.stats.requests, client.stats.units
    names = None if using is None else list(using)
    objects: list[LiveObject] = []
    for kind in kinds.singletons(names):
        entity = client.get_entity(kind.collection)
        objects.append(_live_object(kind, entity.get("id"), _entity_properties(kind, entity)))
    for collection in kinds.collections(names):
        objects.extend(_read_collection(client, kinds, collection))
    missing = _missing_pinned(kinds, objects, pinned or {})
    found, foreign = _read_pinned(client, kinds, missing) if missing else ([], [])
    return Live(
        graph_url=client.base_url,
        objects=(*objects, *found),
        tenant_id=tenant_id,
        read_requests=client.stats.requests - requests_before,
        read_units=client.stats.units - units_before,
        foreign=tuple(foreign),
    )


def _missing_pinned(
    kinds: Registry, objects: list[LiveObject], pinned: Mapping[str, Iterable[str]]
) -> list[tuple[ResourceKind, str]]:
    seen = {o.id.lower() for o in objects if o.id}
    missing: list[tuple[ResourceKind, str]] = []
    for name, ids in pinned.items():
        kind = kinds.get(name)
        if kind is None or kind.singleton:
            continue
        missing.extend((kind, i) for i in dict.fromkeys(ids) if i.lower() not in seen)
    return missing


def read_by_id(
    client: GraphClient, kinds: Registry, wanted: list[tuple[ResourceKind, str]]
) -> dict[str, LiveObject]:
    """The objects named by (kind, id), read by id with every facet, keyed by lower-case
    id; one that is gone (404) or is none of the kinds is left out. Apply's re-checks."""
    found, _ = _read_pinned(client, kinds, wanted) if wanted else ([], [])
    return {o.id.lower(): o for o in found if o.id}


def _read_pinned(
    client: GraphClient, kinds: Registry, missing: list[tuple[ResourceKind, str]]
) -> tuple[list[LiveObject], list[ForeignObject]]:
    """Each pinned object by its id: absent on a 404, foreign when it is none of the kinds
    of its collection, else read with its facets like a listed one."""
    gets = [
        BatchRequest(id=str(i), method="GET", url=kind.item(object_id))
        for i, (kind, object_id) in enumerate(missing)
    ]
    results = client.batch(gets)
    listed: dict[str, list[dict[str, Any]]] = {}
    foreign: list[ForeignObject] = []
    for i, (kind, object_id) in enumerate(missing):
        result = results[str(i)]
        if result.status == 404:
            continue  # a definite answer: there is no such object
        if result.error is not None:
            raise result.error
        item = result.body
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise GraphResponseError(f"GET {kind.item(object_id)}: the answer is not an object")
        if kinds.classify(kind.collection, item) is None:
            foreign.append(
                ForeignObject(
                    id=item["id"], collection=kind.collection, why=_why_foreign(kinds, kind, item)
                )
            )
            continue
        listed.setdefault(kind.collection, []).append(item)
    found: list[LiveObject] = []
    for collection, items in listed.items():
        found.extend(_read_items(client, kinds, collection, items))
    return found, foreign


def _why_foreign(kinds: Registry, kind: ResourceKind, item: Mapping[str, Any]) -> str:
    told = [k.discriminator for k in kinds.at(kind.collection) if k.discriminator is not None]
    if told:
        d = told[0]
        return f"its {d.pointer} is {child_key(item, d.pointer)!r}, not {d.value!r}"
    return "it is of no kind reconciler manages"


def _live_object(kind: ResourceKind, object_id: Any, body: dict[str, Any]) -> LiveObject:
    return LiveObject(kind=kind.kind, id=object_id, body=body, identity=kind.identity)


def _list_path(kinds: Registry, collection: str) -> str:
    queries = {k.list_query for k in kinds.at(collection)}
    query = queries.pop() if len(queries) == 1 else ""  # kinds sharing a collection share it
    return f"{collection}?{query}" if query else collection


def _read_collection(client: GraphClient, kinds: Registry, collection: str) -> list[LiveObject]:
    return _read_items(client, kinds, collection, client.list_all(_list_path(kinds, collection)))


def _read_items(
    client: GraphClient, kinds: Registry, collection: str, listed: list[dict[str, Any]]
) -> list[LiveObject]:
    """Listed items of a collection as live objects, their facets read in $batch."""
    typed: list[tuple[ResourceKind, dict[str, Any]]] = []
    for item in listed:
        kind = kinds.classify(collection, item)
        if kind is None:
            continue  # a type of this collection that no kind describes; never touched
        if not isinstance(item.get("id"), str):
            raise GraphResponseError(f"GET {collection}: an item has no id")
        typed.append((kind, item))

    reads = [
        read
        for index, (kind, item) in enumerate(typed)
        for read in _object_reads(kind, index, item)
    ]
    results = client.batch(reads) if reads else {}
    # A 404 on an object's own reads is a definite answer: it was deleted between the
    # listing and the read (the portal, or another apply's compensation), so it is left out.
    gone = {key.split(":", 1)[0] for key, r in results.items() if r.status == 404}
    for key, result in results.items():
        if result.error is not None and key.split(":", 1)[0] not in gone:
            raise result.error
    decoded = [
        (kind, item, _decode(client, kind, item, index, results))
        for index, (kind, item) in enumerate(typed)
        if str(index) not in gone
    ]
    gone_nested = _read_nested(client, decoded)
    return [
        _live_object(kind, item["id"], props)
        for position, (kind, item, props) in enumerate(decoded)
        if position not in gone_nested
    ]


def _read_nested(
    client: GraphClient, decoded: list[tuple[ResourceKind, dict[str, Any], dict[str, Any]]]
) -> set[int]:
    """Each child's own collection (`Children.nested`), one GET per child in $batch, into
    the child: the second level of a read Graph serves one `$expand` level at a time.
    Returns the positions of objects a 404 showed deleted meanwhile (left out, as above)."""
    reads: list[BatchRequest] = []
    places: list[tuple[int, list[Any], int, str, str]] = []  # (object, children, index, ...)
    for index, (kind, item, props) in enumerate(decoded):
        path = kind.item(item["id"])
        for name, facet in kind.facets.items():
            if not isinstance(facet, Children) or facet.nested is None:
                continue
            children = props[name]
            for position, child in enumerate(children):
                child_id = child.get("id") if isinstance(child, dict) else None
                if not isinstance(child_id, str):
                    raise GraphResponseError(f"GET {path}/{facet.segment}: an item has no id")
                where = f"{path}/{facet.segment}/{quote(child_id, safe='')}/{facet.nested.segment}"
                url = f"{where}?{facet.nested.query}" if facet.nested.query else where
                reads.append(BatchRequest(id=f"{index}:{name}:{position}", method="GET", url=url))
                places.append((index, children, position, facet.nested.segment, where))
    results = client.batch(reads) if reads else {}
    gone = {
        owner
        for read, (owner, *_rest) in zip(reads, places, strict=True)
        if results[read.id].status == 404
    }
    for read, (owner, children, position, segment, where) in zip(reads, places, strict=True):
        if owner in gone:
            continue
        result = results[read.id]
        if result.error is not None:
            raise result.error
        children[position] = {
            **children[position],
            segment: _page_items(client, result.body, where),
        }
    return gone


def _expanded(kind: ResourceKind) -> list[str]:
    segments = []
    for facet in kind.facets.values():
        match facet:
            case Children() | Assignments():
                if facet.expand:
                    segments.append(
                        facet.segment if isinstance(facet, Children) else facet.list_segment
                    )
            case Stream():
                pass
            case _:
                assert_never(facet)
    return segments


def _object_reads(kind: ResourceKind, index: int, item: Mapping[str, Any]) -> list[BatchRequest]:
    """What one listed object needs read besides its list entry, facet by facet."""
    path = kind.item(item["id"])
    reads = []
    expanded = _expanded(kind)
    if expanded:
        url = f"{path}?$expand={','.join(expanded)}"
        reads.append(BatchRequest(id=f"{index}:$expand", method="GET", url=url))
    for name, facet in kind.facets.items():
        match facet:
            case Stream():
                if name not in item:  # a server that does not inline streams
                    url = f"{path}/{facet.segment}"
                    reads.append(BatchRequest(id=f"{index}:{name}", method="GET", url=url))
            case Assignments():
                if not facet.expand:
                    url = f"{path}/{facet.list_segment}"
                    reads.append(BatchRequest(id=f"{index}:{name}", method="GET", url=url))
            case Children():
                if not facet.expand:
                    url = _children_url(path, facet)
                    reads.append(BatchRequest(id=f"{index}:{name}", method="GET", url=url))
            case _:
                assert_never(facet)
    return reads


def _children_url(path: str, facet: Children) -> str:
    url = f"{path}/{facet.segment}"
    return f"{url}?{facet.query}" if facet.query else url


def _decode(
    client: GraphClient,
    kind: ResourceKind,
    item: dict[str, Any],
    index: int,
    results: Mapping[str, BatchResult],
) -> dict[str, Any]:
    """The object's properties and facets from its list entry and its reads."""
    entity: dict[str, Any] = item
    if f"{index}:$expand" in results:
        got = results[f"{index}:$expand"].body
        if not isinstance(got, dict):
            raise GraphResponseError(f"GET {kind.item(item['id'])}: the answer is not an object")
        entity = {**item, **got}
    props = _entity_properties(kind, entity)
    path = kind.item(item["id"])
    for name, facet in kind.facets.items():
        match facet:
            case Stream():
                if name not in item:
                    props[name] = _stream_value(results[f"{index}:{name}"].body)
            case Assignments():
                if facet.expand:
                    raw = _expanded_items(client, entity, facet.list_segment, path)
                else:
                    raw = _page_items(
                        client, results[f"{index}:{name}"].body, f"{path}/{facet.list_segment}"
                    )
                props[name] = sorted_assignments([facet.from_graph(a) for a in raw])
            case Children():
                if facet.expand:
                    found = _expanded_items(client, entity, facet.segment, path)
                else:
                    found = _page_items(
                        client, results[f"{index}:{name}"].body, f"{path}/{facet.segment}"
                    )
                props[name] = list(_complete(client, facet, entity, path, found))
            case _:
                assert_never(facet)
    return props


def _complete(
    client: GraphClient, facet: Children, entity: Mapping[str, Any], path: str, found: list[Any]
) -> list[Any]:
    """The child items, checked against the entity's count: a short expanded read falls back
    to the paged collection; still short, the read fails."""
    expected = entity.get(facet.count_field) if facet.count_field else None
    if not isinstance(expected, int) or len(found) >= expected:
        return found
    if facet.expand:
        found = client.list_all(_children_url(path, facet))
    if len(found) < expected:
        raise GraphResponseError(
            f"GET {path}/{facet.segment}: {len(found)} of {expected} items came back "
            f"({facet.count_field} says {expected}); not taken to mean any were removed",
            hint="Run the command again; if it persists, report it with the request ids.",
        )
    return found


def _expanded_items(
    client: GraphClient, entity: Mapping[str, Any], segment: str, path: str
) -> list[dict[str, Any]]:
    value = entity.get(segment)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise GraphResponseError(f"GET {path}?$expand={segment}: no '{segment}' list came back")
    items = list(value)
    next_link = entity.get(f"{segment}@odata.nextLink")
    if isinstance(next_link, str):
        items.extend(client.list_all(next_link))
    return items


def _page_items(client: GraphClient, body: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise GraphResponseError(f"GET {where}: the answer has no 'value' list")
    items = list(body["value"])
    next_link = body.get("@odata.nextLink")
    if isinstance(next_link, str):
        items.extend(client.list_all(next_link))
    return items
