"""Aspects: the tenant survives a restart with a state file (Python API and the real CLI
process with SIGTERM), seeds load, state wins over seed, saves are atomic, bad files are
refused, and the seed builders produce loadable tenants."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from reconciler.emulator import Emulator, make_policy, make_tenant
from tests.support.raw import Graph, group_target
from tests.support.tenant import POLICIES, SECURITY_TYPE


def test_state_survives_a_restart(make_emulator, tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    first = Graph(make_emulator(state_path=state))
    policy = first.create(1, SECURITY_TYPE, displayName="kept")
    first.put(f"{POLICIES}/{policy['id']}/policyPayload", data=b"\x00bytes")
    first.post(
        f"{POLICIES}/{policy['id']}/assign",
        json={"officeConfigurationAssignments": [{"target": group_target("g")}]},
    )
    first.patch("/officeConfiguration", json={"tenantCheckinStatuses": []})
    first.emulator.stop()

    second = Graph(make_emulator(state_path=state))
    assert second.get(f"{POLICIES}/{policy['id']}").json()["displayName"] == "kept"
    assert second.get(f"{POLICIES}/{policy['id']}/policyPayload").content == b"\x00bytes"
    assignments = second.get(f"{POLICIES}/{policy['id']}/assignments").json()["value"]
    assert [a["target"]["groupId"] for a in assignments] == ["g"]
    assert second.emulator.tenant.snapshot() == json.loads(state.read_text())


def test_saves_leave_no_temporary_files(make_emulator, tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    graph = Graph(make_emulator(state_path=state))
    for priority in range(5):
        graph.create(priority)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tenant.json"]
    assert len(json.loads(state.read_text())["clientConfigurations"]) == 5


def test_failed_writes_do_not_touch_the_state_file(make_emulator, tmp_path: Path) -> None:
    state = tmp_path / "tenant.json"
    graph = Graph(make_emulator(state_path=state))
    graph.post(POLICIES, json={"priority": 1})
    assert not state.exists()


def test_seed_dict_file_and_state_precedence(make_emulator, tmp_path: Path) -> None:
    seed = make_tenant(
        [make_policy(display_name="seeded", priority=5, policy_payload={"a": 1}, groups=["g1"])],
        office_configuration={
            "tenantUserCheckinSummary": {"succeededUserCount": 1, "failedUserCount": 0}
        },
    )
    from_dict = Graph(make_emulator(seed=seed))
    listed = from_dict.get(POLICIES).json()["value"]
    assert [p["displayName"] for p in listed] == ["seeded"]
    assert from_dict.get(f"{POLICIES}/{listed[0]['id']}/policyPayload").content == b'{"a":1}'
    summary = from_dict.get("/officeConfiguration").json()["tenantUserCheckinSummary"]
    assert summary == {"succeededUserCount": 1, "failedUserCount": 0}

    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed))
    state = tmp_path / "state.json"
    with_state = Graph(make_emulator(seed=str(seed_file), state_path=state))
    with_state.create(6, displayName="added")
    with_state.emulator.stop()
    again = Graph(make_emulator(seed=seed_file, state_path=state))
    assert [p["displayName"] for p in again.get(POLICIES).json()["value"]] == ["seeded", "added"]


def test_minimal_seed_gets_ids_and_default_type(make_emulator) -> None:
    graph = Graph(
        make_emulator(
            seed={
                "clientConfigurations": [
                    {"priority": 1, "assignments": [{"target": group_target("g")}]}
                ]
            }
        )
    )
    policy = graph.get(POLICIES).json()["value"][0]
    assert policy["@odata.type"] == "#microsoft.graph.windowsOfficeClientConfiguration"
    assert len(policy["id"]) == 36
    assert graph.get(f"{POLICIES}/{policy['id']}/assignments").json()["value"][0]["id"]


@pytest.mark.parametrize(
    "seed",
    [
        {"clientConfigurations": [{"displayName": "no priority"}]},
        {"clientConfigurations": [{"priority": 1}, {"priority": 1}]},
        {"clientConfigurations": [{"priority": 1, "id": "x"}, {"priority": 2, "id": "x"}]},
        {
            "clientConfigurations": [
                {"priority": 1, "@odata.type": "#microsoft.graph.officeClientConfiguration"}
            ]
        },
        {"clientConfigurations": [{"priority": 1, "id": 5}]},
        {"clientConfigurations": [{"priority": 1, "assignments": ["g1"]}]},
        {"policies": []},
        [],
    ],
)
def test_invalid_seeds_are_refused(tmp_path: Path, seed: object) -> None:
    with pytest.raises(ValueError, match="invalid tenant document"):
        Emulator(seed=seed) if isinstance(seed, dict) else Emulator(seed=_write(tmp_path, seed))


def _write(directory: Path, data: object) -> Path:
    path = directory / "seed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_unreadable_seed_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ValueError, match="broken.json"):
        Emulator(seed=broken)


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    prefix = "Graph emulator listening on http://127.0.0.1:"
    if not (line.startswith(prefix) and line.endswith("/beta")):
        process.kill()
        _, err = process.communicate(timeout=10)
        raise AssertionError(f"unexpected first line {line!r}; stderr: {err}")
    return process, line.removeprefix("Graph emulator listening on ")


def stop_cli(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    return process.wait(timeout=10)


def test_cli_process_serves_saves_and_stops_cleanly(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    process, base = start_cli(
        "-m", "reconciler.emulator", "--state", str(state), "--random-seed", "1"
    )
    try:
        body = {"@odata.type": SECURITY_TYPE, "priority": 3, "displayName": "survivor"}
        assert requests.post(base + POLICIES, json=body, timeout=5).status_code == 201
    finally:
        assert stop_cli(process) == 0

    process, base = start_cli(
        "-m", "reconciler.emulator", "--state", str(state), "--streams", "separate"
    )
    try:
        listed = requests.get(base + POLICIES, timeout=5).json()["value"]
        assert [p["displayName"] for p in listed] == ["survivor"]
        assert "policyPayload" not in listed[0]
    finally:
        assert stop_cli(process, signal.SIGINT) == 0


def test_reconciler_emulator_subcommand_passes_options_through() -> None:
    process, base = start_cli("-m", "reconciler", "emulator", "--page-size", "5")
    try:
        assert requests.get(base + "/officeConfiguration", timeout=5).status_code == 200
    finally:
        assert stop_cli(process) == 0


def test_cli_refuses_bad_options_and_files(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reconciler.emulator", "--port", "0", *args],
            capture_output=True,
            text=True,
            timeout=20,
        )

    # Usage errors exit 1: 2 means "changes" or "drift" to the scripts that branch on it.
    assert run("--write-limit", "ten").returncode == 1
    assert run("--fail-rate", "1.5").returncode == 1
    assert run("--client-id", "only").returncode == 1
    missing = run("--seed", str(tmp_path / "missing.json"))
    assert missing.returncode == 1 and "missing.json" in missing.stderr
