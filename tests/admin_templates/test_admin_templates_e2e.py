"""The Administrative Templates kind end to end over HTTP against the emulator: a profile with
values of every presentation type is created, applied and then plans nothing; a portal
change of one presentation value is drift naming the setting by its address, and the repair
is one updateDefinitionValues holding only that definition value (the others untouched on
the server), applied from the saved plan without reading the catalog again; removing a setting sends it in deletedIds; adopting a portal-made profile
writes only what differs (metadata by PATCH); export then plan is empty; bad input is a
located error with nothing written; the read is the documented one level of $expand at a
time in $batch; a custom ADMX definition is read and never written; catalog search prints
settings that plan as pasted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import make_group_policy_configuration
from reconciler.emulator.surfaces.admin_templates.seeds import definition_id, definition_value
from tests.support.cli import UNPACED, run
from tests.support.tenant import GROUP_A, GROUP_B

from .samples import SIGNED_ONLY, macro_settings

PROFILES = "/deviceManagement/groupPolicyConfigurations"
GRAPH = "https://graph.microsoft.com/beta"
FILTER = "2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c6d"
TRUST = r"\Security\Trust Center"
WORD = r"\Microsoft Word 2016\Word Options"
EXCEL = r"\Microsoft Excel 2016\Excel Options"
OUTLOOK = r"\Microsoft Outlook 2016"
BLOCK = "Block macros from running in Office files from the Internet"
VBA = "VBA Macro Notification Settings"
BLOCK_WORD = f"user:{WORD}{TRUST}:{BLOCK}"
VBA_EXCEL = f"user:{EXCEL}{TRUST}:{VBA}"
ARCHIVE = f"user:{OUTLOOK}\\Outlook Options\\Other\\AutoArchive:AutoArchive Settings"
COMMANDS = r"user:\Microsoft Word 2016\Disable Items in User Interface\Custom:Disable commands"
REMEMBER = f"user:{OUTLOOK}\\Account Settings\\E-mail:Disable 'Remember password' for Internet e-mail accounts"

# One setting per presentation type: check box and decimal (AutoArchive), dropdown by its
# text (VBA) and by its value (Update Channel), long decimal beside a label-only text (Large
# PST), list box with values and with names only, multi-text, combo box, text box; one with
# no presentations, one disabled, and the {class, path, name} and {id} forms.
EVERY_TYPE: list[dict[str, Any]] = [
    *macro_settings(BLOCK_WORD, VBA_EXCEL),
    {
        "definition": ARCHIVE,
        "enabled": True,
        "values": {
            "Turn on AutoArchive": True,
            "Run AutoArchive every (days):": 21,
            "Prompt before AutoArchive runs": False,
        },
    },
    {
        "definition": f"user:{OUTLOOK}\\Miscellaneous\\PST Settings:Large PST: Maximum size",
        "enabled": True,
        "values": {"Maximum size in MB:": 4_000_000_000},
    },
    {
        "definition": {
            "class": "user",
            "path": f"{OUTLOOK}\\Miscellaneous",
            "name": "List of managed add-ins",
        },
        "enabled": True,
        "values": {"List of managed add-ins": {"Contoso.Addin": "1", "Legacy.Addin": "0"}},
    },
    {
        "definition": COMMANDS,
        "enabled": True,
        "values": {"Enter a command ID to disable": ["12", "345"]},
    },
    {
        "definition": r"user:\Microsoft Office 2016\Security Settings\Trust Center:Trusted domain list",
        "enabled": True,
        "values": {"Domains:": ["contoso.com", "fabrikam.com"]},
    },
    {
        "definition": f"user:{EXCEL}\\General:Standard font",
        "enabled": True,
        "values": {"Font name:": "Calibri"},
    },
    {
        "definition": f"user:{WORD}\\Advanced\\File Locations:Default File Location",
        "enabled": True,
        "values": {"Documents:": "%USERPROFILE%\\Documents"},
    },
    {
        "definition": {
            "id": definition_id("Update Channel", r"\Microsoft Office 2016 (Machine)\Updates")
        },
        "enabled": True,
        "values": {"Channel Name:": "MonthlyEnterprise"},
    },
    {"definition": REMEMBER, "enabled": False},
]
ASSIGNMENTS = [
    {"groupId": GROUP_A, "filter": {"id": FILTER, "type": "include"}},
    {"target": "exclusionGroup", "groupId": GROUP_B},
]


def manifest(
    settings: list[dict[str, Any]], *, display: str = "Office - every type", **spec: Any
) -> str:
    return json.dumps(
        {
            "apiVersion": "reconciler/v1",
            "kind": "AdministrativeTemplatePolicy",
            "metadata": {"name": "every-type"},
            "spec": {"displayName": display, "settings": settings, **spec},
        }
    )


def write_set(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "profiles.yaml").write_text(text, encoding="utf-8")
    return root


def plan(capsys, emulator, root: Path, *extra: str):
    return run(capsys, "plan", str(root), "--graph-url", emulator.base_url, *extra)


def plan_json(capsys, emulator, root: Path) -> dict[str, Any]:
    result = plan(capsys, emulator, root, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def apply(capsys, emulator, source: Path, tmp_path: Path) -> None:
    result = run(
        capsys, "apply", str(source), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "state"), *UNPACED,
    )  # fmt: skip
    assert result.code == 0, result.err + result.out


def converged(capsys, emulator, root: Path) -> None:
    again = plan(capsys, emulator, root, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes. The tenant matches the manifests." in again.out


def profile(emulator) -> dict[str, Any]:
    (found,) = emulator.tenant.snapshot()["groupPolicyConfigurations"]
    return dict(found)


def stored_values(emulator) -> dict[str, dict[str, Any]]:
    """The profile's stored definition values by definition id."""
    return {v["definitionId"]: v for v in profile(emulator)["definitionValues"]}


def writes(emulator) -> list[tuple[str, str]]:
    return [(w["method"], w["path"]) for w in emulator.stats()["write_log"]]


def applied_every_type(capsys, emulator, tmp_path: Path) -> Path:
    root = write_set(tmp_path / "m", manifest(EVERY_TYPE, assignments=ASSIGNMENTS))
    apply(capsys, emulator, root, tmp_path)
    return root


def test_every_presentation_type_is_created_applied_and_then_plans_nothing(
    capsys, emulator, tmp_path
):
    root = write_set(tmp_path / "m", manifest(EVERY_TYPE, assignments=ASSIGNMENTS))
    body = plan_json(capsys, emulator, root)
    (change,) = body["changes"]
    assert change["action"] == "create"
    steps = [(s["kind"], s["method"], s["path"].rsplit("/", 1)[-1]) for s in change["steps"]]
    assert steps == [
        ("create", "POST", "groupPolicyConfigurations"),
        ("action", "POST", "updateDefinitionValues"),
        ("action", "POST", "assign"),
    ]
    shown = plan(capsys, emulator, root).out  # a created profile names each setting too
    assert f"      + settings/{ARCHIVE} = " in shown and f"      + settings/{REMEMBER} = " in shown
    apply(capsys, emulator, root, tmp_path)
    stored = profile(emulator)
    assert stored["displayName"] == "Office - every type"
    values = stored_values(emulator)
    assert len(values) == len(EVERY_TYPE)
    types = sorted(
        p["@odata.type"].removeprefix("#microsoft.graph.groupPolicyPresentationValue")
        for v in values.values()
        for p in v["presentationValues"]
    )
    assert types == sorted(
        ["Text", "Boolean", "Decimal", "Boolean", "LongDecimal", "List", "List", "MultiText"]
        + ["Text", "Text", "Text"]
    )
    update = values[definition_id("Update Channel", r"\Microsoft Office 2016 (Machine)\Updates")]
    assert update["presentationValues"][0]["value"] == "MonthlyEnterprise"
    vba = values[definition_id(VBA, EXCEL + TRUST)]
    assert vba["presentationValues"][0]["value"] == "3"  # the item's value, given by its text
    assert (
        values[definition_id("Disable 'Remember password' for Internet e-mail accounts")]["enabled"]
        is False
    )
    targets = {a["target"]["@odata.type"]: a["target"] for a in stored["assignments"]}
    group = targets["#microsoft.graph.groupAssignmentTarget"]
    assert group["deviceAndAppManagementAssignmentFilterId"] == FILTER
    assert targets["#microsoft.graph.exclusionGroupAssignmentTarget"]["groupId"] == GROUP_B
    converged(capsys, emulator, root)


def portal_sets_days(emulator, days: int) -> str:
    """An admin changes AutoArchive's interval in the portal: one updateDefinitionValues
    with that definition value whole, as the portal sends it. Returns its value id."""
    base = f"{emulator.base_url}{PROFILES}/{profile(emulator)['id']}"
    listed = requests.get(f"{base}/definitionValues?$expand=definition", timeout=10).json()
    (value,) = [
        v for v in listed["value"] if v["definition"]["displayName"] == "AutoArchive Settings"
    ]
    definition = value["definition"]["id"]
    url = f"{base}/definitionValues/{value['id']}/presentationValues?$expand=presentation"
    presentations = requests.get(url, timeout=10).json()["value"]
    sent = [
        {
            "@odata.type": p["@odata.type"],
            "id": p["id"],
            "value": days if p["presentation"]["label"].startswith("Run ") else p["value"],
            "presentation@odata.bind": f"{GRAPH}/deviceManagement/groupPolicyDefinitions"
            f"('{definition}')/presentations('{p['presentation']['id']}')",
        }
        for p in presentations
    ]
    update = {
        "id": value["id"],
        "enabled": True,
        "definition@odata.bind": f"{GRAPH}/deviceManagement/groupPolicyDefinitions('{definition}')",
        "presentationValues": sent,
    }
    answer = requests.post(
        f"{base}/updateDefinitionValues",
        json={"added": [], "updated": [update], "deletedIds": []},
        timeout=10,
    )
    assert answer.status_code == 204, answer.text
    return str(value["id"])


def test_a_portal_change_is_drift_by_address_and_the_saved_plan_sends_that_value_alone(
    capsys, emulator, tmp_path
):
    root = applied_every_type(capsys, emulator, tmp_path)
    changed = portal_sets_days(emulator, 30)
    drift = run(capsys, "drift", str(root), "--graph-url", emulator.base_url)
    assert drift.code == 2, drift.out + drift.err
    (line,) = [x for x in drift.out.splitlines() if "differs at:" in x]
    assert line.strip() == (
        f"differs at: /spec/settings/{ARCHIVE}/values/Run AutoArchive every (days):: "
        "live 30, desired 21"
    )
    shown = plan(capsys, emulator, root)
    assert f"~ settings/{ARCHIVE}/values/Run AutoArchive every (days): = 30 -> 21" in shown.out

    saved = tmp_path / "plan.json"
    assert plan(capsys, emulator, root, "--out", str(saved)).code == 0
    (change,) = json.loads(saved.read_text())["plan"]["changes"]
    (step,) = change["steps"]
    assert (step["method"], step["path"].rsplit("/", 1)[-1]) == ("POST", "updateDefinitionValues")
    assert step["body"]["added"] == [] and step["body"]["deletedIds"] == []
    (sent,) = step["body"]["updated"]
    live = stored_values(emulator)
    archive = next(v for v in live.values() if v["id"] == changed)
    assert sent["id"] == changed  # its instance id, and every presentation value whole
    assert [p["id"] for p in sent["presentationValues"]] == [
        p["id"] for p in archive["presentationValues"]
    ]
    assert sent["definition@odata.bind"].endswith(f"('{archive['definitionId']}')")

    before = {v["id"]: v["lastModifiedDateTime"] for v in live.values()}
    emulator.reset_stats()
    apply(capsys, emulator, saved, tmp_path)
    assert writes(emulator) == [("POST", step["path"])]
    stats = emulator.stats()
    read = [*stats["by_route"], *stats["batch_items_by_route"]]
    assert not [r for r in read if "groupPolicyDefinitions" in r or "Categories" in r], read
    after = {v["id"]: v["lastModifiedDateTime"] for v in stored_values(emulator).values()}
    assert set(after) == set(before)
    assert [i for i in after if after[i] != before[i]] == [changed]  # only that value written
    converged(capsys, emulator, root)


def test_removing_a_setting_sends_it_in_deleted_ids(capsys, emulator, tmp_path):
    root = applied_every_type(capsys, emulator, tmp_path)
    gone = stored_values(emulator)[
        definition_id(
            "Disable commands", r"\Microsoft Word 2016\Disable Items in User Interface\Custom"
        )
    ]["id"]
    kept = [s for s in EVERY_TYPE if s["definition"] != COMMANDS]
    write_set(root, manifest(kept, assignments=ASSIGNMENTS))
    (change,) = plan_json(capsys, emulator, root)["changes"]
    (step,) = change["steps"]
    assert step["body"] == {"added": [], "updated": [], "deletedIds": [gone]}
    shown = plan(capsys, emulator, root)
    assert f"- settings/{COMMANDS} (was " in shown.out
    apply(capsys, emulator, root, tmp_path)
    assert gone not in {v["id"] for v in stored_values(emulator).values()}
    assert len(stored_values(emulator)) == len(kept)
    converged(capsys, emulator, root)


def test_adopting_a_portal_made_profile_writes_only_what_differs(capsys, make_emulator, tmp_path):
    vba, block = definition_id(VBA, EXCEL + TRUST), definition_id(BLOCK, WORD + TRUST)
    seeded = make_group_policy_configuration(
        "Office - macros",
        description="made in the portal",
        values=[
            definition_value(vba, {"Macro notification:": "2"}, value_id="dv-vba"),
            definition_value(block, value_id="dv-block"),
        ],
        groups=[GROUP_A],
    )
    emulator = make_emulator(seed={"groupPolicyConfigurations": [seeded]})
    settings = [
        {"definition": BLOCK_WORD, "enabled": True},
        {
            "definition": VBA_EXCEL,
            "enabled": True,
            "values": {"Macro notification:": SIGNED_ONLY},
        },
        {"definition": ARCHIVE, "enabled": True, "values": {"Turn on AutoArchive": True}},
    ]
    root = write_set(
        tmp_path / "m",
        manifest(
            settings,
            display="Office - macros",
            description="kept in git",
            assignments=[{"groupId": GROUP_A}],
        ),
    )
    (change,) = plan_json(capsys, emulator, root)["changes"]
    assert change["action"] == "update" and change["object_id"] == seeded["id"]
    by_path = {s["path"].rsplit("/", 1)[-1]: s for s in change["steps"]}
    assert set(by_path) == {seeded["id"], "updateDefinitionValues"}  # no assign: the same set
    assert by_path[seeded["id"]]["method"] == "PATCH"
    assert by_path[seeded["id"]]["body"] == {
        "@odata.type": "#microsoft.graph.groupPolicyConfiguration",
        "description": "kept in git",
    }
    delta = by_path["updateDefinitionValues"]["body"]
    assert [v["id"] for v in delta["updated"]] == ["dv-vba"]  # not the unchanged block value
    assert delta["updated"][0]["presentationValues"][0]["value"] == "3"
    (added,) = delta["added"]
    assert "id" not in added and added["definition@odata.bind"].endswith(
        f"('{definition_id('AutoArchive Settings')}')"
    )
    assert delta["deletedIds"] == []
    apply(capsys, emulator, root, tmp_path)
    assert stored_values(emulator)[block]["id"] == "dv-block"
    converged(capsys, emulator, root)


def test_export_then_plan_is_empty(capsys, emulator, tmp_path):
    applied_every_type(capsys, emulator, tmp_path)
    out = tmp_path / "exported"
    exported = run(
        capsys, "export", "--graph-url", emulator.base_url, "--out", str(out),
        "--kind", "AdministrativeTemplatePolicy",
    )  # fmt: skip
    assert exported.code == 0, exported.err
    (file,) = out.glob("*.yaml")
    text = file.read_text(encoding="utf-8")
    assert f"- definition: '{BLOCK_WORD}'" in text or f"- definition: {BLOCK_WORD}" in text
    # a dropdown is exported by its item's text, whether the manifest gave text or value
    assert "'Channel Name:': Monthly Enterprise Channel" in text
    assert "'Macro notification:': Disable all macros except digitally signed macros" in text
    assert "presentationValues" not in text and "@odata.bind" not in text
    converged(capsys, emulator, out)


BAD = "\n".join(
    [
        "apiVersion: reconciler/v1",
        "kind: AdministrativeTemplatePolicy",
        "metadata:",
        "  name: bad",
        "spec:",
        "  displayName: Office - bad",
        "  settings:",
        "    - definition: {definition}",
        "      enabled: {enabled}",
        "      values:",
        "        {label}: {value}",
        "",
    ]
)
AUTOARCHIVE = f"'{ARCHIVE}'"


@pytest.mark.parametrize(
    ("definition", "enabled", "label", "value", "where", "message"),
    [
        (
            r"'user:\Microsoft Word 2016 Trust Center'",
            "true", "x", "1", "8:19",
            r"spec.settings[0].definition: 'user:\Microsoft Word 2016 Trust Center': after the "
            r"class, the category path starts with '\' and ends at the ':' before the display "
            r"name, e.g. 'user:\Microsoft Word 2016\Word Options:<display name>'",
        ),
        (
            AUTOARCHIVE, "true", "'Run every:'", "3", "11:23",
            "spec.settings[0].values.Run every:: 'Run every:' is not a presentation of this "
            "definition; its presentations: 'Turn on AutoArchive' (check box), 'Run AutoArchive "
            "every (days):' (decimal), 'Prompt before AutoArchive runs' (check box)",
        ),
        (
            AUTOARCHIVE, "true", "'Run AutoArchive every (days):'", "61", "11:42",
            "spec.settings[0].values.Run AutoArchive every (days):: 61 is out of range: "
            "'Run AutoArchive every (days):' (decimal) takes 1 to 60",
        ),
        (
            AUTOARCHIVE, "true", "Turn on AutoArchive", "'yes'", "11:30",
            "spec.settings[0].values.Turn on AutoArchive: expected true or false (check box), "
            "got 'yes'",
        ),
        (
            f"'user:{OUTLOOK}\\Miscellaneous:List of managed add-ins'",
            "true", "List of managed add-ins", "Contoso.Addin", "11:34",
            "spec.settings[0].values.List of managed add-ins: expected name: value pairs (a "
            "mapping) (list box), got 'Contoso.Addin'",
        ),
        (
            f"'{VBA_EXCEL}'", "true", "'Macro notification:'", "Sometimes", "11:32",
            "spec.settings[0].values.Macro notification:: 'Sometimes' is not an item of "
            "'Macro notification:' (dropdown list); its items (text, then value): 'Enable all "
            "macros (not recommended)' (1), 'Disable all macros with notification' (2), "
            "'Disable all macros except digitally signed macros' (3), 'Disable all macros "
            "without notification' (4)",
        ),
        (
            AUTOARCHIVE, "false", "Turn on AutoArchive", "true", "10:7",
            "spec.settings[0].values: a disabled setting takes no values (Graph keeps none); "
            "remove 'values', or set enabled: true",
        ),
        (
            f"'user:{WORD}\\Security:{BLOCK}'", "true", "x", "1", "8:19",
            "spec.settings[0].definition: no definition at this path in this tenant's "
            f"catalog; a definition of that name is under 'user:{WORD}{TRUST}', "
            f"'user:{EXCEL}{TRUST}', "
            "'user:\\Microsoft PowerPoint 2016\\PowerPoint Options\\Security\\Trust Center'",
        ),
    ],
    ids=[
        "address form", "no such presentation", "out of range", "check box given a string",
        "list box given a string", "unknown dropdown item", "values when disabled",
        "unknown definition",
    ],
)  # fmt: skip
def test_bad_input_is_a_located_error_and_nothing_is_written(
    capsys, emulator, tmp_path, definition, enabled, label, value, where, message
):
    root = tmp_path / "m"
    root.mkdir()
    text = BAD.format(definition=definition, enabled=enabled, label=label, value=value)
    (root / "p.yaml").write_text(text, encoding="utf-8")
    result = run(
        capsys, "apply", str(root), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 1, result.out + result.err
    first = result.err.splitlines()[0]
    assert first == f"error: {root}/p.yaml:{where}: {message}", result.err
    assert "Traceback" not in result.err
    assert emulator.stats()["writes"] == 0


def test_the_read_is_one_expand_level_at_a_time_in_batch(capsys, make_emulator, tmp_path):
    vba = definition_id(VBA, EXCEL + TRUST)
    archive = definition_id("AutoArchive Settings")
    seeds = [
        make_group_policy_configuration(
            f"Office - p{i}",
            values=[
                definition_value(vba, {"Macro notification:": "3"}),
                definition_value(archive, {"Turn on AutoArchive": True}),
            ],
        )
        for i in range(3)
    ]
    emulator = make_emulator(seed={"groupPolicyConfigurations": seeds})
    settings = [
        {
            "definition": VBA_EXCEL,
            "enabled": True,
            "values": {"Macro notification:": SIGNED_ONLY},
        },
        {"definition": ARCHIVE, "enabled": True, "values": {"Turn on AutoArchive": True}},
    ]
    root = write_set(tmp_path / "m", manifest(settings, display="Office - p0"))
    emulator.reset_stats()
    result = plan(capsys, emulator, root, "--detailed-exitcode")
    assert result.code == 0, result.out + result.err
    # per profile: its definition values (with their definitions) and its assignments; per
    # definition value: its presentation values (with their presentations); the catalog:
    # each address's $filter, each definition's presentations, the custom categories
    assert emulator.stats()["batch_items_by_route"] == {
        f"GET {PROFILES}/{{id}}/definitionValues": 3,
        f"GET {PROFILES}/{{id}}/assignments": 3,
        f"GET {PROFILES}/{{id}}/definitionValues/{{vid}}/presentationValues": 6,
        "GET /deviceManagement/groupPolicyDefinitions": 2,
        "GET /deviceManagement/groupPolicyDefinitions('{did}')/presentations": 2,
        "GET /deviceManagement/groupPolicyCategories": 1,
    }
    assert "Cost: " in result.out and "request units" in result.out


def test_a_custom_admx_definition_is_read_compared_and_never_written(
    capsys, make_emulator, tmp_path
):
    custom = definition_id("Contoso templates pane")
    seeded = make_group_policy_configuration(
        "Office - contoso",
        values=[definition_value(custom, {"Template server URL:": "https://old.contoso.com"})],
    )
    emulator = make_emulator(seed={"groupPolicyConfigurations": [seeded]})
    address = r"user:\Contoso Line-of-Business\Office Add-ins:Contoso templates pane"
    settings = [
        {
            "definition": address,
            "enabled": True,
            "values": {"Template server URL:": "https://new.contoso.com"},
        }
    ]
    root = write_set(tmp_path / "m", manifest(settings, display="Office - contoso"))
    drift = run(capsys, "drift", str(root), "--graph-url", emulator.base_url)
    assert drift.code == 2, drift.out + drift.err
    assert f"/spec/settings/{address}/values/Template server URL:" in drift.out
    result = run(
        capsys, "apply", str(root), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "s"),
    )  # fmt: skip
    assert result.code == 1
    assert "custom (ingested) ADMX" in result.err and "Traceback" not in result.err
    assert emulator.stats()["writes"] == 0


def test_catalog_search_prints_settings_that_plan_as_pasted(capsys, emulator, tmp_path):
    found = run(
        capsys, "catalog", "search", "AutoArchive", "--kind", "AdministrativeTemplatePolicy",
        "--graph-url", emulator.base_url,
    )  # fmt: skip
    assert found.code == 0, found.err
    lines = found.out.splitlines()
    start = lines.index(f"- definition: '{ARCHIVE}'")
    assert "'Run AutoArchive every (days):': 14   # decimal, 1 to 60" in found.out
    pasted = [f"    {line}" for line in lines[start:] if line.strip()]
    text = "\n".join(
        [
            "apiVersion: reconciler/v1",
            "kind: AdministrativeTemplatePolicy",
            "metadata: {name: pasted}",
            "spec:",
            "  displayName: Office - pasted",
            "  settings:",
            *pasted,
            "",
        ]
    )
    root = write_set(tmp_path / "m", text)
    (change,) = plan_json(capsys, emulator, root)["changes"]
    (added,) = [s for s in change["steps"] if s["path"].endswith("updateDefinitionValues")]
    (value,) = added["body"]["added"]
    assert [p["value"] for p in value["presentationValues"]] == [False, 14, True]


def test_settings_added_and_removed_in_the_portal_are_drift_by_address(capsys, emulator, tmp_path):
    root = applied_every_type(capsys, emulator, tmp_path)
    base = f"{emulator.base_url}{PROFILES}/{profile(emulator)['id']}"
    gone = stored_values(emulator)[
        definition_id(
            "Disable commands", r"\Microsoft Word 2016\Disable Items in User Interface\Custom"
        )
    ]["id"]
    vba_project = definition_id("Trust access to Visual Basic Project", WORD + TRUST)
    added = {
        "enabled": True,
        "definition@odata.bind": f"{GRAPH}/deviceManagement/groupPolicyDefinitions('{vba_project}')",
        "presentationValues": [],
    }
    answer = requests.post(
        f"{base}/updateDefinitionValues",
        json={"added": [added], "updated": [], "deletedIds": [gone]},
        timeout=10,
    )
    assert answer.status_code == 204, answer.text
    drift = run(capsys, "drift", str(root), "--graph-url", emulator.base_url)
    assert drift.code == 2, drift.out + drift.err
    lines = sorted(x.strip() for x in drift.out.splitlines() if "differs at:" in x)
    assert len(lines) == 2, drift.out
    extra, missing = (
        f"differs at: /spec/settings/user:{WORD}{TRUST}:Trust access to Visual Basic Project: live ",
        f"differs at: /spec/settings/{COMMANDS}: live absent, desired ",
    )
    assert any(x.startswith(extra) and x.endswith(", desired absent") for x in lines), lines
    assert any(x.startswith(missing) for x in lines), lines
    (change,) = plan_json(capsys, emulator, root)["changes"]
    (step,) = change["steps"]
    new_id = next(
        v["id"] for v in stored_values(emulator).values() if v["definitionId"] == vba_project
    )
    assert step["body"]["deletedIds"] == [new_id] and step["body"]["updated"] == []
    (re_added,) = step["body"]["added"]
    assert [p["values"] for p in re_added["presentationValues"]] == [
        [{"name": "12", "value": None}, {"name": "345", "value": None}]
    ]


def test_a_preference_setting_is_created_as_one_and_plans_nothing(capsys, emulator, tmp_path):
    settings = [{**macro_settings(BLOCK_WORD, VBA_EXCEL)[1], "configurationType": "preference"}]
    root = write_set(tmp_path / "m", manifest(settings))
    apply(capsys, emulator, root, tmp_path)
    (stored,) = stored_values(emulator).values()
    assert stored["configurationType"] == "preference"
    converged(capsys, emulator, root)
    write_set(root, manifest(macro_settings(BLOCK_WORD, VBA_EXCEL)[1:]))  # back to policy
    refused = plan(capsys, emulator, root)
    assert refused.code == 1
    assert "configurationType cannot change in place (preference -> policy)" in refused.err
    assert "Traceback" not in refused.err
