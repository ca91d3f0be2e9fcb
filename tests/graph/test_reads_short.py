"""Aspect: a child collection read short of its count is never taken to mean "removed".
Graph's `$expand=settings` has been observed to return every setting, but when it returns
fewer than the policy's `settingCount` the reader pages `/settings` instead, and fails when
that is short too. The emulator never answers short, so `responses` stands in for Graph."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_tenant

from .conftest import BASE

POLICIES = f"{BASE}/deviceManagement/configurationPolicies"


def _setting(i: int) -> dict[str, Any]:
    instance = {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": f"d{i}",
        "choiceSettingValue": {"value": f"d{i}_1", "children": []},
    }
    return {"id": str(i), "settingInstance": instance}


def _tenant(mocked: responses.RequestsMock, expanded: int, paged: int) -> None:
    policy = {
        "id": "p1",
        "name": "Office - x",
        "platforms": "windows10",
        "technologies": "mdm",
        "settingCount": 3,
        "templateReference": {"templateFamily": "none", "templateId": ""},
    }
    mocked.get(POLICIES, json={"value": [policy]})

    def batch(request: Any) -> tuple[int, dict[str, str], str]:
        (item,) = json.loads(request.body)["requests"]
        body = {**policy, "settings": [_setting(i) for i in range(expanded)], "assignments": []}
        answer = {
            "id": item["id"],
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": body,
        }
        return 200, {"Content-Type": "application/json"}, json.dumps({"responses": [answer]})

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=batch)
    mocked.get(f"{POLICIES}/p1/settings", json={"value": [_setting(i) for i in range(paged)]})


def test_a_short_expanded_read_falls_back_to_the_settings_pages(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    _tenant(mocked, expanded=2, paged=3)
    live = read_tenant(client, using=["SettingsCatalogPolicy"])
    (policy,) = live.objects
    assert [s["settingInstance"]["settingDefinitionId"] for s in policy.body["settings"]] == [
        "d0",
        "d1",
        "d2",
    ]
    assert any(str(c.request.url).startswith(f"{POLICIES}/p1/settings") for c in mocked.calls)


def test_still_short_after_the_pages_the_read_fails(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    _tenant(mocked, expanded=2, paged=2)
    with pytest.raises(GraphResponseError, match="2 of 3 items came back"):
        read_tenant(client, using=["SettingsCatalogPolicy"])


def test_a_complete_expanded_read_needs_no_page(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    _tenant(mocked, expanded=3, paged=0)
    read_tenant(client, using=["SettingsCatalogPolicy"])
    assert not any("/p1/settings" in str(c.request.url) for c in mocked.calls)
