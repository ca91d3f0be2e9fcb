"""Credentials as `requests.auth.AuthBase` objects, so graph.py never handles a secret itself.

Contract: an auth object adds `Authorization` to a request and never shows its secret in
`repr`, `str` or an exception message.
"""

from __future__ import annotations

import re

import requests

from reconciler.errors import AuthError

# RFC 6750 b64token characters; anything else (spaces, newlines) would make requests raise an
# InvalidHeader error that quotes the whole header value, token included.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class BearerTokenAuth(requests.auth.AuthBase):
    """A fixed bearer token (`RECONCILER_TOKEN`)."""

    def __init__(self, token: str) -> None:
        token = token.strip()
        if not token:
            raise AuthError("The bearer token is empty.")
        if not _B64TOKEN.fullmatch(token):
            raise AuthError(
                "The bearer token contains characters a token cannot have (spaces, quotes, ...).",
                hint="Check RECONCILER_TOKEN holds only the access token, without 'Bearer '.",
            )
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=<redacted>)"

    __str__ = __repr__
