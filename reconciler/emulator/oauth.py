"""What the identity endpoints share: their reply value, the Microsoft identity platform's
error body, form decoding, secret comparison and the unsigned JWTs the emulator issues."""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from reconciler.emulator import b64url


@dataclass(frozen=True)
class Answer:
    """An identity endpoint's reply: JSON (a dict) or an HTML page (a str). ``counter`` is the
    stats counter it adds to (None: none); ``grant`` the grant type of a token request."""

    status: int
    body: dict[str, Any] | str
    counter: str | None = "token_requests"
    headers: Mapping[str, str] = field(default_factory=dict)
    grant: str | None = None


def method_not_allowed(allowed: str) -> Answer:
    return Answer(405, {"error": "invalid_request"}, None, {"Allow": allowed})


def aad_error(error: str, code: int, description: str) -> dict[str, Any]:
    """An error body as the Microsoft identity platform writes it: the OAuth 2.0 ``error``
    (RFC 6749 §5.2) with an ``AADSTS`` code, a timestamp, trace and correlation ids."""
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


def same(given: str | None, expected: str | None) -> bool:
    """Constant-time equality of two secrets; False when either is missing."""
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def form_of(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body, first value of each name."""
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}


def bearer(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header (names lower-cased), if any."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A JWT with ``alg: none`` (RFC 7519 §6): the emulator recognises its own tokens by
    keeping them, not by a signature."""
    return f"{b64url.encode_json({'alg': 'none', 'typ': 'JWT'})}.{b64url.encode_json(claims)}."
