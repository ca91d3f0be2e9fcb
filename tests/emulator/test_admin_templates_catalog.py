"""Aspects: the Administrative Templates catalog (peers §A.4, §A.5) — groupPolicyDefinitions
listed, paged, read in both key forms and with $select; TFP's lookup filter (contains, eq,
and), OData quote escaping for Office names with apostrophes; names that are not unique;
presentations of every type; groupPolicyCategories with the custom-ADMX queries IntuneCD
and TFP send; the catalog is read-only."""

from __future__ import annotations

import pytest

from tests.support.raw import assert_graph_error

from .at import (
    BLOCK_MACROS,
    CATEGORIES,
    DEFINITIONS,
    EXCEL,
    MACHINE,
    NS,
    OUTLOOK,
    POWERPOINT,
    TRUST_CENTER,
    VBA,
    WORD,
    AdminTemplates,
    message,
    quoted,
)

PROPERTIES = [
    "classType", "displayName", "explainText", "categoryPath", "supportedOn", "policyType",
    "hasRelatedDefinitions", "groupPolicyCategoryId", "minDeviceCspVersion",
    "minUserCspVersion", "version", "id", "lastModifiedDateTime",
]  # fmt: skip  # the docs' JSON representation


def filtered(at: AdminTemplates, text: str) -> list[dict]:
    return at.list_all(DEFINITIONS, **{"$filter": text})


def test_definitions_page_by_25_and_hold_a_few_dozen_office_settings(at: AdminTemplates) -> None:
    first = at.get(DEFINITIONS).json()
    assert first["@odata.context"].endswith("$metadata#deviceManagement/groupPolicyDefinitions")
    assert len(first["value"]) == 25 and "@odata.count" not in first
    everything = at.list_all(DEFINITIONS)
    assert 30 <= len(everything) <= 60
    assert len({d["id"] for d in everything}) == len(everything)
    assert all(list(d) == PROPERTIES for d in everything)
    assert {d["classType"] for d in everything} == {"user", "machine"}
    assert any(d["categoryPath"].startswith(MACHINE + "\\") for d in everything)
    small = at.list_all(DEFINITIONS, **{"$top": "7"})
    assert [d["id"] for d in small] == [d["id"] for d in everything]


def test_get_in_both_key_forms_and_with_select(at: AdminTemplates) -> None:
    found = at.definition(VBA, EXCEL + TRUST_CENTER)
    keyed = at.get(f"{DEFINITIONS}('{found['id']}')").json()
    plain = at.get(f"{DEFINITIONS}/{found['id']}").json()
    assert keyed == plain and keyed["@odata.context"].endswith("groupPolicyDefinitions/$entity")
    assert {k: v for k, v in keyed.items() if k != "@odata.context"} == found
    selected = at.get(
        f"{DEFINITIONS}('{found['id']}')", params={"$select": "id,explainText,supportedOn"}
    ).json()
    assert selected["@odata.context"].endswith(
        "groupPolicyDefinitions(id,explainText,supportedOn)/$entity"
    )
    assert list(selected)[1:] == [
        "id",
        "explainText",
        "supportedOn",
    ]  # the order asked, as captured
    assert_graph_error(at.get(f"{DEFINITIONS}('00000000-0000-0000-0000-000000000001')"), 404)


def test_tfps_lookup_filter_finds_the_macro_settings_of_each_application(
    at: AdminTemplates,
) -> None:
    for path in (WORD + TRUST_CENTER, EXCEL + TRUST_CENTER, POWERPOINT + TRUST_CENTER):
        for name in (BLOCK_MACROS, VBA):
            text = f"contains(displayName, {quoted(name)}) and classType eq 'user' and categoryPath eq {quoted(path)}"
            (found,) = filtered(at, text)
            assert (found["displayName"], found["categoryPath"]) == (name, path)
    # The display name alone is not unique (§A.5): one per application.
    same = filtered(at, f"displayName eq {quoted(BLOCK_MACROS)}")
    assert sorted(d["categoryPath"] for d in same) == sorted(
        [WORD + TRUST_CENTER, EXCEL + TRUST_CENTER, POWERPOINT + TRUST_CENTER]
    )
    assert len({d["id"] for d in same}) == 3


def test_quotes_are_escaped_by_doubling(at: AdminTemplates) -> None:
    name = "Disable 'Remember password' for Internet e-mail accounts"
    (found,) = filtered(at, f"displayName eq {quoted(name)}")
    assert (
        found["displayName"] == name
        and found["categoryPath"] == OUTLOOK + r"\Account Settings\E-mail"
    )
    assert [d["displayName"] for d in filtered(at, "contains(displayName, '''remember')")] == [name]
    message(at.get(DEFINITIONS, params={"$filter": f"displayName eq '{name}'"}))  # unescaped: a 400


def test_filters_on_class_type_colons_and_case(at: AdminTemplates) -> None:
    machine = filtered(at, "classType eq 'machine'")
    assert machine and all(
        d["classType"] == "machine" and d["categoryPath"].startswith(MACHINE) for d in machine
    )
    colon = filtered(at, "contains(displayName, 'PST:')")
    assert sorted(d["displayName"] for d in colon) == [
        "Large PST: Maximum size",
        "Large PST: Warning threshold",
    ]
    assert filtered(at, "contains(displayName, 'large pst: maximum')")  # contains ignores case
    assert filtered(at, "displayName eq 'large pst: maximum size'") == []  # eq is exact
    assert filtered(at, f"categoryPath eq {quoted(OUTLOOK)}") == []  # a prefix is not a path
    assert "not a member" in message(
        at.get(DEFINITIONS, params={"$filter": "classType eq 'device'"})
    )


@pytest.mark.parametrize(
    "text",
    [
        "displayName ne 'x'",
        "classType eq 'user' or classType eq 'machine'",
        "startswith(displayName, 'Block')",
        "policyType eq 'admxIngested'",
        "not (classType eq 'user')",
    ],
)
def test_filters_the_emulator_does_not_take(at: AdminTemplates, text: str) -> None:
    message(at.get(DEFINITIONS, params={"$filter": text}))


def test_presentations_of_every_type_with_their_docs_defaults(at: AdminTemplates) -> None:
    types: dict[str, dict] = {}
    for definition in at.list_all(DEFINITIONS):
        for presentation in at.list_all(f"{DEFINITIONS}('{definition['id']}')/presentations"):
            types.setdefault(
                presentation["@odata.type"].removeprefix(NS + "groupPolicyPresentation"),
                presentation,
            )
    assert set(types) == {
        "CheckBox", "TextBox", "DecimalTextBox", "LongDecimalTextBox", "DropdownList", "ComboBox",
        "MultiTextBox", "ListBox", "Text",
    }  # fmt: skip
    assert list(types["Text"]) == ["@odata.type", "label", "id", "lastModifiedDateTime"]
    assert {"defaultChecked"} <= set(types["CheckBox"])
    assert {"defaultValue", "spin", "spinStep", "required", "minValue", "maxValue"} <= set(
        types["DecimalTextBox"]
    )
    assert {"items", "defaultItem", "required"} <= set(types["DropdownList"])
    assert {"suggestions", "maxLength"} <= set(types["ComboBox"])
    assert {"maxLength", "maxStrings", "required"} <= set(types["MultiTextBox"])
    assert {"explicitValue", "valuePrefix"} <= set(types["ListBox"])


def test_a_dropdown_and_its_items(at: AdminTemplates) -> None:
    vba = at.definition(VBA, WORD + TRUST_CENTER)
    body = at.get(f"{DEFINITIONS}('{vba['id']}')/presentations").json()
    assert body["@odata.context"].endswith(f"groupPolicyDefinitions('{vba['id']}')/presentations")
    (dropdown,) = body["value"]
    assert dropdown["@odata.type"] == NS + "groupPolicyPresentationDropdownList"
    assert [i["value"] for i in dropdown["items"]] == ["1", "2", "3", "4"]
    assert dropdown["defaultItem"] in dropdown["items"]
    single = at.get(f"{DEFINITIONS}/{vba['id']}/presentations('{dropdown['id']}')").json()
    assert single == dropdown
    assert_graph_error(at.get(f"{DEFINITIONS}/{vba['id']}/presentations/nope"), 404)
    location = at.definition("Trusted Location #1")
    paged = at.get(f"{DEFINITIONS}('{location['id']}')/presentations", params={"$top": "2"}).json()
    assert len(paged["value"]) == 2 and "@odata.nextLink" in paged


def test_intunecds_custom_admx_query(at: AdminTemplates) -> None:
    query = {
        "$expand": "definitions($select=id, displayName, categoryPath, classType)",
        "$select": "id, displayName",
        "$filter": "ingestionSource eq 'custom'",
    }  # verbatim from IntuneCD's custom_ingestion_match, spaces included
    categories = at.list_all(CATEGORIES, **query)
    assert categories and all(set(c) == {"id", "displayName", "definitions"} for c in categories)
    definitions = [d for c in categories for d in c["definitions"]]
    assert len(definitions) == 1
    (custom,) = definitions
    assert list(custom) == ["id", "displayName", "categoryPath", "classType"]
    # The custom definition is told apart by its category, not its policyType.
    full = at.get(f"{DEFINITIONS}('{custom['id']}')").json()
    office = at.definition(VBA, WORD + TRUST_CENTER)
    assert full["policyType"] == office["policyType"] == "admxIngested"
    category = at.get(f"{CATEGORIES}('{full['groupPolicyCategoryId']}')").json()
    assert category["ingestionSource"] == "custom"
    built_in = at.get(f"{CATEGORIES}/{office['groupPolicyCategoryId']}").json()
    assert built_in["ingestionSource"] == "builtIn" and built_in["displayName"] == "Trust Center"


def test_tfps_category_query_and_the_tree(at: AdminTemplates) -> None:
    categories = at.list_all(
        CATEGORIES,
        **{"$expand": "parent,definitions", "$select": "id,displayName,isRoot,ingestionSource"},
    )
    by_id = {c["id"]: c for c in categories}
    vba = at.definition(VBA, EXCEL + TRUST_CENTER)
    leaf = by_id[vba["groupPolicyCategoryId"]]
    assert vba["id"] in [d["id"] for d in leaf["definitions"]]
    path = []
    node = leaf
    while node is not None:
        path.append(node["displayName"])
        node = node["parent"] and by_id[node["parent"]["id"]]
    assert "\\" + "\\".join(reversed(path)) == EXCEL + TRUST_CENTER
    roots = [c for c in categories if c["isRoot"]]
    assert all(c["parent"] is None for c in roots)
    assert "Microsoft Office 2016 (Machine)" in {c["displayName"] for c in roots}
    children = at.get(
        f"{CATEGORIES}('{leaf['id']}')", params={"$expand": "children($select=displayName)"}
    ).json()
    assert [c["displayName"] for c in children["children"]] == ["External Content"]


def test_the_catalog_is_read_only(at: AdminTemplates) -> None:
    body = {
        "@odata.type": f"{NS}groupPolicyUploadedCategory",
        "displayName": "x",
        "isRoot": False,
        "ingestionSource": "custom",
    }
    text = message(at.post(CATEGORIES, json=body), "No method match route template")
    assert text.startswith(
        "No OData route exists that match template ~/singleton/navigation with http verb POST"
    )
    assert text.endswith("/deviceManagement/groupPolicyCategories.")
    message(at.post(DEFINITIONS, json={}), "No method match route template")
    assert_graph_error(
        at.patch(f"{DEFINITIONS}('{at.definition(VBA, WORD + TRUST_CENTER)['id']}')", json={}), 405
    )
    message(at.get(CATEGORIES, params={"$expand": "definitionFile"}))
    message(at.get(CATEGORIES, params={"$expand": "definitions($expand=presentations)"}))
