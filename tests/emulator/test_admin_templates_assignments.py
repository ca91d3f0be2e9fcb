"""Aspects: assign for Administrative Templates (peers §A.9, Part B) — replace-all, the
`{profileId}_{groupId}` ids and pseudo-groups, filters and exclusions, the assignment shape
captured live (id, lastModifiedDateTime, target; no source), the doc's body shape, and what
is refused."""

from __future__ import annotations

from typing import Any

from tests.support.raw import assert_graph_error

from .at import (
    ALL_DEVICES,
    ALL_USERS,
    CONFIGURATIONS,
    FILTER,
    GROUP_A,
    GROUP_B,
    NS,
    AdminTemplates,
    group,
    message,
)

FILTERED: dict[str, Any] = {
    "deviceAndAppManagementAssignmentFilterId": FILTER,
    "deviceAndAppManagementAssignmentFilterType": "include",
}


def listed(at: AdminTemplates, profile_id: str) -> list[dict[str, Any]]:
    return at.list_all(f"{CONFIGURATIONS}('{profile_id}')/assignments")


def test_assign_answers_the_new_list_in_the_captured_shape(at: AdminTemplates) -> None:
    profile = at.create()
    response = at.assign(
        profile["id"],
        group(GROUP_A, **FILTERED),
        group(GROUP_B, exclude=True),
        {"@odata.type": f"{NS}allLicensedUsersAssignmentTarget"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@odata.context"].endswith(
        "$metadata#Collection(microsoft.graph.groupPolicyConfigurationAssignment)"
    )
    value = body["value"]
    assert [a["id"] for a in value] == [
        f"{profile['id']}_{g}" for g in (GROUP_A, GROUP_B, ALL_USERS)
    ]
    assert all(list(a) == ["id", "lastModifiedDateTime", "target"] for a in value)  # no source
    assert len({a["lastModifiedDateTime"] for a in value}) == 1
    assert value[0]["target"]["deviceAndAppManagementAssignmentFilterId"] == FILTER
    assert value[1]["target"] == {
        "@odata.type": f"{NS}exclusionGroupAssignmentTarget", "groupId": GROUP_B,
        "deviceAndAppManagementAssignmentFilterId": None, "deviceAndAppManagementAssignmentFilterType": "none",
    }  # fmt: skip
    page = at.get(f"{CONFIGURATIONS}('{profile['id']}')/assignments").json()
    assert page["@odata.context"].endswith(
        f"groupPolicyConfigurations('{profile['id']}')/assignments"
    )
    assert page["value"] == value and "@odata.count" not in page
    single = at.get(f"{CONFIGURATIONS}/{profile['id']}/assignments/{value[2]['id']}").json()
    assert single == value[2]


def test_assign_replaces_everything_and_an_empty_list_clears(at: AdminTemplates) -> None:
    profile = at.create()
    at.assign(profile["id"], group(GROUP_A), group(GROUP_B))
    at.assign(profile["id"], {"@odata.type": f"{NS}allDevicesAssignmentTarget"})
    assert [a["id"] for a in listed(at, profile["id"])] == [f"{profile['id']}_{ALL_DEVICES}"]
    assert (
        at.post(
            f"{CONFIGURATIONS}/{profile['id']}/microsoft.graph.assign", json={"assignments": []}
        ).status_code
        == 200
    )
    assert listed(at, profile["id"]) == []
    assert (
        at.get(f"{CONFIGURATIONS}/{profile['id']}").json()["lastModifiedDateTime"]
        == profile["lastModifiedDateTime"]
    )


def test_the_docs_body_shape_and_duplicates(at: AdminTemplates) -> None:
    profile = at.create()
    item = {
        "@odata.type": f"{NS}groupPolicyConfigurationAssignment",
        "id": "2a4161e9-61e9-2a41-e961-412ae961412a",
        "lastModifiedDateTime": "2017-01-01T00:00:35.1329464-08:00",
        "target": group(GROUP_A),
    }
    response = at.post(
        f"{CONFIGURATIONS}/{profile['id']}/assign",
        json={"assignments": [item, {"target": group(GROUP_A, **FILTERED)}]},
    )
    (only,) = response.json()["value"]
    assert only["id"] == f"{profile['id']}_{GROUP_A}"  # the server sets the id
    assert only["lastModifiedDateTime"] != item["lastModifiedDateTime"]
    assert only["target"]["deviceAndAppManagementAssignmentFilterType"] == "none"  # the first wins


def test_assign_refusals(at: AdminTemplates) -> None:
    profile = at.create()
    scope_tag = {  # the docs' sample target (§A.9): not modelled by the emulator
        "@odata.type": "microsoft.graph.scopeTagGroupAssignmentTarget", "targetType": "user",
        "entraObjectId": GROUP_A,
    }  # fmt: skip
    assert "does not serve" in message(at.assign(profile["id"], scope_tag))
    assert "does not exist on type 'microsoft.graph.groupPolicyConfigurationAssignment'" in message(
        at.post(
            f"{CONFIGURATIONS}/{profile['id']}/assign",
            json={"assignments": [{"target": group(GROUP_A), "source": "direct"}]},
        ),
        "ModelValidationFailure",
    )
    assert "GUID" in message(at.assign(profile["id"], group("not-a-guid")))
    assert "filter" in message(at.assign(profile["id"], group(GROUP_B, exclude=True, **FILTERED)))
    assert "not a valid parameter" in message(
        at.post(
            f"{CONFIGURATIONS}/{profile['id']}/assign", json={"assignments": [], "mode": "append"}
        ),
        "ModelValidationFailure",
    )
    assert "assign" in message(
        at.post(f"{CONFIGURATIONS}/{profile['id']}/assignments", json={"target": group(GROUP_A)})
    )
    assert listed(at, profile["id"]) == []
    assert_graph_error(at.get(f"{CONFIGURATIONS}/{profile['id']}/assignments/nope"), 404)
    assert_graph_error(at.assign("00000000-0000-0000-0000-00000000000f", group(GROUP_A)), 404)
