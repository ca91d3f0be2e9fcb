"""Bearer-token checks for ``/beta`` and the identity endpoints that issue tokens.

Authentication is enforced when a static ``token``, a ``client_id`` (with a secret, a
federated token, a certificate, a ``user`` or a CI issuer) or a ``managed_identity`` is
configured; then a request needs ``Authorization: Bearer <t>`` where ``t`` is the static
token or an unexpired token issued here. Issued tokens are unsigned JWTs (``alg: none``)
carrying ``appid``, ``tid``, ``exp``, ``aud`` (the requested scope or resource without
``/.default``) and the permissions ``token_roles`` (by default
``DeviceManagementConfiguration.ReadWrite.All``): as application ``roles`` for an app, as
delegated ``scp`` (with ``oid``, ``upn``) for a signed-in user, so a client can read the
expiry and the permissions.

Identity endpoints (outside ``/beta``), after the Microsoft identity platform's
(learn.microsoft.com/entra/identity-platform/v2-protocols):

- ``POST /{tenant}/oauth2/v2.0/token``. ``grant_type=client_credentials``
  (v2-oauth2-client-creds-grant-flow): the client authenticates with ``client_secret``
  (form or HTTP Basic), or with a ``client_assertion`` of type jwt-bearer (RFC 7523) that
  is the configured ``federated_token`` (workload identity), an ID token issued by
  :mod:`.ci_oidc` (GitHub Actions, Azure Pipelines), or a JWT signed by the key of
  ``client_certificate`` (see :mod:`.assertions`). The user grants ``device_code``,
  ``authorization_code`` and ``refresh_token`` are :mod:`.signin`'s.
- ``POST /{tenant}/oauth2/v2.0/devicecode``, ``GET /{tenant}/oauth2/v2.0/authorize`` and
  the verification page ``/devicelogin``: user sign-in (:mod:`.signin`).
- ``GET /{tenant}/v2.0/.well-known/openid-configuration``: OIDC discovery (OpenID Connect
  Discovery 1.0), pointing at the endpoints above (MSAL reads it first).
- ``GET /metadata/identity/oauth2/token`` (IMDS, needs ``Metadata: true``) and
  ``GET /msi/token`` (App Service, needs ``X-IDENTITY-HEADER`` = ``identity_header``):
  managed identity tokens for ``managed_identity``.
- ``.../idtoken`` and ``.../oidctoken`` under ``/_apis/distributedtask/``: the CI ID token
  endpoints of :mod:`.ci_oidc`.

The throttling identity ("app") is the client id for issued tokens, the token value for
other bearer tokens, and ``anonymous`` without one. Token values and secrets are never
logged or echoed.

Multi-tenant mode (``Config.tenants``): the ``{tenant}`` of the identity endpoints must be
one of the tenants served (case-insensitive), else the token, device code, authorize and
discovery endpoints answer 400 ``invalid_tenant`` with ``AADSTS90002`` (the identity
platform's code for an unknown tenant; the wording of the body is the emulator's own). A
tenant in ``Config.unconsented`` gets 400 ``invalid_grant`` with ``AADSTS65001`` (no admin
consent) once the client has proved itself. A Graph request reaches the tenant named by
the ``tid`` of the token it carries (:class:`Caller`); the static ``token``, managed
identity tokens and anonymous requests reach the first tenant.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.ci_oidc import CI_TOKEN_PATH, CiIssuers
from reconciler.emulator.config import Config
from reconciler.emulator.errors import ApiError
from reconciler.emulator.messages import Request
from reconciler.emulator.oauth import (
    Answer,
    aad_error,
    bearer,
    form_of,
    method_not_allowed,
    same,
    unsigned_jwt,
)
from reconciler.emulator.signin import USER_GRANTS, VERIFICATION_PATH, Grant, UserSignIn

TOKEN_PATH = re.compile(r"/(?P<tenant>[^/]+)/oauth2/v2\.0/token\Z")
DEVICECODE_PATH = re.compile(r"/(?P<tenant>[^/]+)/oauth2/v2\.0/devicecode\Z")
AUTHORIZE_PATH = re.compile(r"/(?P<tenant>[^/]+)/oauth2/v2\.0/authorize\Z")
DISCOVERY_PATH = re.compile(r"/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration\Z")
IMDS_PATH = "/metadata/identity/oauth2/token"
APP_SERVICE_PATH = "/msi/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MANAGED_TENANT = "managed-identity-tenant"


def _audience(scope_or_resource: str) -> str:
    return scope_or_resource.split()[0].removesuffix("/.default")


@dataclass(frozen=True)
class Caller:
    """Who sent a Graph request: the throttling identity, the tenant its token was issued
    for ("" when none is named: the first, or only, tenant) and its token's permissions
    (None: not known, so not checked)."""

    app: str
    tenant: str = ""
    roles: tuple[str, ...] | None = None


@dataclass(frozen=True)
class _Issued:
    client_id: str
    tenant: str
    expiry: float
    roles: tuple[str, ...]


class Authenticator:
    """Checks bearer tokens and issues new ones (see the module docstring)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._issued: dict[str, _Issued] = {}  # token -> who it was issued to
        self.signin = UserSignIn(lambda: self._config)
        self.ci = CiIssuers(lambda: self._config)

    def reconfigure(self, config: Config) -> None:
        self._config = config

    def identify(self, headers: dict[str, str]) -> Caller:
        """The caller; a 401 when authentication is on and the token is bad."""
        token = bearer(headers) or ""
        with self._lock:
            issued = self._issued.get(token) if token else None
        if not self._config.auth_required:
            if issued is not None:  # a token of ours still names its tenant
                return Caller(token, issued.tenant, None)
            return Caller(token or "anonymous")
        if not token:
            raise self._unauthorized("Access token is empty.")
        static = self._config.token
        if static is not None and hmac.compare_digest(token.encode(), static.encode()):
            return Caller(token)
        if issued is None:
            raise self._unauthorized("Access token validation failure. Invalid audience.")
        if time.time() >= issued.expiry:
            raise self._unauthorized("Lifetime validation failed, the token is expired.")
        return Caller(issued.client_id, issued.tenant, issued.roles)

    @staticmethod
    def _unauthorized(message: str) -> ApiError:
        return ApiError(
            401,
            "InvalidAuthenticationToken",
            message,
            headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
        )

    # -- identity endpoints --------------------------------------------------------------

    def answer(self, path: str, request: Request) -> Answer | None:
        """The reply of the identity endpoint at ``path``; None when ``path`` is not one."""
        root = _root(request)
        for pattern in (TOKEN_PATH, DEVICECODE_PATH, AUTHORIZE_PATH, DISCOVERY_PATH):
            match = pattern.match(path)
            if match and not self._serves(match["tenant"]):
                return _unknown_tenant(match["tenant"])
        if match := TOKEN_PATH.match(path):
            if request.method != "POST":
                return method_not_allowed("POST")
            return self.issue(match["tenant"], request.body, request.headers, root)
        if match := DEVICECODE_PATH.match(path):
            if request.method != "POST":
                return method_not_allowed("POST")
            return self.signin.device_authorization(match["tenant"], form_of(request.body), root)
        if match := AUTHORIZE_PATH.match(path):
            if request.method != "GET":
                return method_not_allowed("GET")
            return self.signin.authorize(match["tenant"], request.query)
        if path == VERIFICATION_PATH:
            return self.signin.verification(request)
        if match := DISCOVERY_PATH.match(path):
            return Answer(200, _openid_configuration(root, match["tenant"]), None)
        if match := CI_TOKEN_PATH.match(path):
            return self.ci.answer(match["kind"], request)
        if path == IMDS_PATH:
            return self._imds(request)
        if path == APP_SERVICE_PATH:
            return self._app_service(request)
        return None

    def _serves(self, tenant: str) -> bool:
        config = self._config
        return not config.multi_tenant or tenant.lower() in config.tenants

    def _tenant(self, tenant: str) -> str:
        """The tenant a token names: as written, or lower-cased as served in multi-tenant
        mode."""
        return tenant.lower() if self._config.multi_tenant else tenant

    def issue(self, tenant: str, body: bytes, headers: dict[str, str], root: str = "") -> Answer:
        """Answer a token request with AAD-style JSON."""
        if not self._serves(tenant):
            return _unknown_tenant(tenant)
        tenant = self._tenant(tenant)
        form = form_of(body)
        grant_type = form.get("grant_type")
        if grant_type in USER_GRANTS:
            found = self.signin.redeem(grant_type, tenant, form)
            if isinstance(found, Answer):
                return found
            return Answer(200, self._user_tokens(found, root), grant=grant_type)
        if grant_type != "client_credentials":
            return Answer(
                400,
                aad_error(
                    "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
                ),
            )
        client_id, client_secret = self._client_credentials(form, headers)
        config = self._config
        scope = form.get("scope")
        if not scope:
            return Answer(
                400,
                aad_error(
                    "invalid_request", 90014, "The request body must contain the 'scope' parameter."
                ),
            )
        if config.client_id is None or client_id != config.client_id:
            return Answer(
                400,
                aad_error(
                    "unauthorized_client", 700016, f"Application '{client_id}' was not found."
                ),
            )
        if "client_assertion" in form:
            refusal = self._check_assertion(form, f"{root}/{tenant}/oauth2/v2.0/token")
        elif not same(client_secret, config.client_secret):
            refusal = 7000215, "Invalid client secret provided."
        else:
            refusal = None
        if refusal is not None:
            return Answer(401, aad_error("invalid_client", *refusal))
        if tenant in config.unconsented:
            return Answer(400, _no_consent(client_id))
        reply = self._token_reply(client_id, tenant, _audience(scope))
        return Answer(200, reply, grant=grant_type)

    def _check_assertion(self, form: dict[str, str], token_endpoint: str) -> tuple[int, str] | None:
        """None when the client assertion proves the configured client; else the AADSTS
        code and reason."""
        config = self._config
        assertion = form["client_assertion"]
        if form.get("client_assertion_type") != JWT_BEARER:
            return 7000215, "Invalid client assertion type."
        if same(assertion, config.federated_token):
            return None
        if self.ci.issued(assertion):
            return self.ci.check(assertion)
        if config.client_certificate is None:
            return 70021, "No matching federated identity record found for presented assertion."
        from reconciler.emulator.assertions import check_signed_assertion

        reason = check_signed_assertion(
            assertion,
            certificate_pem=config.client_certificate,
            client_id=config.client_id or "",
            audience=token_endpoint,
        )
        return None if reason is None else (7000215, reason)

    def _user_tokens(self, grant: Grant, root: str) -> dict[str, Any]:
        """Tokens for a signed-in user: the access token, then what signin adds (ID token,
        client_info, refresh token)."""
        user = self._config.user or ""
        access = self._token_reply(
            grant.client_id, grant.tenant, _audience(" ".join(grant.resource_scopes)), user=user
        )
        return self.signin.complete(grant, access, root)

    def _imds(self, request: Request) -> Answer:
        if request.headers.get("metadata", "").lower() != "true":
            return _mi_error(400, "Required metadata header not specified")
        return self._managed_token(request, include_expires_in=True)

    def _app_service(self, request: Request) -> Answer:
        if not same(request.headers.get("x-identity-header"), self._config.identity_header):
            return _mi_error(401, "The X-IDENTITY-HEADER is missing or wrong.")
        return self._managed_token(request, include_expires_in=False)

    def _managed_token(self, request: Request, *, include_expires_in: bool) -> Answer:
        identity = self._config.managed_identity
        resource = request.query.get("resource", "")
        wanted = request.query.get("client_id")
        if identity is None or (wanted is not None and wanted != identity):
            return _mi_error(400, "Identity not found")
        if not resource:
            return _mi_error(400, "Required query variable 'resource' is missing")
        tenant = self._config.tenants[0] if self._config.multi_tenant else MANAGED_TENANT
        reply = self._token_reply(identity, tenant, _audience(resource))
        body: dict[str, Any] = {
            "access_token": reply["access_token"],
            "expires_on": str(reply["expires_on"]),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": identity,
        }
        if include_expires_in:
            body["expires_in"] = str(reply["expires_in"])
        return Answer(200, body)

    def _token_reply(
        self, client_id: str, tenant: str, audience: str, *, user: str | None = None
    ) -> dict[str, Any]:
        """An access token for the app ``client_id`` (application ``roles``), or for ``user``
        signed in to it (delegated ``scp``), registered as issued."""
        config = self._config
        issued_at = time.time()
        expiry = issued_at + config.token_lifetime  # a float, so tests can use short lives
        now = int(issued_at)
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{tenant}/",
            "tid": tenant,
            "appid": client_id,
            "iat": now,
            "nbf": now,
            "exp": int(expiry),
            "jti": str(uuid.uuid4()),
        }
        roles = config.roles_of(tenant)
        if user is None:
            claims["roles"] = list(roles)
        else:
            claims.update(self.signin.user_claims(user))
            claims["scp"] = " ".join(roles)
        token = unsigned_jwt(claims)
        with self._lock:
            self._issued[token] = _Issued(client_id, self._tenant(tenant), expiry, roles)
        return {
            "token_type": "Bearer",
            "expires_in": int(config.token_lifetime),
            "ext_expires_in": int(config.token_lifetime),
            "expires_on": int(expiry),
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


def _root(request: Request) -> str:
    return request.base_url.rsplit("/", 1)[0]


def _openid_configuration(root: str, tenant: str) -> dict[str, Any]:
    base = f"{root}/{tenant}"
    return {
        "issuer": f"{base}/v2.0",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "jwks_uri": f"{root}/{tenant}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
        ],
        "response_types_supported": ["code", "id_token", "token id_token"],
        "response_modes_supported": ["query", "form_post"],
        "grant_types_supported": [
            "client_credentials",
            "authorization_code",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code",
        ],
        "code_challenge_methods_supported": ["S256", "plain"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }


def _unknown_tenant(tenant: str) -> Answer:
    """The identity platform's code for a tenant it does not know (AADSTS90002); the
    wording is the emulator's own."""
    return Answer(
        400,
        aad_error(
            "invalid_tenant",
            90002,
            f"Tenant '{tenant[:100]}' not found. This emulator serves only the tenants it was "
            "started with (--tenant, --tenants).",
        ),
    )


def _no_consent(client_id: str) -> dict[str, Any]:
    return aad_error(
        "invalid_grant",
        65001,
        f"The user or administrator has not consented to use the application with ID "
        f"'{client_id}'. Send an interactive authorization request for this user and resource.",
    )


def _mi_error(status: int, message: str) -> Answer:
    return Answer(status, {"error": "invalid_request", "error_description": message})
