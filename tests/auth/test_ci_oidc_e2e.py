"""Aspects, end to end over https against the emulator's CI ID token endpoints and its token
endpoint:

- `--auth github-oidc` asks GitHub's endpoint (as a job's ACTIONS_ID_TOKEN_REQUEST_URL and
  _TOKEN let it) for a new ID token, with the audience api://AzureADTokenExchange, each
  time it needs a Graph token: an apply that outlasts both the Graph tokens and the ID
  tokens completes, where the README's old recipe (one ID token saved to
  AZURE_FEDERATED_TOKEN_FILE) fails once that token expires;
- `--auth azure-pipelines` gets the service connection's token from SYSTEM_OIDCREQUESTURI
  with SYSTEM_ACCESSTOKEN, reading the ids from the variables the AzureCLI@2 task sets or
  ours, and plans; a wrong job token exits 1;
- none of the request tokens, ID tokens or access tokens appears in any output or in a
  DEBUG log of the run.
"""

from __future__ import annotations

import pytest
import requests

from tests.support.cli import run

from .support import CLIENT_ID, ISSUED_TOKEN_PREFIX, TENANT, apply_policies, debug_log, manifests

GITHUB_TOKEN = "gh-request-token-Vb93kQ"  # stands in for ACTIONS_ID_TOKEN_REQUEST_TOKEN
JOB_TOKEN = "ado-system-access-token-Lw27"  # stands in for $(System.AccessToken)
SERVICE_CONNECTION = "7d1c2b3a-service-connection"
JOB_PATH = "/_apis/distributedtask/hubs/build/plans/plan-1/jobs/job-1"
CREATES = 26


def github_env(monkeypatch, emulator) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)
    url = f"{emulator.root_url}/run-42{JOB_PATH}/idtoken?api-version=2.0"
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", url)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GITHUB_TOKEN)


def long_apply(capsys, emulator, root, *extra: str):
    """An apply of 26 creates paced at two writes a second after a burst of 20: about 3 s,
    longer than the 1 s tokens last. (Pacing, not server latency, makes it long: a token
    handed out just before it expires must not expire while the server sleeps.)"""
    return apply_policies(capsys, emulator, root, CREATES, "--write-rate", "2", *extra)


def test_an_id_token_saved_once_stops_working_when_it_expires(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    """The README's former recipe: one ID token in AZURE_FEDERATED_TOKEN_FILE. (azure-identity
    keeps using a Graph token whose renewal failed until it expires, so the run must outlast
    the ID token by more than a Graph token's life.)"""
    emulator = tls_emulator(
        client_id=CLIENT_ID,
        github_request_token=GITHUB_TOKEN,
        token_lifetime=1,
        ci_token_lifetime=1,
    )
    github_env(monkeypatch, emulator)
    once = requests.get(
        f"{emulator.root_url}/run-42{JOB_PATH}/idtoken?api-version=2.0"
        "&audience=api://AzureADTokenExchange",
        headers={"Authorization": f"Bearer {GITHUB_TOKEN}"},
        timeout=10,
    )
    token_file = tmp_path / "oidc-token"
    token_file.write_text(once.json()["value"], encoding="utf-8")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    with debug_log(tmp_path / "debug.log"):
        result = long_apply(capsys, emulator, tmp_path, "--auth", "workload-identity")
    assert result.code == 1
    # The renewal was refused; the run then failed on it, or on the last Graph token
    # expiring, whichever came first.
    log = (tmp_path / "debug.log").read_text(encoding="utf-8")
    assert "AADSTS700024: Client assertion is not within its valid time range" in log
    assert "error: " in result.err and (
        "AADSTS700024" in result.err or "the token is expired" in result.err
    )


def test_github_oidc_without_the_job_permission_names_what_is_missing(
    capsys, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    result = run(capsys, "plan", str(manifests(tmp_path)), "--auth", "github-oidc")
    assert result.code == 1
    assert "missing: ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN" in result.err
    assert "permissions: id-token: write" in result.err


def test_github_oidc_refused_request_token_exits_1_without_it(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, github_request_token=GITHUB_TOKEN)
    github_env(monkeypatch, emulator)
    wrong = "gh-wrong-request-token-0Zp"
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", wrong)
    result = run(
        capsys,
        "plan",
        str(manifests(tmp_path)),
        "--graph-url",
        emulator.base_url,
        "--auth",
        "github-oidc",
    )
    assert result.code == 1
    assert "GitHub's OIDC token request (ACTIONS_ID_TOKEN_REQUEST_URL) answered HTTP 401" in (
        result.err
    )
    assert wrong not in result.err and GITHUB_TOKEN not in result.err
    assert emulator.stats()["total"] == 0


def pipelines_env(monkeypatch, emulator) -> None:
    # What the AzureCLI@2 task sets for its script, plus the job token mapped by the step.
    monkeypatch.setenv("AZURESUBSCRIPTION_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURESUBSCRIPTION_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", SERVICE_CONNECTION)
    monkeypatch.setenv("SYSTEM_ACCESSTOKEN", JOB_TOKEN)
    uri = f"{emulator.root_url}/contoso/m365-policies{JOB_PATH}/oidctoken"
    monkeypatch.setenv("SYSTEM_OIDCREQUESTURI", uri)
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", emulator.root_url)


CI = {
    "github-oidc": (
        {"github_request_token": GITHUB_TOKEN},
        github_env,
        "GitHub Actions OIDC (a new ID token from ACTIONS_ID_TOKEN_REQUEST_URL for each Graph "
        f"token, AZURE_CLIENT_ID={CLIENT_ID}, AZURE_TENANT_ID={TENANT})",
        GITHUB_TOKEN,
    ),
    "azure-pipelines": (
        {"pipelines_access_token": JOB_TOKEN, "pipelines_service_connection": SERVICE_CONNECTION},
        pipelines_env,
        f"Azure Pipelines service connection {SERVICE_CONNECTION} (SYSTEM_OIDCREQUESTURI, "
        f"AZURE_CLIENT_ID={CLIENT_ID}, AZURE_TENANT_ID={TENANT})",
        JOB_TOKEN,
    ),
}


@pytest.mark.parametrize("mode", list(CI))
def test_ci_mode_gets_a_new_id_token_for_each_graph_token(
    capsys, tls_emulator, monkeypatch, tmp_path, mode: str
) -> None:
    options, set_env, description, secret = CI[mode]
    emulator = tls_emulator(client_id=CLIENT_ID, token_lifetime=1, ci_token_lifetime=1, **options)
    set_env(monkeypatch, emulator)
    with debug_log(tmp_path / "debug.log"):
        result = long_apply(capsys, emulator, tmp_path, "--auth", mode)
    assert result.code == 0, result.err
    assert f"Using credentials: {description}" in result.err.splitlines()
    stats = emulator.stats()
    exchanges = stats["token_requests_by_grant"]["client_credentials"]
    assert exchanges >= 2  # the Graph token was renewed during the run
    assert stats["ci_id_tokens"] == exchanges  # each time with a new ID token
    assert stats["writes_ok"] == CREATES
    log = (tmp_path / "debug.log").read_text(encoding="utf-8")
    for text in (result.out, result.err, log):
        assert secret not in text and ISSUED_TOKEN_PREFIX not in text


def test_azure_pipelines_our_variable_names_the_connection_and_a_bad_job_token_fails(
    capsys, tls_emulator, monkeypatch, tmp_path
) -> None:
    emulator = tls_emulator(
        client_id=CLIENT_ID,
        pipelines_access_token=JOB_TOKEN,
        pipelines_service_connection=SERVICE_CONNECTION,
    )
    pipelines_env(monkeypatch, emulator)
    monkeypatch.setenv("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "another-connection")
    monkeypatch.setenv("RECONCILER_SERVICE_CONNECTION_ID", SERVICE_CONNECTION)
    argv = ("plan", str(manifests(tmp_path)), "--graph-url", emulator.base_url)
    ok = run(capsys, *argv, "--auth", "azure-pipelines")
    assert ok.code == 0, ok.err
    assert f"service connection {SERVICE_CONNECTION} " in ok.err

    wrong = "ado-wrong-job-token-4Tq"
    monkeypatch.setenv("SYSTEM_ACCESSTOKEN", wrong)
    refused = run(capsys, *argv, "--auth", "azure-pipelines")
    assert refused.code == 1
    assert "Could not get a token with Azure Pipelines service connection" in refused.err
    assert wrong not in refused.err and JOB_TOKEN not in refused.err


def test_azure_pipelines_lists_every_missing_variable(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    result = run(capsys, "plan", str(manifests(tmp_path)), "--auth", "azure-pipelines")
    assert result.code == 1
    assert (
        "--auth azure-pipelines needs AZURE_TENANT_ID or AZURESUBSCRIPTION_TENANT_ID; "
        "RECONCILER_SERVICE_CONNECTION_ID or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID; "
        "SYSTEM_ACCESSTOKEN; SYSTEM_OIDCREQUESTURI."
    ) in result.err
    assert "SYSTEM_ACCESSTOKEN: $(System.AccessToken)" in result.err
