"""The pre-flight permission check: does an access token carry the Graph permission a run
needs (graph-spec §2.4)?

Only the token's claims are read, without verifying its signature: this is a courtesy that
turns a certain 403 half-way through an apply into a clear message before the first write,
not a security boundary (Graph checks the token). Opaque tokens (not a JWT, or an encrypted
one) are not checked.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from reconciler.errors import AuthError
from reconciler.kinds import directory

READ = "DeviceManagementConfiguration.Read.All"
WRITE = "DeviceManagementConfiguration.ReadWrite.All"
GROUPS = directory.READ_PERMISSION  # manifests that name groups by displayName (a fleet's)
# A permission is satisfied by itself or by any of these.
_IMPLIED_BY = {READ: {READ, WRITE}, WRITE: {WRITE}, GROUPS: set(directory.READ_IMPLIED_BY)}


def jwt_claims(token: str) -> dict[str, Any] | None:
    """The payload of a signed JWT (three dot-separated parts); None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def granted(claims: dict[str, Any]) -> set[str]:
    """Application permissions (`roles`, a list) and delegated scopes (`scp`, space-separated)."""
    roles = claims.get("roles")
    scopes = claims.get("scp")
    found = {r for r in roles if isinstance(r, str)} if isinstance(roles, list) else set()
    if isinstance(scopes, str):
        found.update(scopes.split())
    return found


def require(token: str, permission: str, *, outcome: str) -> None:
    """AuthError naming `permission` (and `outcome`, what the caller did instead) when
    `token` is a JWT without it; silent otherwise."""
    claims = jwt_claims(token)
    if claims is None:
        return
    have = granted(claims)
    if have & _IMPLIED_BY[permission]:
        return
    family = ("Group", "Directory") if permission == GROUPS else ("DeviceManagement",)
    related = sorted(p for p in have if p.startswith(family))
    shown = f" (it has {', '.join(related)})" if related else ""
    kind = "scope" if "scp" in claims and "roles" not in claims else "application permission"
    raise AuthError(
        f"The access token lacks {permission}{shown}; {outcome}.",
        hint=f"Grant the app the {kind} {permission} with admin consent, then run again "
        "(a new token carries it).",
    )


def tenant_of(token: str | None, environ: Mapping[str, str]) -> str:
    """The tenant id a token was issued for (its `tid` claim), else AZURE_TENANT_ID, else
    "unknown"."""
    claims = jwt_claims(token) if token else None
    found = claims.get("tid") if claims else None
    if isinstance(found, str) and found:
        return found.lower()
    return environ.get("AZURE_TENANT_ID", "").strip().lower() or "unknown"
