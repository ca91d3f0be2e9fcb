"""Aspects of the Administrative Templates kind without HTTP: the three ways to address a
definition and how a bad one is told; resolution against the tenant's catalog (exact
after trimming, candidates named, ambiguity, ids) and the typing of every presentation
type (a dropdown by text or value, bounds, list boxes, required and label-only
presentations, empty and repeated labels); the comparison (a set by definition, values by
label, list boxes as sets, named by address in plans and drift); the writes (one
updateDefinitionValues with only what changed, each value whole with its instance ids; the
create; metadata alone a PATCH); what is refused (custom ADMX, configurationType in place,
a value dropped from an enabled setting); export and its round trip; catalog search."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine import catalog
from reconciler.engine.drift import detect, drift_json
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanError
from reconciler.export import manifest_set
from reconciler.kinds import REGISTRY
from reconciler.kinds.admin_templates import DefinitionValues, parse_address
from reconciler.kinds.kind import Children
from reconciler.load import manifests
from reconciler.load.locate import located
from reconciler.report import drift_formats, plan_formats
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Purpose, StepKind
from tests.support.tenant import GROUP_A

from .samples import (
    BLOCK,
    EXCEL,
    ROOT,
    VBA,
    WORD,
    definition,
    definition_value,
    macro_settings,
    presentation,
    presentation_value,
    read_like_graph,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KIND = "AdministrativeTemplatePolicy"
PROFILES = "/deviceManagement/groupPolicyConfigurations"
PROFILE_ID = "9d3e6c1a-4b2f-4e8d-a7c5-2f1b0e9d8c7a"
VBA_ADDRESS = f"user:{EXCEL}:{VBA}"
BLOCK_WORD = f"user:{WORD}:{BLOCK}"
BLOCK_EXCEL = f"user:{EXCEL}:{BLOCK}"

SETTINGS = macro_settings(BLOCK_WORD, VBA_ADDRESS)


def manifest(settings: Any = SETTINGS, **spec: Any) -> str:
    body = {"displayName": "Office - Trust Center", "settings": settings, **spec}
    document = {
        "apiVersion": "reconciler/v1",
        "kind": KIND,
        "metadata": {"name": "trust-center"},
        "spec": body,
    }
    return json.dumps(document, indent=2)


def load(tmp_path: Path, text: str | None = None) -> Any:
    root = tmp_path / "m"
    root.mkdir(exist_ok=True)
    (root / "p.yaml").write_text(text or manifest(), encoding="utf-8")
    return manifests.load([root])


def resolve(desired: Any) -> tuple[Any, list[catalog.ChildIssue]]:
    found = read_like_graph(lambda found: catalog.lookups(desired, found))
    return catalog.resolve(desired, found, root=ROOT)


def resolved(tmp_path: Path, settings: Any = SETTINGS, **spec: Any) -> Any:
    desired, issues = resolve(load(tmp_path, manifest(settings, **spec)))
    assert issues == []
    return desired


def problems(tmp_path: Path, settings: Any) -> list[str]:
    """Each problem the catalog finds, as `path: message` located in the manifest."""
    desired = load(tmp_path, manifest(settings))
    _, issues = resolve(desired)
    return [f"{i.path}: {i.message}" for i in located(desired, issues)]


def vba_value(value: str = "3", **ids: Any) -> dict[str, Any]:
    entry = definition(VBA)
    return definition_value(
        entry,
        presentation_value(entry, "Macro notification:", value, ids.get("pv")),
        value_id=ids.get("dv", "dv-vba"),
    )


def live_profile(*values: dict[str, Any], **body: Any) -> LiveObject:
    fields = {
        "id": PROFILE_ID,
        "displayName": "Office - Trust Center",
        "description": None,
        "roleScopeTagIds": ["0"],
        "policyConfigurationIngestionType": "unknown",
        "createdDateTime": "2025-01-01T00:00:00Z",
        "settings": list(values),
        "assignments": [],
        **body,
    }
    return LiveObject(kind=KIND, id=PROFILE_ID, body=fields)


def in_sync() -> LiveObject:
    """The live profile SETTINGS describes, its values in another order."""
    return live_profile(
        vba_value(pv="pv-vba"), definition_value(definition(BLOCK, WORD), value_id="dv-block")
    )


def tenant(*objects: LiveObject) -> Live:
    return Live(graph_url=ROOT, objects=objects, read_requests=3, read_units=9)


def the_delta(desired: Any, live: LiveObject) -> dict[str, Any]:
    (change,) = make_plan(desired, tenant(live), now=NOW).changes
    (step,) = change.steps
    assert (step.kind, step.purpose, step.method) == (StepKind.ACTION, Purpose.CHILDREN, "POST")
    assert step.path == f"{PROFILES}/{PROFILE_ID}/updateDefinitionValues"
    assert isinstance(step.body, dict)
    return step.body


def bind(definition_id: str, presentation_id: str | None = None) -> str:
    url = f"{ROOT}/deviceManagement/groupPolicyDefinitions('{definition_id}')"
    return f"{url}/presentations('{presentation_id}')" if presentation_id else url


# --- addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            r"user:\Microsoft Outlook 2016\Miscellaneous\PST Settings:Large PST: Maximum size",
            {
                "class": "user",
                "path": r"\Microsoft Outlook 2016\Miscellaneous\PST Settings",
                "name": "Large PST: Maximum size",
            },
        ),
        (
            r" Machine : \Microsoft Office 2016 (Machine)\Updates :  Update Channel ",
            {
                "class": "machine",
                "path": r"\Microsoft Office 2016 (Machine)\Updates",
                "name": "Update Channel",
            },
        ),
        (
            r"user:\Made: Up\Path:Name: with: colons",
            {"class": "user", "path": r"\Made: Up\Path", "name": "Name: with: colons"},
        ),
    ],
    ids=["colon in the name", "trimmed, class in any case", "colons in the path and the name"],
)
def test_an_address_splits_at_the_first_colon_and_the_first_after_the_last_backslash(
    written, expected
):
    assert parse_address(written) == (expected, None)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "VBA Macro Notification Settings",
            "is not an address 'class:\\category path:display name'",
        ),
        (r"group:\Microsoft Word 2016:Name", "unknown class 'group' (expected user or machine)"),
        ("user:Microsoft Word 2016:Name", "the category path starts with '\\'"),
        (r"user:\Microsoft Word 2016\Word Options", "ends at the ':' before the display name"),
        (r"user:\Microsoft Word 2016:  ", "the display name is empty"),
    ],
)
def test_an_address_in_another_form_says_which_form_it_takes(written, message):
    ref, problem = parse_address(written)
    assert ref is None and problem is not None and message in problem


# --- resolving against the catalog --------------------------------------------------------------


def test_every_form_of_address_resolves_to_the_definition_and_its_presentations(tmp_path):
    vba = definition(VBA)
    settings = [
        {"definition": BLOCK_WORD, "enabled": True},
        {"definition": {"class": "user", "path": EXCEL, "name": BLOCK}, "enabled": False},
        {
            "definition": {"id": vba["id"].upper()},
            "enabled": True,
            "values": {"Macro notification:": "3"},
        },
    ]
    desired = resolved(tmp_path, settings)
    items = desired.resources[0].spec["settings"]
    assert [i["definition"]["id"] for i in items] == [
        definition(BLOCK, WORD)["id"],
        definition(BLOCK, EXCEL)["id"],
        vba["id"],
    ]
    dropdown = presentation(vba, "Macro notification:")
    assert items[2]["presentationValues"] == [
        {
            "@odata.type": "#microsoft.graph.groupPolicyPresentationValueText",
            "value": "3",
            "presentation": {  # kept for showing the value; not written
                "@odata.type": "#microsoft.graph.groupPolicyPresentationDropdownList",
                "id": dropdown["id"],
                "label": "Macro notification:",
                "items": dropdown["items"],
            },
            "presentation@odata.bind": bind(vba["id"], dropdown["id"]),
        }
    ]
    assert items[2]["definition@odata.bind"] == bind(vba["id"])
    assert [i["configurationType"] for i in items] == ["policy"] * 3


def test_a_name_in_other_case_and_spacing_is_found_when_it_names_one_definition(tmp_path):
    address = f"user:{EXCEL}:  vba macro notification SETTINGS "
    settings = [{"definition": address, "enabled": True, "values": {"macro notification": "2"}}]
    (item,) = resolved(tmp_path, settings).resources[0].spec["settings"]
    assert item["definition"]["displayName"] == VBA
    assert item["presentationValues"][0]["value"] == "2"


def test_an_unknown_address_names_the_definitions_of_that_name(tmp_path):
    settings = [
        {"definition": f"user:\\Microsoft Visio 2016\\Trust Center:{BLOCK}", "enabled": True}
    ]
    (problem,) = problems(tmp_path, settings)
    assert problem.startswith(
        "spec.settings[0].definition: no definition at this path in this tenant's catalog; "
        "a definition of that name "
        "is under "
    )
    assert f"'user:{EXCEL}'" in problem and f"'user:{WORD}'" in problem


def test_an_address_no_definition_bears_says_so(tmp_path):
    (problem,) = problems(tmp_path, [{"definition": f"user:{WORD}:Made up", "enabled": True}])
    assert problem.endswith("no definition of this tenant's catalog is named 'Made up'")


def test_an_address_two_definitions_bear_names_their_ids(tmp_path, monkeypatch):
    from . import samples

    original = definition(BLOCK, WORD)["id"]
    twin = {**definition(BLOCK, WORD), "id": "0000beef-0000-4000-8000-000000000000"}
    monkeypatch.setattr(samples, "CATALOG", [*samples.CATALOG, twin])
    desired = load(tmp_path, manifest([{"definition": BLOCK_WORD, "enabled": True}]))
    found = read_like_graph(lambda f: catalog.lookups(desired, f), samples.CATALOG)
    _, (issue,) = catalog.resolve(desired, found, root=ROOT)
    assert f"matches 2 definitions of this tenant's catalog (ids {original}" in issue.message
    assert "give the one you mean as {id: ...}" in issue.message


def test_an_unknown_id_and_one_definition_given_twice_are_errors(tmp_path):
    settings = [
        {"definition": {"id": "0f0f0f0f-0000-4000-8000-000000000000"}, "enabled": True},
        {"definition": BLOCK_WORD, "enabled": True},
        {"definition": {"id": definition(BLOCK, WORD)["id"]}, "enabled": False},
    ]
    assert problems(tmp_path, settings) == [
        "spec.settings[0].definition: no definition of this tenant's catalog has id "
        "0f0f0f0f-0000-4000-8000-000000000000",
        "spec.settings[2]: this setting is settings[1] again (the same definition)",
    ]


def _typed(tmp_path: Path, name: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    entry = definition(name)
    settings = [{"definition": {"id": entry["id"]}, "enabled": True, "values": values}]
    (item,) = resolved(tmp_path, settings).resources[0].spec["settings"]
    return [
        {k: v for k, v in pv.items() if k in ("@odata.type", "value", "values")}
        for pv in item["presentationValues"]
    ]


@pytest.mark.parametrize(
    ("name", "values", "written"),
    [
        (VBA, {"Macro notification:": "Disable all macros with notification"}, ("Text", "value", "2")),
        (VBA, {"Macro notification:": 3}, ("Text", "value", "3")),
        ("Large PST: Maximum size", {"Maximum size in MB:": 4_000_000_000}, ("LongDecimal", "value", 4_000_000_000)),
        ("Trusted domain list", {"Domains:": ["contoso.com", "fabrikam.com"]}, ("MultiText", "values", ["contoso.com", "fabrikam.com"])),
        (
            "List of managed add-ins",
            {"List of managed add-ins": {"Contoso.Addin": "1", "Fabrikam.Addin": "0"}},
            ("List", "values", [{"name": "Contoso.Addin", "value": "1"}, {"name": "Fabrikam.Addin", "value": "0"}]),
        ),
        ("Disable commands", {"Enter a command ID to disable": ["1234", "5678"]}, ("List", "values", [{"name": "1234", "value": None}, {"name": "5678", "value": None}])),
        ("Standard font", {"Font name:": "Aptos"}, ("Text", "value", "Aptos")),
        ("Update Path", {"Location for updates:": r"\\fs\office"}, ("Text", "value", r"\\fs\office")),
    ],
    ids=["dropdown by text", "dropdown by value", "long decimal", "multi-text", "list box", "list box of names", "combo box", "text box"],
)  # fmt: skip
def test_each_presentation_type_is_written_with_its_value_type(tmp_path, name, values, written):
    kind, field, value = written
    assert _typed(tmp_path, name, values) == [
        {"@odata.type": f"#microsoft.graph.groupPolicyPresentationValue{kind}", field: value}
    ]


def test_values_come_out_in_the_catalogs_order_whatever_the_manifests(tmp_path):
    values = {"Run AutoArchive every (days):": 14, "Turn on AutoArchive": True}
    assert _typed(tmp_path, "AutoArchive Settings", values) == [
        {"@odata.type": "#microsoft.graph.groupPolicyPresentationValueBoolean", "value": True},
        {"@odata.type": "#microsoft.graph.groupPolicyPresentationValueDecimal", "value": 14},
    ]


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        (VBA, {"Macro notification:": "Sometimes"}, "'Sometimes' is not an item of 'Macro notification:' (dropdown list); its items (text, then value): 'Enable all macros (not recommended)' (1), 'Disable all macros with notification' (2), 'Disable all macros except digitally signed macros' (3)"),
        ("AutoArchive Settings", {"Run AutoArchive every (days):": 90}, "90 is out of range: 'Run AutoArchive every (days):' (decimal) takes 1 to 60"),
        ("AutoArchive Settings", {"Turn on AutoArchive": "yes"}, "expected true or false (check box), got 'yes'"),
        ("AutoArchive Settings", {"Run AutoArchive every (days):": True}, "expected an integer (decimal), got true"),
        ("List of managed add-ins", {"List of managed add-ins": "Contoso.Addin"}, "expected name: value pairs (a mapping) (list box), got 'Contoso.Addin'"),
        ("List of managed add-ins", {"List of managed add-ins": {"Contoso.Addin": None}}, "'Contoso.Addin' has no value: 'List of managed add-ins' (list box) takes a value for every name"),
        ("Trusted domain list", {"Domains:": ["a", "b", "c", "d"]}, "4 strings; 'Domains:' (multi-text box) takes at most 3"),
        ("Standard font", {"Font name:": "x" * 40}, "40 characters; 'Font name:' (combo box) takes at most 31"),
        ("Large PST: Maximum size", {"Sizes are in megabytes.": 1}, "'Sizes are in megabytes.' (label) is a label and takes no value"),
        ("Large PST: Maximum size", {"maximum size in MB": "big"}, "expected an integer (long decimal), got 'big'"),
        (VBA, {"Notification": "2"}, "'Notification' is not a presentation of this definition; its presentations: 'Macro notification:' (dropdown list)"),
        (BLOCK, {"Anything": True}, "'Anything': this definition has no presentations; it is only enabled or disabled"),
        ("Two labels alike", {"Name:": "x"}, "label 'Name:' names 2 presentations of this definition (ids "),
        ("Two labels alike", {"": "x"}, "an empty label names no presentation; give the id instead; presentations with an empty label: "),
    ],
    ids=["unknown dropdown item", "out of range", "check box given a string", "decimal given a bool", "list box given a string", "list box without value", "too many strings", "too long", "label only", "loose label, wrong type", "unknown label", "no presentations", "repeated label", "empty label"],
)  # fmt: skip
def test_a_value_the_presentation_does_not_take_is_located_with_what_it_takes(
    tmp_path, name, values, message
):
    entry = definition(name, WORD) if name == BLOCK else definition(name)
    settings = [{"definition": {"id": entry["id"]}, "enabled": True, "values": values}]
    problem = problems(tmp_path, settings)[0]  # (a required value left out comes after)
    key = next(iter(values))
    assert problem.startswith(f"spec.settings[0].values.{key}: {message}"), problem


def test_a_repeated_label_is_told_apart_by_its_presentation_id(tmp_path):
    entry = definition("Two labels alike")
    second = entry["presentations"][1]["id"]
    assert _typed(tmp_path, "Two labels alike", {second: "x"}) == [
        {"@odata.type": "#microsoft.graph.groupPolicyPresentationValueText", "value": "x"}
    ]


def test_a_required_presentation_left_out_of_an_enabled_setting_is_an_error(tmp_path):
    settings = [{"definition": VBA_ADDRESS, "enabled": True}]
    assert problems(tmp_path, settings) == [
        "spec.settings[0]: 'Macro notification:' (dropdown list) is required when the setting "
        "is enabled (its default is 'Enable all macros (not recommended)')"
    ]
    assert problems(tmp_path, [{"definition": VBA_ADDRESS, "enabled": False}]) == []


# --- comparing ----------------------------------------------------------------------------------


def test_the_same_settings_in_another_order_with_other_ids_plan_nothing(tmp_path):
    plan = make_plan(resolved(tmp_path), tenant(in_sync()), now=NOW)
    assert plan.is_empty, [c.fields for c in plan.changes]


def test_a_list_box_compares_as_a_set_of_pairs(tmp_path):
    addins = definition("List of managed add-ins")
    settings = [{"definition": {"id": addins["id"]}, "enabled": True, "values": {"List of managed add-ins": {"B": "0", "A": "1"}}}]  # fmt: skip
    pairs = [{"name": "A", "value": "1"}, {"name": "B", "value": "0"}]
    live = live_profile(
        definition_value(addins, presentation_value(addins, "List of managed add-ins", pairs))
    )
    assert make_plan(resolved(tmp_path, settings), tenant(live), now=NOW).is_empty


def test_plans_and_drift_name_a_changed_value_by_the_readable_address(tmp_path):
    desired = resolved(tmp_path)
    live = live_profile(vba_value("2"), definition_value(definition(BLOCK, WORD)))
    plan = make_plan(desired, tenant(live), now=NOW)
    (record,) = plan.changes[0].fields
    pointer = f"/spec/settings/{VBA_ADDRESS}/values/Macro notification:"
    assert record.details == (pointer,)
    text = plan_formats.text(plan_formats.plan_json(plan))
    # a dropdown is compared by the item's value and shown by its text
    was, now = (
        "Disable all macros with notification",
        "Disable all macros except digitally signed macros",
    )
    assert f'      ~ settings/{VBA_ADDRESS}/values/Macro notification: = "{was}" -> "{now}"' in text
    assert "Cost: 3 read requests (9 request units); 1 writes" in text
    report = drift_formats.text(drift_json(detect(desired, tenant(live), now=NOW)))
    assert f'differs at: {pointer}: live "{was}", desired "{now}"' in report


# --- writing ------------------------------------------------------------------------------------


def test_one_changed_value_is_sent_alone_and_whole_with_its_instance_ids(tmp_path):
    vba = definition(VBA)
    dropdown = presentation(vba, "Macro notification:")
    live = live_profile(
        vba_value("2", dv="dv-vba", pv="pv-vba"), definition_value(definition(BLOCK, WORD))
    )
    assert the_delta(resolved(tmp_path), live) == {
        "added": [],
        "updated": [
            {
                "id": "dv-vba",
                "enabled": True,
                "configurationType": "policy",
                "definition@odata.bind": bind(vba["id"]),
                "presentationValues": [
                    {
                        "@odata.type": "#microsoft.graph.groupPolicyPresentationValueText",
                        "value": "3",
                        "presentation@odata.bind": bind(vba["id"], dropdown["id"]),
                        "id": "pv-vba",
                    }
                ],
            }
        ],
        "deletedIds": [],
    }


def test_a_setting_added_and_one_removed_travel_in_the_same_call(tmp_path):
    settings = [*SETTINGS, {"definition": BLOCK_EXCEL, "enabled": True}]
    stray = definition_value(definition("Standard font"), value_id="dv-font")
    body = the_delta(resolved(tmp_path, settings), live_profile(*in_sync().body["settings"], stray))
    (added,) = body["added"]
    assert "id" not in added and added["definition@odata.bind"] == bind(
        definition(BLOCK, EXCEL)["id"]
    )
    assert (body["updated"], body["deletedIds"]) == ([], ["dv-font"])


def test_disabling_a_setting_sends_it_without_values(tmp_path):
    settings = [SETTINGS[0], {"definition": VBA_ADDRESS, "enabled": False}]
    (updated,) = the_delta(resolved(tmp_path, settings), in_sync())["updated"]
    assert (updated["enabled"], updated["presentationValues"]) == (False, [])


def test_a_create_posts_the_profile_then_adds_every_value_then_assigns(tmp_path):
    desired = resolved(tmp_path, assignments=[{"groupId": GROUP_A}], roleScopeTagIds=["0"])
    (change,) = make_plan(desired, tenant(), now=NOW).changes
    create, values, assign = change.steps
    assert (create.kind, create.path, create.body) == (
        StepKind.CREATE,
        PROFILES,
        {
            "@odata.type": "#microsoft.graph.groupPolicyConfiguration",
            "displayName": "Office - Trust Center",
            "roleScopeTagIds": ["0"],
        },
    )
    assert (
        values.path
        == PROFILES + "/{id:AdministrativeTemplatePolicy/trust-center}/updateDefinitionValues"
    )
    assert isinstance(values.body, dict)
    added = values.body["added"]
    assert isinstance(added, list) and len(added) == 2
    assert values.after == assign.after == (create.id,)
    assert assign.body == {
        "assignments": [
            {
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": GROUP_A,
                    "deviceAndAppManagementAssignmentFilterId": None,
                    "deviceAndAppManagementAssignmentFilterType": "none",
                }
            }
        ]
    }


def test_a_metadata_change_alone_is_one_patch(tmp_path):
    desired = resolved(tmp_path, description="Macro settings")
    (change,) = make_plan(desired, tenant(in_sync()), now=NOW).changes
    (step,) = change.steps
    assert (step.kind, step.body) == (
        StepKind.PATCH,
        {
            "@odata.type": "#microsoft.graph.groupPolicyConfiguration",
            "description": "Macro settings",
        },
    )


# --- what is refused ----------------------------------------------------------------------------


CUSTOM = definition("Contoso templates pane")
CUSTOM_VALUE = definition_value(
    CUSTOM, presentation_value(CUSTOM, "Template server URL:", "https://templates.contoso.com")
)
CUSTOM_SETTING = {
    "definition": {"id": CUSTOM["id"]},
    "enabled": True,
    "values": {"Template server URL:": "https://templates.contoso.com"},
}


def test_a_custom_admx_setting_is_compared_and_never_written(tmp_path):
    live = live_profile(*in_sync().body["settings"], CUSTOM_VALUE)
    desired = resolved(tmp_path, [*SETTINGS, CUSTOM_SETTING])
    assert make_plan(desired, tenant(live), now=NOW).is_empty
    changed = {**CUSTOM_SETTING, "values": {"Template server URL:": "https://elsewhere"}}
    edited = resolved(tmp_path, [*SETTINGS, changed])
    with pytest.raises(PlanError) as refused:
        make_plan(edited, tenant(live), now=NOW)
    assert "m/p.yaml:" in str(refused.value)
    assert (
        r"user:\Contoso Line-of-Business\Office Add-ins:Contoso templates pane: a definition "
        "of a custom (ingested) ADMX file; reconciler reads and drift-checks these"
        in str(refused.value)
    )
    assert drift_json(detect(edited, tenant(live), now=NOW))["drift"] is True
    with pytest.raises(PlanError, match="custom"):  # nor deleted when the manifest drops it
        make_plan(resolved(tmp_path), tenant(live), now=NOW)


def test_configuration_type_cannot_change_in_place(tmp_path):
    settings = [SETTINGS[0], {**SETTINGS[1], "configurationType": "preference"}]
    with pytest.raises(PlanError) as refused:
        make_plan(resolved(tmp_path, settings), tenant(in_sync()), now=NOW)
    assert "configurationType cannot change in place (policy -> preference)" in str(refused.value)
    assert "Remove the setting from the manifest and apply" in refused.value.hint


def test_leaving_out_a_value_an_enabled_setting_holds_is_refused(tmp_path):
    archive = definition("AutoArchive Settings")
    live = live_profile(
        definition_value(
            archive,
            presentation_value(archive, "Turn on AutoArchive", True),
            presentation_value(archive, "Run AutoArchive every (days):", 14),
        )
    )
    settings = [{"definition": {"id": archive["id"]}, "enabled": True, "values": {"Turn on AutoArchive": False}}]  # fmt: skip
    with pytest.raises(PlanError) as refused:
        make_plan(resolved(tmp_path, settings), tenant(live), now=NOW)
    assert "leaves out the value of 'Run AutoArchive every (days):' (live: 14)" in str(
        refused.value
    )


# --- export ---------------------------------------------------------------------------------------


def test_export_writes_readable_addresses_and_dropdown_texts_and_plans_nothing(tmp_path):
    odd = definition(r"Name with a \ backslash")
    addins, commands = definition("List of managed add-ins"), definition("Disable commands")
    live = live_profile(
        *in_sync().body["settings"],
        definition_value(odd, enabled=False),
        definition_value(addins, presentation_value(addins, "List of managed add-ins", [{"name": "A", "value": "1"}])),
        definition_value(commands, presentation_value(commands, "Enter a command ID to disable", [{"name": "12", "value": None}])),
    )  # fmt: skip
    files = manifest_set.manifest_files([live])
    assert sorted(files) == ["office-trust-center.yaml"]  # settings inline, no JSON file
    text = files["office-trust-center.yaml"]
    assert "'Macro notification:': Disable all macros except digitally signed macros" in text
    assert "Contoso" not in text and "- definition: {class: user" not in text
    exported = DefinitionValues().export(list(live.body["settings"]))
    assert [e["definition"] for e in exported] == [
        {"class": "user", "path": r"\Made Up\Slashes", "name": r"Name with a \ backslash"},
        f"user:{EXCEL}:{VBA}",
        r"user:\Microsoft Outlook 2016\Miscellaneous:List of managed add-ins",
        r"user:\Microsoft Word 2016\Disable Items in User Interface\Custom:Disable commands",
        BLOCK_WORD,
    ]
    assert exported[2]["values"] == {"List of managed add-ins": {"A": "1"}}
    assert exported[3]["values"] == {"Enter a command ID to disable": ["12"]}
    assert "values" not in exported[0] and exported[0]["enabled"] is False
    root = tmp_path / "exported"
    manifest_set.write_files(root, files)
    desired, issues = resolve(manifests.load([root]))
    assert issues == []
    assert make_plan(desired, tenant(live), now=NOW).is_empty


# --- catalog search ---------------------------------------------------------------------------


def test_search_prints_each_definition_as_a_setting_ready_to_paste(tmp_path):
    facet = REGISTRY.by_kind(KIND).facets["settings"]
    assert isinstance(facet, Children)
    shape = facet.shape
    found = read_like_graph(lambda found: shape.search("macro", found)[0])
    _, hits = shape.search("macro", found)
    assert [h.title for h in hits] == [BLOCK_EXCEL, VBA_ADDRESS, BLOCK_WORD]
    assert hits[1].lines[2:] == (
        f"- definition: '{VBA_ADDRESS}'",
        "  enabled: true",
        "  values:",
        "    'Macro notification:': 'Enable all macros (not recommended)'   # dropdown list, "
        "required: 'Enable all macros (not recommended)' (1), 'Disable all macros with "
        "notification' (2), 'Disable all macros except digitally signed macros' (3)",
    )
    (custom,) = shape.search("Contoso", read_like_graph(lambda f: shape.search("Contoso", f)[0]))[1]
    assert "#   a definition of a custom (ingested) ADMX file" in custom.lines[2]
