"""Aspect: the throttling budget of a fleet run, as arithmetic and wiring (no timing): each
tenant's client gets a request bucket of its own at the budget's share of the per-app-per-
tenant limit, every client draws on one fleet bucket at the budget's share of the global
per-app limit divided among the shards, and a `$batch` counts as its items."""

from __future__ import annotations

import json

import requests

from reconciler.fleet.budget import FleetCap, fleet_rate, request_units, tenant_rate


def prepared(method: str, url: str, body: object = None) -> requests.PreparedRequest:
    data = json.dumps(body) if body is not None else None
    return requests.Request(method, url, data=data).prepare()


def test_rates_follow_the_budget_and_the_shard_count() -> None:
    assert tenant_rate(budget=0.7) == 35.0  # 1,000 per 20 s per tenant, at 70%
    assert fleet_rate(budget=0.7) == 1400.0  # 2,000 per s per app, at 70%
    assert fleet_rate(budget=0.7, shards=10) == 140.0  # ten shards side by side: 1,400 in all
    assert fleet_rate(budget=0.5, shards=4) == 250.0


def test_each_tenant_has_its_own_bucket_and_all_share_the_fleets() -> None:
    cap = FleetCap(1400.0, tenant_rate=35.0)
    first, second = cap.wrap(None), cap.wrap(None)
    assert first.tenant is not None and second.tenant is not None
    assert first.tenant is not second.tenant and first.tenant.rate == 35.0
    batch = {"requests": [{"id": str(n), "method": "GET", "url": "/x"} for n in range(20)]}
    first(prepared("POST", "https://graph.example/beta/$batch", batch))
    second(prepared("GET", "https://graph.example/beta/deviceManagement/configurationPolicies"))
    assert (first.units, second.units, cap.units) == (20, 1, 21)


def test_request_units_count_batch_items() -> None:
    assert request_units(prepared("GET", "https://g.example/beta/groups")) == 1
    items = {"requests": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}
    assert request_units(prepared("POST", "https://g.example/beta/$batch", items)) == 3
    assert request_units(prepared("POST", "https://g.example/beta/$batch", {"x": 1})) == 1
