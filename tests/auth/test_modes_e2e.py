"""Aspects, end to end against the emulator, for the modes other than the client secret:
workload identity (a federated token file, picked by `--auth auto`), managed identity
through the App Service endpoint and through IMDS (both redirected to the emulator by their
standard variables), the Azure CLI (a fake `az` on PATH) and a raw RECONCILER_TOKEN; each
builds the request its source expects and the run reads the tenant with the token."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

from tests.support.cli import run

from .support import CLIENT_ID, ISSUED_TOKEN_PREFIX, TENANT, debug_log, full_run, leaks, manifests

FEDERATED = "federated.github-oidc.token-7Hq2"  # stands in for the GitHub Actions OIDC JWT
IDENTITY_HEADER = "identity-header-secret-4Rw8"
MI_CLIENT = "mi-client-id-5566"


def plan(capsys, emulator, root: Path, *extra: str):
    return run(capsys, "plan", str(manifests(root)), "--graph-url", emulator.base_url, *extra)


def test_workload_identity_exchanges_the_federated_token_file(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, federated_token=FEDERATED)
    token_file = tmp_path / "federated-token"
    token_file.write_text(FEDERATED, encoding="utf-8")
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)
    result = plan(capsys, emulator, tmp_path)
    assert result.code == 0, result.err
    assert "Using credentials: workload identity federation (AZURE_FEDERATED_TOKEN_FILE=" in (
        result.err
    )
    assert emulator.stats()["token_requests"] == 1
    assert FEDERATED not in result.out + result.err


def test_a_wrong_federated_token_is_refused_with_the_reason(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, federated_token=FEDERATED)
    token_file = tmp_path / "federated-token"
    token_file.write_text("some.other.token", encoding="utf-8")
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)
    result = plan(capsys, emulator, tmp_path)
    assert result.code == 1
    assert "No matching federated identity record" in result.err
    assert "some.other.token" not in result.err


def test_managed_identity_app_service_endpoint(capsys, make_emulator, monkeypatch, tmp_path):
    emulator = make_emulator(managed_identity=MI_CLIENT, identity_header=IDENTITY_HEADER)
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{emulator.root_url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    result = plan(capsys, emulator, tmp_path, "--auth", "managed-identity")
    assert result.code == 0, result.err
    assert (
        "Using credentials: managed identity (system-assigned, App Service endpoint "
        "IDENTITY_ENDPOINT)" in result.err
    )
    assert emulator.stats()["token_requests"] == 1
    assert IDENTITY_HEADER not in result.out + result.err


def test_managed_identity_imds_user_assigned(capsys, make_emulator, monkeypatch, tmp_path):
    emulator = make_emulator(managed_identity=MI_CLIENT)
    # azure-identity's variable for an IMDS stand-in (AKS pod identity uses it too).
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", emulator.root_url)
    monkeypatch.setenv("AZURE_CLIENT_ID", MI_CLIENT)
    result = plan(capsys, emulator, tmp_path, "--auth", "managed-identity")
    assert result.code == 0, result.err
    assert f"managed identity (user-assigned AZURE_CLIENT_ID={MI_CLIENT}, IMDS at" in result.err
    assert emulator.stats()["token_requests"] == 1


def fake_az(bin_dir: Path, calls: Path, token: str) -> None:
    """An `az` that logs its arguments and prints what `az account get-access-token` does."""
    reply = {
        "accessToken": token,
        "expiresOn": "2999-01-01 00:00:00.000000",
        "expires_on": int(time.time()) + 3600,
        "subscription": "00000000-0000-0000-0000-000000000000",
        "tenant": TENANT,
        "tokenType": "Bearer",
    }
    script = bin_dir / "az"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(calls)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"print({json.dumps(json.dumps(reply))})\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_azure_cli_runs_az_for_the_graph_resource(capsys, make_emulator, monkeypatch, tmp_path):
    token = "cli-token-value-9Kp"
    emulator = make_emulator(token=token)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "az-calls.jsonl"
    fake_az(bin_dir, calls, token)
    monkeypatch.setenv("PATH", os.pathsep.join([str(bin_dir), os.environ["PATH"]]))
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    result = plan(capsys, emulator, tmp_path, "--auth", "azure-cli", "--cloud", "usgov")
    assert result.code == 0, result.err
    assert "Using credentials: Azure CLI login (az account get-access-token, " in result.err
    (args,) = [json.loads(line) for line in calls.read_text().splitlines()]
    assert args[:2] == ["account", "get-access-token"]
    assert args[args.index("--resource") + 1] == "https://graph.microsoft.us"
    assert args[args.index("--tenant") + 1] == TENANT
    assert token not in result.out + result.err


def test_raw_token_flow_leaves_the_token_nowhere(capsys, make_emulator, monkeypatch, tmp_path):
    token = "raw-token-value-Zx81-very-distinctive"
    emulator = make_emulator(token=token)
    monkeypatch.setenv("RECONCILER_TOKEN", token)
    with debug_log(tmp_path / "debug.log"):
        runs = full_run(capsys, emulator, tmp_path, admin_token=token)
    assert leaks(tmp_path, runs, [token, ISSUED_TOKEN_PREFIX]) == []
    assert "Using credentials: bearer token from RECONCILER_TOKEN (chosen by --auth auto)" in (
        runs[0].err
    )
