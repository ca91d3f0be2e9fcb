"""Read the live tenant for every registered resource type, in few requests.

Cost for N policies: the list pages, plus ceil(k*N/20) `$batch` calls for the per-object reads
(assignments, and the payload streams when the server does not inline them). A failed read
raises; it is never taken to mean "absent".
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.kinds import registry
from reconciler.kinds.registry import ResourceType
from reconciler.values.canonical import Payload
from reconciler.values.live import NON_JSON_KEY, Live, LiveObject

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


def _entity_properties(rt: ResourceType, entity: dict[str, Any]) -> dict[str, Any]:
    props = {
        k: v for k, v in entity.items() if not k.startswith(_ANNOTATION_PREFIX) and "@" not in k
    }
    for field in rt.stream_fields:
        if field in props:
            props[field] = _payload(decode_inline_stream(props[field]))
    return props


def _group_ids(rt: ResourceType, assignments: list[dict[str, Any]]) -> list[str]:
    assert rt.assignments is not None
    ids = set()
    for item in assignments:
        target = item.get("target") or {}
        group = target.get(rt.assignments.target_key) if isinstance(target, dict) else None
        if isinstance(group, str):
            ids.add(group.lower())
    return sorted(ids)


def read_tenant(client: GraphClient) -> Live:
    requests_before = client.stats.requests
    objects: list[LiveObject] = []
    for rt in registry.RESOURCE_TYPES:
        if rt.singleton:
            entity = client.get_entity(rt.path)
            objects.append(
                LiveObject(kind=rt.kind, id=entity.get("id"), body=_entity_properties(rt, entity))
            )
    for path in registry.collections():
        objects.extend(_read_collection(client, path))
    return Live(
        graph_url=client.base_url,
        objects=tuple(objects),
        read_requests=client.stats.requests - requests_before,
    )


def _read_collection(client: GraphClient, path: str) -> list[LiveObject]:
    typed: list[tuple[ResourceType, dict[str, Any]]] = []
    for item in client.list_all(path):
        rt = registry.kind_for_odata_type(item.get("@odata.type"), path=path)
        if rt is None:
            continue  # a type we do not manage (e.g. a future subtype); never touched
        if not isinstance(item.get("id"), str):
            raise GraphResponseError(f"GET {path}: an item has no id")
        typed.append((rt, item))

    reads: list[BatchRequest] = []
    for index, (rt, item) in enumerate(typed):
        item_path = rt.item_path(item["id"])
        for field in rt.stream_fields:
            if field not in item:  # `separate` stream mode: read the stream URL
                reads.append(
                    BatchRequest(id=f"{index}:{field}", method="GET", url=f"{item_path}/{field}")
                )
        if rt.assignments is not None:
            reads.append(
                BatchRequest(
                    id=f"{index}:assignments",
                    method="GET",
                    url=f"{item_path}/{rt.assignments.list_segment}",
                )
            )
    results = client.batch(reads) if reads else {}
    for result in results.values():
        if result.error is not None:
            raise result.error

    objects = []
    for index, (rt, item) in enumerate(typed):
        props = _entity_properties(rt, item)
        for field in rt.stream_fields:
            if field not in item:
                props[field] = _stream_value(results[f"{index}:{field}"].body)
        if rt.assignments is not None:
            props["assignments"] = _group_ids(
                rt, _assignment_items(client, results[f"{index}:assignments"].body)
            )
        objects.append(LiveObject(kind=rt.kind, id=item["id"], body=props))
    return objects


def _assignment_items(client: GraphClient, body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("value"), list):
        raise GraphResponseError("assignments response has no 'value' list")
    items = list(body["value"])
    next_link = body.get("@odata.nextLink")
    if isinstance(next_link, str):
        items.extend(client.list_all(next_link))
    return items
