"""Aspects of the Settings Catalog end to end over HTTP against the emulator: an empty tenant
is planned, applied and then plans nothing; the same settings read back in another order
with other ids plan nothing; a setting changed "in the portal" is drift naming it (exit 2)
and is repaired by one PUT of that policy only; export then plan is empty; a policy made
from a template is never touched, even by --prune; an unknown setting or option is a
located error before any write; the read costs one unit per policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import make_configuration_policy
from reconciler.emulator.surfaces.settings_catalog.seeds import choice
from tests.support.cli import UNPACED, run
from tests.support.tenant import GROUP_A, GROUP_B

from .samples import EXCEL_MACROS, SAVE_AS, SAVE_AS_CHILD, WORD_MACROS

POLICIES = "/deviceManagement/configurationPolicies"
FILTER = "2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c6d"


def manifest(name: str, display: str, settings: list[dict[str, Any]], **spec: Any) -> str:
    body = {
        "name": display,
        "platforms": "windows10",
        "technologies": "mdm",
        "settings": settings,
        **spec,
    }
    return json.dumps(
        {
            "apiVersion": "reconciler/v1",
            "kind": "SettingsCatalogPolicy",
            "metadata": {"name": name},
            "spec": body,
        }
    )


def choice_instance(definition: str, option: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": definition,
        "choiceSettingValue": {"value": f"{definition}_{option}", "children": list(children)},
    }


MACROS = [choice_instance(WORD_MACROS, "1"), choice_instance(EXCEL_MACROS, "1")]
SAVE = [choice_instance(SAVE_AS, "1", choice_instance(SAVE_AS_CHILD, "51"))]
ASSIGNMENTS = [
    {"groupId": GROUP_A, "filter": {"id": FILTER, "type": "include"}},
    {"target": "exclusionGroup", "groupId": GROUP_B},
]


def write_set(root: Path, *docs: str, scope: list[str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "policies.yaml").write_text("\n---\n".join(docs), encoding="utf-8")
    if scope is not None:
        (root / "reconciler.yaml").write_text(json.dumps({"scope": scope}), encoding="utf-8")
    return root


def office_set(tmp_path: Path) -> Path:
    return write_set(
        tmp_path / "m",
        manifest("macros", "Office - macros", MACROS, assignments=ASSIGNMENTS),
        manifest("save", "Office - save format", SAVE),
        scope=["SettingsCatalogPolicy/Office - *"],
    )


def plan(capsys, emulator, root: Path, *extra: str):
    return run(capsys, "plan", str(root), "--graph-url", emulator.base_url, *extra)


def plan_json(capsys, emulator, root: Path, *extra: str) -> dict[str, Any]:
    result = plan(capsys, emulator, root, "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def apply(capsys, emulator, root: Path, tmp_path: Path, *extra: str) -> None:
    result = run(
        capsys, "apply", str(root), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "state"), *UNPACED, *extra,
    )  # fmt: skip
    assert result.code == 0, result.err + result.out


def policies(emulator) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in emulator.tenant.snapshot()["configurationPolicies"]}


def writes(emulator) -> list[dict[str, Any]]:
    return [w for w in emulator.stats()["write_log"] if w["path"].startswith(POLICIES)]


def test_empty_tenant_is_created_applied_and_then_plans_nothing(capsys, emulator, tmp_path):
    root = office_set(tmp_path)
    body = plan_json(capsys, emulator, root)
    assert [c["action"] for c in body["changes"]] == ["create", "create"]
    steps = [(s["kind"], s["purpose"]) for c in body["changes"] for s in c["steps"]]
    assert steps == [("create", None), ("action", "assign"), ("create", None)]
    apply(capsys, emulator, root, tmp_path)
    live = policies(emulator)
    assert set(live) == {"Office - macros", "Office - save format"}
    targets = {
        a["target"]["@odata.type"]: a["target"] for a in live["Office - macros"]["assignments"]
    }
    assert (
        targets["#microsoft.graph.groupAssignmentTarget"][
            "deviceAndAppManagementAssignmentFilterId"
        ]
        == FILTER
    )
    assert "#microsoft.graph.exclusionGroupAssignmentTarget" in targets
    again = plan(capsys, emulator, root, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes. The tenant matches the manifests." in again.out


def test_settings_in_another_order_with_other_ids_plan_nothing(capsys, make_emulator, tmp_path):
    # The live policy holds the manifest's settings in another order (the emulator numbers
    # them "0".."N-1" as it stores them, so their ids differ from any the manifest gives).
    seeded = make_configuration_policy(
        "Office - macros",
        settings=[choice(EXCEL_MACROS, "_1"), choice(WORD_MACROS, "_1")],
        targets=[
            {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": GROUP_A,
                "deviceAndAppManagementAssignmentFilterId": FILTER,
                "deviceAndAppManagementAssignmentFilterType": "include",
            },
            {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": GROUP_B},
        ],
    )
    emulator = make_emulator(seed={"configurationPolicies": [seeded]})
    root = write_set(
        tmp_path / "m", manifest("macros", "Office - macros", MACROS, assignments=ASSIGNMENTS)
    )
    result = plan(capsys, emulator, root, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def test_a_portal_change_is_drift_naming_the_setting_and_one_put_repairs_it(
    capsys, emulator, tmp_path
):
    root = office_set(tmp_path)
    apply(capsys, emulator, root, tmp_path)
    save = policies(emulator)["Office - save format"]
    edited = choice_instance(SAVE_AS, "1", choice_instance(SAVE_AS_CHILD, "52"))
    portal = {
        "name": save["name"], "platforms": "windows10", "technologies": "mdm",
        "roleScopeTagIds": ["0"], "templateReference": {"templateId": ""},
        "settings": [{"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting", "settingInstance": edited}],
    }  # fmt: skip
    import requests

    answer = requests.put(f"{emulator.base_url}{POLICIES}/{save['id']}", json=portal, timeout=10)
    assert answer.status_code == 204, answer.text
    drift = run(capsys, "drift", str(root), "--graph-url", emulator.base_url)
    assert drift.code == 2, drift.out + drift.err
    line = next(x for x in drift.out.splitlines() if "differs at:" in x)
    path = f"/spec/settings/{SAVE_AS}/value/children/…{SAVE_AS_CHILD[len(SAVE_AS) :]}/value/value"
    assert line.startswith(f"        differs at: {path}: live "), line
    assert line.endswith('s1_52", desired "…elfilesas1_51"'), line  # the difference in sight
    body = plan_json(capsys, emulator, root)
    (change,) = body["changes"]
    assert [(s["method"], s["path"]) for s in change["steps"]] == [
        ("PUT", f"{POLICIES}/{save['id']}")
    ]
    emulator.reset_stats()
    apply(capsys, emulator, root, tmp_path)
    assert [(w["method"], w["path"]) for w in writes(emulator)] == [
        ("PUT", f"{POLICIES}/{save['id']}")
    ]
    assert plan(capsys, emulator, root, "--detailed-exitcode").code == 0


def test_export_then_plan_is_empty(capsys, emulator, tmp_path):
    root = office_set(tmp_path)
    apply(capsys, emulator, root, tmp_path)
    out = tmp_path / "exported"
    exported = run(
        capsys,
        "export",
        "--graph-url",
        emulator.base_url,
        "--out",
        str(out),
        "--kind",
        "SettingsCatalogPolicy",
    )
    assert exported.code == 0, exported.err
    settings_files = sorted(p.name for p in (out / "settings").glob("*.json"))
    assert settings_files == ["office-macros.json", "office-save-format.json"]
    saved = json.loads((out / "settings" / "office-macros.json").read_text())
    assert all("id" not in s and "auditRuleInformation" not in s["settingInstance"] for s in saved)
    result = plan(capsys, emulator, out, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


def test_a_policy_made_from_a_template_is_never_touched(capsys, make_emulator, tmp_path):
    baseline = make_configuration_policy(
        "Office - macros", settings=[choice(WORD_MACROS, "_0")], template_family="baseline",
        policy_id="5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
    )  # fmt: skip
    emulator = make_emulator(seed={"configurationPolicies": [baseline]})
    root = write_set(tmp_path / "m", manifest("macros", "Office - macros", MACROS), scope=["*/*"])
    body = plan_json(capsys, emulator, root, "--prune")
    assert [c["action"] for c in body["changes"]] == ["create"]  # not adopted, not pruned
    assert body["unmanaged"] == []
    pinned = json.loads(manifest("macros", "Office - macros", MACROS))
    pinned["metadata"]["id"] = baseline["id"]
    (tmp_path / "m" / "policies.yaml").write_text(json.dumps(pinned))
    refused = plan(capsys, emulator, root)
    assert refused.code == 1
    assert (
        "is not a SettingsCatalogPolicy: its templateReference/templateFamily is 'baseline', not 'none'"
        in refused.err
    )
    apply(
        capsys,
        emulator,
        write_set(tmp_path / "n", manifest("macros", "Office - macros", MACROS), scope=["*/*"]),
        tmp_path,
        "--prune",
    )
    assert emulator.tenant.snapshot()["configurationPolicies"][0]["id"] == baseline["id"]
    assert all(w["path"] != f"{POLICIES}/{baseline['id']}" for w in emulator.stats()["write_log"])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            [choice_instance(WORD_MACROS, "7")],
            f"'{WORD_MACROS}_7' is not an option of this setting; the valid options are the "
            "setting's id followed by _0 (Disabled), _1 (Enabled)",
        ),
        (
            [choice_instance("user_vendor_msft_policy_config_made_up", "1")],
            "'user_vendor_msft_policy_config_made_up' is not a setting of this tenant's Settings Catalog",
        ),
    ],
    ids=["unknown option", "unknown setting"],
)
def test_the_tenants_catalog_checks_the_settings_before_any_write(
    capsys, emulator, tmp_path, settings, message
):
    root = tmp_path / "m"
    root.mkdir()
    (root / "p.yaml").write_text(manifest("bad", "Office - bad", settings))
    result = run(
        capsys, "apply", str(root), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 1
    (first, *_rest) = result.err.splitlines()
    assert first.startswith(f"error: {root}/p.yaml:1:") and first.endswith(message), result.err
    assert emulator.stats()["writes"] == 0


def test_the_read_costs_the_list_and_one_unit_per_policy(capsys, make_emulator, tmp_path):
    seeds = [
        make_configuration_policy(f"Office - p{i:02d}", settings=[choice(WORD_MACROS, "_1")])
        for i in range(30)
    ]
    emulator = make_emulator(seed={"configurationPolicies": seeds})
    root = write_set(
        tmp_path / "m", manifest("p00", "Office - p00", [choice_instance(WORD_MACROS, "1")])
    )
    body = plan_json(capsys, emulator, root)
    # 1 list page ($top=100, as the portal pages) + 30 policies (one GET with $expand each)
    # + 1 definition
    assert body["cost"]["read_units"] == 1 + 30 + 1
    stats = emulator.stats()["batch_items_by_route"]
    assert stats.get(f"GET {POLICIES}/{{id}}/settings", 0) == 0  # never a /settings read per policy
