"""Aspects: transport security through the CLI. Plain http:// is refused for any host but
loopback (flag and RECONCILER_GRAPH_URL); TLS is verified, with a custom CA taken from
REQUESTS_CA_BUNDLE (and a missing bundle reported); the token scope follows --cloud even
for a custom Graph host; bad RECONCILER_AUTH/RECONCILER_CLOUD values are clear errors."""

from __future__ import annotations

import base64
import json

import pytest

from reconciler.fetch.auth.clouds import resolve
from reconciler.fetch.auth.credentials import AuthMode, connect
from tests.support.cli import run

from .support import CLIENT_ID, SECRET, TENANT, manifests


def plan(capsys, root, *extra: str):
    return run(capsys, "plan", str(manifests(root)), *extra)


@pytest.mark.parametrize(
    "url",
    ["http://graph.microsoft.com/beta", "http://10.1.2.3:8080/beta", "http://graph.local/beta"],
)
def test_plain_http_to_a_remote_host_is_refused(capsys, monkeypatch, tmp_path, url) -> None:
    monkeypatch.setenv("RECONCILER_TOKEN", "would-travel-in-clear")
    flagged = plan(capsys, tmp_path, "--graph-url", url)
    monkeypatch.setenv("RECONCILER_GRAPH_URL", url)
    from_env = plan(capsys, tmp_path)
    for result in (flagged, from_env):
        assert result.code == 1
        assert "error: Refusing plain http://" in result.err
        assert "would-travel-in-clear" not in result.err


def test_plain_http_to_loopback_is_allowed(capsys, emulator, tmp_path) -> None:
    assert emulator.base_url.startswith("http://127.0.0.1:")
    assert plan(capsys, tmp_path, "--graph-url", emulator.base_url).code == 0


def test_untrusted_certificate_fails_verification(
    capsys, make_emulator, pki, monkeypatch, tmp_path
):
    emulator = make_emulator(tls=pki.server_context(), token="t0ken")
    monkeypatch.setenv("RECONCILER_TOKEN", "t0ken")
    result = plan(capsys, tmp_path, "--graph-url", emulator.base_url)
    assert result.code == 1
    assert "TLS handshake failed (certificate not trusted?)" in result.err
    assert emulator.stats()["total"] == 0


def test_custom_ca_bundle_is_trusted(capsys, tls_emulator, monkeypatch, tmp_path) -> None:
    emulator = tls_emulator(token="t0ken")  # sets REQUESTS_CA_BUNDLE to the test CA
    monkeypatch.setenv("RECONCILER_TOKEN", "t0ken")
    result = plan(capsys, tmp_path, "--graph-url", emulator.base_url)
    assert result.code == 0, result.err


def test_missing_ca_bundle_is_reported(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing-ca.pem"))
    result = plan(capsys, tmp_path, "--graph-url", "https://graph.microsoft.com/beta")
    assert result.code == 1 and "REQUESTS_CA_BUNDLE: no such CA bundle" in result.err


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.mark.parametrize(
    ("cloud", "audience"),
    [(None, "https://graph.microsoft.com"), ("usgov-dod", "https://dod-graph.microsoft.us")],
)
def test_scope_follows_the_cloud_for_a_custom_graph_host(tls_emulator, cloud, audience) -> None:
    emulator = tls_emulator(client_id=CLIENT_ID, client_secret=SECRET)
    environ = {
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": CLIENT_ID,
        "AZURE_CLIENT_SECRET": SECRET,
        "AZURE_AUTHORITY_HOST": emulator.root_url,
    }
    endpoints = resolve(cloud=cloud, graph_url=emulator.base_url, environ=environ)
    connection = connect(AuthMode.AUTO, endpoints, environ, loopback=True)
    assert connection.auth is not None
    assert claims(connection.auth.token())["aud"] == audience  # the emulator echoes the scope


def test_graph_url_of_another_cloud_is_refused(capsys, tmp_path) -> None:
    result = plan(
        capsys, tmp_path, "--cloud", "china", "--graph-url", "https://graph.microsoft.us/beta"
    )
    assert result.code == 1
    assert "belongs to the usgov cloud, not china" in result.err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("RECONCILER_AUTH", "kerberos", "--auth kerberos: unknown mode"),
        ("RECONCILER_CLOUD", "germany", "--cloud germany: unknown cloud"),
    ],
)
def test_bad_mode_or_cloud_from_the_environment(
    capsys, monkeypatch, tmp_path, variable, value, message
):
    monkeypatch.setenv(variable, value)
    result = plan(capsys, tmp_path, "--graph-url", "https://graph.microsoft.com/beta")
    assert result.code == 1 and f"error: {message}" in result.err


def test_no_credentials_for_a_remote_graph_is_an_error(capsys, tmp_path) -> None:
    result = plan(capsys, tmp_path, "--graph-url", "https://graph.microsoft.com/beta")
    assert result.code == 1
    assert "error: No credentials found for Microsoft Graph." in result.err
