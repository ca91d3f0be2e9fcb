"""Aspects: the setting-definition catalog at /deviceManagement/configurationSettings — the
real Office ids of §3.3 with their children and options, paging ($top, $skip, skiptoken),
$filter on ids (several at once), $select on base properties only, single gets (§5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.raw import assert_graph_error

from .sc import (
    ACCESS_MACROS,
    DEFINITIONS,
    EXCEL_MACROS,
    LOCATION_APPS,
    PPT_MACROS,
    REPAIR,
    REPAIR_CDN,
    REPAIR_PATH,
    SAVE_AS,
    SAVE_AS_FORMAT,
    STORAGE,
    STORAGE_ID,
    SYNTHETIC_INTEGER,
    SYNTHETIC_STRINGS,
    VISIO_MACROS,
    WORD_MACROS,
    SettingsCatalog,
)

G = "#microsoft.graph.deviceManagementConfiguration"


def definition(sc: SettingsCatalog, definition_id: str) -> dict[str, Any]:
    response = sc.get(f"{DEFINITIONS}/{definition_id}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "definition_id", [WORD_MACROS, EXCEL_MACROS, PPT_MACROS, ACCESS_MACROS, VISIO_MACROS]
)
def test_the_macro_toggles(sc: SettingsCatalog, definition_id: str) -> None:
    found = definition(sc, definition_id)
    assert found["@odata.type"] == G + "ChoiceSettingDefinition"
    assert [(o["itemId"], o["displayName"]) for o in found["options"]] == [
        (definition_id + "_0", "Disabled"),
        (definition_id + "_1", "Enabled"),
    ]
    assert found["rootDefinitionId"] == definition_id
    assert found["displayName"].startswith(
        "Block macros from running in Office files from the Internet"
    )
    assert found["applicability"]["platform"] == "windows10"


def test_word_is_as_observed(sc: SettingsCatalog) -> None:
    word = definition(sc, WORD_MACROS)
    assert word["name"] == "L_BlockMacroExecutionFromInternet"
    assert word["categoryId"] == "5f7e1206-359d-49d7-82c3-f6b6a6eddf65"
    assert word["baseUri"] == "./User/Vendor/MSFT/Policy"
    assert word["defaultOptionId"] == WORD_MACROS + "_0"


@pytest.mark.parametrize(
    ("parent", "children", "kinds"),
    [
        (SAVE_AS, [SAVE_AS_FORMAT], ["ChoiceSettingDefinition"]),
        (REPAIR, [REPAIR_PATH, REPAIR_CDN], ["SimpleSettingDefinition", "ChoiceSettingDefinition"]),
        (STORAGE, [STORAGE_ID], ["SimpleSettingDefinition"]),
    ],
)
def test_parents_list_their_required_children(sc: SettingsCatalog, parent, children, kinds) -> None:
    enabled = definition(sc, parent)["options"][1]
    assert enabled["dependedOnBy"] == [{"dependedOnBy": c, "required": True} for c in children]
    for child, kind in zip(children, kinds, strict=True):
        found = definition(sc, child)
        assert found["@odata.type"] == G + kind and found["rootDefinitionId"] == parent
    assert SAVE_AS_FORMAT + "_51" in [
        o["itemId"] for o in definition(sc, SAVE_AS_FORMAT)["options"]
    ]
    assert (
        definition(sc, STORAGE_ID)["valueDefinition"]["@odata.type"]
        == G + "IntegerSettingValueDefinition"
    )
    assert (
        definition(sc, REPAIR_PATH)["valueDefinition"]["@odata.type"]
        == G + "StringSettingValueDefinition"
    )


def test_synthetic_definitions_are_marked(sc: SettingsCatalog) -> None:
    for definition_id in (SYNTHETIC_STRINGS, SYNTHETIC_INTEGER):
        assert "Synthetic" in definition(sc, definition_id)["description"]
    integer = definition(sc, SYNTHETIC_INTEGER)["valueDefinition"]
    assert (integer["minimumValue"], integer["maximumValue"]) == (1, 100)
    strings = definition(sc, SYNTHETIC_STRINGS)
    assert (strings["minimumCount"], strings["maximumCount"]) == (1, 5)
    assert definition(sc, LOCATION_APPS)["@odata.type"] == G + "SimpleSettingCollectionDefinition"


def test_the_list_pages_and_filters_by_id(sc: SettingsCatalog) -> None:
    everything = sc.list_all(DEFINITIONS)
    ids = [d["id"] for d in everything]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) > 100
    first = sc.get(DEFINITIONS).json()
    assert len(first["value"]) == 25 and first["@odata.count"] == 25
    skipped = sc.get(DEFINITIONS + "?$top=3&$skip=2").json()
    assert [d["id"] for d in skipped["value"]] == ids[2:5]
    assert sc.list_all(DEFINITIONS + "?$top=999&$skip=10") == everything[10:]
    query = f"?$filter=id eq '{WORD_MACROS}' or id eq '{SAVE_AS}' or id eq 'nope'"
    assert sorted(d["id"] for d in sc.list_all(DEFINITIONS + query)) == sorted(
        [WORD_MACROS, SAVE_AS]
    )
    children = sc.list_all(f"{DEFINITIONS}?$filter=rootDefinitionId eq '{REPAIR}'")
    assert sorted(d["id"] for d in children) == sorted([REPAIR, REPAIR_PATH, REPAIR_CDN])


def test_select_takes_base_properties_only(sc: SettingsCatalog) -> None:
    body = sc.get(DEFINITIONS + "?$select=id,displayName&$top=2").json()
    assert all(set(d) == {"@odata.type", "id", "displayName"} for d in body["value"])
    message = assert_graph_error(sc.get(DEFINITIONS + "?$select=id,options"), 400)
    assert message == (
        "Parsing OData Select and Expand failed: Could not find a property named 'options' on "
        "type 'microsoft.graph.deviceManagementConfigurationSettingDefinition'."
    )


def test_single_gets_and_refusals(sc: SettingsCatalog) -> None:
    assert sc.get(f"{DEFINITIONS}('{WORD_MACROS}')").json() == definition(sc, WORD_MACROS)
    assert set(sc.get(f"{DEFINITIONS}/{WORD_MACROS}?$select=name").json()) == {
        "@odata.type",
        "name",
    }
    assert_graph_error(sc.get(f"{DEFINITIONS}/nope"), 404)
    assert_graph_error(sc.get(f"{DEFINITIONS}?$filter=contains(displayName,'macro')"), 400)
    assert_graph_error(sc.get(f"{DEFINITIONS}?$orderby=id"), 400)
