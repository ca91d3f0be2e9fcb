"""Aspects: bearer-token checks (401 Graph error when missing or wrong), the client-credentials
token endpoint (issued tokens accepted, AAD-style errors), and expiry of issued tokens."""

from __future__ import annotations

import base64
import json
import time

import requests

from tests.support.raw import Graph, assert_graph_error
from tests.support.tenant import POLICIES

FORM = {
    "grant_type": "client_credentials",
    "client_id": "app-id",
    "client_secret": "s3cret",
    "scope": "https://graph.microsoft.com/.default",
}


def token_url(emulator) -> str:
    return emulator.root_url + "/contoso.onmicrosoft.com/oauth2/v2.0/token"


def test_static_token_is_required_when_configured(make_emulator) -> None:
    emulator = make_emulator(token="right")
    missing = Graph(emulator).get("/officeConfiguration")
    assert_graph_error(missing, 401, "InvalidAuthenticationToken")
    assert "Bearer" in missing.headers["WWW-Authenticate"]
    assert_graph_error(Graph(emulator, token="wrong").get(POLICIES), 401)
    assert_graph_error(Graph(emulator, token="wrong").post("/$batch", json={}), 401)
    assert Graph(emulator, token="right").get(POLICIES).status_code == 200


def test_no_token_needed_by_default(graph: Graph) -> None:
    assert graph.get("/officeConfiguration").status_code == 200


def test_token_endpoint_issues_accepted_tokens(make_emulator) -> None:
    emulator = make_emulator(client_id="app-id", client_secret="s3cret")
    response = requests.post(token_url(emulator), data=FORM, timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    claims_part = body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
    assert claims["roles"] == ["DeviceManagementConfiguration.ReadWrite.All"]
    assert claims["appid"] == "app-id" and claims["tid"] == "contoso.onmicrosoft.com"

    assert Graph(emulator, token=body["access_token"]).get(POLICIES).status_code == 200
    assert_graph_error(Graph(emulator).get(POLICIES), 401)
    assert emulator.stats()["token_requests"] == 1


def test_basic_client_authentication_is_accepted(make_emulator) -> None:
    emulator = make_emulator(client_id="app-id", client_secret="s3cret")
    form = {k: v for k, v in FORM.items() if k not in ("client_id", "client_secret")}
    response = requests.post(token_url(emulator), data=form, auth=("app-id", "s3cret"), timeout=5)
    assert response.status_code == 200


def test_token_endpoint_errors_are_aad_style(make_emulator) -> None:
    emulator = make_emulator(client_id="app-id", client_secret="s3cret")
    cases = [
        ({"client_secret": "nope"}, 401, "invalid_client"),
        ({"client_id": "other"}, 400, "unauthorized_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": ""}, 400, "invalid_request"),
    ]
    for change, status, error in cases:
        response = requests.post(token_url(emulator), data=FORM | change, timeout=5)
        assert response.status_code == status
        assert response.json()["error"] == error
        assert response.json()["error_description"].startswith("AADSTS")
        assert "s3cret" not in response.text and "nope" not in response.text


def test_token_endpoint_without_configured_client_refuses(emulator) -> None:
    response = requests.post(token_url(emulator), data=FORM, timeout=5)
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"


def test_issued_tokens_expire(make_emulator) -> None:
    emulator = make_emulator(client_id="app-id", client_secret="s3cret")
    emulator.configure(token_lifetime=0.2)
    token = requests.post(token_url(emulator), data=FORM, timeout=5).json()["access_token"]
    graph = Graph(emulator, token=token)
    assert graph.get(POLICIES).status_code == 200
    time.sleep(0.25)
    assert "expired" in assert_graph_error(graph.get(POLICIES), 401)
