"""Aspects: assign as replace-all — assignment ids, pseudo-groups, source and sourceId,
filters (none / include / exclude, zero GUID), refusals, isAssigned, the paged assignments
collection (settings-catalog §4.5, admin-templates-assignments-peers Part B)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.raw import assert_graph_error

from .sc import (
    ALL_DEVICES,
    ALL_USERS,
    FILTER,
    GROUP_A,
    GROUP_B,
    POLICIES,
    SettingsCatalog,
    group,
    model_failure,
)

G = "#microsoft.graph."


def all_devices(**extra: str) -> dict[str, dict[str, str]]:
    return {"target": {"@odata.type": G + "allDevicesAssignmentTarget", **extra}}


def all_users() -> dict[str, dict[str, str]]:
    return {"target": {"@odata.type": G + "allLicensedUsersAssignmentTarget"}}


def test_assign_answers_the_new_list(sc: SettingsCatalog) -> None:
    policy = sc.create()
    pid = policy["id"]
    response = sc.assign(
        pid,
        group(
            GROUP_A,
            deviceAndAppManagementAssignmentFilterId=FILTER,
            deviceAndAppManagementAssignmentFilterType="include",
        ),
        group(GROUP_B, exclude=True),
        all_devices(),
        all_users(),
    )
    assert response.status_code == 200, response.text
    value = response.json()["value"]
    assert [a["id"] for a in value] == [
        f"{pid}_{GROUP_A}",
        f"{pid}_{GROUP_B}",
        f"{pid}_{ALL_DEVICES}",
        f"{pid}_{ALL_USERS}",
    ]
    assert all(a["source"] == "direct" and a["sourceId"] == pid for a in value)
    assert value[0]["target"] == {
        "@odata.type": G + "groupAssignmentTarget",
        "groupId": GROUP_A,
        "deviceAndAppManagementAssignmentFilterId": FILTER,
        "deviceAndAppManagementAssignmentFilterType": "include",
    }
    assert value[1]["target"]["@odata.type"] == G + "exclusionGroupAssignmentTarget"
    # "No filter" reads back as id null and type none (§4.5, the PAC capture).
    assert value[2]["target"] == {
        "@odata.type": G + "allDevicesAssignmentTarget",
        "deviceAndAppManagementAssignmentFilterId": None,
        "deviceAndAppManagementAssignmentFilterType": "none",
    }
    assert "@odata.type" not in value[0]
    listed = sc.get(f"{POLICIES}/{pid}/assignments").json()
    assert listed["value"] == value and listed["@odata.count"] == 4
    assert sc.policy(pid)["isAssigned"] is True


def test_assign_replaces_everything_and_an_empty_list_clears(sc: SettingsCatalog) -> None:
    pid = sc.create()["id"]
    sc.assign(pid, group(GROUP_A), all_devices())
    replaced = sc.assign(pid, group(GROUP_B)).json()["value"]
    assert [a["target"]["groupId"] for a in replaced] == [GROUP_B]
    assert len(sc.get(f"{POLICIES}/{pid}/assignments").json()["value"]) == 1
    cleared = sc.post(f"{POLICIES}('{pid}')/microsoft.graph.assign", json={"assignments": []})
    assert cleared.status_code == 200 and cleared.json()["value"] == []
    assert sc.policy(pid)["isAssigned"] is False


def test_zero_guid_and_none_mean_no_filter(sc: SettingsCatalog) -> None:
    pid = sc.create()["id"]
    value = sc.assign(
        pid,
        group(
            GROUP_A,
            deviceAndAppManagementAssignmentFilterId="00000000-0000-0000-0000-000000000000",
            deviceAndAppManagementAssignmentFilterType="none",
        ),
        all_devices(deviceAndAppManagementAssignmentFilterType="none"),
    ).json()["value"]
    assert [a["target"]["deviceAndAppManagementAssignmentFilterId"] for a in value] == [None, None]


def test_a_target_listed_twice_counts_once_first_wins(sc: SettingsCatalog) -> None:
    pid = sc.create()["id"]
    value = sc.assign(
        pid,
        group(GROUP_A),
        group(
            GROUP_A,
            deviceAndAppManagementAssignmentFilterId=FILTER,
            deviceAndAppManagementAssignmentFilterType="exclude",
        ),
    ).json()["value"]
    assert (
        len(value) == 1
        and value[0]["target"]["deviceAndAppManagementAssignmentFilterType"] == "none"
    )


def test_read_back_assignments_can_be_posted_again(sc: SettingsCatalog) -> None:
    pid = sc.create()["id"]
    first = sc.assign(pid, group(GROUP_A), all_users()).json()["value"]
    echoed = [
        {**a, "@odata.type": G + "deviceManagementConfigurationPolicyAssignment"} for a in first
    ]
    again = sc.post(f"{POLICIES}/{pid}/assign", json={"assignments": echoed})
    assert again.status_code == 200 and again.json()["value"] == first


@pytest.mark.parametrize(
    "item",
    [
        group("not-a-guid"),
        group(GROUP_A, deviceAndAppManagementAssignmentFilterType="include"),  # no filter id
        group(GROUP_A, deviceAndAppManagementAssignmentFilterId=FILTER),  # an id with type none
        group(
            GROUP_B,
            exclude=True,
            deviceAndAppManagementAssignmentFilterId=FILTER,
            deviceAndAppManagementAssignmentFilterType="include",
        ),
        {
            "target": {
                "@odata.type": G + "configurationManagerCollectionAssignmentTarget",
                "collectionId": "x",
            }
        },
        {"target": None},
        {"target": {"@odata.type": G + "groupAssignmentTarget"}},
        {"target": {"@odata.type": G + "allDevicesAssignmentTarget"}, "source": "policySets"},
    ],
)
def test_refused_targets(sc: SettingsCatalog, item) -> None:
    pid = sc.create()["id"]
    sc.assign(pid, group(GROUP_A))
    assert sc.assign(pid, item).status_code == 400
    assert len(sc.get(f"{POLICIES}/{pid}/assignments").json()["value"]) == 1  # unchanged


def test_model_failures_in_assign(sc: SettingsCatalog) -> None:
    pid = sc.create()["id"]
    unknown = {
        "target": {
            "@odata.type": G + "officeConfigurationGroupAssignmentTarget",
            "groupId": GROUP_A,
        }
    }
    assert "could not be resolved" in model_failure(sc.assign(pid, unknown))
    abstract = {"target": {"@odata.type": G + "deviceAndAppManagementAssignmentTarget"}}
    assert model_failure(sc.assign(pid, abstract)) == "Cannot create an abstract class."
    wrong_filter = all_devices(deviceAndAppManagementAssignmentFilterType="sometimes")
    assert "sometimes" in model_failure(sc.assign(pid, wrong_filter))
    extra = {"target": {"@odata.type": G + "allDevicesAssignmentTarget", "groupId": GROUP_A}}
    assert "'groupId' does not exist" in model_failure(sc.assign(pid, extra))
    assert "not a valid parameter" in model_failure(
        sc.post(f"{POLICIES}/{pid}/assign", json={"assignments": [], "x": 1})
    )
    assert_graph_error(sc.post(f"{POLICIES}/{pid}/assign", json={"value": []}), 400)
    assert_graph_error(sc.assign(str(uuid.uuid4()), group(GROUP_A)), 404)


def test_assignments_collection_pages_and_single_gets(make_emulator) -> None:
    from reconciler.emulator.surfaces.settings_catalog.seeds import make_configuration_policy

    groups = [str(uuid.UUID(int=i + 1)) for i in range(30)]
    seed = make_configuration_policy("Many groups", groups=groups)
    session = SettingsCatalog(make_emulator(seed={"configurationPolicies": [seed]}))
    path = f"{POLICIES}/{seed['id']}/assignments"
    first = session.get(path).json()
    assert len(first["value"]) == 25 and "@odata.nextLink" in first
    assert [a["target"]["groupId"] for a in session.list_all(path)] == groups
    assert len(session.list_all(path + "?$top=7")) == 30
    one = session.get(f"{path}/{seed['id']}_{groups[3]}").json()
    assert one["target"]["groupId"] == groups[3]
    assert_graph_error(session.get(f"{path}/nope"), 404)
    assert "assign" in assert_graph_error(session.post(path, json=group(GROUP_A)), 400)


def test_assign_does_not_bump_last_modified(sc: SettingsCatalog) -> None:
    policy = sc.create()
    sc.assign(policy["id"], group(GROUP_A))
    assert sc.policy(policy["id"])["lastModifiedDateTime"] == policy["lastModifiedDateTime"]
