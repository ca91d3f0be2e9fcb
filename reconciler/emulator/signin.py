"""User sign-in to ``client_id`` as a public client, as the one configured ``user``.

There is no password or consent page: whoever approves a device code, or opens the
authorize URL, signs in as ``user``. Built from the protocols, with the Microsoft identity
platform's endpoint shapes and error codes:

- Device authorization grant, RFC 8628; Microsoft identity platform "OAuth 2.0 device
  authorization grant" (learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code).
  ``POST /{tenant}/oauth2/v2.0/devicecode`` (form ``client_id``, ``scope``) answers
  ``device_code``, ``user_code``, ``verification_uri`` (``/devicelogin`` here),
  ``verification_uri_complete``, ``expires_in`` (``device_code_lifetime``), ``interval``
  (``device_code_interval``) and Microsoft's ``message`` (RFC 8628 §3.2). The user
  approves at ``POST /devicelogin`` (form ``user_code``, case and dashes ignored as
  §6.1 advises; ``action=deny`` refuses); ``GET /devicelogin`` shows that form. Polling the
  token endpoint with ``grant_type=urn:ietf:params:oauth:grant-type:device_code`` and
  ``device_code`` answers ``authorization_pending`` until then, ``access_denied`` or
  ``expired_token`` (§3.5), then tokens, once.
- Authorization code grant, RFC 6749 §4.1, with PKCE, RFC 7636; Microsoft identity
  platform "OAuth 2.0 authorization code flow" (…/v2-oauth2-auth-code-flow).
  ``GET /{tenant}/oauth2/v2.0/authorize`` with ``response_type=code``, ``client_id``,
  ``redirect_uri`` (a loopback ``http`` URI, any port, as RFC 8252 §7.3 has native apps
  use), ``scope``, ``state``, ``code_challenge`` (required; method ``S256`` or ``plain``,
  RFC 7636 §4.3) and optional ``nonce``, returns ``code`` and ``state`` to ``redirect_uri``:
  by a 302 whose query carries them (``response_mode=query``, the default for ``code``) or
  by a page whose form posts them there (``response_mode=form_post``, OAuth 2.0 Form Post
  Response Mode, OpenID Foundation 2015). An unknown client or a non-loopback
  ``redirect_uri`` gets an error page and no redirect (RFC 6749 §4.1.2.1). The token
  endpoint's ``authorization_code`` grant checks ``client_id``, ``redirect_uri`` and the
  ``code_verifier`` (§4.6); a code lives 10 minutes and is redeemed once (RFC 6749
  §4.1.2).
- Refresh token grant, RFC 6749 §6: any refresh token issued here, for its client, with a
  new ``scope`` if asked.

Token replies (RFC 6749 §5.1, plus what Microsoft adds) carry the access token with
delegated ``scp``, ``scope`` (the resource scopes granted), with ``openid`` asked an ID
token (OpenID Connect Core 1.0 §2: ``iss`` = the discovery issuer, ``aud`` = the client,
``sub``, ``oid``, ``tid``, ``preferred_username``, the authorize request's ``nonce``) and
``client_info`` (base64url JSON ``uid``/``utid``, which MSAL reads to name the account), and
with ``offline_access`` asked a refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from reconciler.emulator import b64url
from reconciler.emulator.config import Config
from reconciler.emulator.messages import Request
from reconciler.emulator.oauth import (
    Answer,
    aad_error,
    form_of,
    method_not_allowed,
    same,
    unsigned_jwt,
)

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_GRANTS = frozenset({DEVICE_CODE_GRANT, "authorization_code", "refresh_token"})
VERIFICATION_PATH = "/devicelogin"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
CODE_LIFETIME = 600.0  # seconds; RFC 6749 §4.1.2 recommends at most 10 minutes
USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # RFC 8628 §6.1: no vowels, no look-alikes
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


@dataclass(frozen=True)
class Grant:
    """What a redeemed code or refresh token grants: tokens for ``client_id``'s user."""

    client_id: str
    tenant: str
    scopes: tuple[str, ...]
    nonce: str | None = None

    @property
    def resource_scopes(self) -> tuple[str, ...]:
        return tuple(s for s in self.scopes if s.lower() not in OIDC_SCOPES)


@dataclass
class _DeviceCode:
    grant: Grant
    user_code: str
    expires_at: float
    state: str = "pending"  # pending, approved, denied


@dataclass(frozen=True)
class _AuthorizationCode:
    grant: Grant
    redirect_uri: str
    challenge: str
    method: str
    expires_at: float


def _scopes(text: str | None) -> tuple[str, ...]:
    return tuple((text or "").split())


def _normalised_user_code(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def _is_loopback_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def _pkce_matches(verifier: str | None, challenge: str, method: str) -> bool:
    if not verifier:
        return False
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        verifier = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return same(verifier, challenge)


def _page(status: int, title: str, text: str, form: str = "") -> Answer:
    body = (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{form}</body></html>"
    )
    return Answer(status, body, None)


class UserSignIn:
    """Pending device codes, authorization codes and refresh tokens (module docstring)."""

    def __init__(self, config: Callable[[], Config]) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._device_codes: dict[str, _DeviceCode] = {}  # device_code -> state
        self._codes: dict[str, _AuthorizationCode] = {}
        self._refresh_tokens: dict[str, Grant] = {}

    # -- shared checks -------------------------------------------------------------------

    def _client_refusal(self, client_id: str | None) -> Answer | None:
        """None when ``client_id`` is the configured client and user sign-in is on."""
        config = self._config()
        if config.client_id is None or client_id != config.client_id:
            return Answer(
                400,
                aad_error(
                    "unauthorized_client", 700016, f"Application '{client_id}' was not found."
                ),
            )
        if config.user is None:
            return Answer(
                401,
                aad_error(
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: "
                    "'client_assertion' or 'client_secret'.",
                ),
            )
        return None

    @staticmethod
    def _scope_refusal(scopes: tuple[str, ...]) -> Answer | None:
        if any(s.lower() not in OIDC_SCOPES for s in scopes):
            return None
        return Answer(
            400,
            aad_error(
                "invalid_scope",
                70011,
                "The provided value for the input parameter 'scope' is not valid.",
            ),
        )

    # -- device authorization grant (RFC 8628) ---------------------------------------------

    def device_authorization(self, tenant: str, form: dict[str, str], root: str) -> Answer:
        client_id = form.get("client_id")
        scopes = _scopes(form.get("scope"))
        refusal = self._client_refusal(client_id) or self._scope_refusal(scopes)
        if refusal is not None:
            return Answer(refusal.status, refusal.body, "device_codes")
        config = self._config()
        device_code = secrets.token_urlsafe(32)
        letters = [secrets.choice(USER_CODE_LETTERS) for _ in range(8)]
        user_code = "".join(letters[:4]) + "-" + "".join(letters[4:])
        with self._lock:
            self._device_codes[device_code] = _DeviceCode(
                Grant(client_id or "", tenant, scopes),
                user_code,
                time.time() + config.device_code_lifetime,
            )
        uri = f"{root}{VERIFICATION_PATH}"
        body = {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": uri,
            "verification_uri_complete": f"{uri}?{urlencode({'user_code': user_code})}",
            "expires_in": int(config.device_code_lifetime),
            "interval": config.device_code_interval,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the "
            f"code {user_code} to authenticate.",
        }
        return Answer(200, body, "device_codes")

    def verification(self, request: Request) -> Answer:
        """The verification page: GET shows the form, POST approves (or denies) a code."""
        if request.method == "GET":
            code = html.escape(request.query.get("user_code", ""), quote=True)
            page = (
                f'<form method="post" action="{VERIFICATION_PATH}">'
                f'<input name="user_code" value="{code}"/>'
                '<button name="action" value="approve">Sign in</button>'
                '<button name="action" value="deny">Deny</button></form>'
            )
            return _page(200, "Enter code", "Enter the code shown by the application.", page)
        if request.method != "POST":
            return method_not_allowed("GET, POST")
        form = form_of(request.body)
        wanted = _normalised_user_code(form.get("user_code", ""))
        deny = form.get("action") == "deny"
        with self._lock:
            found = next(
                (
                    pending
                    for pending in self._device_codes.values()
                    if _normalised_user_code(pending.user_code) == wanted
                    and pending.state == "pending"
                    and pending.expires_at > time.time()
                ),
                None,
            )
            if found is not None:
                found.state = "denied" if deny else "approved"
        if found is None:
            return _page(400, "Code not valid", "That code is unknown, used or expired.")
        if deny:
            return _page(200, "Sign-in denied", "You have denied the sign-in.")
        user = self._config().user or ""
        return _page(200, "Signed in", f"You have signed in as {user}; close this window.")

    # -- authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636) -----------------------

    def authorize(self, tenant: str, query: Mapping[str, str]) -> Answer:
        client_id = query.get("client_id")
        redirect_uri = query.get("redirect_uri", "")
        refusal = self._client_refusal(client_id)
        if refusal is not None:
            assert isinstance(refusal.body, dict)
            return _page(400, "Sign-in error", str(refusal.body["error_description"]))
        if not _is_loopback_redirect(redirect_uri):
            return _page(
                400,
                "Sign-in error",
                "AADSTS50011: The redirect URI specified in the request does not match the "
                "redirect URIs configured for the application (http://localhost, any port).",
            )
        mode = query.get("response_mode", "query")
        reply: dict[str, str] = {}
        challenge = query.get("code_challenge", "")
        method = query.get("code_challenge_method", "plain")
        scopes = _scopes(query.get("scope"))
        if query.get("response_type") != "code":
            reply = {"error": "unsupported_response_type"}
        elif not challenge or method not in ("S256", "plain"):
            reply = {
                "error": "invalid_request",
                "error_description": "AADSTS9002325: Proof Key for Code Exchange (a "
                "code_challenge, S256 or plain) is required.",
            }
        elif self._scope_refusal(scopes) is not None:
            reply = {"error": "invalid_scope"}
        else:
            code = secrets.token_urlsafe(32)
            grant = Grant(client_id or "", tenant, scopes, query.get("nonce"))
            with self._lock:
                self._codes[code] = _AuthorizationCode(
                    grant, redirect_uri, challenge, method, time.time() + CODE_LIFETIME
                )
            reply = {"code": code}
        if "state" in query:
            reply["state"] = query["state"]
        return _deliver(redirect_uri, reply, form_post=mode == "form_post")

    # -- the token endpoint's user grants ------------------------------------------------

    def redeem(self, grant_type: str, tenant: str, form: dict[str, str]) -> Grant | Answer:
        """What a token request with a user grant is granted, or the error to answer."""
        refusal = self._client_refusal(form.get("client_id"))
        if refusal is not None:
            return Answer(refusal.status, refusal.body, grant=grant_type)
        if grant_type == DEVICE_CODE_GRANT:
            found = self._redeem_device_code(form)
        elif grant_type == "authorization_code":
            found = self._redeem_code(form)
        else:
            found = self._redeem_refresh_token(form)
        if isinstance(found, Answer):
            return Answer(found.status, found.body, grant=grant_type)
        return found

    def _redeem_device_code(self, form: dict[str, str]) -> Grant | Answer:
        with self._lock:
            pending = self._device_codes.get(form.get("device_code", ""))
            if pending is None or pending.grant.client_id != form.get("client_id"):
                return _invalid_grant(70000, "The provided device code is not valid.")
            if pending.expires_at <= time.time():
                del self._device_codes[form["device_code"]]
                return Answer(400, aad_error("expired_token", 70019, "Verification code expired."))
            if pending.state == "pending":
                return Answer(
                    400,
                    aad_error(
                        "authorization_pending",
                        70016,
                        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    ),
                )
            del self._device_codes[form["device_code"]]
        if pending.state == "denied":
            return Answer(400, aad_error("access_denied", 65004, "The user declined the sign-in."))
        return pending.grant

    def _redeem_code(self, form: dict[str, str]) -> Grant | Answer:
        with self._lock:
            issued = self._codes.pop(form.get("code", ""), None)  # redeemed at most once
        if issued is None:
            return _invalid_grant(
                54005, "The authorization code is unknown or was already redeemed."
            )
        if issued.expires_at <= time.time():
            return _invalid_grant(70008, "The provided authorization code has expired.")
        if issued.grant.client_id != form.get("client_id"):
            return _invalid_grant(70000, "The authorization code was issued to another client.")
        if form.get("redirect_uri") != issued.redirect_uri:
            return _invalid_grant(
                50011, "The redirect_uri differs from the one of the authorization request."
            )
        if not _pkce_matches(form.get("code_verifier"), issued.challenge, issued.method):
            return _invalid_grant(
                50148,
                "The code_verifier does not match the code_challenge supplied in the "
                "authorization request for PKCE.",
            )
        return issued.grant

    def _redeem_refresh_token(self, form: dict[str, str]) -> Grant | Answer:
        with self._lock:
            known = self._refresh_tokens.get(form.get("refresh_token", ""))
        if known is None or known.client_id != form.get("client_id"):
            return _invalid_grant(70000, "The provided refresh token is not valid.")
        scopes = _scopes(form.get("scope")) or known.scopes
        wider = set(Grant("", "", scopes).resource_scopes) - set(known.resource_scopes)
        if wider:  # RFC 6749 §6: no scope the user did not grant
            return Answer(
                400,
                aad_error(
                    "invalid_scope", 70011, f"The scope {' '.join(sorted(wider))} was not granted."
                ),
            )
        return Grant(known.client_id, known.tenant, scopes)

    # -- what a user's token reply adds ------------------------------------------------------

    def user_claims(self, user: str) -> dict[str, Any]:
        """The claims naming the user in access and ID tokens."""
        return {
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"user:{user}")),
            "upn": user,
            "name": user.partition("@")[0],
            "idtyp": "user",
        }

    def complete(self, grant: Grant, access: dict[str, Any], root: str) -> dict[str, Any]:
        """``access`` (the access token reply) with ``scope`` and, as the scopes ask, an ID
        token, ``client_info`` and a refresh token."""
        config = self._config()
        user = config.user or ""
        asked = {s.lower() for s in grant.scopes}
        reply = dict(access, scope=" ".join(grant.resource_scopes))
        named = self.user_claims(user)
        if "openid" in asked:
            now = int(time.time())
            claims: dict[str, Any] = {
                "ver": "2.0",
                "iss": f"{root}/{grant.tenant}/v2.0",
                "aud": grant.client_id,
                "sub": hashlib.sha256(f"{named['oid']}|{grant.client_id}".encode()).hexdigest(),
                "oid": named["oid"],
                "tid": grant.tenant,
                "preferred_username": user,
                "name": named["name"],
                "iat": now,
                "nbf": now,
                "exp": now + int(config.token_lifetime),
            }
            if grant.nonce is not None:
                claims["nonce"] = grant.nonce
            reply["id_token"] = unsigned_jwt(claims)
            reply["client_info"] = b64url.encode_json({"uid": named["oid"], "utid": grant.tenant})
        if "offline_access" in asked:
            refresh_token = secrets.token_urlsafe(48)
            with self._lock:
                self._refresh_tokens[refresh_token] = grant
            reply["refresh_token"] = refresh_token
        return reply


def _invalid_grant(code: int, description: str) -> Answer:
    return Answer(400, aad_error("invalid_grant", code, description))


def _deliver(redirect_uri: str, reply: dict[str, str], *, form_post: bool) -> Answer:
    """The authorization response (RFC 6749 §4.1.2): a redirect with a query, or a page that
    posts a form (OAuth 2.0 Form Post Response Mode)."""
    if not form_post:
        joiner = "&" if urlsplit(redirect_uri).query else "?"
        return Answer(
            302, "", "authorizations", {"Location": redirect_uri + joiner + urlencode(reply)}
        )
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k, quote=True)}" value="{html.escape(v, quote=True)}"/>'
        for k, v in reply.items()
    )
    body = (
        "<!DOCTYPE html><html><head><title>Working...</title></head>"
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(redirect_uri, quote=True)}">{fields}'
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
    )
    return Answer(200, body, "authorizations")
