"""Aspects of the emulator's multi-tenant mode: the token endpoint issues tokens only for the
tenants it serves (an unknown one gets `invalid_tenant`, AADSTS90002, shaped as the identity
platform's errors; an unconsented one AADSTS65001); a request reaches the tenant named by
its token's `tid`, `$batch` items included, with that tenant's own store, throttle buckets,
permissions and state file; seeds per tenant or for all; the directory's groups by name
(case-insensitive, Group.Read.All needed); the command line's `--tenant`, `--tenants N`
(ids printed after the first line), `--unconsented`, `--role` and `--state DIR`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from reconciler.emulator import make_configuration_policy
from reconciler.emulator.cli import generated_tenants
from reconciler.emulator.surfaces.directory import make_group
from tests.auth.support import claims_of

A = "11111111-2222-4333-8444-555555555555"
B = "22222222-3333-4444-8555-666666666666"
APP, SECRET = "fleet-app", "fleet-secret"
SCOPE = "https://graph.microsoft.com/.default"
READ_GROUPS = ("DeviceManagementConfiguration.ReadWrite.All", "Group.Read.All")
POLICIES = "/deviceManagement/configurationPolicies"


def token_request(emulator, tenant: str, secret: str = SECRET) -> requests.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": APP,
        "client_secret": secret,
        "scope": SCOPE,
    }
    return requests.post(f"{emulator.root_url}/{tenant}/oauth2/v2.0/token", data=form, timeout=10)


def token(emulator, tenant: str) -> str:
    response = token_request(emulator, tenant)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def get(emulator, tenant_token: str, path: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {tenant_token}"}
    return requests.get(emulator.base_url + path, headers=headers, timeout=10)


def two_tenants(make_emulator, **options):
    return make_emulator(tenants=(A, B), client_id=APP, client_secret=SECRET, **options)


def test_each_tenant_has_its_own_store_chosen_by_the_token_tid(make_emulator) -> None:
    emulator = two_tenants(
        make_emulator, seeds={A: {"configurationPolicies": [make_configuration_policy(name="a")]}}
    )
    token_a, token_b = token(emulator, A), token(emulator, B.upper())
    assert claims_of(token_a)["tid"] == A and claims_of(token_b)["tid"] == B
    names = lambda t: [p["name"] for p in get(emulator, t, POLICIES).json()["value"]]  # noqa: E731
    assert names(token_a) == ["a"] and names(token_b) == []
    body = {"requests": [{"id": "1", "method": "GET", "url": POLICIES}]}
    batch = requests.post(
        emulator.base_url + "/$batch",
        json=body,
        headers={"Authorization": f"Bearer {token_b}"},
        timeout=10,
    ).json()
    assert batch["responses"][0]["body"]["value"] == []
    assert emulator.stats()["by_tenant"] == {A: 1, B: 2}  # a $batch counts by its items
    assert emulator.tenants[A].surface("settings_catalog").snapshot()["configurationPolicies"]
    assert emulator.tenant is emulator.tenants[A]


def test_an_unknown_tenant_gets_invalid_tenant_as_the_identity_platform_shapes_it(
    make_emulator,
) -> None:
    emulator = two_tenants(make_emulator)
    for response in (
        token_request(emulator, "33333333-4444-4555-8666-777777777777"),
        requests.get(
            f"{emulator.root_url}/contoso.example/v2.0/.well-known/openid-configuration",
            timeout=10,
        ),
    ):
        assert response.status_code == 400
        body = response.json()
        assert body["error"] == "invalid_tenant" and body["error_codes"] == [90002]
        assert body["error_description"].startswith("AADSTS90002: Tenant '")
        assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    served = requests.get(f"{emulator.root_url}/{A}/v2.0/.well-known/openid-configuration")
    assert served.status_code == 200


def test_an_unconsented_tenant_gets_aadsts65001_after_the_client_proves_itself(
    make_emulator,
) -> None:
    emulator = two_tenants(make_emulator, unconsented=(B,))
    refused = token_request(emulator, B)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert refused.json()["error_description"].startswith("AADSTS65001: ")
    wrong = token_request(emulator, B, secret="wrong")
    assert wrong.status_code == 401 and wrong.json()["error_codes"] == [7000215]
    assert token_request(emulator, A).status_code == 200


def test_permissions_are_per_tenant_and_groups_need_group_read_all(make_emulator) -> None:
    groups = {"groups": [make_group("Helpdesk"), make_group("O'Brien team")]}
    emulator = two_tenants(
        make_emulator,
        token_roles=READ_GROUPS,
        tenant_roles={B: ("DeviceManagementConfiguration.Read.All",)},
        seed=groups,
    )
    token_a, token_b = token(emulator, A), token(emulator, B)
    assert claims_of(token_a)["roles"] == list(READ_GROUPS)
    assert claims_of(token_b)["roles"] == ["DeviceManagementConfiguration.Read.All"]
    found = get(emulator, token_a, "/groups?$filter=displayName eq 'HELPDESK'&$select=id")
    assert found.status_code == 200
    assert [set(g) for g in found.json()["value"]] == [{"id"}]
    quoted = get(emulator, token_a, "/groups?$filter=displayName eq 'o''brien TEAM'")
    assert [g["displayName"] for g in quoted.json()["value"]] == ["O'Brien team"]
    group_id = found.json()["value"][0]["id"]
    assert get(emulator, token_a, f"/groups/{group_id}").json()["displayName"] == "Helpdesk"
    denied = get(emulator, token_b, "/groups")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
    bad = get(emulator, token_a, "/groups?$filter=startswith(displayName,'H')")
    assert bad.status_code == 400


def test_throttle_buckets_are_per_tenant(make_emulator) -> None:
    emulator = two_tenants(make_emulator, throttle=True, request_limit=(3, 60.0))
    token_a, token_b = token(emulator, A), token(emulator, B)
    statuses = [get(emulator, token_a, POLICIES).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert get(emulator, token_b, POLICIES).status_code == 200


def test_state_folder_holds_one_file_per_tenant_and_survives_a_restart(
    make_emulator, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    first = two_tenants(make_emulator, state_path=state)
    body = {
        "name": "kept",
        "platforms": "windows10",
        "technologies": "mdm",
        "settings": [],
    }
    created = requests.post(
        first.base_url + POLICIES,
        json=body,
        headers={"Authorization": f"Bearer {token(first, B)}"},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    first.stop()
    assert sorted(p.name for p in state.iterdir()) == [f"{B}.json"]
    second = two_tenants(make_emulator, state_path=state)
    names = [p["name"] for p in get(second, token(second, B), POLICIES).json()["value"]]
    assert names == ["kept"]
    assert get(second, token(second, A), POLICIES).json()["value"] == []


def test_a_seed_folder_seeds_tenants_by_id(make_emulator, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / f"{B}.json").write_text(json.dumps({"groups": [make_group("Only in B")]}))
    emulator = two_tenants(make_emulator, seed=str(folder), token_roles=READ_GROUPS)
    assert get(emulator, token(emulator, A), "/groups").json()["value"] == []
    listed = get(emulator, token(emulator, B), "/groups").json()["value"]
    assert [g["displayName"] for g in listed] == ["Only in B"]


def test_bad_multi_tenant_options_are_refused(make_emulator) -> None:
    with pytest.raises(ValueError, match="unknown tenants"):
        two_tenants(make_emulator, unconsented=("someone-else",))
    with pytest.raises(ValueError, match="twice"):
        make_emulator(tenants=(A, A.upper()), client_id=APP, client_secret=SECRET)
    with pytest.raises(ValueError, match="not served"):
        two_tenants(make_emulator, seeds={"someone-else": {}})
    emulator = two_tenants(make_emulator)
    with pytest.raises(ValueError, match="fixed"):
        emulator.configure(tenants=(A,))


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("Graph emulator listening on http"), first
    return process, first.removeprefix("Graph emulator listening on ")


def test_the_command_line_serves_generated_tenants_and_prints_their_ids(tmp_path: Path) -> None:
    state = tmp_path / "state"
    process, base = start(
        "--tenants", "3", "--client-id", APP, "--client-secret", SECRET, "--state", str(state),
        "--unconsented", generated_tenants(3)[2], "--role", "Group.Read.All",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().strip() for _ in range(3)]
        assert printed == [f"Tenant {t}" for t in generated_tenants(3)]
        root = base.removesuffix("/beta")
        form = {"grant_type": "client_credentials", "client_id": APP}
        form |= {"client_secret": SECRET, "scope": SCOPE}
        first = generated_tenants(3)[0]
        issued = requests.post(f"{root}/{first}/oauth2/v2.0/token", data=form, timeout=10)
        assert claims_of(issued.json()["access_token"])["roles"] == ["Group.Read.All"]
        third = requests.post(f"{root}/{generated_tenants(3)[2]}/oauth2/v2.0/token", data=form)
        assert third.json()["error_codes"] == [65001]
        unknown = requests.post(f"{root}/{A}/oauth2/v2.0/token", data=form, timeout=10)
        assert unknown.json()["error"] == "invalid_tenant"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    again, _ = start("--tenants", "3")  # the same ids on every start
    try:
        assert again.stdout is not None
        assert [again.stdout.readline().strip() for _ in range(3)] == printed
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=10) == 0


def test_the_command_line_refuses_unconsented_without_tenants() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", "--unconsented", A],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and "--unconsented needs" in result.stderr
