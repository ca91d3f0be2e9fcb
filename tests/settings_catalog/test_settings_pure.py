"""Aspects of the Settings Catalog kind without HTTP: what a manifest may paste as settings
and how a bad one is located; the comparison (a tree keyed by definition id, ids and
annotations and unknown keys never differ, value types do, collections as multisets);
the writes (PUT of the whole policy for settings, PATCH for metadata, POST with settings
inline then assign); platforms as create-only, and its replacement; adoption by name and
platform after the one normalisation of names; secret values; the catalog check."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine import catalog
from reconciler.engine.drift import detect, drift_json
from reconciler.engine.planner import make_plan
from reconciler.errors import ManifestError, PlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Children
from reconciler.kinds.registry import Registry
from reconciler.kinds.settings_catalog import SettingTree
from reconciler.load import manifests
from reconciler.load.locate import located
from reconciler.values.desired import Desired
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Purpose, StepKind
from tests.core.builders import resource
from tests.support.tenant import GROUP_A, GROUP_B

from .samples import (
    EXCEL_MACROS,
    INTEGER,
    SAVE_AS,
    SAVE_AS_CHILD,
    SECRET,
    SETTING,
    WORD_MACROS,
    as_read,
    choice,
    definition,
    simple,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
KIND = "SettingsCatalogPolicy"
PATH = "/deviceManagement/configurationPolicies"
SHAPE = SettingTree()
KEY = "settingInstance/settingDefinitionId"

SETTINGS = [choice(WORD_MACROS, "1"), choice(SAVE_AS, "1", choice(SAVE_AS_CHILD, "51"))]


def manifest(settings: Any = SETTINGS, **spec: Any) -> str:
    body = {
        "name": "Office - block internet macros",
        "platforms": "windows10",
        "technologies": "mdm",
        "settings": settings,
        **spec,
    }
    document = {
        "apiVersion": "reconciler/v1",
        "kind": KIND,
        "metadata": {"name": "macros"},
        "spec": body,
    }
    return json.dumps(document, indent=1)


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files are shown relative to where the command ran


def load(tmp_path: Path, text: str | None = None, **files: Any):
    root = tmp_path / "m"
    root.mkdir(exist_ok=True)
    (root / "p.yaml").write_text(text or manifest(), encoding="utf-8")
    for name, content in files.items():
        written = content if isinstance(content, str) else json.dumps(content, indent=2)
        (root / name).write_text(written, encoding="utf-8")
    return manifests.load(["m"])


def live_policy(settings: list[Any] | None = None, **body: Any) -> LiveObject:
    read = [
        as_read(s, str(i)) for i, s in enumerate(settings if settings is not None else SETTINGS)
    ]
    values: dict[str, Any] = {
        "id": "p-1",
        "name": "Office - block internet macros",
        "description": None,
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "settingCount": len(read),
        "isAssigned": False,
        "createdDateTime": "2026-11-01T10:00:00Z",
        "lastModifiedDateTime": "2026-11-02T10:00:00Z",
        "creationSource": None,
        "priorityMetaData": None,
        "templateReference": {
            "templateId": "",
            "templateFamily": "none",
            "templateDisplayName": None,
        },
        "settings": read,
        "assignments": [],
        **body,
    }
    return LiveObject(kind=KIND, id="p-1", body=values, identity="name")


def tenant(*objects: LiveObject) -> Live:
    return Live(graph_url="http://127.0.0.1:1/beta", objects=objects)


# --- what a manifest may paste --------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        [{"settingInstance": s} for s in SETTINGS],  # what .../settings returns
        {"@odata.context": "x", "value": [as_read(s, str(i)) for i, s in enumerate(SETTINGS)]},
        {
            "name": "exported policy",
            "settings": [{"id": "9", "settingInstance": s} for s in SETTINGS],
        },
        SETTINGS,  # bare setting instances
    ],
    ids=["array", "page", "export", "bare"],
)
def test_each_pasted_form_reads_as_the_same_settings(tmp_path, document):
    (resource,) = load(tmp_path, manifest({"file": "s.json"}), **{"s.json": document}).resources
    items = resource.spec["settings"]
    assert [i["@odata.type"] for i in items] == [SETTING, SETTING]
    assert SHAPE.view(items, KEY) == SHAPE.view([{"settingInstance": s} for s in SETTINGS], KEY)
    assert all("@odata.id" not in json.dumps(i) for i in items)


def _issues(tmp_path: Path, document: Any) -> list[str]:
    with pytest.raises(ManifestError) as raised:
        load(tmp_path, manifest({"file": "s.json"}), **{"s.json": document})
    return [str(i) for i in raised.value.issues]


def test_a_settings_file_with_no_settings_is_one_located_error(tmp_path):
    (issue,) = _issues(tmp_path, {"value": []})
    assert issue == "m/s.json:2:12: value: holds no settings"


def test_an_instance_without_its_type_is_located_in_the_settings_file(tmp_path):
    bad = [dict(SETTINGS[0]), {k: v for k, v in SETTINGS[1].items() if k != "@odata.type"}]
    (issue,) = _issues(tmp_path, bad)
    # the second element of the array, in the pretty-printed file
    text = json.dumps(bad, indent=2)
    line = text[: text.index('"settingDefinitionId": "' + SAVE_AS)].count("\n")
    assert issue.startswith(f"m/s.json:{line}:"), issue
    assert issue.endswith("[1]: a setting instance needs its '@odata.type'")


def test_duplicate_definition_ids_at_one_level_are_refused(tmp_path):
    (issue,) = _issues(tmp_path, [SETTINGS[0], SETTINGS[0]])
    assert f"setting '{WORD_MACROS}' is given more than once here" in issue


def test_an_unknown_shape_and_a_wrong_value_type_are_refused(tmp_path):
    issues = _issues(
        tmp_path,
        [
            {"@odata.type": "#microsoft.graph.madeUpInstance", "settingDefinitionId": "x"},
            simple("y", "twelve", INTEGER),
            {**simple("z", "v"), "simpleSettingValue": {"value": "no type"}},
        ],
    )
    assert any("unknown setting instance type" in i for i in issues)
    assert any("holds an integer" in i for i in issues)
    assert any("needs its '@odata.type'" in i for i in issues)


def test_inline_settings_are_located_in_the_manifest(tmp_path):
    text = manifest([{"settingDefinitionId": "x"}])
    with pytest.raises(ManifestError) as raised:
        load(tmp_path, text)
    (issue,) = raised.value.issues
    assert issue.file.endswith("p.yaml") and issue.path == "spec.settings[0]"


# --- comparison --------------------------------------------------------------------------


def test_a_live_policy_holding_the_settings_in_another_order_plans_nothing(tmp_path):
    desired = load(tmp_path)
    reordered = live_policy(list(reversed(SETTINGS)))
    assert make_plan(desired, tenant(reordered), now=NOW).is_empty


def test_a_changed_child_is_named_by_definition_ids_and_is_one_put(tmp_path):
    desired = load(tmp_path)
    changed = [SETTINGS[0], choice(SAVE_AS, "1", choice(SAVE_AS_CHILD, "52"))]
    (change,) = make_plan(desired, tenant(live_policy(changed)), now=NOW).changes
    (record,) = change.fields
    child = SAVE_AS_CHILD.replace("~", "~0")
    assert record.details == (
        f"/spec/settings/{SAVE_AS.replace('~', '~0')}/value/children/{child}/value/value",
    )
    (step,) = change.steps
    assert (step.kind, step.method, step.path) == (StepKind.PUT, "PUT", f"{PATH}/p-1")
    body = step.body
    assert isinstance(body, dict)
    assert body["settings"] == load(tmp_path).resources[0].spec["settings"]
    assert body["templateReference"] == {"templateId": ""}
    assert body["roleScopeTagIds"] == ["0"] and body["platforms"] == "windows10"
    for server_set in ("id", "settingCount", "isAssigned", "createdDateTime", "assignments"):
        assert server_set not in body


def test_the_simple_value_type_and_the_instance_type_count(tmp_path):
    text = manifest([simple("device_x", "5")])
    integer = live_policy([simple("device_x", 5, INTEGER)])
    assert not make_plan(load(tmp_path, text), tenant(integer), now=NOW).is_empty
    same = live_policy([simple("device_x", "5")])
    assert make_plan(load(tmp_path, text), tenant(same), now=NOW).is_empty


def test_simple_collections_compare_as_multisets():
    collection = "#microsoft.graph.deviceManagementConfigurationSimpleSettingCollectionInstance"

    def instance(values: list[str]) -> dict[str, Any]:
        return {
            "settingInstance": {
                "@odata.type": collection,
                "settingDefinitionId": "c",
                "simpleSettingCollectionValue": [
                    {
                        "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue",
                        "value": v,
                    }
                    for v in values
                ],
            }
        }

    assert SHAPE.view([instance(["a", "b"])], KEY) == SHAPE.view([instance(["b", "a"])], KEY)
    assert SHAPE.view([instance(["a", "a"])], KEY) != SHAPE.view([instance(["a"])], KEY)


def test_metadata_alone_is_a_patch_and_assignments_one_assign(tmp_path):
    text = manifest(
        description="managed",
        assignments=[
            {"groupId": GROUP_A, "filter": {"id": GROUP_B, "type": "exclude"}},
            {"target": "exclusionGroup", "groupId": GROUP_B},
        ],
    )
    (change,) = make_plan(load(tmp_path, text), tenant(live_policy()), now=NOW).changes
    patch, assign = change.steps
    assert (patch.kind, patch.body) == (
        StepKind.PATCH,
        {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationPolicy",
            "description": "managed",
        },
    )
    assert (assign.kind, assign.purpose, assign.path) == (
        StepKind.ACTION,
        Purpose.ASSIGN,
        f"{PATH}/p-1/assign",
    )
    body: Any = assign.body
    targets = [a["target"]["@odata.type"] for a in body["assignments"]]
    assert targets == [
        "#microsoft.graph.exclusionGroupAssignmentTarget",
        "#microsoft.graph.groupAssignmentTarget",
    ]


def test_a_create_posts_the_settings_inline_then_assigns(tmp_path):
    text = manifest(assignments=[{"target": "allDevices"}])
    (change,) = make_plan(load(tmp_path, text), tenant(), now=NOW).changes
    create, assign = change.steps
    posted: Any = create.body
    assert create.path == PATH and posted["settings"][0]["@odata.type"] == SETTING
    assert posted["templateReference"] == {"templateId": ""}
    assert posted["@odata.type"] == "#microsoft.graph.deviceManagementConfigurationPolicy"
    assert assign.after == (create.id,)
    assert assign.body == {
        "assignments": [
            {
                "target": {
                    "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget",
                    "deviceAndAppManagementAssignmentFilterId": None,
                    "deviceAndAppManagementAssignmentFilterType": "none",
                }
            }
        ]
    }


# --- identity and create-only fields ----------------------------------------------------------


def test_adoption_needs_the_same_platforms_and_ignores_unicode_composition(tmp_path):
    text = manifest(name="Caf\u00e9 macros")  # NFC
    nfd = live_policy(name="Cafe\u0301 macros")
    (adopted,) = make_plan(load(tmp_path, text), tenant(nfd), now=NOW).changes
    # One name, so the live policy is adopted (not doubled); its spelling is then written.
    assert adopted.action == Action.UPDATE and adopted.object_id == "p-1"
    assert [r.field for r in adopted.fields] == ["name"]
    mac = live_policy(name="Caf\u00e9 macros", platforms="macOS")
    (change,) = make_plan(load(tmp_path, text), tenant(mac), now=NOW).changes
    assert change.action == Action.CREATE  # a macOS policy of that name is another policy


def test_a_changed_platform_is_refused_with_a_hint_or_replaced_when_asked(tmp_path):
    text = manifest(platforms="macOS")
    pinned = json.loads(text)
    pinned["metadata"]["id"] = "p-1"
    desired = load(tmp_path, json.dumps(pinned))
    with pytest.raises(PlanError) as raised:
        make_plan(desired, tenant(live_policy()), now=NOW)
    assert "platforms cannot change once the policy exists ('windows10' -> 'macOS')" in str(
        raised.value
    )
    assert f"--replace {KIND}/macros" in raised.value.hint
    (change,) = make_plan(
        desired, tenant(live_policy()), now=NOW, replace=[f"{KIND}/macros"]
    ).changes
    assert change.action == Action.REPLACE
    assert [s.kind for s in change.steps] == [StepKind.CREATE, StepKind.DELETE]
    assert change.steps[-1].path == f"{PATH}/p-1" and change.steps[-1].after == (
        change.steps[0].id,
    )


# --- secrets --------------------------------------------------------------------------------


def test_a_secret_is_compared_on_presence_and_never_shown(tmp_path):
    live_secret = [SETTINGS[0], simple("device_secret", "84db67dd-token", SECRET)]
    desired = load(tmp_path, manifest(SETTINGS))
    report = drift_json(detect(desired, tenant(live_policy(live_secret)), now=NOW))
    assert "84db67dd-token" not in json.dumps(report)
    assert report["drift"] is True


def test_a_plan_that_would_put_a_secret_back_is_refused(tmp_path):
    live_secret = [SETTINGS[0], simple("device_secret", "84db67dd-token", SECRET)]
    declared = [choice(WORD_MACROS, "0"), simple("device_secret", "plain", SECRET)]
    with pytest.raises(PlanError, match="secret value of device_secret"):
        make_plan(load(tmp_path, manifest(declared)), tenant(live_policy(live_secret)), now=NOW)


def test_a_secret_the_manifest_leaves_out_is_planned_as_removed_and_not_shown(tmp_path):
    live_secret = [SETTINGS[0], simple("device_secret", "84db67dd-token", SECRET)]
    desired = load(tmp_path, manifest([SETTINGS[0], choice(EXCEL_MACROS, "1")]))
    (change,) = make_plan(desired, tenant(live_policy(live_secret)), now=NOW).changes
    assert "/spec/settings/device_secret" in change.fields[0].details
    assert "84db67dd-token" not in json.dumps([r.model_dump() for r in change.fields])


# --- the tenant's catalog -----------------------------------------------------------------------


def entries_by_url(definitions: dict[str, Any]) -> dict[str, Any]:
    """Catalog answers as the catalog reads give them: by the URL of each definition."""
    return {f"/deviceManagement/configurationSettings/{i}": d for i, d in definitions.items()}


def resolved_problems(desired: Any, entries: dict[str, Any]) -> list[catalog.ChildIssue]:
    resolved, problems = catalog.resolve(desired, entries, root="http://127.0.0.1:1/beta")
    assert resolved.resources[0].spec == desired.resources[0].spec  # checked, not changed
    return problems


def test_unknown_settings_and_options_are_errors_located_in_the_settings_file(tmp_path):
    settings = [choice(WORD_MACROS, "2"), choice("user_unknown", "1")]
    desired = load(
        tmp_path,
        manifest({"file": "s.json"}),
        **{"s.json": [{"settingInstance": s} for s in settings]},
    )
    wanted = catalog.lookups(desired, {})
    assert {r.url for r in wanted} == {
        f"/deviceManagement/configurationSettings/{WORD_MACROS}",
        "/deviceManagement/configurationSettings/user_unknown",
    }
    entries = entries_by_url({WORD_MACROS: definition(WORD_MACROS), "user_unknown": None})
    assert catalog.lookups(desired, entries) == []
    issues = located(desired, resolved_problems(desired, entries))
    by_message = {i.message.split(";")[0]: i for i in issues}
    option = by_message[f"'{WORD_MACROS}_2' is not an option of this setting"]
    assert (
        option.file == "m/s.json" and option.path == "[0].settingInstance.choiceSettingValue.value"
    )
    assert "options are the setting's id followed by _0 (Disabled), _1 (Enabled)" in option.message
    text = (tmp_path / "m/s.json").read_text()
    assert option.line == text[: text.index(f'"{WORD_MACROS}_2"')].count("\n") + 1
    unknown = by_message["'user_unknown' is not a setting of this tenant's Settings Catalog"]
    assert unknown.path == "[1].settingInstance.settingDefinitionId"


def test_the_catalog_check_reaches_children(tmp_path):
    desired = load(tmp_path)
    entries = entries_by_url(
        {
            WORD_MACROS: definition(WORD_MACROS),
            SAVE_AS: definition(SAVE_AS),
            SAVE_AS_CHILD: definition(SAVE_AS_CHILD, 3),
        }
    )
    (problem,) = resolved_problems(desired, entries)
    assert problem.path == ("choiceSettingValue", "children", 0, "choiceSettingValue", "value")
    assert "_51' is not an option" in problem.message


def test_a_create_keeps_declared_scope_tags_and_fills_in_only_what_is_unset(tmp_path):
    (change,) = make_plan(
        load(tmp_path, manifest(roleScopeTagIds=["7"])), tenant(), now=NOW
    ).changes
    posted: Any = change.steps[0].body
    assert posted["roleScopeTagIds"] == ["7"]  # not the default ["0"]
    assert posted["templateReference"] == {"templateId": ""}  # unset: the default


def test_only_a_set_with_catalog_items_reads_the_catalog(tmp_path):
    assert catalog.uses_catalog(load(tmp_path))
    office = Desired(resources=(resource("a", displayName="A", priority=1),), manifest_hash="h")
    assert not catalog.uses_catalog(office)
    # the registry given decides: a Settings Catalog kind whose settings have no catalog
    sc = REGISTRY.by_kind(KIND)
    plain = {
        n: dataclasses.replace(f, catalog="") if isinstance(f, Children) else f
        for n, f in sc.facets.items()
    }
    uncatalogued = Registry([dataclasses.replace(sc, facets=plain)])
    assert not catalog.uses_catalog(load(tmp_path), kinds=uncatalogued)
