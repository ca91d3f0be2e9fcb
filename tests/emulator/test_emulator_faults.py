"""Aspects: throttling (429 with a fractional Retry-After, per app and per tenant, reads vs
writes, inside $batch), injected 503s that change nothing, dropped connections before and
after a write is applied, added latency, and changing all of these at runtime."""

from __future__ import annotations

import time

import pytest
import requests

from tests.support.raw import Graph, assert_graph_error
from tests.support.tenant import CLIENT_TYPE, POLICIES


def post(graph: Graph, priority: int) -> requests.Response:
    return graph.post(POLICIES, json={"@odata.type": CLIENT_TYPE, "priority": priority})


def test_writes_are_throttled_with_a_fractional_retry_after(make_emulator) -> None:
    graph = Graph(make_emulator(throttle=True, write_limit="3/1"))
    assert [post(graph, i).status_code for i in range(3)] == [201, 201, 201]
    refused = post(graph, 3)
    assert_graph_error(refused, 429, "TooManyRequests")
    wait = float(refused.headers["Retry-After"])
    assert 0 < wait <= 0.34 and "." in refused.headers["Retry-After"]
    assert refused.json()["error"]["innerError"]["status"] == 429
    assert graph.get(POLICIES).status_code == 200  # reads have their own, larger budget
    time.sleep(wait)
    assert post(graph, 3).status_code == 201
    stats = graph.emulator.stats()
    assert stats["throttled"] == 1 and stats["writes"] == 5 and stats["writes_ok"] == 4


def test_each_app_has_its_own_budget_within_the_tenants(make_emulator) -> None:
    emulator = make_emulator(throttle=True, write_limit="2/10")
    first, second, third = (Graph(emulator, token=t) for t in ("app-1", "app-2", "app-3"))
    assert [post(first, i).status_code for i in range(3)] == [201, 201, 429]
    assert [post(second, i).status_code for i in range(10, 13)] == [201, 201, 429]
    # The tenant allows twice an app's writes: four are spent.
    assert post(third, 20).status_code == 429


def test_all_requests_are_limited_too(make_emulator) -> None:
    graph = Graph(make_emulator(throttle=True, request_limit="4/10"))
    statuses = [graph.get("/officeConfiguration").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_default_limits_are_intune_numbers(make_emulator) -> None:
    graph = Graph(make_emulator(throttle=True))
    statuses = [post(graph, i).status_code for i in range(100)]
    assert statuses == [201] * 100
    # The bucket refills at 5 writes a second, so a few more may slip in before a 429.
    more = [post(graph, 100 + i).status_code for i in range(10)]
    assert 429 in more


def test_batch_items_are_throttled_individually(make_emulator) -> None:
    graph = Graph(make_emulator(throttle=True, write_limit="2/10"))
    items = [
        {
            "id": str(i),
            "method": "POST",
            "url": POLICIES,
            "headers": {"Content-Type": "application/json"},
            "body": {"@odata.type": CLIENT_TYPE, "priority": i},
        }
        for i in range(4)
    ]
    response = graph.batch(*items)
    assert response.status_code == 200
    replies = {e["id"]: e for e in response.json()["responses"]}
    statuses = sorted(e["status"] for e in replies.values())
    assert statuses == [201, 201, 429, 429]
    throttled = [e for e in replies.values() if e["status"] == 429]
    assert all(float(e["headers"]["Retry-After"]) > 0 for e in throttled)
    assert throttled[0]["body"]["error"]["code"] == "TooManyRequests"
    assert graph.emulator.stats()["throttled"] == 2


def test_injected_failures_are_503_and_change_nothing(make_emulator) -> None:
    graph = Graph(make_emulator(fail_rate=1.0))
    response = post(graph, 1)
    assert_graph_error(response, 503, "serviceNotAvailable")
    assert 0.05 <= float(response.headers["Retry-After"]) <= 0.2
    assert response.headers["Connection"] == "close"
    assert graph.emulator.store.policies() == []
    stats = graph.emulator.stats()
    assert stats["failed_injected"] == 1 and stats["writes"] == 1 and stats["writes_ok"] == 0


def test_injected_failures_hit_batch_items_individually(make_emulator) -> None:
    graph = Graph(make_emulator(fail_rate=0.3, random_seed=7))
    items = [{"id": str(i), "method": "GET", "url": "/officeConfiguration"} for i in range(20)]
    for _ in range(20):
        response = graph.batch(*items)
        if response.status_code == 200:
            break
    statuses = [e["status"] for e in response.json()["responses"]]
    assert 200 in statuses and 503 in statuses


def test_dropped_connections_before_and_after_the_write(make_emulator) -> None:
    emulator = make_emulator(drop_rate=1.0, random_seed=1)
    graph = Graph(emulator)
    for priority in range(12):
        with pytest.raises(requests.exceptions.RequestException):
            post(graph, priority)
    stats = emulator.stats()
    assert stats["dropped"] == 12
    applied = len(emulator.store.policies())
    # Some writes were lost with their reply, some were applied and only the reply was lost.
    assert 0 < applied < 12
    assert stats["dropped_after_apply"] == applied == stats["writes_ok"]
    emulator.configure(drop_rate=0.0)
    assert len(graph.get(POLICIES).json()["value"]) == applied


def test_latency_is_added_per_request(make_emulator) -> None:
    graph = Graph(make_emulator(latency_ms=150))
    started = time.monotonic()
    graph.get("/officeConfiguration")
    assert time.monotonic() - started >= 0.15
    graph.emulator.configure(latency_ms=0)
    started = time.monotonic()
    graph.get("/officeConfiguration")
    assert time.monotonic() - started < 0.15


def test_faults_can_be_switched_at_runtime(emulator) -> None:
    graph = Graph(emulator)
    emulator.configure(fail_rate=1.0)
    assert graph.get("/officeConfiguration").status_code == 503
    emulator.configure(fail_rate=0.0, throttle=True, write_limit="1/10")
    assert post(graph, 1).status_code == 201
    assert post(graph, 2).status_code == 429
    emulator.configure(throttle=False)
    assert post(graph, 2).status_code == 201
    with pytest.raises(ValueError):
        emulator.configure(fail_rate=2.0)


def test_control_endpoints_bypass_faults(make_emulator) -> None:
    emulator = make_emulator(
        fail_rate=1.0, drop_rate=1.0, token="t", throttle=True, request_limit="1/10"
    )
    for _ in range(3):
        assert requests.get(emulator.root_url + "/_emulator/stats", timeout=5).status_code == 200
    stats = emulator.stats()
    assert stats["failed_injected"] == stats["dropped"] == stats["throttled"] == 0


def test_a_drained_tenant_refuses_at_once_then_refills_at_its_rate(make_emulator) -> None:
    emulator = make_emulator(throttle=True, request_limit="10/1")
    graph = Graph(emulator)
    assert graph.get("/officeConfiguration").status_code == 200
    reply = graph.session.post(f"{emulator.root_url}/_emulator/reset", json={"drain": True})
    assert reply.json()["drain"] is True
    refused = graph.get("/officeConfiguration")
    assert_graph_error(refused, 429, "TooManyRequests")
    assert 0 < float(refused.headers["Retry-After"]) <= 0.11  # one token at 10 a second
    time.sleep(0.35)  # about three tokens, not the ten of a full bucket
    statuses = [graph.get("/officeConfiguration").status_code for _ in range(6)]
    assert statuses[:2] == [200, 200] and 429 in statuses


def test_batch_items_add_their_own_latency(make_emulator) -> None:
    graph = Graph(make_emulator(latency_ms=20, batch_item_latency_ms=10))
    items = [{"id": str(i), "method": "GET", "url": "/officeConfiguration"} for i in range(10)]
    started = time.perf_counter()
    reply = graph.post("/$batch", json={"requests": items})
    took = time.perf_counter() - started
    assert reply.status_code == 200 and 0.12 <= took < 1.0  # 20 ms + 10 x 10 ms
