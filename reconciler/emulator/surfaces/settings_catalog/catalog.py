"""The setting-definition catalog the emulator validates against and serves at
``/deviceManagement/configurationSettings``: a few definitions, hand-written in the shape of
graph-intune settings-catalog §5.2 (nothing copied from the licensed dumps of §5.3).

Real ids (from the examples of §3.3): the "Block macros from running in Office files from
the Internet" toggles of Word, Excel, PowerPoint, Access and Visio; Excel's "Save Excel
files as" with its dropdown child; the device-scope online-repair setting with its string
and choice children; the online-storage filter with its integer child; the two collections
of §3.3(e) and the macOS service-management group collection of §3.3(f). Their ids, kinds,
the ``<id>_0``/``<id>_1`` Disabled/Enabled options, the observed option values
(``..._saveexcelfilesas1_51``, ``..._fallbacktocdn_1``) and the shape of ADMX children
(``<parentId>_<child>``, listed as required in the Enabled option's ``dependedOnBy``) are
as observed; display names, descriptions, categories, URIs beyond the Word one, other
dropdown options, value constraints and versions are the emulator's own (plausible, not
Microsoft's).

Synthetic definitions, clearly marked by the id prefix ``emulator_synthetic_`` and their
description, cover what no real example shows: a string collection with count and length
bounds, an integer with minimum and maximum, a secret string, and 100 Disabled/Enabled
toggles (``emulator_synthetic_toggle_000`` to ``_099``) so that one policy can hold as many
settings as real ones do (108 in an OIB Office export) for paging tests and benchmarks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

NS = "#microsoft.graph."
CHOICE = "deviceManagementConfigurationChoiceSettingDefinition"
CHOICE_COLLECTION = "deviceManagementConfigurationChoiceSettingCollectionDefinition"
SIMPLE = "deviceManagementConfigurationSimpleSettingDefinition"
SIMPLE_COLLECTION = "deviceManagementConfigurationSimpleSettingCollectionDefinition"
GROUP_COLLECTION = "deviceManagementConfigurationSettingGroupCollectionDefinition"
BASE_TYPE = "microsoft.graph.deviceManagementConfigurationSettingDefinition"

# Properties of the base type (``$select`` takes only these: the set is polymorphic).
BASE_PROPERTIES = (
    "id", "name", "displayName", "description", "helpText", "categoryId", "baseUri",
    "offsetUri", "rootDefinitionId", "uxBehavior", "accessTypes", "applicability", "infoUrls",
    "keywords", "occurrence", "referredSettingInformationList", "riskLevel", "settingUsage",
    "version", "visibility",
)  # fmt: skip

Definition = dict[str, Any]

_WORD_CATEGORY = "5f7e1206-359d-49d7-82c3-f6b6a6eddf65"  # observed (LB)
_USER = "user_vendor_msft_policy_config_"
_DEVICE = "device_vendor_msft_policy_config_"
_SYNTHETIC = "Synthetic definition of the emulator; not in Microsoft's catalog."


def _category(path: str) -> str:
    """A stable made-up category id for a category path (the emulator's own)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "emulator-category:" + path))


def _integer(value: int) -> dict[str, Any]:
    return {
        "@odata.type": NS + "deviceManagementConfigurationIntegerSettingValue",
        "settingValueTemplateReference": None,
        "value": value,
    }


def _base(
    odata_type: str,
    definition_id: str,
    *,
    name: str,
    display_name: str,
    description: str,
    category: str,
    offset_uri: str,
    root: str | None = None,
    ux: str = "default",
    platform: str = "windows10",
    technologies: str = "mdm",
    base_uri: str | None = None,
) -> Definition:
    if base_uri is None:
        base_uri = (
            "./Device/Vendor/MSFT/Policy"
            if definition_id.startswith("device_")
            else ("./User/Vendor/MSFT/Policy")
        )
    return {
        "@odata.type": NS + odata_type,
        "id": definition_id,
        "name": name,
        "displayName": display_name,
        "description": description,
        "helpText": description,
        "categoryId": category,
        "baseUri": base_uri,
        "offsetUri": offset_uri,
        "rootDefinitionId": root or definition_id,
        "uxBehavior": ux,
        "accessTypes": "add,copy,delete,get,replace",
        "applicability": {
            "description": None,
            "platform": platform,
            "deviceMode": "none",
            "technologies": technologies,
        },
        "infoUrls": [],
        "keywords": [],
        "occurrence": None,
        "referredSettingInformationList": [],
        "riskLevel": "low",
        "settingUsage": "configuration",
        "version": "1",
        "visibility": "settingsCatalog,template",
    }


def _option(
    item_id: str,
    display_name: str,
    value: int,
    *,
    children: Iterable[str] = (),
    parent: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A choice option; ``children`` are required when it is chosen (ADMX elements);
    ``parent`` is (parent option id, parent setting id) for a child definition's options."""
    return {
        "itemId": item_id,
        "name": display_name,
        "displayName": display_name,
        "description": None,
        "helpText": None,
        "optionValue": _integer(value),
        "dependentOn": []
        if parent is None
        else [{"dependentOn": parent[0], "parentSettingId": parent[1]}],
        "dependedOnBy": [{"dependedOnBy": child, "required": True} for child in children],
    }


def _toggle(
    definition_id: str,
    *,
    name: str,
    display_name: str,
    category: str,
    offset_uri: str,
    children: Iterable[str] = (),
) -> Definition:
    """An ADMX policy: Disabled (``_0``) or Enabled (``_1``, which requires ``children``)."""
    definition = _base(
        CHOICE,
        definition_id,
        name=name,
        display_name=display_name,
        description=f"{display_name}.",
        category=category,
        offset_uri=offset_uri,
        ux="toggle",
    )
    definition["defaultOptionId"] = f"{definition_id}_0"
    definition["options"] = [
        _option(f"{definition_id}_0", "Disabled", 0),
        _option(f"{definition_id}_1", "Enabled", 1, children=children),
    ]
    return definition


def _child_choice(
    parent: str, suffix: str, *, name: str, display_name: str, options: Mapping[str, str]
) -> Definition:
    """An ADMX dropdown or checkbox element of ``parent``'s Enabled option."""
    definition_id = f"{parent}_{suffix}"
    definition = _base(
        CHOICE,
        definition_id,
        name=name,
        display_name=display_name,
        description=f"{display_name}.",
        category=CATALOG_CATEGORIES[parent],
        offset_uri=f"/Config/{parent}/{name}",
        root=parent,
        ux="dropdown",
    )
    first = next(iter(options))
    definition["defaultOptionId"] = f"{definition_id}_{first}"
    definition["options"] = [
        _option(
            f"{definition_id}_{key}",
            label,
            int(key),
            parent=(f"{parent}_1", parent),
        )
        for key, label in options.items()
    ]
    return definition


def _string_value_definition(
    *, minimum: int = 0, maximum: int = 1024, secret: bool = False
) -> dict[str, Any]:
    return {
        "@odata.type": NS + "deviceManagementConfigurationStringSettingValueDefinition",
        "format": "none",
        "inputValidationSchema": None,
        "isSecret": secret,
        "maximumLength": maximum,
        "minimumLength": minimum,
        "fileTypes": [],
    }


def _integer_value_definition(minimum: int, maximum: int) -> dict[str, Any]:
    return {
        "@odata.type": NS + "deviceManagementConfigurationIntegerSettingValueDefinition",
        "minimumValue": minimum,
        "maximumValue": maximum,
    }


def _simple(
    definition_id: str,
    value_definition: dict[str, Any],
    *,
    name: str,
    display_name: str,
    description: str,
    category: str,
    offset_uri: str,
    parent: tuple[str, str] | None = None,
    root: str | None = None,
    collection: tuple[int, int] | None = None,
    platform: str = "windows10",
    technologies: str = "mdm",
) -> Definition:
    definition = _base(
        SIMPLE_COLLECTION if collection else SIMPLE,
        definition_id,
        name=name,
        display_name=display_name,
        description=description,
        category=category,
        offset_uri=offset_uri,
        root=root,
        ux="smallTextBox",
        platform=platform,
        technologies=technologies,
    )
    is_integer = "Integer" in value_definition["@odata.type"]
    default_type = (
        "Integer" if is_integer else ("Secret" if value_definition.get("isSecret") else "String")
    )
    default: dict[str, Any] = {
        "@odata.type": f"{NS}deviceManagementConfiguration{default_type}SettingValue",
        "settingValueTemplateReference": None,
        "value": value_definition["minimumValue"] if is_integer else None,
    }
    if default_type == "Secret":
        default["valueState"] = "invalid"
    definition.update(
        valueDefinition=value_definition,
        defaultValue=default,
        dependentOn=[]
        if parent is None
        else [{"dependentOn": parent[0], "parentSettingId": parent[1]}],
        dependedOnBy=[],
    )
    if collection:
        definition["minimumCount"], definition["maximumCount"] = collection
    return definition


def _child_simple(
    parent: str, suffix: str, value_definition: dict[str, Any], *, name: str, display_name: str
) -> Definition:
    """An ADMX text or decimal element of ``parent``'s Enabled option."""
    return _simple(
        f"{parent}_{suffix}",
        value_definition,
        name=name,
        display_name=display_name,
        description=f"{display_name}.",
        category=CATALOG_CATEGORIES[parent],
        offset_uri=f"/Config/{parent}/{name}",
        parent=(f"{parent}_1", parent),
        root=parent,
    )


# -- the Office ADMX definitions ------------------------------------------------------------

MACROS = {
    app: _USER
    + f"{app}16v2~policy~{path}~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
    for app, path in (
        ("word", "l_microsoftofficeword~l_wordoptions"),
        ("excel", "l_microsoftofficeexcel~l_exceloptions"),
        ("ppt", "l_microsoftofficepowerpoint~l_powerpointoptions"),
        ("access", "l_microsoftofficeaccess~l_applicationsettings"),
        ("visio", "l_microsoftvisio~l_visiooptions"),
    )
}
_MACRO_OFFSETS = {
    "word": "word16v2~Policy~L_MicrosoftOfficeWord~L_WordOptions~L_Security~L_TrustCenter",
    "excel": "excel16v2~Policy~L_MicrosoftOfficeExcel~L_ExcelOptions~L_Security~L_TrustCenter",
    "ppt": "ppt16v2~Policy~L_MicrosoftOfficePowerPoint~L_PowerPointOptions~L_Security~L_TrustCenter",
    "access": "access16v2~Policy~L_MicrosoftOfficeAccess~L_ApplicationSettings~L_Security~L_TrustCenter",
    "visio": "visio16v2~Policy~L_MicrosoftVisio~L_VisioOptions~L_Security~L_TrustCenter",
}

SAVE_EXCEL_AS = (
    _USER + "excel16v2~policy~l_microsoftofficeexcel~l_exceloptions~l_save_l_saveexcelfilesas"
)
SAVE_EXCEL_AS_FORMAT = f"{SAVE_EXCEL_AS}_l_saveexcelfilesas1"
ONLINE_REPAIR = _DEVICE + "office16v2~policy~l_microsoftofficemachine~l_updates_l_onlinerepair"
ONLINE_REPAIR_PATH = f"{ONLINE_REPAIR}_l_localodtpath"
ONLINE_REPAIR_CDN = f"{ONLINE_REPAIR}_l_fallbacktocdn"
STORAGE_FILTER = (
    _USER
    + "office16v2.updates.2~policy~l_microsoftofficesystem~l_miscellaneous437_l_onlinestoragefilter"
)
STORAGE_FILTER_ID = f"{STORAGE_FILTER}_l_onlinestoragefilterid"
LOCATION_APPS = "device_vendor_msft_privacy_letappsaccesslocation_forceallowtheseapps"
PASSIVE_REMEDIATION = "device_vendor_msft_defender_configuration_passiveremediation"
SERVICE_MANAGEMENT = "com.apple.servicemanagement_com.apple.servicemanagement"
SERVICE_RULES = "com.apple.servicemanagement_rules"
SERVICE_RULE_COMMENT = "com.apple.servicemanagement_rules_item_comment"
SYNTHETIC_STRINGS = "emulator_synthetic_stringcollection"
SYNTHETIC_INTEGER = "emulator_synthetic_boundedinteger"
SYNTHETIC_SECRET = "emulator_synthetic_secret"
SYNTHETIC_TOGGLE = "emulator_synthetic_toggle_"  # + 000..099: many root settings for one policy
SYNTHETIC_TOGGLES = 100

CATALOG_CATEGORIES: dict[str, str] = {
    MACROS["word"]: _WORD_CATEGORY,
    **{MACROS[app]: _category(f"{app}16v2 trust center") for app in MACROS if app != "word"},
    SAVE_EXCEL_AS: _category("excel16v2 save"),
    ONLINE_REPAIR: _category("office16v2 machine updates"),
    STORAGE_FILTER: _category("office16v2 miscellaneous"),
}


# (id, ADMX name, display name, offset URI, the Enabled option's required children)
_TOGGLES: list[tuple[str, str, str, str, list[str]]] = [
    *(
        (
            MACROS[app],
            "L_BlockMacroExecutionFromInternet",
            "Block macros from running in Office files from the Internet (User)",
            f"/Config/{offset}/L_BlockMacroExecutionFromInternet",
            [],
        )
        for app, offset in _MACRO_OFFSETS.items()
    ),
    (
        SAVE_EXCEL_AS,
        "L_SaveExcelfilesas",
        "Save Excel files as",
        "/Config/excel16v2~Policy~L_MicrosoftOfficeExcel~L_ExcelOptions~L_Save/L_SaveExcelfilesas",
        [SAVE_EXCEL_AS_FORMAT],
    ),
    (
        ONLINE_REPAIR,
        "L_OnlineRepair",
        "Online Repair",
        "/Config/office16v2~Policy~L_MicrosoftOfficemachine~L_Updates/L_OnlineRepair",
        [ONLINE_REPAIR_PATH, ONLINE_REPAIR_CDN],
    ),
    (
        STORAGE_FILTER,
        "L_OnlineStorageFilter",
        "Online storage filter",
        "/Config/office16v2.updates.2~Policy~L_MicrosoftOfficeSystem~L_Miscellaneous437/L_OnlineStorageFilter",
        [STORAGE_FILTER_ID],
    ),
]


def _office() -> list[Definition]:
    definitions = [
        _toggle(
            definition_id,
            name=name,
            display_name=display_name,
            category=CATALOG_CATEGORIES[definition_id],
            offset_uri=offset_uri,
            children=children,
        )
        for definition_id, name, display_name, offset_uri, children in _TOGGLES
    ]
    definitions += [
        _child_choice(
            SAVE_EXCEL_AS,
            "l_saveexcelfilesas1",
            name="L_SaveExcelfilesas1",
            display_name="Save Excel files as (file format)",
            options={
                "51": "Excel Workbook (*.xlsx)",
                "52": "Excel Macro-Enabled Workbook (*.xlsm)",
                "50": "Excel Binary Workbook (*.xlsb)",
                "56": "Excel 97-2003 Workbook (*.xls)",
            },
        ),
        _child_choice(
            ONLINE_REPAIR,
            "l_fallbacktocdn",
            name="L_FallbackToCDN",
            display_name="Fall back to the Office CDN",
            options={"0": "False", "1": "True"},
        ),
        _child_simple(
            ONLINE_REPAIR,
            "l_localodtpath",
            _string_value_definition(maximum=1024),
            name="L_LocalODTPath",
            display_name="Local path to the Office Deployment Tool content",
        ),
        _child_simple(
            STORAGE_FILTER,
            "l_onlinestoragefilterid",
            _integer_value_definition(0, 2147483647),
            name="L_OnlineStorageFilterID",
            display_name="Online storage filter id",
        ),
    ]
    return definitions


def _others() -> list[Definition]:
    """The non-Office collections of §3.3(e) and (f), and the synthetic definitions."""
    location = _simple(
        LOCATION_APPS,
        _string_value_definition(minimum=1, maximum=255),
        name="LetAppsAccessLocation_ForceAllowTheseApps",
        display_name="Let Apps Access Location Force Allow These Apps",
        description="Package family names of apps allowed to use location.",
        category=_category("privacy"),
        offset_uri="/Config/Privacy/LetAppsAccessLocation_ForceAllowTheseApps",
        collection=(0, 600),
    )
    passive = _base(
        CHOICE_COLLECTION,
        PASSIVE_REMEDIATION,
        name="PassiveRemediation",
        display_name="Passive Remediation",
        description="Remediation behaviour of Defender in passive mode.",
        category=_category("defender"),
        offset_uri="/Configuration/PassiveRemediation",
        base_uri="./Device/Vendor/MSFT/Defender",
    )
    passive.update(
        defaultOptionId=None,
        minimumCount=0,
        maximumCount=2,
        options=[
            _option(f"{PASSIVE_REMEDIATION}_0", "Passive remediation off", 0),
            _option(f"{PASSIVE_REMEDIATION}_1", "Remediate in passive mode", 1),
        ],
    )
    mac_platform, mac_technologies = "macOS", "mdm,appleRemoteManagement"
    groups = []
    for group_id, children, display in (
        (SERVICE_MANAGEMENT, [SERVICE_RULES], "Service Management - Managed Login Items"),
        (SERVICE_RULES, [SERVICE_RULE_COMMENT], "Rules"),
    ):
        group = _base(
            GROUP_COLLECTION,
            group_id,
            name=group_id.rsplit("_", 1)[-1],
            display_name=display,
            description=f"{display}.",
            category=_category("com.apple.servicemanagement"),
            offset_uri="/" + group_id,
            root=SERVICE_MANAGEMENT,
            base_uri="com.apple.servicemanagement",
            platform=mac_platform,
            technologies=mac_technologies,
        )
        group.update(
            childIds=children, minimumCount=1, maximumCount=100, dependentOn=[], dependedOnBy=[]
        )
        groups.append(group)
    comment = _simple(
        SERVICE_RULE_COMMENT,
        _string_value_definition(),
        name="Comment",
        display_name="Comment",
        description="A comment on the rule.",
        category=_category("com.apple.servicemanagement"),
        offset_uri="/" + SERVICE_RULE_COMMENT,
        root=SERVICE_MANAGEMENT,
        platform=mac_platform,
        technologies=mac_technologies,
    )
    synthetic_category = _category("emulator synthetic")
    synthetic = [
        _simple(
            SYNTHETIC_STRINGS,
            _string_value_definition(minimum=1, maximum=64),
            name="SyntheticStringCollection",
            display_name="Synthetic string collection (1 to 5 items of 1 to 64 characters)",
            description=_SYNTHETIC,
            category=synthetic_category,
            offset_uri="/Emulator/SyntheticStringCollection",
            collection=(1, 5),
        ),
        _simple(
            SYNTHETIC_INTEGER,
            _integer_value_definition(1, 100),
            name="SyntheticBoundedInteger",
            display_name="Synthetic integer (1 to 100)",
            description=_SYNTHETIC,
            category=synthetic_category,
            offset_uri="/Emulator/SyntheticBoundedInteger",
        ),
        _simple(
            SYNTHETIC_SECRET,
            _string_value_definition(minimum=1, maximum=256, secret=True),
            name="SyntheticSecret",
            display_name="Synthetic secret",
            description=_SYNTHETIC,
            category=synthetic_category,
            offset_uri="/Emulator/SyntheticSecret",
        ),
    ]
    toggles = [
        _toggle(
            f"{SYNTHETIC_TOGGLE}{index:03d}",
            name=f"SyntheticToggle{index:03d}",
            display_name=f"Synthetic toggle {index:03d}",
            category=synthetic_category,
            offset_uri=f"/Emulator/SyntheticToggle{index:03d}",
        )
        for index in range(SYNTHETIC_TOGGLES)
    ]
    for toggle in toggles:
        toggle["description"] = toggle["helpText"] = _SYNTHETIC
    return [location, passive, *groups, comment, *synthetic, *toggles]


DEFINITIONS: dict[str, Definition] = {
    d["id"]: d for d in sorted(_office() + _others(), key=lambda d: str(d["id"]))
}


def kind(definition: Definition) -> str:
    """The definition's bare subtype name, e.g. ``deviceManagementConfigurationChoiceSettingDefinition``."""
    return str(definition["@odata.type"]).removeprefix(NS)


def option_children(definition: Definition, item_id: str) -> tuple[list[str], list[str]]:
    """(allowed, required) child definition ids of a chosen option."""
    for option in definition.get("options", []):
        if option["itemId"] == item_id:
            allowed = [d["dependedOnBy"] for d in option["dependedOnBy"]]
            required = [d["dependedOnBy"] for d in option["dependedOnBy"] if d["required"]]
            return allowed, required
    return [], []


def is_root(definition: Definition) -> bool:
    return bool(definition["rootDefinitionId"] == definition["id"])
