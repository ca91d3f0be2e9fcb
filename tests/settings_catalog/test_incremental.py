"""Aspects of `drift --refresh incremental --cache-dir` and the catalog cache, end to end
against the emulator: the first run reads everything and keeps it; the next reads only the
list (with its assignments) and finds nothing new; a policy whose settings changed in the
portal is read again alone and reported; an assignment changed by `assign` (which leaves
lastModifiedDateTime alone) is found from the list; created and deleted policies are seen;
every N-th run reads everything; a cache of another tenant, or a damaged one, is ignored;
the catalog cache spares the definition lookups (D = 0) until it expires."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator.surfaces.settings_catalog.seeds import choice
from reconciler.fetch import cache as caches
from tests.support.cli import run
from tests.support.tenant import GROUP_B

from .samples import WORD_MACROS, macro_policies

POLICIES = "/deviceManagement/configurationPolicies"
COUNT = 12


def _seed() -> dict[str, Any]:
    return macro_policies(COUNT)


@pytest.fixture
def setup(capsys, make_emulator, tmp_path):
    emulator = make_emulator(seed=_seed())
    root = tmp_path / "m"
    exported = run(capsys, "export", "--graph-url", emulator.base_url, "--out", str(root))
    assert exported.code == 0, exported.err
    return emulator, root, tmp_path / "cache"


def drift(capsys, emulator, root: Path, cache: Path, *extra: str) -> tuple[int, dict, str]:
    result = run(
        capsys, "drift", str(root), "--graph-url", emulator.base_url, "--format", "json",
        "--cache-dir", str(cache), "--refresh", "incremental", *extra,
    )  # fmt: skip
    assert result.code in (0, 2), result.err
    return result.code, json.loads(result.out), result.err


def by_name(emulator) -> dict[str, dict[str, Any]]:
    listed = requests.get(f"{emulator.base_url}{POLICIES}?$top=100", timeout=10).json()["value"]
    return {p["name"]: p for p in listed}


def test_the_next_run_reads_only_the_list_then_only_what_changed(capsys, setup):
    emulator, root, cache = setup
    code, body, err = drift(capsys, emulator, root, cache)
    assert code == 0 and "Full read of" in err
    full = body["read_units"]
    assert full == 1 + COUNT + 2  # the list page, a GET per policy, two definitions
    code, body, err = drift(capsys, emulator, root, cache)
    assert code == 0 and f"Incremental read: {COUNT} of {COUNT}" in err
    assert body["read_units"] == 1  # the list page; definitions from the catalog cache

    target = by_name(emulator)["Office - p03"]
    portal = {
        "name": target["name"], "platforms": "windows10", "technologies": "mdm",
        "roleScopeTagIds": ["0"], "templateReference": {"templateId": ""},
        "settings": [{"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
                      "settingInstance": choice(WORD_MACROS, "_0")}],
    }  # fmt: skip
    answer = requests.put(f"{emulator.base_url}{POLICIES}/{target['id']}", json=portal, timeout=10)
    assert answer.status_code == 204
    code, body, err = drift(capsys, emulator, root, cache)
    assert code == 2 and f"Incremental read: {COUNT - 1} of {COUNT}" in err
    assert body["read_units"] == 1 + 1
    drifted = [r["address"] for r in body["resources"] if r["status"] == "drifted"]
    assert drifted == ["SettingsCatalogPolicy/office-p03"]
    assert {f["field"] for f in body["resources"][3]["fields"]} == {"settings"}


def test_an_assign_is_found_from_the_list_although_it_leaves_the_marker(capsys, setup):
    emulator, root, cache = setup
    drift(capsys, emulator, root, cache)
    target = by_name(emulator)["Office - p05"]
    body = {"assignments": [{"target": {
        "@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP_B}}]}  # fmt: skip
    answer = requests.post(
        f"{emulator.base_url}{POLICIES}/{target['id']}/assign", json=body, timeout=10
    )
    assert answer.status_code == 200
    assert (
        by_name(emulator)["Office - p05"]["lastModifiedDateTime"] == target["lastModifiedDateTime"]
    )
    code, report, err = drift(capsys, emulator, root, cache)
    assert code == 2 and f"Incremental read: {COUNT} of {COUNT}" in err
    (drifted,) = [r for r in report["resources"] if r["status"] == "drifted"]
    assert drifted["address"] == "SettingsCatalogPolicy/office-p05"
    assert [f["field"] for f in drifted["fields"]] == ["assignments"]


def test_created_and_deleted_policies_are_seen(capsys, setup):
    emulator, root, cache = setup
    drift(capsys, emulator, root, cache)
    gone = by_name(emulator)["Office - p07"]
    assert requests.delete(f"{emulator.base_url}{POLICIES}/{gone['id']}", timeout=10).ok
    extra = {"name": "Office - new", "platforms": "windows10", "technologies": "mdm",
             "settings": [{"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
                           "settingInstance": choice(WORD_MACROS, "_1")}]}  # fmt: skip
    assert requests.post(f"{emulator.base_url}{POLICIES}", json=extra, timeout=10).ok
    code, body, err = drift(capsys, emulator, root, cache, "--scope", "*/*")
    assert code == 2
    assert [r["address"] for r in body["resources"] if r["status"] == "missing"] == [
        "SettingsCatalogPolicy/office-p07"
    ]
    assert [u["display_name"] for u in body["unmanaged"]] == ["Office - new"]
    # the list, the new policy, and the deleted one's pinned id (a 404: it is gone)
    assert body["read_units"] == 1 + 1 + 1


def test_every_nth_run_reads_everything(capsys, setup):
    emulator, root, cache = setup
    units = [
        drift(capsys, emulator, root, cache, "--full-read-every", "3")[1]["read_units"]
        for _ in range(5)
    ]
    assert units == [1 + COUNT + 2, 1, 1, 1 + COUNT, 1]


def test_a_cache_of_another_tenant_or_a_damaged_one_is_ignored(capsys, setup):
    emulator, root, cache = setup
    drift(capsys, emulator, root, cache)
    (folder,) = cache.iterdir()
    kept = json.loads((folder / "read.json").read_text())
    (folder / "read.json").write_text(json.dumps({**kept, "tenant_id": "someone-else"}))
    assert "Full read of" in drift(capsys, emulator, root, cache)[2]
    (folder / "read.json").write_text("{not json")
    assert "Full read of" in drift(capsys, emulator, root, cache)[2]


def test_incremental_needs_a_cache_dir(capsys, setup):
    emulator, root, _ = setup
    result = run(
        capsys, "drift", str(root), "--graph-url", emulator.base_url, "--refresh", "incremental"
    )
    assert result.code == 1 and "--refresh incremental needs --cache-dir" in result.err


def test_the_catalog_cache_spares_the_lookups_until_it_expires(capsys, setup, monkeypatch):
    emulator, root, cache = setup
    plan = ["plan", str(root), "--graph-url", emulator.base_url, "--format", "json"]
    first = json.loads(run(capsys, *plan, "--cache-dir", str(cache)).out)["cost"]
    second = json.loads(run(capsys, *plan, "--cache-dir", str(cache)).out)["cost"]
    assert first["read_units"] == second["read_units"] + 2  # D = 2, then 0
    monkeypatch.setattr(caches, "CATALOG_MAX_AGE", caches.timedelta(0))
    third = json.loads(run(capsys, *plan, "--cache-dir", str(cache)).out)["cost"]
    assert third["read_units"] == first["read_units"]
