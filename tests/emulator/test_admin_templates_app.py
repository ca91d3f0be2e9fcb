"""Aspects: what the app gives the Administrative Templates routes for free — $batch items (the
per-value reads of §A.7 in one batch, a write among them), the --state file round trip,
seeds built with make_group_policy_configuration (a value of every presentation type) and
their validation, stats route keys, throttling and injected 503s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator, make_group_policy_configuration
from reconciler.emulator.surfaces.admin_templates import seeds
from tests.support.raw import assert_graph_error

from .at import (
    BLOCK_MACROS,
    CONFIGURATIONS,
    EXCEL,
    GROUP_A,
    OUTLOOK,
    TRUST_CENTER,
    VBA,
    WORD,
    AdminTemplates,
    changes,
    dv,
    pv,
)


def every_type() -> list[dict[str, Any]]:
    """Seed values of every presentation type, by name and label."""
    word = r"\Microsoft Word 2016\Word Options"
    find = seeds.definition_id
    value = seeds.definition_value
    return [
        value(find(VBA, word + TRUST_CENTER), {"Macro notification:": "4"}),
        value(find(BLOCK_MACROS, EXCEL + TRUST_CENTER)),
        value(find("Trusted Location #1"), {"Path:": r"\\fs\t", "Allow sub folders": False}),
        value(
            find("Save AutoRecover info", word + r"\Save"),
            {"Save AutoRecover info every (minutes):": 3},
        ),
        value(
            find("Large PST: Warning threshold"), {"Warning threshold in MB:": 10_000_000_000 // 4}
        ),
        value(find("Standard font"), {"Font name:": "Arial"}),
        value(find("Trusted domain list"), {"Domains:": ["contoso.com"]}),
        value(
            find("List of managed add-ins"), {"List of managed add-ins": [("Contoso.Addin", "2")]}
        ),
        value(find("AutoArchive Settings"), enabled=False),
        value(
            find("Update Channel", class_type="machine"),
            {"Channel Name:": "Current"},
            configuration_type="preference",
        ),
    ]


def test_seeded_profiles_hold_every_presentation_type(make_emulator) -> None:
    profile = make_group_policy_configuration(
        "Seeded", values=every_type(), groups=[GROUP_A], description="s"
    )
    at = AdminTemplates(make_emulator(seed={"groupPolicyConfigurations": [profile]}))
    got = at.get(f"{CONFIGURATIONS}('{profile['id']}')").json()
    assert (got["displayName"], got["description"]) == ("Seeded", "s")
    read = at.read(profile["id"])
    assert [v["id"] for v in read] == [v["id"] for v in profile["definitionValues"]]
    kinds = {
        p["@odata.type"].removeprefix("#microsoft.graph.groupPolicyPresentationValue")
        for v in read
        for p in v["presentationValues"]
    }
    assert kinds == {"Text", "Boolean", "Decimal", "LongDecimal", "MultiText", "List"}
    by_name = {v["definition"]["displayName"]: v for v in read}
    assert by_name["AutoArchive Settings"]["enabled"] is False
    assert by_name["Update Channel"]["configurationType"] == "preference"
    assert by_name["List of managed add-ins"]["presentationValues"][0]["values"] == [
        {"name": "Contoso.Addin", "value": "2"}
    ]
    (assignment,) = at.list_all(f"{CONFIGURATIONS}/{profile['id']}/assignments")
    assert assignment["id"] == f"{profile['id']}_{GROUP_A}"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"displayName": "x", "definitionValues": [{"definitionId": "nope", "enabled": True}]},
            "catalog does not hold",
        ),
        ({"displayName": "x", "definitionValues": [{"enabled": True}]}, "no definitionId"),
        ({"description": "no name"}, "displayName"),
        ({"displayName": "x", "settings": []}, "unknown properties"),
        (
            {"displayName": "x", "policyConfigurationIngestionType": "odd"},
            "policyConfigurationIngestionType",
        ),
        ("not an object", "must be an object"),
    ],
)
def test_bad_seeds_are_refused(make_emulator, entry: Any, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        make_emulator(seed={"groupPolicyConfigurations": [entry]})


def test_a_seeded_value_is_checked_like_a_write(make_emulator) -> None:
    vba = seeds.definition_id(VBA, WORD + TRUST_CENTER)
    bad = make_group_policy_configuration(
        "x", values=[seeds.definition_value(vba, {"Macro notification:": "9"})]
    )
    with pytest.raises(ValueError, match="one of its items"):
        make_emulator(seed={"groupPolicyConfigurations": [bad]})
    with pytest.raises(KeyError):
        seeds.definition_id(BLOCK_MACROS)  # three applications have it


def test_state_file_round_trip(make_emulator, tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    first = AdminTemplates(make_emulator(state_path=state))
    profile = first.create("Kept")
    vba = first.definition(VBA, WORD + TRUST_CENTER)
    (dropdown,) = first.presentations(vba["id"]).values()
    first.updated(profile["id"], added=[dv(vba["id"], pv(vba["id"], dropdown["id"], "Text", "3"))])
    first.assign(
        profile["id"], {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_A}
    )
    before = first.read(profile["id"])
    saved = json.loads(state.read_text())
    (stored,) = saved["groupPolicyConfigurations"]
    assert stored["definitionValues"][0]["definitionId"] == vba["id"]
    assert "configurationPolicies" in saved and "clientConfigurations" in saved  # one document
    first.emulator.stop()

    second = AdminTemplates(make_emulator(state_path=state))
    assert second.read(profile["id"]) == before
    assert second.emulator.tenant.snapshot() == json.loads(state.read_text())


def test_batch_carries_the_per_value_reads_and_a_write(at: AdminTemplates) -> None:
    profile = at.create()
    pst = at.definition("Large PST: Maximum size", OUTLOOK + r"\Miscellaneous\PST Settings")
    block = at.definition(BLOCK_MACROS, WORD + TRUST_CENTER)
    write = {
        "id": "write", "method": "POST",
        "url": f"/deviceManagement/groupPolicyConfigurations('{profile['id']}')/updateDefinitionValues",
        "body": changes(added=[dv(block["id"])]), "headers": {"Content-Type": "application/json"},
    }  # fmt: skip
    assert at.batch(write).json()["responses"][0]["status"] == 204
    (value,) = at.read(profile["id"])
    base = f"deviceManagement/groupPolicyConfigurations/{profile['id']}"
    response = at.batch(
        {"id": "values", "method": "GET", "url": f"/{base}/definitionValues?$expand=definition"},
        {"id": "presentations", "method": "GET", "url": f"/{base}/definitionValues/{value['id']}/presentationValues?$expand=presentation"},
        {"id": "assignments", "method": "GET", "url": f"/{base}/assignments"},
        {"id": "catalog", "method": "GET", "url": f"/deviceManagement/groupPolicyDefinitions('{pst['id']}')/presentations"},
        {"id": "deep", "method": "GET", "url": f"/{base}/definitionValues?$expand=definition,presentationValues($expand=presentation)"},
    )  # fmt: skip
    replies = {r["id"]: r for r in response.json()["responses"]}
    assert replies["values"]["body"]["value"][0]["definition"]["id"] == block["id"]
    assert replies["presentations"]["body"]["value"] == []
    assert replies["assignments"]["body"]["value"] == []
    assert len(replies["catalog"]["body"]["value"]) == 2
    assert replies["deep"]["status"] == 400
    counted = at.emulator.stats()["batch_items_by_route"]
    assert (
        counted["POST /deviceManagement/groupPolicyConfigurations('{id}')/updateDefinitionValues"]
        == 1
    )
    assert (
        counted[
            "GET /deviceManagement/groupPolicyConfigurations/{id}/definitionValues/{vid}/presentationValues"
        ]
        == 1
    )


def test_stats_count_the_surface_routes(at: AdminTemplates) -> None:
    profile = at.create()
    at.updated(profile["id"])
    at.get(f"{CONFIGURATIONS}/{profile['id']}/definitionValues")
    stats = at.emulator.stats()
    assert stats["by_route"]["POST /deviceManagement/groupPolicyConfigurations"] == 1
    assert (
        stats["by_route"][
            "POST /deviceManagement/groupPolicyConfigurations('{id}')/updateDefinitionValues"
        ]
        == 1
    )
    assert (
        stats["by_route"]["GET /deviceManagement/groupPolicyConfigurations/{id}/definitionValues"]
        == 1
    )
    assert [(w["method"], w["status"]) for w in stats["write_log"]] == [
        ("POST", 201),
        ("POST", 204),
    ]


def test_throttling_and_injected_failures_apply(make_emulator) -> None:
    emulator: Emulator = make_emulator(throttle=True, write_limit="2/60")
    at = AdminTemplates(emulator)
    profile = at.create()
    at.updated(profile["id"])
    throttled = at.update(profile["id"], changes())
    assert_graph_error(throttled, 429)
    assert float(throttled.headers["Retry-After"]) > 0
    assert (
        at.get("/deviceManagement/groupPolicyDefinitions").status_code == 200
    )  # reads have their own budget
    emulator.configure(throttle=False, fail_rate=1.0)
    assert_graph_error(at.get(CONFIGURATIONS), 503)
    emulator.configure(fail_rate=0.0)
    assert len(at.list_all(CONFIGURATIONS)) == 1
