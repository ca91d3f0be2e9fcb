"""A sliver of the Entra ID directory: the tenant's groups, read-only, so that manifests can
name a group by its ``displayName`` and a client resolve it per tenant.

Served under ``/beta`` (Graph's ``group`` resource, learn.microsoft.com ``graph/api/group-list``):

- ``GET /groups``: 100 a page by default, ``$top`` up to 999, a keyset ``$skiptoken``;
  ``$select``; ``$filter`` of the one form a reconciler sends, ``displayName eq '...'``
  (``''`` for a quote), compared without regard to case as the directory compares names.
  Other filters and query options are a 400 (their live behaviour is not emulated).
- ``GET /groups/{id}`` (also ``groups('{id}')``), ``$select``.
- Reads need ``Group.Read.All`` (or ``Group.ReadWrite.All``, ``Directory.Read.All``,
  ``Directory.ReadWrite.All``, ``GroupMember.Read.All``) in a token that carries
  permissions; without it, 403 ``Authorization_RequestDenied`` as Graph answers.
- No writes: groups come from the seed or state file.

Stored form (the tenant document's ``groups``)::

    {"id": "<guid>", "displayName": str, "description": str | None,
     "mailNickname": str | None, "securityEnabled": bool, "mailEnabled": bool,
     "groupTypes": [str]}

In a seed only ``displayName`` is required; the id is generated when left out.
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request, not_found
from reconciler.emulator.messages import Request, Response
from reconciler.emulator.routing import Route, keyed
from reconciler.emulator.surfaces.intune import odata, paging
from reconciler.emulator.tenant import StoreSurface

KEY = "groups"
TYPE = "microsoft.graph.group"
PROPERTIES = (
    "id",
    "displayName",
    "description",
    "mailNickname",
    "securityEnabled",
    "mailEnabled",
    "groupTypes",
)
PAGE, MAX_TOP = 100, 999
READ_PERMISSIONS = frozenset(
    {
        "Group.Read.All",
        "Group.ReadWrite.All",
        "GroupMember.Read.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)
_NAME_FILTER = re.compile(r"\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*\Z", re.IGNORECASE)


def normalise(part: Mapping[str, Any]) -> dict[str, Any]:
    groups = part.get(KEY, [])
    if not isinstance(groups, list):
        raise ValueError("invalid tenant document: 'groups' must be a list")
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(groups):
        if not isinstance(raw, dict) or not isinstance(raw.get("displayName"), str):
            raise ValueError(f"invalid tenant document: groups[{index}] needs a displayName")
        unknown = set(raw) - set(PROPERTIES)
        if unknown:
            raise ValueError(f"invalid tenant document: groups[{index}] has {sorted(unknown)}")
        group = {
            "id": str(raw.get("id") or uuid.uuid4()).lower(),
            "displayName": raw["displayName"],
            "description": raw.get("description"),
            "mailNickname": raw.get("mailNickname"),
            "securityEnabled": bool(raw.get("securityEnabled", True)),
            "mailEnabled": bool(raw.get("mailEnabled", False)),
            "groupTypes": list(raw.get("groupTypes") or []),
        }
        if group["id"] in seen:
            raise ValueError(f"invalid tenant document: group id {group['id']} given twice")
        seen.add(group["id"])
        found.append(group)
    return {KEY: found}


def make_group(display_name: str, group_id: str | None = None) -> dict[str, Any]:
    """A ``groups`` entry for a seed."""
    return {"id": group_id or str(uuid.uuid4()), "displayName": display_name}


class GroupStore:
    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._groups: list[dict[str, Any]] = []

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {KEY: copy.deepcopy(self._groups)}

    def load(self, part: dict[str, Any]) -> None:
        with self._lock:
            self._groups = copy.deepcopy(part.get(KEY, []))

    def groups(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._groups)


def _check_permission(request: Request) -> None:
    if request.roles is not None and not READ_PERMISSIONS & set(request.roles):
        raise ApiError(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        )


def _select(opts: dict[str, str], group: dict[str, Any]) -> dict[str, Any]:
    if "select" not in opts:
        return group
    chosen = odata.parse_select(opts["select"], PROPERTIES, TYPE)
    return {k: v for k, v in group.items() if k in chosen or k == "id"}


def _key(group: dict[str, Any]) -> paging.Key:
    return (group["id"],)


class DirectoryApi:
    def __init__(self, store: GroupStore) -> None:
        self.store = store

    def list_groups(self, request: Request, params: dict[str, str]) -> Response:
        _check_permission(request)
        opts = odata.options(request.query, ("top", "skiptoken", "select", "filter"), where=KEY)
        groups = sorted(self.store.groups(), key=_key)
        if "filter" in opts:
            match = _NAME_FILTER.match(opts["filter"])
            if match is None:
                raise bad_request(
                    "Invalid filter clause: the emulator filters groups only by "
                    "displayName eq '<name>'."
                )
            wanted = match[1].replace("''", "'").casefold()
            groups = [g for g in groups if g["displayName"].casefold() == wanted]
        body = paging.page(
            groups, request, opts, key=_key, default_size=PAGE, max_size=MAX_TOP,
            context=KEY, count=False,
        )  # fmt: skip
        body["value"] = [_select(opts, g) for g in body["value"]]
        return Response.of_json(200, body)

    def get_group(self, request: Request, params: dict[str, str]) -> Response:
        _check_permission(request)
        opts = odata.options(request.query, ("select",), where=KEY)
        wanted = params["id"].lower()
        for group in self.store.groups():
            if group["id"] == wanted:
                body = {"@odata.context": f"{request.base_url}/$metadata#groups/$entity"}
                return Response.of_json(200, {**body, **_select(opts, group)})
        raise not_found(f"group '{params['id']}'")


class DirectorySurface(StoreSurface):
    name = "directory"
    keys: tuple[str, ...] = (KEY,)

    def __init__(self, lock: threading.RLock, written: Callable[[], None]) -> None:
        self.store = GroupStore(lock)
        api = DirectoryApi(self.store)
        self.routes = (
            Route("/groups", {"GET": api.list_groups}),
            *keyed("/groups/{id}", {"GET": api.get_group}),
        )

    def normalise(self, part: Mapping[str, Any]) -> dict[str, Any]:
        return normalise(part)
