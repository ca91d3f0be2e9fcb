"""Aspects: the request counters at /_emulator/stats (route patterns, batch items, writes and
their outcomes) and /_emulator/reset (counters, and the tenant on request)."""

from __future__ import annotations

import requests

from tests.support.raw import Graph
from tests.support.tenant import CLIENT_TYPE, POLICIES


def test_counters_by_route_pattern(graph: Graph) -> None:
    policy = graph.create(1)
    graph.get(f"{POLICIES}/{policy['id']}")
    graph.put(f"{POLICIES}/{policy['id']}/policyPayload", data=b"x")
    graph.post(POLICIES, json={"priority": 2})  # a write that fails validation
    graph.get("/nowhere")
    graph.batch(
        {"id": "1", "method": "GET", "url": f"{POLICIES}/{policy['id']}/assignments"},
        {"id": "2", "method": "DELETE", "url": f"{POLICIES}/{policy['id']}"},
    )
    stats = requests.get(graph.emulator.root_url + "/_emulator/stats", timeout=5).json()
    assert stats == graph.emulator.stats()
    assert stats["by_route"] == {
        "POST /officeConfiguration/clientConfigurations": 2,
        "GET /officeConfiguration/clientConfigurations/{id}": 1,
        "PUT /officeConfiguration/clientConfigurations/{id}/policyPayload": 1,
        "GET (unmatched)": 1,
        "POST /$batch": 1,
    }
    assert stats["batch_items_by_route"] == {
        "GET /officeConfiguration/clientConfigurations/{id}/assignments": 1,
        "DELETE /officeConfiguration/clientConfigurations/{id}": 1,
    }
    assert stats["total"] == 6 and stats["batch_items"] == 2
    assert stats["writes"] == 4 and stats["writes_ok"] == 3
    assert stats["throttled"] == stats["failed_injected"] == stats["dropped"] == 0


def test_reset_zeroes_counters_and_optionally_the_tenant(graph: Graph) -> None:
    root = graph.emulator.root_url
    graph.create(1)
    assert requests.post(root + "/_emulator/reset", timeout=5).json() == {
        "reset": True,
        "state": False,
        "drain": False,
    }
    assert graph.emulator.stats()["total"] == 0
    assert len(graph.emulator.store.policies()) == 1

    requests.post(root + "/_emulator/reset?state=1", timeout=5)
    assert graph.emulator.store.policies() == []
    graph.create(1)
    requests.post(root + "/_emulator/reset", json={"state": True}, timeout=5)
    assert graph.get(POLICIES).json()["value"] == []
    graph.emulator.reset_stats()
    assert graph.emulator.stats()["total"] == 0


def test_tenant_dump_and_unknown_control_paths(graph: Graph) -> None:
    graph.post(POLICIES, json={"@odata.type": CLIENT_TYPE, "priority": 4})
    root = graph.emulator.root_url
    tenant = requests.get(root + "/_emulator/tenant", timeout=5).json()
    assert [p["priority"] for p in tenant["clientConfigurations"]] == [4]
    assert requests.get(root + "/_emulator/nothing", timeout=5).status_code == 404
    assert requests.get(root + "/_emulator/reset", timeout=5).status_code == 404
