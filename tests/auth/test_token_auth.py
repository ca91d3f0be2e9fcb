"""Aspects: CredentialAuth caching and refreshing before expiry (fake clock and credential),
one fetch at a time across threads, errors translated to AuthError with secrets cut out,
and neither auth class showing its token in repr/str."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError

from reconciler.errors import AuthError
from reconciler.fetch.auth.bearer import REFRESH_MARGIN, BearerTokenAuth, CredentialAuth

SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class Token:
    token: str
    expires_on: int


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class FakeCredential:
    """Hands out token-1, token-2, ... each valid for `lifetime` seconds of the fake clock."""

    def __init__(self, clock: FakeClock, lifetime: int = 3600) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_: object) -> Token:
        self.calls.append(scopes)
        return Token(f"token-{len(self.calls)}", int(self.clock.now) + self.lifetime)


def make(lifetime: int = 3600) -> tuple[CredentialAuth, FakeCredential, FakeClock]:
    clock = FakeClock()
    credential = FakeCredential(clock, lifetime)
    auth = CredentialAuth(credential, scope=SCOPE, description="fake", clock=clock)
    return auth, credential, clock


def header(auth: requests.auth.AuthBase) -> str:
    request = requests.Request("GET", "https://graph.microsoft.com/beta/x").prepare()
    return auth(request).headers["Authorization"]


def test_token_is_cached_until_the_refresh_margin_then_refreshed() -> None:
    auth, credential, clock = make(lifetime=3600)
    assert header(auth) == "Bearer token-1"
    assert credential.calls == [(SCOPE,)]
    clock.now += 3600 - REFRESH_MARGIN - 1  # one second before the margin
    assert header(auth) == "Bearer token-1"
    clock.now += 1  # exactly REFRESH_MARGIN before expiry
    assert header(auth) == "Bearer token-2"
    assert len(credential.calls) == 2


def test_short_lived_tokens_refresh_at_half_their_life_not_every_request() -> None:
    auth, credential, clock = make(lifetime=60)
    assert auth.token() == "token-1"
    clock.now += 29
    assert auth.token() == "token-1"
    clock.now += 1
    assert auth.token() == "token-2"


class SlowCredential(FakeCredential):
    """Takes a while, as a real token request does: long enough for every thread to arrive
    while the first fetch is still under way."""

    def get_token(self, *scopes: str, **options: object) -> Token:
        time.sleep(0.05)
        return super().get_token(*scopes, **options)


def test_concurrent_requests_share_one_fetch() -> None:
    clock = FakeClock()
    credential = SlowCredential(clock)
    auth = CredentialAuth(credential, scope=SCOPE, description="fake", clock=clock)
    barrier = threading.Barrier(8)

    def use() -> None:
        barrier.wait()
        auth.token()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(credential.calls) == 1


class FailingCredential:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_token(self, *scopes: str, **_: object) -> Token:
        raise self.error


def test_credential_failure_is_an_auth_error_without_secrets() -> None:
    secret = "s3cr3t-value-Xy"
    error = ClientAuthenticationError(f"AADSTS7000215: Invalid client secret {secret} provided.")
    auth = CredentialAuth(
        FailingCredential(error), scope=SCOPE, description="client secret (x)", secrets=[secret]
    )
    with pytest.raises(AuthError) as caught:
        auth.token()
    message = str(caught.value)
    assert "client secret (x)" in message and "AADSTS7000215" in message
    assert secret not in message and "<redacted>" in message


def test_missing_file_is_an_auth_error() -> None:
    auth = CredentialAuth(
        FailingCredential(FileNotFoundError(2, "No such file", "/x/token")),
        scope=SCOPE,
        description="workload identity",
    )
    with pytest.raises(AuthError, match="workload identity"):
        auth.token()


def test_a_token_with_header_breaking_characters_is_refused() -> None:
    class Broken:
        def get_token(self, *scopes: str, **_: object) -> Token:
            return Token("abc def\r\nX-Evil: 1", 2_000_000_000)

    with pytest.raises(AuthError) as caught:
        CredentialAuth(Broken(), scope=SCOPE, description="fake").token()
    assert "abc def" not in str(caught.value)


def test_repr_never_shows_the_token() -> None:
    auth, _, _ = make()
    auth.token()
    bearer = BearerTokenAuth("fixed-token-value")
    for shown in (repr(auth), str(auth), repr(bearer), str(bearer)):
        assert "token-1" not in shown and "fixed-token-value" not in shown
