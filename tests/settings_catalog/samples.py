"""Settings as Graph returns them and as manifests write them, from the real Office ids of
settings-catalog.md §3.3."""

from __future__ import annotations

from typing import Any

NS = "#microsoft.graph."
CHOICE = NS + "deviceManagementConfigurationChoiceSettingInstance"
SIMPLE = NS + "deviceManagementConfigurationSimpleSettingInstance"
STRING = NS + "deviceManagementConfigurationStringSettingValue"
INTEGER = NS + "deviceManagementConfigurationIntegerSettingValue"
SECRET = NS + "deviceManagementConfigurationSecretSettingValue"
SETTING = NS + "deviceManagementConfigurationSetting"

WORD_MACROS = (
    "user_vendor_msft_policy_config_word16v2~policy~l_microsoftofficeword~l_wordoptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
EXCEL_MACROS = (
    "user_vendor_msft_policy_config_excel16v2~policy~l_microsoftofficeexcel~l_exceloptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)
SAVE_AS = (
    "user_vendor_msft_policy_config_excel16v2~policy~l_microsoftofficeexcel~l_exceloptions"
    "~l_save_l_saveexcelfilesas"
)
SAVE_AS_CHILD = SAVE_AS + "_l_saveexcelfilesas1"


def choice(definition: str, option: str, *children: dict[str, Any]) -> dict[str, Any]:
    """A choice instance as a manifest writes it (minimal: no value type)."""
    return {
        "@odata.type": CHOICE,
        "settingDefinitionId": definition,
        "choiceSettingValue": {"value": f"{definition}_{option}", "children": list(children)},
    }


def simple(definition: str, value: Any, value_type: str = STRING) -> dict[str, Any]:
    return {
        "@odata.type": SIMPLE,
        "settingDefinitionId": definition,
        "simpleSettingValue": {"@odata.type": value_type, "value": value},
    }


def as_read(instance: dict[str, Any], setting_id: str) -> dict[str, Any]:
    """A setting as a live read returns it: an id, annotations, null template references,
    an undocumented key, and the choice value's type spelled out."""
    read = {
        **instance,
        "settingInstanceTemplateReference": None,
        "auditRuleInformation": None,
    }
    if "choiceSettingValue" in read:
        value = read["choiceSettingValue"]
        read["choiceSettingValue"] = {
            "@odata.type": NS + "deviceManagementConfigurationChoiceSettingValue",
            "settingValueTemplateReference": None,
            "value": value["value"],
            "children": [as_read(c, "")["settingInstance"] for c in value.get("children", [])],
        }
    return {
        "@odata.type": SETTING,
        "@odata.id": f"deviceManagement/configurationPolicies('p')/settings('{setting_id}')",
        "id": setting_id,
        "settingInstance": read,
        "settingDefinitions@odata.navigationLink": "https://graph.microsoft.com/beta/x",
    }


def definition(definition_id: str, options: int = 2) -> dict[str, Any]:
    """A choice definition of the catalog, options of the observed `_0`/`_1` shape."""
    names = ["Disabled", "Enabled", "Third"]
    return {
        "@odata.type": NS + "deviceManagementConfigurationChoiceSettingDefinition",
        "id": definition_id,
        "options": [
            {"itemId": f"{definition_id}_{i}", "displayName": names[i]} for i in range(options)
        ],
    }


def macro_policies(count: int, prefix: str = "p") -> dict[str, Any]:
    """A seed of `count` policies "Office - <prefix>NN", each with Word's and Excel's macro
    toggles and one group assignment."""
    from reconciler.emulator import make_configuration_policy
    from reconciler.emulator.surfaces.settings_catalog.seeds import choice as seeded
    from tests.support.tenant import GROUP_A

    return {
        "configurationPolicies": [
            make_configuration_policy(
                f"Office - {prefix}{i:02d}",
                settings=[seeded(WORD_MACROS, "_1"), seeded(EXCEL_MACROS, "_0")],
                groups=[GROUP_A],
            )
            for i in range(count)
        ]
    }
