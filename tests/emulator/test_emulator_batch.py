"""Aspects: JSON $batch — per-item status/headers/body, dependsOn order and 424, binary bodies
as base64 both ways, envelope limits and malformed envelopes, shuffled replies."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from .helpers import CLIENT_TYPE, POLICIES, Graph, assert_graph_error

JSON = {"Content-Type": "application/json"}


def by_id(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {entry["id"]: entry for entry in response.json()["responses"]}


def create_item(item_id: str, priority: int, **extra: Any) -> dict[str, Any]:
    body = {"@odata.type": CLIENT_TYPE, "priority": priority, "displayName": item_id}
    return {
        "id": item_id,
        "method": "POST",
        "url": POLICIES,
        "headers": JSON,
        "body": body,
        **extra,
    }


def test_items_run_and_answer_individually(graph: Graph) -> None:
    existing = graph.create(1)
    replies = by_id(
        graph.batch(
            create_item("new", 2),
            {"id": "get", "method": "GET", "url": f"{POLICIES}/{existing['id']}"},
            {"id": "missing", "method": "GET", "url": f"{POLICIES}/nope"},
            {
                "id": "bad",
                "method": "PATCH",
                "url": f"{POLICIES}/{existing['id']}",
                "headers": JSON,
                "body": {"priority": "x"},
            },
            {
                "id": "list",
                "method": "GET",
                "url": "officeConfiguration/clientConfigurations?$top=1",
            },
        )
    )
    assert replies["new"]["status"] == 201 and replies["new"]["body"]["displayName"] == "new"
    assert replies["get"]["status"] == 200 and replies["get"]["body"] == existing
    assert replies["missing"]["status"] == 404
    assert replies["missing"]["body"]["error"]["code"] == "itemNotFound"
    assert replies["bad"]["status"] == 400
    assert replies["list"]["status"] == 200 and len(replies["list"]["body"]["value"]) == 1
    assert replies["list"]["body"]["@odata.nextLink"].startswith(graph.emulator.base_url)
    assert replies["get"]["headers"]["Content-Type"].startswith("application/json")


def test_depends_on_orders_the_chain_and_failures_give_424(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}"
    replies = by_id(
        graph.batch(
            # Listed before its prerequisite: dependsOn, not position, decides the order.
            {
                "id": "after",
                "method": "PATCH",
                "url": url,
                "headers": JSON,
                "body": {"displayName": "second"},
                "dependsOn": ["first"],
            },
            {
                "id": "first",
                "method": "PATCH",
                "url": url,
                "headers": JSON,
                "body": {"displayName": "first"},
            },
            {"id": "boom", "method": "DELETE", "url": f"{POLICIES}/nope"},
            {"id": "skipped", "method": "DELETE", "url": url, "dependsOn": ["boom"]},
            {"id": "skipped-too", "method": "GET", "url": url, "dependsOn": ["skipped"]},
        )
    )
    assert replies["first"]["status"] == 200 and replies["after"]["status"] == 200
    assert graph.get(url).json()["displayName"] == "second"
    assert replies["boom"]["status"] == 404
    assert replies["skipped"]["status"] == 424
    assert replies["skipped"]["body"]["error"]["code"] == "FailedDependency"
    assert replies["skipped-too"]["status"] == 424
    assert graph.get(url).status_code == 200  # the dependent DELETE never ran


def test_binary_bodies_travel_as_base64(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/policyPayload"
    data = b'{"binary": "\xff\x00"}'
    replies = by_id(
        graph.batch(
            {
                "id": "put",
                "method": "PUT",
                "url": url,
                "headers": {"Content-Type": "application/octet-stream"},
                "body": base64.b64encode(data).decode(),
            },
            {"id": "get", "method": "GET", "url": url, "dependsOn": ["put"]},
        )
    )
    assert replies["put"]["status"] == 204 and "body" not in replies["put"]
    assert replies["get"]["headers"]["Content-Type"] == "application/octet-stream"
    assert base64.b64decode(replies["get"]["body"]) == data
    assert graph.get(url).content == data


def test_replies_are_shuffled_so_clients_must_correlate_by_id(graph: Graph) -> None:
    items = [{"id": str(i), "method": "GET", "url": "/officeConfiguration"} for i in range(20)]
    order = [entry["id"] for entry in graph.batch(*items).json()["responses"]]
    assert sorted(order, key=int) == [str(i) for i in range(20)]
    assert order != [str(i) for i in range(20)]


def get(i: int) -> dict[str, Any]:
    return {"id": str(i), "method": "GET", "url": "/officeConfiguration"}


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
        {"requests": [{"id": 1, "method": "GET", "url": "/officeConfiguration"}]},
        {
            "requests": [
                {
                    "id": "1",
                    "method": "GET",
                    "url": "https://graph.microsoft.com/beta/officeConfiguration",
                }
            ]
        },
        {
            "requests": [
                {
                    "id": "1",
                    "method": "POST",
                    "url": "/$batch",
                    "headers": JSON,
                    "body": {"requests": []},
                }
            ]
        },
        {"requests": [{"id": "1", "method": "POST", "url": POLICIES, "body": {"priority": 1}}]},
        {
            "requests": [
                {
                    "id": "1",
                    "method": "PUT",
                    "url": POLICIES + "/x/policyPayload",
                    "headers": {"Content-Type": "application/octet-stream"},
                    "body": "not base64!",
                }
            ]
        },
        {"requests": [get(1) | {"dependsOn": ["9"]}]},
        {"requests": [get(1) | {"dependsOn": ["2"]}, get(2) | {"dependsOn": ["1"]}]},
        {"requests": [get(1) | {"dependsOn": "2"}, get(2)]},
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
            {"id": "a", "method": "GET", "url": "/deviceManagement"},
            {
                "id": "b",
                "method": "PUT",
                "url": "/officeConfiguration",
                "headers": JSON,
                "body": {},
            },
        )
    )
    assert replies["a"]["status"] == 400
    assert replies["b"]["status"] == 405
