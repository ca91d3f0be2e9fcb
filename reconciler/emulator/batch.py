"""JSON ``$batch`` (graph-spec §3.3): parse the envelope, run items in dependency order.

Envelope problems are a 400 for the whole batch: not an object with a ``requests``
list, more than 20 (or no) requests, an item without a string ``id``/``method``/``url``,
duplicate ids, an absolute URL, a nested ``$batch``, a ``body`` without a
``Content-Type`` header, a non-JSON body that is not base64, and ``dependsOn`` naming
an unknown id or forming a cycle (several prerequisites are allowed, a superset of Graph).

Items run one after another in an order that honours ``dependsOn`` (list order
otherwise). An item whose prerequisite did not succeed gets 424 without running.
Non-JSON bodies travel base64-encoded both ways. The responses come back shuffled
(seeded), as Graph allows, so clients must correlate them by ``id``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from reconciler.emulator.errors import bad_request, error_body
from reconciler.emulator.messages import Request, Response, stamp

MAX_REQUESTS = 20


@dataclass(frozen=True)
class Item:
    id: str
    request: Request
    depends_on: tuple[str, ...]


def _is_json(content_type: str) -> bool:
    return "json" in content_type.lower()


def _item_body(raw: dict[str, Any], headers: dict[str, str], where: str) -> bytes:
    if "body" not in raw or raw["body"] is None:
        return b""
    content_type = headers.get("content-type")
    if not content_type:
        raise bad_request(f"{where}: a request with a body needs a Content-Type header.")
    body = raw["body"]
    if _is_json(content_type):
        return json.dumps(body).encode("utf-8")
    if not isinstance(body, str):
        raise bad_request(f"{where}: a {content_type} body must be a base64 string.")
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{where}: the body is not valid base64.") from None


def _parse_item(raw: Any, index: int, outer: Request) -> Item:
    where = f"requests[{index}]"
    if not isinstance(raw, dict):
        raise bad_request(f"{where} must be an object.")
    for key in ("id", "method", "url"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise bad_request(f"{where}.{key} is required and must be a non-empty string.")
    url = urlsplit(raw["url"])
    if url.scheme or url.netloc:
        raise bad_request(
            f"{where}.url must be relative to the version, e.g. /officeConfiguration."
        )
    path = "/" + unquote(url.path).lstrip("/")
    if path.rstrip("/") == "/$batch":
        raise bad_request(f"{where}: nested $batch requests are not allowed.")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise bad_request(f"{where}.headers must be an object of strings.")
    headers = {str(k).lower(): v for k, v in headers.items()}
    depends_on = raw.get("dependsOn") or []
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise bad_request(f"{where}.dependsOn must be a list of request ids.")
    request = Request(
        method=raw["method"].upper(),
        path=path,
        query=dict(parse_qsl(url.query, keep_blank_values=True)),
        headers=headers,
        body=_item_body(raw, headers, where),
        base_url=outer.base_url,
        request_id=str(uuid.uuid4()),
        client_request_id=headers.get("client-request-id") or outer.client_request_id,
        app=outer.app,
        tenant=outer.tenant,
        roles=outer.roles,
    )
    return Item(raw["id"], request, tuple(depends_on))


def parse(outer: Request) -> list[Item]:
    """The batch's items in a runnable order; raises a 400 for a malformed envelope."""
    envelope = outer.json()
    requests = envelope.get("requests") if isinstance(envelope, dict) else None
    if not isinstance(requests, list):
        raise bad_request("A batch body is an object with a 'requests' list.")
    if not 1 <= len(requests) <= MAX_REQUESTS:
        raise bad_request(f"A batch holds 1 to {MAX_REQUESTS} requests, not {len(requests)}.")
    items = [_parse_item(raw, index, outer) for index, raw in enumerate(requests)]
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise bad_request("Request ids in a batch must be unique.")
    for item in items:
        for dependency in item.depends_on:
            if dependency not in ids or dependency == item.id:
                raise bad_request(f"Request '{item.id}' depends on an unknown id '{dependency}'.")
    return _ordered(items)


def _ordered(items: list[Item]) -> list[Item]:
    """Dependencies first, otherwise list order; a cycle is a 400."""
    done: set[str] = set()
    ordered: list[Item] = []
    pending = list(items)
    while pending:
        ready = next((i for i in pending if set(i.depends_on) <= done), None)
        if ready is None:
            raise bad_request("The dependsOn references form a cycle.")
        pending.remove(ready)
        ordered.append(ready)
        done.add(ready.id)
    return ordered


def _failed_dependency(item: Item, dependency: str) -> Response:
    body = error_body(
        "FailedDependency",
        f"Request '{item.id}' was not run: request '{dependency}' failed.",
        request_id=item.request.request_id,
        client_request_id=item.request.client_request_id,
        status=424,
    )
    return stamp(item.request, Response.of_json(424, body))


def _entry(item_id: str, response: Response) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": item_id, "status": response.status, "headers": response.headers}
    if response.json_value is not None:
        entry["body"] = response.json_value
    elif response.body:
        content_type = response.content_type or "application/octet-stream"
        entry["body"] = (
            json.loads(response.body)
            if _is_json(content_type)
            else base64.b64encode(response.body).decode("ascii")
        )
    return entry


def run(
    outer: Request,
    run_item: Callable[[Request], Response],
    shuffle: Callable[[MutableSequence[dict[str, Any]]], None],
) -> Response:
    """Run a whole batch. ``run_item`` answers one item, errors included (it never raises);
    auth was checked once for the envelope, as Graph does."""
    items = parse(outer)
    statuses: dict[str, int] = {}
    entries: list[dict[str, Any]] = []
    for item in items:
        failed = next((d for d in item.depends_on if not 200 <= statuses[d] < 300), None)
        response = (
            _failed_dependency(item, failed) if failed is not None else run_item(item.request)
        )
        statuses[item.id] = response.status
        entries.append(_entry(item.id, response))
    shuffle(entries)
    return Response.of_json(200, {"responses": entries})
