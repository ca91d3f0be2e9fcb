"""Aspects: base URL normalisation, the http:// refusal, same-origin rule for absolute paths,
TLS settings, and the bearer token never showing in repr or errors."""

from __future__ import annotations

import pytest
import requests
import responses

from reconciler.errors import AuthError, ConfigError, GraphResponseError, GraphTransportError
from reconciler.fetch.auth.bearer import BearerTokenAuth
from reconciler.fetch.client import GraphClient

from .conftest import BASE, TOKEN


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://graph.microsoft.com/beta/", "https://graph.microsoft.com/beta"),
        ("  https://graph.microsoft.com/beta  ", "https://graph.microsoft.com/beta"),
        ("HTTPS://graph.microsoft.com/beta", "https://graph.microsoft.com/beta"),
        ("http://127.0.0.1:8765/beta", "http://127.0.0.1:8765/beta"),
        ("http://127.5.6.7/beta", "http://127.5.6.7/beta"),
        ("http://localhost:1/beta/", "http://localhost:1/beta"),
        ("http://[::1]:8080/beta", "http://[::1]:8080/beta"),
    ],
)
def test_base_url_is_normalised(given: str, expected: str) -> None:
    assert GraphClient(given).base_url == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.microsoft.com/beta",
        "http://10.0.0.1/beta",
        "http://localhost.evil.example/beta",
        "ftp://graph.microsoft.com/beta",
        "graph.microsoft.com/beta",
        "https:///beta",
        "https://user:pw@graph.microsoft.com/beta",
        "https://graph.microsoft.com/beta?x=1",
        "https://graph.microsoft.com:notaport/beta",
    ],
)
def test_unsafe_or_malformed_base_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        GraphClient(url)
    assert "pw" not in str(caught.value)


def test_http_refusal_names_the_host_and_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        GraphClient("http://graph.microsoft.com/beta")
    assert "graph.microsoft.com" in str(caught.value)
    assert "127.0.0.1" in caught.value.hint


def test_a_session_without_tls_verification_is_refused() -> None:
    session = requests.Session()
    session.verify = False
    with pytest.raises(ConfigError, match="TLS"):
        GraphClient(BASE, session=session)


def test_relative_and_same_origin_paths_reach_the_base_url(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/officeConfiguration", json={"a": 1})
    mocked.get(f"{BASE}/x/y", json={"b": 2})
    assert client.get("/officeConfiguration").body == {"a": 1}
    assert client.get("x/y").body == {"b": 2}
    assert client.get(f"{BASE}/x/y").body == {"b": 2}


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/beta/x",
        "http://graph.test/beta/x",  # same host, other scheme
        "https://graph.test:8443/beta/x",  # other port
        "//evil.example/beta/x",  # scheme-relative
    ],
)
def test_absolute_url_to_another_origin_is_not_sent(
    client: GraphClient, mocked: responses.RequestsMock, path: str
) -> None:
    with pytest.raises(GraphResponseError, match="not the Graph host"):
        client.get(path)
    assert len(mocked.calls) == 0
    assert client.stats.requests == 0


def test_every_request_carries_token_timeout_and_a_fresh_client_request_id(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/a", json={})
    client.get("/a")
    client.get("/a")
    ids = [call.request.headers["client-request-id"] for call in mocked.calls]
    assert len(set(ids)) == 2 and all(len(i) == 36 for i in ids)
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in mocked.calls)
    assert mocked.calls[0].request.req_kwargs["timeout"] == 7.0  # type: ignore[attr-defined]


def test_bearer_auth_never_shows_the_token() -> None:
    auth = BearerTokenAuth(TOKEN)
    assert TOKEN not in repr(auth) and TOKEN not in str(auth)
    assert TOKEN not in repr(GraphClient(BASE, auth=auth))


@pytest.mark.parametrize("token", ["", "   ", "Bearer abc", "abc\ndef", 'abc"def'])
def test_malformed_tokens_are_refused_without_echoing_them(token: str) -> None:
    with pytest.raises(AuthError) as caught:
        BearerTokenAuth(token)
    if token.strip():
        assert token not in str(caught.value)


def test_the_token_is_stripped_of_surrounding_whitespace(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/a", json={})
    GraphClient(BASE, auth=BearerTokenAuth(f"  {TOKEN}\n")).get("/a")
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


# --- the environment's proxy settings, read once per client -----------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_proxy_from_the_environment_is_used(emulator, monkeypatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    client = GraphClient(emulator.base_url, max_attempts=1, sleep=lambda _: None)
    # Nothing listens at the proxy: the request fails there instead of reaching Graph.
    with pytest.raises(GraphTransportError):
        client.get("/officeConfiguration")


def test_no_proxy_from_the_environment_is_honoured(emulator, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = GraphClient(emulator.base_url, max_attempts=1, sleep=lambda _: None)
    assert client.get("/officeConfiguration").status == 200
