"""Aspects: what the app gives the Settings Catalog routes for free — $batch items
(GET {id}?$expand=settings,assignments, /settings?top=1000), the --state file round trip,
seeds (template-bound policies included) and their validation, stats route keys,
throttling and injected 503s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.surfaces.settings_catalog import seeds
from tests.support.raw import assert_graph_error

from .sc import (
    GROUP_A,
    POLICIES,
    SAVE_AS,
    SYNTHETIC_SECRET,
    WORD_MACROS,
    SettingsCatalog,
    choice,
    group,
    save_as,
    secret,
)


def test_batch_reads_policies_with_settings_and_assignments(sc: SettingsCatalog) -> None:
    ids = [sc.create(f"P{i}", choice(WORD_MACROS, "_1"), save_as())["id"] for i in range(3)]
    sc.assign(ids[0], group(GROUP_A))
    items: list[dict[str, Any]] = [
        {
            "id": f"get{i}",
            "method": "GET",
            "url": f"/deviceManagement/configurationPolicies/{pid}?$expand=settings,assignments",
        }
        for i, pid in enumerate(ids)
    ] + [
        {
            "id": "settings",
            "method": "GET",
            "url": f"deviceManagement/configurationPolicies/{ids[1]}/settings?&top=1000",
        },
        {
            "id": "bad",
            "method": "PATCH",
            "url": f"/deviceManagement/configurationPolicies/{ids[1]}/settings/0",
            "body": {},
            "headers": {"Content-Type": "application/json"},
        },
    ]
    response = sc.batch(*items)
    assert response.status_code == 200, response.text
    replies = {r["id"]: r for r in response.json()["responses"]}
    assert [replies[f"get{i}"]["body"]["id"] for i in range(3)] == ids
    assert (
        len(replies["get0"]["body"]["settings"]) == 2
        and len(replies["get0"]["body"]["assignments"]) == 1
    )
    assert replies["get2"]["body"]["assignments"] == []
    assert [s["id"] for s in replies["settings"]["body"]["value"]] == ["0", "1"]
    assert replies["bad"]["status"] == 400
    assert replies["bad"]["body"]["error"]["code"] == "No method match route template"
    counted = sc.emulator.stats()["batch_items_by_route"]
    assert counted["GET /deviceManagement/configurationPolicies/{id}"] == 3
    assert counted["GET /deviceManagement/configurationPolicies/{id}/settings"] == 1


def test_state_file_round_trip(make_emulator, tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    first = SettingsCatalog(make_emulator(state_path=state))
    policy = first.create("Kept", choice(WORD_MACROS, "_1"), secret(SYNTHETIC_SECRET, "s3cret"))
    first.assign(policy["id"], group(GROUP_A))
    before = first.policy(policy["id"], "?$expand=settings,assignments")
    saved = json.loads(state.read_text())
    assert [p["name"] for p in saved["configurationPolicies"]] == ["Kept"]
    assert "clientConfigurations" in saved  # one document for every surface
    first.emulator.stop()

    second = SettingsCatalog(make_emulator(state_path=state))
    after = second.policy(policy["id"], "?$expand=settings,assignments")
    assert after == {**before, "@odata.context": after["@odata.context"]}
    assert second.emulator.tenant.snapshot() == json.loads(state.read_text())


def test_seeds_load_and_template_bound_policies_are_served(make_emulator) -> None:
    plain = seeds.make_configuration_policy(
        "Seeded",
        settings=[
            seeds.choice(WORD_MACROS, "_1"),
            seeds.choice(SAVE_AS, "_1", [seeds.choice(SAVE_AS + "_l_saveexcelfilesas1", "_51")]),
        ],
        groups=[GROUP_A],
    )
    antivirus = seeds.make_configuration_policy(
        "Defender AV",
        template_family="endpointSecurityAntivirus",
        template_display_name="Microsoft Defender Antivirus",
        template_display_version="Version 1",
    )
    session = SettingsCatalog(make_emulator(seed={"configurationPolicies": [plain, antivirus]}))
    got = session.policy(plain["id"], "?$expand=settings,assignments")
    assert got["settingCount"] == 2 and got["isAssigned"] is True
    assert got["assignments"][0]["id"] == f"{plain['id']}_{GROUP_A}"
    bound = session.policy(antivirus["id"])
    assert bound["templateReference"]["templateFamily"] == "endpointSecurityAntivirus"
    assert bound["templateReference"]["templateId"].endswith("_1")
    assert bound["templateReference"]["templateDisplayName"] == "Microsoft Defender Antivirus"
    scoped = session.list_all(f"{POLICIES}?$filter=templateReference/templateFamily eq 'none'")
    assert [p["name"] for p in scoped] == ["Seeded"]
    # The template binding survives a PUT and cannot be dropped.
    body = {"name": "AV", "platforms": "windows10", "technologies": "mdm", "settings": []}
    assert session.put(f"{POLICIES}/{antivirus['id']}", json=body).status_code == 204
    assert (
        session.policy(antivirus["id"])["templateReference"]["templateFamily"]
        == "endpointSecurityAntivirus"
    )
    drop = {**body, "templateReference": {"templateId": ""}}
    assert_graph_error(session.put(f"{POLICIES}/{antivirus['id']}", json=drop), 400)


@pytest.mark.parametrize(
    "entry",
    [
        {
            "name": "x",
            "platforms": "windows10",
            "technologies": "mdm",
            "settings": [{"settingInstance": choice("nope", "_1")}],
        },
        {
            "name": "x",
            "platforms": "windows10",
            "technologies": "mdm",
            "templateReference": {"templateFamily": "bogus"},
        },
        {"platforms": "windows10", "technologies": "mdm"},
        "not an object",
    ],
)
def test_bad_seeds_are_refused(make_emulator, entry) -> None:
    with pytest.raises(ValueError, match="configurationPolicies"):
        make_emulator(seed={"configurationPolicies": [entry]})


def test_stats_count_the_surface_routes(sc: SettingsCatalog) -> None:
    policy = sc.create()
    sc.get(f"{POLICIES}('{policy['id']}')")
    sc.patch(f"{POLICIES}/{policy['id']}", json={"name": "n"})
    stats = sc.emulator.stats()
    assert stats["by_route"]["POST /deviceManagement/configurationPolicies"] == 1
    assert stats["by_route"]["GET /deviceManagement/configurationPolicies('{id}')"] == 1
    assert stats["writes_ok"] == 2
    assert [w["method"] for w in stats["write_log"]] == ["POST", "PATCH"]


def test_throttling_and_injected_failures_apply(make_emulator) -> None:
    emulator: Emulator = make_emulator(throttle=True, write_limit="2/60")
    session = SettingsCatalog(emulator)
    session.create("a")
    session.create("b")
    throttled = session.post(
        POLICIES, json={"name": "c", "platforms": "windows10", "technologies": "mdm"}
    )
    assert_graph_error(throttled, 429)
    assert float(throttled.headers["Retry-After"]) > 0
    assert session.get(POLICIES).status_code == 200  # reads have their own budget
    emulator.configure(throttle=False, fail_rate=1.0)
    assert_graph_error(session.get(POLICIES), 503)
    emulator.configure(fail_rate=0.0)
    assert len(session.list_all(POLICIES)) == 2
