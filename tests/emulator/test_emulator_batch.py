"""Aspects: JSON $batch — per-item status/headers/body, dependsOn order and 424, binary bodies
as base64 both ways, envelope limits and malformed envelopes, shuffled replies."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.support.raw import Graph, assert_graph_error
from tests.support.tenant import CLIENT_TYPE, POLICIES

JSON = {"Content-Type": "application/json"}
OCTETS = {"Content-Type": "application/octet-stream"}


def item(item_id: str, method: str, url: str, body: Any = None, **extra: Any) -> dict[str, Any]:
    """One batch request; a JSON ``body`` gets its Content-Type header."""
    entry: dict[str, Any] = {"id": item_id, "method": method, "url": url, **extra}
    if body is not None:
        entry.setdefault("headers", JSON)
        entry["body"] = body
    return entry


def create_item(item_id: str, priority: int) -> dict[str, Any]:
    body = {"@odata.type": CLIENT_TYPE, "priority": priority, "displayName": item_id}
    return item(item_id, "POST", POLICIES, body)


def get(item_id: Any, **extra: Any) -> dict[str, Any]:
    return item(str(item_id), "GET", "/officeConfiguration", **extra)


def by_id(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {entry["id"]: entry for entry in response.json()["responses"]}


def test_items_run_and_answer_individually(graph: Graph) -> None:
    existing = graph.create(1)
    url = f"{POLICIES}/{existing['id']}"
    replies = by_id(
        graph.batch(
            create_item("new", 2),
            item("get", "GET", url),
            item("missing", "GET", f"{POLICIES}/nope"),
            item("bad", "PATCH", url, {"priority": "x"}),
            item("list", "GET", "officeConfiguration/clientConfigurations?$top=1"),
        )
    )
    assert replies["new"]["status"] == 201 and replies["new"]["body"]["displayName"] == "new"
    assert replies["get"]["status"] == 200 and replies["get"]["body"] == existing
    assert replies["get"]["headers"]["Content-Type"].startswith("application/json")
    assert replies["missing"]["status"] == 404
    assert replies["missing"]["body"]["error"]["code"] == "itemNotFound"
    assert replies["bad"]["status"] == 400
    assert replies["list"]["status"] == 200 and len(replies["list"]["body"]["value"]) == 1
    assert replies["list"]["body"]["@odata.nextLink"].startswith(graph.emulator.base_url)


def test_depends_on_orders_the_chain_and_failures_give_424(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}"
    replies = by_id(
        graph.batch(
            # Listed before its prerequisite: dependsOn, not position, decides the order.
            item("after", "PATCH", url, {"displayName": "second"}, dependsOn=["first"]),
            item("first", "PATCH", url, {"displayName": "first"}),
            item("boom", "DELETE", f"{POLICIES}/nope"),
            item("skipped", "DELETE", url, dependsOn=["boom"]),
            item("skipped-too", "GET", url, dependsOn=["skipped"]),
        )
    )
    assert replies["first"]["status"] == 200 and replies["after"]["status"] == 200
    assert graph.get(url).json()["displayName"] == "second"
    assert replies["boom"]["status"] == 404
    assert replies["skipped"]["status"] == 424
    assert replies["skipped"]["body"]["error"]["code"] == "FailedDependency"
    assert replies["skipped"]["headers"]["request-id"]
    assert replies["skipped-too"]["status"] == 424
    assert graph.get(url).status_code == 200  # the dependent DELETE never ran


def test_binary_bodies_travel_as_base64(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/policyPayload"
    data = b'{"binary": "\xff\x00"}'
    encoded = base64.b64encode(data).decode()
    replies = by_id(
        graph.batch(
            item("put", "PUT", url, encoded, headers=OCTETS),
            item("get", "GET", url, dependsOn=["put"]),
        )
    )
    assert replies["put"]["status"] == 204 and "body" not in replies["put"]
    assert replies["get"]["headers"]["Content-Type"] == "application/octet-stream"
    assert base64.b64decode(replies["get"]["body"]) == data
    assert graph.get(url).content == data


def test_replies_are_shuffled_so_clients_must_correlate_by_id(graph: Graph) -> None:
    order = [entry["id"] for entry in graph.batch(*[get(i) for i in range(20)]).json()["responses"]]
    assert sorted(order, key=int) == [str(i) for i in range(20)]
    assert order != [str(i) for i in range(20)]


@pytest.mark.parametrize(
    "body",
    [
        {"requests": [get(i) for i in range(21)]},
        {"requests": []},
        {"requests": {}},
        {"nothing": []},
        [],
        {"requests": [get(1), get(1)]},
        {"requests": [{"id": "1", "method": "GET"}]},
        {"requests": [get(1) | {"id": 1}]},
        {"requests": [get(1) | {"url": "https://graph.microsoft.com/beta/officeConfiguration"}]},
        {"requests": [item("1", "POST", "/$batch", {"requests": []})]},
        {"requests": [{"id": "1", "method": "POST", "url": POLICIES, "body": {"priority": 1}}]},
        {"requests": [item("1", "PUT", f"{POLICIES}/x/policyPayload", "not b64!", headers=OCTETS)]},
        {"requests": [get(1, dependsOn=["9"])]},
        {"requests": [get(1, dependsOn=["2"]), get(2, dependsOn=["1"])]},
        {"requests": [get(1, dependsOn="2"), get(2)]},
    ],
)
def test_malformed_envelopes_are_400_and_run_nothing(graph: Graph, body: Any) -> None:
    assert_graph_error(graph.post("/$batch", json=body), 400, "BadRequest")
    assert graph.emulator.stats()["batch_items"] == 0


def test_twenty_requests_is_the_limit(graph: Graph) -> None:
    replies = by_id(graph.batch(*[create_item(str(i), i) for i in range(20)]))
    assert {entry["status"] for entry in replies.values()} == {201}
    assert len(graph.emulator.store.policies()) == 20


def test_unknown_item_paths_and_methods(graph: Graph) -> None:
    replies = by_id(
        graph.batch(
            item("a", "GET", "/deviceManagement"),
            item("b", "PUT", "/officeConfiguration", {}),
        )
    )
    assert replies["a"]["status"] == 400
    assert replies["b"]["status"] == 405
