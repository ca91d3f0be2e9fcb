"""Aspects: Administrative Templates profiles (peers §A.1, §A.2) — create, read, list with
paging and $select, rename, delete; the server-set fields and defaults; the bodies and
query options the emulator refuses."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.support.raw import assert_graph_error

from .at import CONFIGURATIONS, NS, AdminTemplates, message

STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z\Z")  # Intune's form (observed)


def test_create_answers_201_with_the_server_set_fields(at: AdminTemplates) -> None:
    response = at.post(CONFIGURATIONS, json={"displayName": "Office", "description": "d"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["@odata.context"].endswith(
        "$metadata#deviceManagement/groupPolicyConfigurations/$entity"
    )
    assert list(body)[1:] == [
        "createdDateTime", "displayName", "description", "roleScopeTagIds",
        "policyConfigurationIngestionType", "id", "lastModifiedDateTime",
    ]  # fmt: skip  # the order of the captured GET
    assert body["roleScopeTagIds"] == ["0"]
    assert body["policyConfigurationIngestionType"] == "unknown"
    assert (
        STAMP.match(body["createdDateTime"])
        and body["createdDateTime"] == body["lastModifiedDateTime"]
    )
    assert response.headers["Location"].endswith(f"{CONFIGURATIONS}('{body['id']}')")
    assert "@odata.type" not in body


def test_the_tutorial_body_creates_a_profile_without_description_or_tags(
    at: AdminTemplates,
) -> None:
    created = at.create("Test Configuration")  # the Intune tutorial sends displayName only
    got = at.get(f"{CONFIGURATIONS}/{created['id']}").json()
    assert got["description"] is None and got["roleScopeTagIds"] == ["0"]


def test_get_in_both_key_forms_with_select(at: AdminTemplates) -> None:
    created = at.create("Keyed", roleScopeTagIds=["0", "1", "2"])
    plain = at.get(f"{CONFIGURATIONS}/{created['id']}")
    keyed = at.get(f"{CONFIGURATIONS}('{created['id']}')")
    assert plain.status_code == keyed.status_code == 200
    assert plain.json() == keyed.json() == created
    selected = at.get(f"{CONFIGURATIONS}/{created['id']}", params={"$select": "displayName,id"})
    body = selected.json()
    assert body["@odata.context"].endswith("groupPolicyConfigurations(displayName,id)/$entity")
    assert {k: v for k, v in body.items() if k != "@odata.context"} == {
        "displayName": "Keyed",
        "id": created["id"],
    }


def test_patch_renames_and_moves_last_modified(at: AdminTemplates) -> None:
    created = at.create("Before")
    body = {"@odata.type": f"{NS}groupPolicyConfiguration", "displayName": "After",
            "description": None, "roleScopeTagIds": ["0", "7"]}  # fmt: skip  # TFP's PATCH
    response = at.patch(f"{CONFIGURATIONS}/{created['id']}", json=body)
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["displayName"] == "After" and patched["roleScopeTagIds"] == ["0", "7"]
    assert patched["createdDateTime"] == created["createdDateTime"]
    assert datetime.fromisoformat(patched["lastModifiedDateTime"]) > datetime.fromisoformat(
        created["lastModifiedDateTime"]
    )
    # Read-only properties sent back are tolerated; a different id is not.
    same = at.patch(f"{CONFIGURATIONS}/{created['id']}", json={**body, "id": created["id"],
                    "createdDateTime": "2020-01-01T00:00:00Z"})  # fmt: skip
    assert same.status_code == 200 and same.json()["createdDateTime"] == created["createdDateTime"]
    assert "read-only" in message(at.patch(f"{CONFIGURATIONS}/{created['id']}", json={"id": "x"}))


def test_delete_then_404(at: AdminTemplates) -> None:
    created = at.create()
    assert at.delete(f"{CONFIGURATIONS}('{created['id']}')").status_code == 204
    assert_graph_error(at.get(f"{CONFIGURATIONS}/{created['id']}"), 404)
    assert_graph_error(at.delete(f"{CONFIGURATIONS}/{created['id']}"), 404)
    assert_graph_error(at.put(f"{CONFIGURATIONS}/{created['id']}", json={}), 405)


def test_list_pages_25_by_default_sorted_by_name(at: AdminTemplates) -> None:
    names = [f"Profile {i:02d}" for i in range(27)]
    for name in reversed(names):
        at.create(name)
    first = at.get(CONFIGURATIONS).json()
    assert len(first["value"]) == 25 and "@odata.count" not in first
    assert first["@odata.nextLink"].startswith(at.emulator.base_url + CONFIGURATIONS + "?")
    second = at.get(first["@odata.nextLink"]).json()
    assert [p["displayName"] for p in first["value"] + second["value"]] == names
    assert "@odata.nextLink" not in second


def test_list_takes_top_and_select_across_pages(at: AdminTemplates) -> None:
    for name in ("b", "A", "c"):
        at.create(name, description="long text")
    items = at.list_all(CONFIGURATIONS, **{"$top": "2", "$select": "id,displayName"})
    assert [p["displayName"] for p in items] == ["A", "b", "c"]
    assert all(set(p) == {"id", "displayName"} for p in items)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"description": "no name"}, "'displayName' is required"),
        ({"displayName": None}, "cannot be null"),
        ({"displayName": "x", "roleScopeTagIds": []}, "roleScopeTagIds is empty"),
        ({"displayName": "x", "policyConfigurationIngestionType": "custom"}, "set by the service"),
        ({"displayName": "x", "definitionValues": []}, "updateDefinitionValues"),
        ({"displayName": "x", "assignments": []}, "assign"),
    ],
)
def test_create_refusals(at: AdminTemplates, body: dict, expected: str) -> None:
    assert expected in message(at.post(CONFIGURATIONS, json=body))


def test_unknown_properties_and_types_are_model_failures(at: AdminTemplates) -> None:
    unknown = at.post(CONFIGURATIONS, json={"displayName": "x", "settings": []})
    assert "does not exist on type 'microsoft.graph.groupPolicyConfiguration'" in message(
        unknown, "ModelValidationFailure"
    )
    # DSC's spelling of the type: whether live accepts it is not established.
    dsc = at.post(
        CONFIGURATIONS, json={"@odata.type": f"{NS}GroupPolicyConfiguration", "displayName": "x"}
    )
    assert "could not be resolved" in message(dsc, "ModelValidationFailure")
    wrong = at.post(
        CONFIGURATIONS, json={"@odata.type": f"{NS}groupPolicyDefinitionValue", "displayName": "x"}
    )
    assert "not assignable" in message(wrong, "ModelValidationFailure")


@pytest.mark.parametrize(
    "query",
    [{"$filter": "displayName eq 'x'"}, {"$orderby": "displayName"}, {"$count": "true"},
     {"$expand": "definitionValues"}, {"$skip": "1"}, {"$top": "1001"}],
)  # fmt: skip
def test_list_refuses_options_whose_live_behaviour_is_unknown(
    at: AdminTemplates, query: dict
) -> None:
    message(at.get(CONFIGURATIONS, params=query))


def test_count_segments_are_refused(at: AdminTemplates) -> None:
    profile = at.create()
    assert "$count" in message(at.get(CONFIGURATIONS + "/$count"))
    assert "$count" in message(at.get(f"{CONFIGURATIONS}/{profile['id']}/definitionValues/$count"))
