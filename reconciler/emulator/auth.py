"""Bearer-token checks for ``/beta`` and the client-credentials token endpoint.

Authentication is enforced when a static ``token`` or a ``client_id``/``client_secret``
pair is configured; then a request needs ``Authorization: Bearer <t>`` where ``t`` is
the static token or an unexpired token issued by ``POST /{tenant}/oauth2/v2.0/token``.
Issued tokens are unsigned JWTs (``alg: none``) carrying ``appid``, ``tid``, ``exp`` and
``roles: ["DeviceManagementConfiguration.ReadWrite.All"]``, so a client can read the expiry.

The throttling identity ("app") is the client id for issued tokens, the token value for
other bearer tokens, and ``anonymous`` without one. Token values are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from reconciler.emulator.config import Config
from reconciler.emulator.errors import GraphError

ROLES = ["DeviceManagementConfiguration.ReadWrite.All"]


def _b64url(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _aad_error(error: str, code: int, description: str) -> dict[str, Any]:
    return {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }


class Authenticator:
    """Checks bearer tokens and issues new ones (see the module docstring)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._issued: dict[str, tuple[str, float]] = {}  # token -> (client id, expiry)

    def reconfigure(self, config: Config) -> None:
        self._config = config

    def identify(self, headers: dict[str, str]) -> str:
        """The caller's app identity; a 401 when authentication is on and the token is bad."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        if not self._config.auth_required:
            return token or "anonymous"
        if not token:
            raise self._unauthorized("Access token is empty.")
        static = self._config.token
        if static is not None and hmac.compare_digest(token.encode(), static.encode()):
            return token
        with self._lock:
            issued = self._issued.get(token)
        if issued is None:
            raise self._unauthorized("Access token validation failure. Invalid audience.")
        client_id, expiry = issued
        if time.time() >= expiry:
            raise self._unauthorized("Lifetime validation failed, the token is expired.")
        return client_id

    @staticmethod
    def _unauthorized(message: str) -> GraphError:
        return GraphError(
            401,
            "InvalidAuthenticationToken",
            message,
            headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
        )

    def issue(
        self, tenant: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        """Answer a token request: (status, AAD-style JSON)."""
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, client_secret = self._client_credentials(form, headers)
        config = self._config
        if form.get("grant_type") != "client_credentials":
            return 400, _aad_error(
                "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        if not form.get("scope"):
            return 400, _aad_error(
                "invalid_request", 90014, "The request body must contain the 'scope' parameter."
            )
        if config.client_id is None or client_id != config.client_id:
            return 400, _aad_error(
                "unauthorized_client", 700016, f"Application '{client_id}' was not found."
            )
        secret = (config.client_secret or "").encode()
        if client_secret is None or not hmac.compare_digest(client_secret.encode(), secret):
            return 401, _aad_error("invalid_client", 7000215, "Invalid client secret provided.")
        issued_at = time.time()
        expiry = issued_at + config.token_lifetime  # a float, so tests can use short lives
        now = int(issued_at)
        claims = {
            "aud": "https://graph.microsoft.com",
            "iss": f"https://sts.windows.net/{tenant}/",
            "tid": tenant,
            "appid": client_id,
            "roles": ROLES,
            "iat": now,
            "nbf": now,
            "exp": int(expiry),
            "jti": str(uuid.uuid4()),
        }
        token = f"{_b64url({'alg': 'none', 'typ': 'JWT'})}.{_b64url(claims)}."
        with self._lock:
            self._issued[token] = (client_id, expiry)
        return 200, {
            "token_type": "Bearer",
            "expires_in": int(config.token_lifetime),
            "ext_expires_in": int(config.token_lifetime),
            "access_token": token,
        }

    @staticmethod
    def _client_credentials(
        form: dict[str, str], headers: dict[str, str]
    ) -> tuple[str | None, str | None]:
        # client_secret_post (form fields) or client_secret_basic (Authorization: Basic).
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                pair = base64.b64decode(value.strip()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None, None
            user, _, password = pair.partition(":")
            return user, password
        return form.get("client_id"), form.get("client_secret")
