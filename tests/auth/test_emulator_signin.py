"""Aspects of the emulator's user sign-in and CI ID token endpoints that the client flows do
not reach: the device code states (pending, denied, expired, redeemed once), the
authorization code checks (loopback redirect, PKCE S256 and plain, redirect_uri, one use),
ID token contents, refresh token limits, the CI endpoints' refusals and the token
endpoint's federated-credential checks; and the emulator CLI serving them over https."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.cli import run

from .support import CLIENT_ID, TENANT, claims_of, manifests

USER = "admin@contoso.example"
GRAPH = "https://graph.microsoft.com/.default"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JOB = "/_apis/distributedtask/hubs/build/plans/p/jobs/j"
REDIRECT = "http://localhost:8400"


def url(emulator, path: str) -> str:
    return f"{emulator.root_url}/{TENANT}/oauth2/v2.0/{path}"


def token(emulator, **form: str) -> requests.Response:
    return requests.post(url(emulator, "token"), data={"client_id": CLIENT_ID, **form}, timeout=5)


def device_code(emulator, scope: str = f"{GRAPH} openid offline_access") -> dict:
    reply = requests.post(
        url(emulator, "devicecode"), data={"client_id": CLIENT_ID, "scope": scope}, timeout=5
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def poll(emulator, flow: dict) -> requests.Response:
    return token(emulator, grant_type=DEVICE_GRANT, device_code=flow["device_code"])


def test_device_code_is_pending_until_approved_then_redeemed_once(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER)
    flow = device_code(emulator)
    assert flow["verification_uri"] == f"{emulator.root_url}/devicelogin"
    assert flow["interval"] == 5 and flow["expires_in"] == 900
    assert flow["user_code"] in flow["message"]
    pending = poll(emulator, flow)
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
    page = requests.get(flow["verification_uri_complete"], timeout=5)
    assert page.status_code == 200 and flow["user_code"] in page.text
    # Codes are matched without case or dashes, as a user types them.
    typed = flow["user_code"].replace("-", " ").lower()
    assert requests.post(flow["verification_uri"], data={"user_code": typed}, timeout=5).ok
    granted = poll(emulator, flow)
    assert granted.status_code == 200, granted.text
    body = granted.json()
    claims = claims_of(body["access_token"])
    assert claims["scp"] == "DeviceManagementConfiguration.ReadWrite.All" and "roles" not in claims
    assert claims["upn"] == USER and claims["appid"] == CLIENT_ID
    assert body["scope"] == GRAPH and "refresh_token" in body and "id_token" in body
    graph = requests.get(
        f"{emulator.base_url}/officeConfiguration",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    )
    assert graph.status_code == 200
    again = poll(emulator, flow)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_device_code_denied_and_expired(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER, device_code_lifetime=0.3)
    denied = device_code(emulator)
    requests.post(
        denied["verification_uri"],
        data={"user_code": denied["user_code"], "action": "deny"},
        timeout=5,
    )
    assert poll(emulator, denied).json()["error"] == "access_denied"
    late = device_code(emulator)
    time.sleep(0.4)
    assert poll(emulator, late).json()["error"] == "expired_token"
    refused = requests.post(late["verification_uri"], data={"user_code": late["user_code"]})
    assert refused.status_code == 400  # an expired code cannot be approved


def test_device_code_needs_user_sign_in_enabled_and_a_resource_scope(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, client_secret="s")
    reply = requests.post(
        url(emulator, "devicecode"), data={"client_id": CLIENT_ID, "scope": GRAPH}, timeout=5
    )
    assert reply.status_code == 401 and "AADSTS7000218" in reply.json()["error_description"]
    emulator.configure(user=USER)
    only_oidc = requests.post(
        url(emulator, "devicecode"), data={"client_id": CLIENT_ID, "scope": "openid"}, timeout=5
    )
    assert only_oidc.json()["error"] == "invalid_scope"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize(emulator, **params: str) -> requests.Response:
    query = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": f"{GRAPH} openid profile offline_access",
        "state": "st-1",
        "nonce": "nonce-1",
        **params,
    }
    return requests.get(url(emulator, "authorize"), params=query, allow_redirects=False)


def code_of(reply: requests.Response) -> dict[str, str]:
    assert reply.status_code == 302, reply.text
    location = reply.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorization_code_with_pkce(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER)
    verifier = "v" * 43
    returned = code_of(
        authorize(emulator, code_challenge=s256(verifier), code_challenge_method="S256")
    )
    assert returned["state"] == "st-1"
    redeem = {
        "grant_type": "authorization_code",
        "code": returned["code"],
        "redirect_uri": REDIRECT,
    }
    wrong = token(emulator, **redeem, code_verifier="w" * 43)
    assert wrong.json()["error"] == "invalid_grant" and "AADSTS50148" in wrong.text
    # The failed attempt used the code up (RFC 6749 §4.1.2: at most once).
    returned = code_of(
        authorize(emulator, code_challenge=s256(verifier), code_challenge_method="S256")
    )
    redeem["code"] = returned["code"]
    granted = token(emulator, **redeem, code_verifier=verifier)
    assert granted.status_code == 200, granted.text
    id_claims = claims_of(granted.json()["id_token"])
    discovery = requests.get(
        f"{emulator.root_url}/{TENANT}/v2.0/.well-known/openid-configuration", timeout=5
    ).json()
    assert id_claims["iss"] == discovery["issuer"] and id_claims["aud"] == CLIENT_ID
    assert id_claims["nonce"] == "nonce-1" and id_claims["preferred_username"] == USER
    info = json.loads(base64.urlsafe_b64decode(granted.json()["client_info"] + "=="))
    assert info == {"uid": id_claims["oid"], "utid": TENANT}
    reused = token(emulator, **redeem, code_verifier=verifier)
    assert "AADSTS54005" in reused.json()["error_description"]


def test_authorization_code_checks_redirect_and_challenge(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER)
    remote = authorize(emulator, redirect_uri="https://evil.example/cb", code_challenge="c")
    assert remote.status_code == 400 and "Location" not in remote.headers
    assert "AADSTS50011" in remote.text
    no_pkce = code_of(authorize(emulator))
    assert no_pkce["error"] == "invalid_request" and no_pkce["state"] == "st-1"
    returned = code_of(authorize(emulator, code_challenge="plain-verifier-" + "x" * 30))
    elsewhere = token(
        emulator,
        grant_type="authorization_code",
        code=returned["code"],
        redirect_uri="http://localhost:9999",
        code_verifier="plain-verifier-" + "x" * 30,
    )
    assert elsewhere.json()["error"] == "invalid_grant" and "redirect_uri" in elsewhere.text
    returned = code_of(authorize(emulator, code_challenge="plain-verifier-" + "x" * 30))
    plain = token(
        emulator,
        grant_type="authorization_code",
        code=returned["code"],
        redirect_uri=REDIRECT,
        code_verifier="plain-verifier-" + "x" * 30,
    )
    assert plain.status_code == 200  # code_challenge_method defaults to plain (RFC 7636 §4.3)


def test_form_post_response_mode_posts_code_and_state(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER)
    page = authorize(emulator, code_challenge="c" * 43, response_mode="form_post")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert f'action="{REDIRECT}"' in page.text
    assert 'name="state" value="st-1"' in page.text and 'name="code"' in page.text


def test_refresh_token_renews_for_its_client_and_scopes_only(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, user=USER)
    flow = device_code(emulator)
    requests.post(flow["verification_uri"], data={"user_code": flow["user_code"]}, timeout=5)
    refresh_token = poll(emulator, flow).json()["refresh_token"]
    renewed = token(emulator, grant_type="refresh_token", refresh_token=refresh_token)
    assert renewed.status_code == 200 and claims_of(renewed.json()["access_token"])["upn"] == USER
    wider = token(
        emulator,
        grant_type="refresh_token",
        refresh_token=refresh_token,
        scope="https://management.azure.com/.default",
    )
    assert wider.json()["error"] == "invalid_scope"
    other = requests.post(
        url(emulator, "token"),
        data={
            "client_id": "someone-else",
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
        timeout=5,
    )
    assert other.status_code == 400
    assert emulator.stats()["token_requests_by_grant"]["refresh_token"] == 3


def exchange(emulator, assertion: str) -> requests.Response:
    return token(
        emulator,
        grant_type="client_credentials",
        scope=GRAPH,
        client_assertion_type=JWT_BEARER,
        client_assertion=assertion,
    )


def test_github_endpoint_and_its_tokens_as_assertions(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT_ID, github_request_token="ght", ci_token_lifetime=0.5)
    endpoint = f"{emulator.root_url}/run{JOB}/idtoken?api-version=2.0"
    bad = requests.get(endpoint, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert bad.status_code == 401 and "ght" not in bad.text
    auth = {"Authorization": "Bearer ght"}
    default = requests.get(endpoint, headers=auth, timeout=5).json()["value"]
    assert claims_of(default)["aud"] == "https://github.com/contoso"
    assert "AADSTS700212" in exchange(emulator, default).text  # the audience Entra expects
    audience = "&audience=api%3A%2F%2FAzureADTokenExchange"
    fresh = requests.get(endpoint + audience, headers=auth, timeout=5).json()["value"]
    claims = claims_of(fresh)
    assert claims["iss"] == "https://token.actions.githubusercontent.com"
    assert claims["sub"] == "repo:contoso/m365-policies:ref:refs/heads/main"
    assert exchange(emulator, fresh).status_code == 200
    emulator.configure(github_subject="repo:contoso/other:ref:refs/heads/main")
    assert "AADSTS70021" in exchange(emulator, fresh).text  # no credential for that subject
    emulator.configure(github_subject=claims["sub"])
    time.sleep(0.6)
    assert "AADSTS700024" in exchange(emulator, fresh).text
    assert "AADSTS70021" in exchange(emulator, "forged.jwt.value").text
    assert emulator.stats()["ci_id_tokens"] == 3


def test_pipelines_endpoint_checks_job_token_and_service_connection(make_emulator) -> None:
    emulator = make_emulator(
        client_id=CLIENT_ID, pipelines_access_token="sat", pipelines_service_connection="sc-1"
    )
    endpoint = f"{emulator.root_url}/org/project{JOB}/oidctoken?api-version=7.1"
    auth = {"Authorization": "Bearer sat"}
    assert requests.get(endpoint, headers=auth, timeout=5).status_code == 405
    wrong_token = requests.post(f"{endpoint}&serviceConnectionId=sc-1", timeout=5)
    assert wrong_token.status_code == 401
    unknown = requests.post(f"{endpoint}&serviceConnectionId=sc-2", headers=auth, timeout=5)
    assert unknown.status_code == 400
    reply = requests.post(f"{endpoint}&serviceConnectionId=sc-1", headers=auth, timeout=5)
    oidc_token = reply.json()["oidcToken"]
    assert claims_of(oidc_token)["sub"] == "sc://contoso/m365-policies/m365-production"
    assert exchange(emulator, oidc_token).status_code == 200


def test_config_ties_the_new_options_to_a_client() -> None:
    from reconciler.emulator.config import Config

    with pytest.raises(ValueError, match="client_id goes with"):
        Config(user=USER)
    with pytest.raises(ValueError, match="pipelines_service_connection"):
        Config(client_id="c", pipelines_access_token="t")
    with pytest.raises(ValueError, match="ci_token_lifetime"):
        Config(client_id="c", github_request_token="t", ci_token_lifetime=0)
    assert Config(client_id="c", user=USER).auth_required


def test_emulator_cli_serves_ci_tokens_over_https(capsys, pki, monkeypatch, tmp_path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler.emulator",
            "--port",
            "0",
            *("--client-id", CLIENT_ID, "--github-request-token", "cli-gh-token-77"),
            *("--tls-cert", str(pki.ca_bundle), "--tls-key", str(pki.server_key)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("Graph emulator listening on https://127.0.0.1:"), line
        base = line.removeprefix("Graph emulator listening on ")
        root = base.removesuffix("/beta")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_bundle))
        monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
        monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("AZURE_AUTHORITY_HOST", root)
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"{root}/r{JOB}/idtoken?api-version=2.0")
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "cli-gh-token-77")
        result = run(
            capsys, "plan", str(manifests(tmp_path)), "--graph-url", base, "--auth", "github-oidc"
        )
        assert result.code == 0, result.err
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_emulator_cli_ties_its_identity_flags_together() -> None:
    from reconciler.emulator.cli import main

    for argv in (
        ["--client-id", "c"],
        ["--user", USER],
        ["--client-id", "c", "--pipelines-access-token", "t"],
        ["--tls-key", "k.pem"],
    ):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 1, argv  # a usage error exits 1
