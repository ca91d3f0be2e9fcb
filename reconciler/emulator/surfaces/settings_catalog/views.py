"""How stored policies, settings and definitions look on the wire, with minimal metadata as
observed (graph-intune settings-catalog §2, §3.2, §4.1): no ``@odata.type`` on a policy,
its template reference, a setting or an assignment (their declared types); a computed
``settingCount`` (top-level settings) and ``isAssigned``; ``@odata.context`` naming the
selected and expanded properties as Graph does."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from reconciler.emulator.surfaces.intune import assignments
from reconciler.emulator.surfaces.settings_catalog import catalog, instances, schema

POLICIES_CONTEXT = "deviceManagement/configurationPolicies"


def policy(
    stored: dict[str, Any],
    *,
    select: list[str] | None = None,
    expand: Iterable[str] = (),
    definitions: bool = False,
) -> dict[str, Any]:
    """A policy entity; ``expand`` among settings and assignments, ``definitions`` to
    expand each setting's ``settingDefinitions``."""
    full: dict[str, Any] = {
        name: stored[name]
        for name in schema.PROPERTIES
        if name in stored and name not in ("templateReference",)
    }
    full["settingCount"] = len(stored["settings"])
    full["isAssigned"] = bool(stored["assignments"])
    full["templateReference"] = dict(stored["templateReference"])
    chosen = select or [n for n in schema.PROPERTIES if n in full]
    body = {
        name: copy.deepcopy(full[name])
        for name in schema.PROPERTIES
        if name in chosen and name in full
    }
    wanted = set(expand)
    if "assignments" in wanted:
        body["assignments"] = [assignments.view(a) for a in stored["assignments"]]
    if "settings" in wanted:
        body["settings"] = [
            setting(stored["id"], s, definitions=definitions) for s in stored["settings"]
        ]
    return body


def setting(policy_id: str, stored: dict[str, Any], *, definitions: bool = False) -> dict[str, Any]:
    token = instances.secret_token(f"{policy_id}/{stored['id']}")
    body: dict[str, Any] = {
        "id": stored["id"],
        "settingInstance": instances.render_instance(stored["settingInstance"], token),
    }
    if definitions:
        body["settingDefinitions"] = setting_definitions(stored)
    return body


def setting_definitions(stored: dict[str, Any]) -> list[dict[str, Any]]:
    ids = instances.definition_ids(stored["settingInstance"])
    return [definition(catalog.DEFINITIONS[i]) for i in ids if i in catalog.DEFINITIONS]


def definition(stored: catalog.Definition, select: list[str] | None = None) -> dict[str, Any]:
    """A definition keeps its ``@odata.type``: the set is polymorphic."""
    if select is None:
        return copy.deepcopy(stored)
    return {"@odata.type": stored["@odata.type"], **{k: copy.deepcopy(stored[k]) for k in select}}
