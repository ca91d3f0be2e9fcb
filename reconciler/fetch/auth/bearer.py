"""Credentials as `requests.auth.AuthBase` objects, so graph.py never handles a secret itself.

Contract: an auth object adds `Authorization` to a request, offers the current token to
`token()` (for the permission check before an apply), and never shows a secret or token
in `repr`, `str` or an exception message.

- `BearerTokenAuth`: a fixed token (`RECONCILER_TOKEN`).
- `CredentialAuth`: any azure-identity credential; tokens are cached and refreshed
  before they expire, so a long apply never sends an expired one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import requests

from reconciler.errors import AuthError
from reconciler.fetch.translate import one_line

# RFC 6750 b64token characters; anything else (spaces, newlines) would make requests raise an
# InvalidHeader error that quotes the whole header value, token included.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
REFRESH_MARGIN = 300.0  # seconds before expiry; azure-identity's own refresh offset
MAX_ERROR_CHARS = 300


class AccessTokenLike(Protocol):
    token: str
    expires_on: int


class TokenCredential(Protocol):
    """The part of azure-core's `TokenCredential` protocol used here."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...


def describe_error(error: Exception, *, secrets: Iterable[str]) -> str:
    """A library exception's reason on one capped line, with every secret value cut out."""
    text = str(getattr(error, "message", None) or error) or type(error).__name__
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return one_line(text, MAX_ERROR_CHARS)  # also masks anything shaped like a token


def _checked(token: str, source: str) -> str:
    token = token.strip()
    if not token:
        raise AuthError(f"The bearer token from {source} is empty.")
    if not _B64TOKEN.fullmatch(token):
        raise AuthError(
            f"The bearer token from {source} contains characters a token cannot have "
            "(spaces, quotes, ...).",
            hint="Check RECONCILER_TOKEN holds only the access token, without 'Bearer '.",
        )
    return token


class _TokenAuth(requests.auth.AuthBase):
    """Puts `token()` in each request's Authorization header."""

    def token(self) -> str:
        raise NotImplementedError

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        return request


class BearerTokenAuth(_TokenAuth):
    """A fixed bearer token (`RECONCILER_TOKEN`); it is never refreshed."""

    def __init__(self, token: str) -> None:
        self._token = _checked(token, "RECONCILER_TOKEN")

    def token(self) -> str:
        return self._token

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=<redacted>)"

    __str__ = __repr__


class CredentialAuth(_TokenAuth):
    """Tokens for `scope` from an azure-identity credential, cached until `REFRESH_MARGIN`
    seconds before `expires_on` (or half the token's life, when that is shorter).

    Thread-safe: GraphClient's batch threads share one instance and at most one of them
    fetches a token at a time. A failure raises AuthError with the library's reason, with
    every value of `secrets` cut out of it (`description` names the credential in it).
    """

    def __init__(
        self,
        credential: TokenCredential,
        *,
        scope: str,
        description: str,
        secrets: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._scope = scope
        self.description = description
        self._secrets = tuple(s for s in secrets if s)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._refresh_at:
                self._token, expires_on = self._fetch()
                margin = min(REFRESH_MARGIN, max(0.0, expires_on - now) / 2)
                self._refresh_at = expires_on - margin
            return self._token

    def _fetch(self) -> tuple[str, float]:
        from azure.core.exceptions import AzureError

        try:
            access = self._credential.get_token(self._scope)
        except (AzureError, ValueError, OSError) as error:
            # OSError: a missing certificate or token file; ValueError: a malformed one.
            raise AuthError(
                f"Could not get a token with {self.description}: "
                f"{describe_error(error, secrets=self._secrets)}",
                hint="Check --auth, --cloud and the AZURE_* variables (docs/credentials.md).",
            ) from error
        return _checked(access.token, self.description), float(access.expires_on)

    def __repr__(self) -> str:
        return f"CredentialAuth({self.description}, scope={self._scope})"

    __str__ = __repr__
