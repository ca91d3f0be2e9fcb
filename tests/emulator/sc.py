"""Settings Catalog request bodies written from graph-intune/settings-catalog.md (the real
Office ids of §3.3), not from the emulator's code, plus a `Graph` session for the surface."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.raw import Graph

POLICIES = "/deviceManagement/configurationPolicies"
DEFINITIONS = "/deviceManagement/configurationSettings"
NS = "#microsoft.graph.deviceManagementConfiguration"

WORD_MACROS = (
    "user_vendor_msft_policy_config_word16v2~policy~l_microsoftofficeword~l_wordoptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
EXCEL_MACROS = (
    "user_vendor_msft_policy_config_excel16v2~policy~l_microsoftofficeexcel~l_exceloptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
PPT_MACROS = (
    "user_vendor_msft_policy_config_ppt16v2~policy~l_microsoftofficepowerpoint"
    "~l_powerpointoptions~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
ACCESS_MACROS = (
    "user_vendor_msft_policy_config_access16v2~policy~l_microsoftofficeaccess"
    "~l_applicationsettings~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
VISIO_MACROS = (
    "user_vendor_msft_policy_config_visio16v2~policy~l_microsoftvisio~l_visiooptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
SAVE_AS = (
    "user_vendor_msft_policy_config_excel16v2~policy~l_microsoftofficeexcel~l_exceloptions"
    "~l_save_l_saveexcelfilesas"
)
SAVE_AS_FORMAT = SAVE_AS + "_l_saveexcelfilesas1"
REPAIR = (
    "device_vendor_msft_policy_config_office16v2~policy~l_microsoftofficemachine~l_updates"
    "_l_onlinerepair"
)
REPAIR_PATH = REPAIR + "_l_localodtpath"
REPAIR_CDN = REPAIR + "_l_fallbacktocdn"
STORAGE = (
    "user_vendor_msft_policy_config_office16v2.updates.2~policy~l_microsoftofficesystem"
    "~l_miscellaneous437_l_onlinestoragefilter"
)
STORAGE_ID = STORAGE + "_l_onlinestoragefilterid"
LOCATION_APPS = "device_vendor_msft_privacy_letappsaccesslocation_forceallowtheseapps"
SYNTHETIC_STRINGS = "emulator_synthetic_stringcollection"
SYNTHETIC_INTEGER = "emulator_synthetic_boundedinteger"
SYNTHETIC_SECRET = "emulator_synthetic_secret"

ALL_DEVICES = "adadadad-808e-44e2-905a-0b7873a8a531"
ALL_USERS = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"
GROUP_A = "11111111-1111-4111-8111-111111111111"
GROUP_B = "22222222-2222-4222-8222-222222222222"
FILTER = "33333333-3333-4333-8333-333333333333"


def choice(
    definition: str, option: str, *children: dict[str, Any], typed: bool = False
) -> dict[str, Any]:
    """A choice instance; ``option`` is the suffix (``"_1"``). ``typed`` also puts
    ``@odata.type`` on the value, as some tools do."""
    value: dict[str, Any] = {"value": definition + option, "children": list(children)}
    if typed:
        value["@odata.type"] = NS + "ChoiceSettingValue"
    return {
        "@odata.type": NS + "ChoiceSettingInstance",
        "settingDefinitionId": definition,
        "settingInstanceTemplateReference": None,
        "choiceSettingValue": value,
    }


def simple(definition: str, value: Any, kind: str = "String", **extra: Any) -> dict[str, Any]:
    return {
        "@odata.type": NS + "SimpleSettingInstance",
        "settingDefinitionId": definition,
        "simpleSettingValue": {"@odata.type": f"{NS}{kind}SettingValue", "value": value, **extra},
    }


def secret(definition: str, value: str, state: str = "notEncrypted") -> dict[str, Any]:
    return simple(definition, value, "Secret", valueState=state)


def strings(definition: str, *values: str) -> dict[str, Any]:
    return {
        "@odata.type": NS + "SimpleSettingCollectionInstance",
        "settingDefinitionId": definition,
        "simpleSettingCollectionValue": [
            {"@odata.type": NS + "StringSettingValue", "value": v} for v in values
        ],
    }


def save_as(file_format: str = "_51") -> dict[str, Any]:
    """§3.3(b): Save Excel files as, Enabled, with its dropdown child."""
    return choice(SAVE_AS, "_1", choice(SAVE_AS_FORMAT, file_format))


def online_repair(path: str = "") -> dict[str, Any]:
    """§3.3(c): the device-scope setting with a string and a choice child."""
    return choice(REPAIR, "_1", simple(REPAIR_PATH, path), choice(REPAIR_CDN, "_1"))


def storage_filter(value: Any = 137) -> dict[str, Any]:
    """§3.3(d): an integer child."""
    return choice(STORAGE, "_1", simple(STORAGE_ID, value, "Integer"))


def policy_body(name: str = "Office", *instances: dict[str, Any], **extra: Any) -> dict[str, Any]:
    settings = instances or (choice(WORD_MACROS, "_1"),)
    return {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
        "name": name,
        "description": "d",
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "templateReference": {"templateId": ""},
        "settings": [
            {
                "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
                "settingInstance": i,
            }
            for i in settings
        ],
        **extra,
    }


def group(group_id: str, *, exclude: bool = False, **extra: Any) -> dict[str, Any]:
    kind = "exclusionGroupAssignmentTarget" if exclude else "groupAssignmentTarget"
    return {"target": {"@odata.type": f"#microsoft.graph.{kind}", "groupId": group_id, **extra}}


class SettingsCatalog(Graph):
    def create(  # type: ignore[override]
        self, name: str = "Office", *instances: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        response = self.post(POLICIES, json=policy_body(name, *instances, **extra))
        assert response.status_code == 201, response.text
        return response.json()

    def policy(self, policy_id: str, query: str = "") -> dict[str, Any]:
        response = self.get(f"{POLICIES}/{policy_id}{query}")
        assert response.status_code == 200, response.text
        return response.json()

    def list_all(self, first: str) -> list[dict[str, Any]]:
        """Every item of a collection, following nextLinks."""
        items: list[dict[str, Any]] = []
        url: str | None = first
        while url:
            response = self.get(url)
            assert response.status_code == 200, response.text
            body = response.json()
            items += body["value"]
            url = body.get("@odata.nextLink")
        return items

    def assign(self, policy_id: str, *items: dict[str, Any]) -> requests.Response:
        return self.post(f"{POLICIES}/{policy_id}/assign", json={"assignments": list(items)})


def model_failure(response: requests.Response) -> str:
    """Intune's ModelValidationFailure: 400, the message repeated in innerError."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "ModelValidationFailure"
    assert error["innerError"]["message"] == error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    return str(error["message"])
