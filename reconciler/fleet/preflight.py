"""A tenant's credentials, checked before any Graph request: a token from that tenant's
authority, its consent, the tenant it reaches and the permissions the command needs.

One multi-tenant app registration serves the fleet: the credentials are those of
`--auth`, with `AZURE_TENANT_ID` set to each tenant's id (so azure-identity asks that
tenant's authority), and a tenant's `environment` entries taking the listed variables
from others (`AZURE_CLIENT_SECRET: CONTOSO_SECRET`). A problem fails that tenant alone,
as a `TenantFailure` with a typed, one-line reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from reconciler.apply.lock import LockHeldError
from reconciler.errors import (
    AuthError,
    ConfigError,
    GraphError,
    ManifestError,
    NotSentError,
    PlanError,
    PlanFileError,
    ReconcilerError,
    StalePlanError,
)
from reconciler.fetch.auth import credentials, permissions
from reconciler.fetch.auth.clouds import Endpoints
from reconciler.fetch.auth.credentials import AuthMode, Connection
from reconciler.fleet.sets import GroupProblem
from reconciler.fleet.spec import Tenant

_AADSTS = re.compile(r"AADSTS(\d+)")
# No admin consent in the tenant (delegated and GDAP flows), or the app is not known there
# (what client credentials meet in a tenant that never consented to a multi-tenant app).
CONSENT_CODES = frozenset({"65001", "700016"})
UNKNOWN_TENANT_CODES = frozenset({"90002"})
# What MSAL says when a tenant's discovery document is refused (an unknown tenant answers
# it with invalid_tenant, AADSTS90002, which MSAL does not pass on).
_NO_AUTHORITY = "Unable to get authority configuration"


class Reason(StrEnum):
    """Why a tenant failed, as scripts and reports name it."""

    TOKEN = "token"  # no token from the tenant's authority
    CONSENT = "consent"  # the app has no consent in the tenant
    PERMISSION = "permission"  # the token lacks a permission the command needs
    TENANT = "tenant"  # the credentials reach another tenant
    MANIFESTS = "manifests"  # the tenant's manifest set has problems
    GROUPS = "groups"  # a group named by displayName is missing or ambiguous
    PLAN = "plan"  # no plan could be made, or the saved plan is unusable
    STALE = "stale"  # the tenant changed since its plan was made
    LOCKED = "locked"  # another apply holds the tenant's lock
    APPLY = "apply"  # some writes failed or were not confirmed
    GRAPH = "graph"  # a Graph request failed
    CONFIG = "config"  # the tenant's credentials or settings are incomplete
    INTERRUPTED = "interrupted"
    INTERNAL = "internal"  # a bug: run with --debug


class TenantFailure(ReconcilerError):
    """One tenant cannot go on; the others do."""

    def __init__(self, reason: Reason, message: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


def _first_line(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, ManifestError) and error.issues:
        first = error.issues[0]
        more = len(error.issues) - 1
        return f"{first}" + (f" (and {more} more)" if more else "")
    return text.splitlines()[0] if text else type(error).__name__


def classify(error: BaseException) -> tuple[Reason, str]:
    """(why, one line) for an error that ended one tenant's work."""
    if isinstance(error, TenantFailure):
        return error.reason, str(error)
    if isinstance(error, GroupProblem):
        return Reason.GROUPS, _first_line(error)
    if isinstance(error, ManifestError):
        return Reason.MANIFESTS, _first_line(error)
    if isinstance(error, StalePlanError):
        return Reason.STALE, str(error)
    if isinstance(error, PlanFileError | PlanError):
        return Reason.PLAN, str(error)
    if isinstance(error, AuthError):
        return _auth_reason(str(error)), str(error)
    if isinstance(error, NotSentError):  # a signal stopped the tenant's next request
        return Reason.INTERRUPTED, "interrupted before its next request"
    if isinstance(error, GraphError):
        return Reason.GRAPH, str(error)
    if isinstance(error, LockHeldError):
        return Reason.LOCKED, str(error)
    if isinstance(error, ConfigError):
        return Reason.CONFIG, str(error)
    if isinstance(error, KeyboardInterrupt):
        return Reason.INTERRUPTED, "interrupted"
    return Reason.INTERNAL, f"internal error: {type(error).__name__}: {error}"


def _auth_reason(text: str) -> Reason:
    codes = set(_AADSTS.findall(text))
    if codes & CONSENT_CODES:
        return Reason.CONSENT
    if "lacks" in text and "permission" in text.lower():
        return Reason.PERMISSION
    return Reason.TOKEN


def tenant_environment(environ: Mapping[str, str], tenant: Tenant) -> dict[str, str]:
    """The environment a tenant's credentials are read from."""
    found = {**environ, "AZURE_TENANT_ID": tenant.tenant_id}
    for variable, source in tenant.environment.items():
        found[variable] = environ.get(source, "")
    return found


@dataclass(frozen=True)
class TenantConnection:
    connection: Connection
    tenant_id: str  # the tenant the token reaches (the fleet's id when it cannot tell)


def connect(
    tenant: Tenant,
    *,
    mode: AuthMode,
    endpoints: Endpoints,
    environ: Mapping[str, str],
    loopback: bool,
    needs: Sequence[str] = (),
) -> TenantConnection:
    """The tenant's credentials with a first token in hand, checked: raises TenantFailure."""
    env = tenant_environment(environ, tenant)
    missing = [s for v, s in tenant.environment.items() if not environ.get(s, "").strip()]
    if missing:
        raise TenantFailure(
            Reason.CONFIG,
            f"the environment lacks {', '.join(missing)} ({tenant.where} names it)",
        )
    try:
        connection = credentials.connect(mode, endpoints, env, loopback=loopback)
        token = connection.auth.token() if connection.auth is not None else None
    except (AuthError, ConfigError) as error:
        raise _token_failure(tenant, error) from error
    reached = permissions.tenant_of(token, {}) if token else "unknown"
    if reached not in ("unknown", tenant.tenant_id):
        raise TenantFailure(
            Reason.TENANT,
            f"the credentials reach tenant {reached}, not {tenant.tenant_id}; nothing was sent",
        )
    if token is not None:
        for permission in needs:
            try:
                permissions.require(token, permission, outcome="nothing was sent to it")
            except AuthError as error:
                raise TenantFailure(Reason.PERMISSION, str(error), hint=error.hint) from error
    return TenantConnection(connection, tenant.tenant_id)


def _token_failure(tenant: Tenant, error: ReconcilerError) -> TenantFailure:
    text = str(error)
    codes = set(_AADSTS.findall(text))
    if codes & CONSENT_CODES:
        return TenantFailure(
            Reason.CONSENT,
            f"the app has no admin consent in tenant {tenant.tenant_id} "
            f"(AADSTS{sorted(codes & CONSENT_CODES)[0]})",
            hint="An administrator of that tenant consents to the app (or the partner "
            "relationship grants it), then run again.",
        )
    if codes & UNKNOWN_TENANT_CODES or _NO_AUTHORITY in text:
        return TenantFailure(
            Reason.TOKEN,
            f"the authority does not know tenant {tenant.tenant_id} (AADSTS90002, "
            "invalid_tenant: its discovery document is refused)",
            hint=f"Check its tenantId at {tenant.where}.",
        )
    reason = Reason.CONFIG if isinstance(error, ConfigError) else Reason.TOKEN
    return TenantFailure(reason, text, hint=error.hint)
