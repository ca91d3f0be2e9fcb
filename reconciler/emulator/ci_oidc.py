"""CI systems' OIDC ID tokens, and their use as federated client assertions.

Two issuers, each enabled by the secret its endpoint requires:

- GitHub Actions (``github_request_token``), as GitHub documents it in "About security
  hardening with OpenID Connect" and "Configuring OpenID Connect in cloud providers"
  (docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments):
  a job with ``id-token: write`` gets ``ACTIONS_ID_TOKEN_REQUEST_URL`` (a URL with a query,
  e.g. ``…/_apis/distributedtask/hubs/build/plans/P/jobs/J/idtoken?api-version=2.0``) and
  ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``; ``GET $URL&audience=AUD`` with ``Authorization:
  Bearer $TOKEN`` answers ``{"value": "<jwt>"}``. The JWT has ``iss``
  ``https://token.actions.githubusercontent.com``, ``sub`` = ``github_subject``
  (``repo:OWNER/REPO:ref:refs/heads/main``), ``aud`` = the audience asked for (without one,
  the owner's URL ``https://github.com/OWNER``), ``repository``, ``repository_owner``,
  ``ref``, ``jti``, ``iat``, ``nbf``, ``exp``.
- Azure Pipelines (``pipelines_access_token`` and ``pipelines_service_connection``), as
  the Azure DevOps REST API "Oidctoken - Create" (distributedtask, api-version 7.1) and
  azure-identity's ``AzurePipelinesCredential`` call it: ``POST
  $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=ID`` (``SYSTEM_OIDCREQUESTURI``
  is ``…/_apis/distributedtask/hubs/build/plans/P/jobs/J/oidctoken``) with
  ``Authorization: Bearer $(System.AccessToken)`` answers ``{"oidcToken": "<jwt>"}`` with
  ``iss`` ``https://vstoken.dev.azure.com/<organization id>``, ``sub`` =
  ``pipelines_subject`` (``sc://ORG/PROJECT/SERVICE-CONNECTION``) and ``aud``
  ``api://AzureADTokenExchange``.

Both paths may have any prefix (GitHub's have one segment, Azure DevOps' the organization
and project). The tokens are unsigned JWTs the emulator keeps. The token endpoint accepts
one as a ``client_assertion`` for ``client_id`` as Entra ID matches a federated identity
credential (learn.microsoft.com/entra/workload-id/workload-identity-federation): its issuer
and subject must still be the configured ones (AADSTS70021 otherwise), its audience
``api://AzureADTokenExchange`` (AADSTS700212), and it must not have expired
(``ci_token_lifetime``; AADSTS700024), so a job that exchanged one token once cannot get
Graph tokens after that token's life.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from reconciler.emulator.config import Config
from reconciler.emulator.messages import Request
from reconciler.emulator.oauth import Answer, bearer, method_not_allowed, same, unsigned_jwt

CI_TOKEN_PATH = re.compile(
    r"(?:/[^/]+)*/_apis/distributedtask/hubs/[^/]+/plans/[^/]+/jobs/[^/]+/"
    r"(?P<kind>idtoken|oidctoken)\Z"
)
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
PIPELINES_ORGANIZATION = "6f2a0c1e-5d4b-4c3a-9e8f-7a6b5c4d3e2f"
PIPELINES_ISSUER = f"https://vstoken.dev.azure.com/{PIPELINES_ORGANIZATION}"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


GITHUB_REFUSAL = "Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN: bad credentials."
PIPELINES_REFUSAL = "TF400813: The user is not authorized to access this resource."


def _refused(status: int, message: str) -> Answer:
    return Answer(status, {"message": message}, "ci_id_tokens")


def _refusal(request: Request, method: str, secret: str | None, message: str) -> Answer | None:
    """The answer to a request with the wrong method or without the endpoint's bearer
    ``secret`` (None: the issuer is off); None when it may have a token."""
    if request.method != method:
        return method_not_allowed(method)
    if secret is None or not same(bearer(request.headers), secret):
        return _refused(401, message)
    return None


class CiIssuers:
    """The two ID token endpoints and the check of the tokens they issued."""

    def __init__(self, config: Callable[[], Config]) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._issued: dict[str, dict[str, Any]] = {}  # token -> its claims

    def answer(self, kind: str, request: Request) -> Answer:
        config = self._config()
        if kind == "idtoken":
            refusal = _refusal(request, "GET", config.github_request_token, GITHUB_REFUSAL)
            return refusal or self._github(config, request)
        refusal = _refusal(request, "POST", config.pipelines_access_token, PIPELINES_REFUSAL)
        return refusal or self._pipelines(config, request)

    def _github(self, config: Config, request: Request) -> Answer:
        repository = config.github_subject.removeprefix("repo:").partition(":")[0]
        owner = repository.partition("/")[0]
        audience = request.query.get("audience") or f"https://github.com/{owner}"
        claims = {
            "iss": GITHUB_ISSUER,
            "sub": config.github_subject,
            "aud": audience,
            "repository": repository,
            "repository_owner": owner,
            "ref": "refs/heads/main",
        }
        return Answer(200, {"value": self._issue(claims)}, "ci_id_tokens")

    def _pipelines(self, config: Config, request: Request) -> Answer:
        if request.query.get("serviceConnectionId") != config.pipelines_service_connection:
            return _refused(
                400, "The service connection does not exist or has not been authorized for use."
            )
        claims = {
            "iss": PIPELINES_ISSUER,
            "sub": config.pipelines_subject,
            "aud": EXCHANGE_AUDIENCE,
        }
        return Answer(200, {"oidcToken": self._issue(claims)}, "ci_id_tokens")

    def _issue(self, claims: dict[str, Any]) -> str:
        now = time.time()
        full = dict(
            claims,
            jti=str(uuid.uuid4()),
            iat=int(now),
            nbf=int(now),
            exp=int(now + self._config().ci_token_lifetime),
        )
        token = unsigned_jwt(full)
        with self._lock:
            self._issued[token] = dict(full, _expires_at=now + self._config().ci_token_lifetime)
        return token

    # -- as client assertions --------------------------------------------------------------

    def issued(self, assertion: str) -> bool:
        with self._lock:
            return assertion in self._issued

    def check(self, assertion: str) -> tuple[int, str] | None:
        """None when ``assertion`` (one issued here) matches a federated identity credential
        of ``client_id``; else Entra ID's AADSTS code and reason."""
        config = self._config()
        with self._lock:
            claims = self._issued[assertion]
        expected = {
            GITHUB_ISSUER: config.github_subject if config.github_request_token else None,
            PIPELINES_ISSUER: config.pipelines_subject if config.pipelines_access_token else None,
        }
        if expected.get(claims["iss"]) != claims["sub"]:
            return 70021, (
                "No matching federated identity record found for presented assertion. "
                f"Assertion Issuer: '{claims['iss']}'. Assertion Subject: '{claims['sub']}'."
            )
        if claims["aud"] != EXCHANGE_AUDIENCE:
            return 700212, (
                "No matching federated identity record found for presented assertion "
                f"audience '{claims['aud']}'."
            )
        if claims["_expires_at"] <= time.time():
            return 700024, "Client assertion is not within its valid time range."
        return None
