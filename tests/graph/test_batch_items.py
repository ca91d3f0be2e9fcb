"""What one $batch item's answer becomes: its request id (its own, else the envelope's), its
error (named by the item's request, maybe applied only for a write that is not idempotent and
failed with a 5xx), and its body by content type."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import responses

from reconciler.fetch.client import BatchRequest, GraphClient

from .conftest import BASE


def answering(
    mocked: responses.RequestsMock, *items: dict[str, Any], envelope_id: str = "env-1"
) -> None:
    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        sent = json.loads(request.body)["requests"]
        out = [{"id": s["id"], **item} for s, item in zip(sent, items, strict=True)]
        return (
            200,
            {"Content-Type": "application/json", "request-id": envelope_id},
            json.dumps({"responses": out}),
        )

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=answer)


def one(client: GraphClient, request: BatchRequest) -> Any:
    return client.batch([request])[request.id]


GET = BatchRequest(id="1", method="GET", url="/items/1")


def test_an_item_keeps_its_own_request_id_else_the_envelopes(client, mocked):
    answering(mocked, {"status": 200, "headers": {"request-id": "item-1"}, "body": {}})
    assert one(client, GET).request_id == "item-1"
    answering(mocked, {"status": 200, "body": {}})
    assert one(client, GET).request_id == "env-1"


def test_a_failed_item_is_named_by_its_request_with_the_envelopes_request_id(client, mocked):
    answering(mocked, {"status": 404, "body": {"error": {"code": "NotFound", "message": "gone"}}})
    result = one(client, BatchRequest(id="1", method="delete", url="/items/1"))
    assert str(result.error) == "DELETE /items/1: HTTP 404 NotFound: gone (request-id env-1)"
    assert (result.request_id, result.error.request_id) == ("env-1", "env-1")


@pytest.mark.parametrize(
    ("method", "idempotent", "status", "maybe"),
    [
        ("POST", False, 500, True),
        ("POST", False, 400, False),
        ("PATCH", True, 500, False),
        ("PATCH", True, 400, False),
    ],
)
def test_only_a_write_that_is_not_idempotent_and_failed_with_a_5xx_may_have_landed(
    client, mocked, method, idempotent, status, maybe
):
    answering(mocked, {"status": status, "body": {"error": {"code": "x", "message": "y"}}})
    result = one(
        client, BatchRequest(id="1", method=method, url="/items", body={}, idempotent=idempotent)
    )
    assert result.error.maybe_applied is maybe


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Content-Type": "application/json"}, "a JSON string", "a JSON string"),
        (
            {"Content-Type": "application/octet-stream"},
            base64.b64encode(b"\x00\x01").decode(),
            b"\x00\x01",
        ),
        ({"Content-Type": "text/plain"}, "not base64!", b"not base64!"),
        # spaces are no base64: a loose decoder would drop them and answer b"i\xb7\x1d"
        ({"Content-Type": "text/plain"}, "ab cd", b"ab cd"),
        ({"Content-Type": "text/plain"}, "", b""),
        ({}, "", None),
        ({"Content-Type": "application/json"}, None, None),
    ],
)
def test_an_items_body_is_read_by_its_content_type(client, mocked, headers, body, expected):
    item: dict[str, Any] = {"status": 200, "headers": headers}
    if body is not None:
        item["body"] = body
    answering(mocked, item)
    assert one(client, GET).body == expected


def test_an_expanded_assignment_read_that_comes_back_without_its_list_names_the_read():
    from tests.graph.test_tenant_reader import BOX, COLLECTION, Fake, assigned_kind, read

    fake = Fake([BOX], {f"{COLLECTION}/b-1?$expand=items,assignments": (200, {"items": []})})
    with pytest.raises(Exception) as caught:
        read(assigned_kind(expand=True), fake)
    assert (
        str(caught.value)
        == f"GET {COLLECTION}/b-1?$expand=assignments: no 'assignments' list came back"
    )
    fake = Fake(
        [BOX],
        {
            f"{COLLECTION}/b-1/items": (200, {"value": []}),
            f"{COLLECTION}/b-1/assignments": (200, {"nope": []}),
        },
    )
    with pytest.raises(Exception) as caught:
        read(assigned_kind(expand=False), fake)
    assert str(caught.value) == f"GET {COLLECTION}/b-1/assignments: the answer has no 'value' list"
