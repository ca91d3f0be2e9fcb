"""Aspects: Settings Catalog policies — create (201, server-set fields, setting ids re-numbered,
read-only fields tolerated), get in both key forms, PUT (204, whole replacement), PATCH
(metadata only), the per-setting PATCH refusal, DELETE, and the ModelValidationFailure bodies
for wrong types and unknown properties (settings-catalog §2, §4.2-4.4, §6.1)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest

from tests.support.raw import assert_graph_error

from .sc import (
    EXCEL_MACROS,
    POLICIES,
    WORD_MACROS,
    SettingsCatalog,
    choice,
    model_failure,
    online_repair,
    policy_body,
    save_as,
)

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z\Z")


def test_create_answers_201_with_the_server_set_fields(sc: SettingsCatalog) -> None:
    response = sc.post(POLICIES, json=policy_body("Office", choice(WORD_MACROS, "_1"), save_as()))
    assert response.status_code == 201, response.text
    body = response.json()
    uuid.UUID(body["id"])
    assert response.headers["Location"].endswith(f"('{body['id']}')")
    assert TIMESTAMP.match(body["createdDateTime"]) and TIMESTAMP.match(
        body["lastModifiedDateTime"]
    )
    assert body["settingCount"] == 2  # top-level settings, not the nested child
    assert body["isAssigned"] is False
    assert body["creationSource"] is None and body["priorityMetaData"] is None
    assert body["templateReference"] == {
        "templateId": "",
        "templateFamily": "none",
        "templateDisplayName": None,
        "templateDisplayVersion": None,
    }
    assert "settings" not in body and "@odata.type" not in body


def test_defaults_when_optional_fields_are_left_out(sc: SettingsCatalog) -> None:
    body = policy_body()
    for name in ("description", "roleScopeTagIds", "templateReference", "@odata.type"):
        del body[name]
    created = sc.post(POLICIES, json=body).json()
    assert created["roleScopeTagIds"] == ["0"]
    assert created["description"] is None
    assert created["templateReference"]["templateFamily"] == "none"


def test_setting_ids_are_renumbered_in_request_order(sc: SettingsCatalog) -> None:
    body = policy_body("P", choice(EXCEL_MACROS, "_0"), choice(WORD_MACROS, "_1"), online_repair())
    for item, given in zip(body["settings"], ("9", "x", "0"), strict=True):
        item["id"] = given
    created = sc.post(POLICIES, json=body).json()
    settings = sc.policy(created["id"], "?$expand=settings")["settings"]
    assert [s["id"] for s in settings] == ["0", "1", "2"]
    definitions = [s["settingInstance"]["settingDefinitionId"] for s in settings]
    assert definitions[:2] == [EXCEL_MACROS, WORD_MACROS]


def test_read_only_fields_sent_back_are_tolerated(sc: SettingsCatalog) -> None:
    created = sc.create()
    read = sc.policy(created["id"], "?$expand=settings")
    echoed = {**read, "@odata.context": "x", "name": "Copy"}
    del echoed["id"]
    response = sc.post(POLICIES, json=echoed)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["id"] != created["id"] and copy["name"] == "Copy" and copy["settingCount"] == 1
    assert copy["createdDateTime"] >= created["createdDateTime"]


def test_get_accepts_both_key_forms_and_404s_unknown_ids(sc: SettingsCatalog) -> None:
    created = sc.create()
    plain = sc.get(f"{POLICIES}/{created['id']}").json()
    quoted = sc.get(f"{POLICIES}('{created['id']}')").json()
    assert plain == quoted
    assert plain["@odata.context"].endswith("#deviceManagement/configurationPolicies/$entity")
    assert_graph_error(sc.get(f"{POLICIES}/{uuid.uuid4()}"), 404)


def test_put_replaces_the_policy_and_answers_204(sc: SettingsCatalog) -> None:
    created = sc.create("Before", choice(WORD_MACROS, "_1"), choice(EXCEL_MACROS, "_1"))
    assert sc.assign(
        created["id"], {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}
    ).ok
    body = policy_body("After", save_as("_52"))
    body["settings"][0]["id"] = "7"
    del body["description"]
    response = sc.put(f"{POLICIES}('{created['id']}')", json=body)
    assert response.status_code == 204 and response.content == b""
    after = sc.policy(created["id"], "?$expand=settings,assignments")
    assert after["name"] == "After" and after["description"] is None  # PUT leaves nothing out
    assert after["settingCount"] == 1
    assert [s["id"] for s in after["settings"]] == ["0"]
    child = after["settings"][0]["settingInstance"]["choiceSettingValue"]["children"][0]
    assert child["choiceSettingValue"]["value"].endswith("_52")
    assert len(after["assignments"]) == 1  # PUT does not touch assignments
    assert after["createdDateTime"] == created["createdDateTime"]
    assert after["lastModifiedDateTime"] > created["lastModifiedDateTime"]


def test_put_with_null_scope_tags_is_refused(sc: SettingsCatalog) -> None:
    created = sc.create()
    response = sc.put(f"{POLICIES}/{created['id']}", json=policy_body(roleScopeTagIds=None))
    assert "roleScopeTagIds" in assert_graph_error(response, 400, "BadRequest")
    assert sc.policy(created["id"])["roleScopeTagIds"] == ["0"]


@pytest.mark.parametrize(
    ("change", "word"),
    [
        ({"platforms": "macOS"}, "platforms"),
        ({"technologies": "mdm,configManager"}, "technologies"),
        ({"templateReference": {"templateId": "abc_1"}}, "templateId"),
    ],
)
def test_put_cannot_change_create_only_properties(sc: SettingsCatalog, change, word) -> None:
    created = sc.create()
    response = sc.put(f"{POLICIES}/{created['id']}", json={**policy_body(), **change})
    assert word in assert_graph_error(response, 400)


def test_put_needs_the_settings_and_a_matching_id(sc: SettingsCatalog) -> None:
    created = sc.create()
    body = policy_body()
    del body["settings"]
    assert "settings" in assert_graph_error(sc.put(f"{POLICIES}/{created['id']}", json=body), 400)
    other = {**policy_body(), "id": str(uuid.uuid4())}
    assert "read-only" in assert_graph_error(sc.put(f"{POLICIES}/{created['id']}", json=other), 400)
    assert_graph_error(sc.put(f"{POLICIES}/{uuid.uuid4()}", json=policy_body()), 404)


def test_patch_changes_metadata_and_answers_200_with_the_entity(sc: SettingsCatalog) -> None:
    created = sc.create()
    response = sc.patch(
        f"{POLICIES}/{created['id']}",
        json={
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
            "id": created["id"],
            "name": "Renamed",
            "description": "new",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "Renamed" and body["description"] == "new"
    assert body["lastModifiedDateTime"] > created["lastModifiedDateTime"]
    assert datetime.fromisoformat(body["lastModifiedDateTime"])
    assert sc.policy(created["id"])["name"] == "Renamed"
    assert sc.policy(created["id"])["settingCount"] == 1


def test_patch_with_settings_is_refused(sc: SettingsCatalog) -> None:
    created = sc.create()
    response = sc.patch(f"{POLICIES}/{created['id']}", json={"name": "x", "settings": []})
    assert "Cannot PATCH navigation property 'settings'" in assert_graph_error(response, 400)
    assert sc.policy(created["id"])["name"] == "Office"


def test_patch_with_null_scope_tags_or_a_new_platform_is_refused(sc: SettingsCatalog) -> None:
    created = sc.create()
    assert_graph_error(sc.patch(f"{POLICIES}/{created['id']}", json={"roleScopeTagIds": None}), 400)
    assert_graph_error(sc.patch(f"{POLICIES}/{created['id']}", json={"platforms": "macOS"}), 400)
    same = sc.patch(
        f"{POLICIES}/{created['id']}",
        json={"platforms": "windows10", "roleScopeTagIds": ["0", "5"]},
    )
    assert same.status_code == 200 and same.json()["roleScopeTagIds"] == ["0", "5"]


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_per_setting_writes_have_no_route(sc: SettingsCatalog, method: str) -> None:
    created = sc.create()
    for path in (
        f"{POLICIES}/{created['id']}/settings/0",
        f"{POLICIES}('{created['id']}')/settings('0')",
    ):
        response = sc.request(
            method, path, json={"id": "0", "settingInstance": choice(WORD_MACROS, "_0")}
        )
        message = assert_graph_error(response, 400, "No method match route template")
        assert message == (
            "No OData route exists that match template ~/singleton/navigation/key/navigation/key "
            f"with http verb {method} for request /DeviceConfigV2/DCV2GraphService/"
            "00000000-0000-0000-0000-000000000000/deviceManagement/configurationPolicies"
            f"('{created['id']}')/settings('0')."
        )
    value = sc.policy(created["id"], "?$expand=settings")["settings"][0]["settingInstance"]
    assert value["choiceSettingValue"]["value"].endswith("_1")


def test_delete_answers_204_then_the_policy_is_gone(sc: SettingsCatalog) -> None:
    created = sc.create()
    response = sc.delete(f"{POLICIES}('{created['id']}')")
    assert response.status_code == 204
    assert_graph_error(sc.get(f"{POLICIES}/{created['id']}"), 404)
    assert_graph_error(sc.delete(f"{POLICIES}/{created['id']}"), 404)


def test_names_are_not_unique(sc: SettingsCatalog) -> None:
    first, second = sc.create("Same"), sc.create("Same")
    assert first["id"] != second["id"]


def test_an_unknown_policy_type_cannot_be_resolved(sc: SettingsCatalog) -> None:
    body = policy_body(
        **{"@odata.type": "#microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration"}
    )
    message = model_failure(sc.post(POLICIES, json=body))
    assert message == (
        "A type named 'microsoft.graph.androidDeviceOwnerGeneralDeviceConfiguration' could not be "
        "resolved by the model. When a model is available, each type name must resolve to a valid type."
    )


def test_a_known_type_in_the_wrong_place_is_not_assignable(sc: SettingsCatalog) -> None:
    body = policy_body(**{"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting"})
    assert "is not assignable to the expected type" in model_failure(sc.post(POLICIES, json=body))
    instance = choice(WORD_MACROS, "_1")
    instance["@odata.type"] = "#microsoft.graph.deviceManagementConfigurationStringSettingValue"
    message = model_failure(sc.post(POLICIES, json=policy_body("P", instance)))
    assert "'microsoft.graph.deviceManagementConfigurationSettingInstance'" in message


def test_instance_types_are_case_sensitive_and_required(sc: SettingsCatalog) -> None:
    wrong_case = choice(WORD_MACROS, "_1")
    wrong_case["@odata.type"] = (
        "#microsoft.graph.devicemanagementconfigurationchoicesettinginstance"
    )
    assert "could not be resolved" in model_failure(
        sc.post(POLICIES, json=policy_body("P", wrong_case))
    )
    untyped = choice(WORD_MACROS, "_1")
    del untyped["@odata.type"]
    assert (
        model_failure(sc.post(POLICIES, json=policy_body("P", untyped)))
        == "Cannot create an abstract class."
    )


def test_unknown_properties_fail_model_validation(sc: SettingsCatalog) -> None:
    message = model_failure(sc.post(POLICIES, json=policy_body(supportsScopeTags=True)))
    assert (
        "'supportsScopeTags' does not exist on type 'microsoft.graph.deviceManagementConfigurationPolicy'"
        in message
    )
    instance = {**choice(WORD_MACROS, "_1"), "simpleSettingValue": {}}
    assert "'simpleSettingValue'" in model_failure(
        sc.post(POLICIES, json=policy_body("P", instance))
    )


def test_create_refuses_what_it_cannot_honour(sc: SettingsCatalog) -> None:
    assert "templateId" in assert_graph_error(
        sc.post(
            POLICIES,
            json=policy_body(
                templateReference={"templateId": "90316f12-246d-44c6-a767-f87692e86083_3"}
            ),
        ),
        400,
    )
    assert "assign" in assert_graph_error(sc.post(POLICIES, json=policy_body(assignments=[])), 400)
    missing = policy_body()
    del missing["platforms"]
    assert "platforms" in assert_graph_error(sc.post(POLICIES, json=missing), 400)
    assert "windows11" in model_failure(sc.post(POLICIES, json=policy_body(platforms="windows11")))
    assert sc.list_all(POLICIES) == []


def test_flags_are_stored_in_declaration_order(sc: SettingsCatalog) -> None:
    created = sc.create(technologies="appleRemoteManagement,mdm", platforms="macOS")
    assert created["technologies"] == "mdm,appleRemoteManagement"


def test_a_read_back_policy_can_be_put_as_it_is(sc: SettingsCatalog) -> None:
    """IntuneCD PUTs its whole backup, read-only fields and setting ids included (§4.3)."""
    created = sc.create("Backup", choice(WORD_MACROS, "_1"), online_repair("x"))
    read = sc.policy(created["id"], "?$expand=settings")
    response = sc.put(f"{POLICIES}/{created['id']}", json=read)
    assert response.status_code == 204, response.text
    again = sc.policy(created["id"], "?$expand=settings")
    assert again["settings"] == read["settings"]
    assert again["lastModifiedDateTime"] > read["lastModifiedDateTime"]
