"""The Settings Catalog part of the tenant: ``configurationPolicies`` with their settings and
assignments, in stored form.

Stored form of one policy (the tenant-document form)::

    {"id": "<guid>", "name": str, "description": str | None,
     "platforms": "windows10", "technologies": "mdm", "roleScopeTagIds": ["0"],
     "templateReference": {"templateId": "", "templateFamily": "none",
                           "templateDisplayName": None, "templateDisplayVersion": None},
     "createdDateTime": "2026-01-01T00:00:00.0000000Z", "lastModifiedDateTime": "...",
     "creationSource": None, "priorityMetaData": None,
     "settings": [{"id": "0", "settingInstance": {...}}],      # see instances
     "assignments": [{"id": "<policyId>_<groupId>", ...}]}   # see intune.assignments

``settingCount`` and ``isAssigned`` are computed when a policy is served. Thread-safe under
the tenant's lock; methods return deep copies; ``written`` runs after each successful write
while the lock is held.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request
from reconciler.emulator.surfaces.intune import assignments, clock
from reconciler.emulator.surfaces.intune.store import EntityStore
from reconciler.emulator.surfaces.settings_catalog import schema

KEY = "configurationPolicies"
KEYS = (KEY,)
Part = dict[str, Any]


class PolicyStore(EntityStore):
    key = KEY
    entity_type = "deviceManagementConfigurationPolicy"

    def policies(self) -> list[dict[str, Any]]:
        return self.entities()

    def summaries(self) -> list[dict[str, Any]]:
        """What listing filters and sorts on, for every policy (cheap: no settings copied;
        a page then copies only its own policies with :meth:`many`)."""
        with self._lock:
            return [
                {
                    "id": p["id"],
                    "name": p["name"],
                    "platforms": p["platforms"],
                    "technologies": p["technologies"],
                    "templateReference": dict(p["templateReference"]),
                }
                for p in self._entities.values()
            ]

    # -- writes -------------------------------------------------------------------------

    def create(
        self,
        values: dict[str, Any],
        *,
        policy_id: str | None = None,
        template: dict[str, Any] | None = None,
        created: str | None = None,
        modified: str | None = None,
        assigned: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A new policy from validated ``values``; the keywords are for seeds only."""
        with self._lock:
            policy_id = policy_id or str(uuid.uuid4())
            if policy_id in self._entities:
                raise bad_request(f"A policy with id '{policy_id}' already exists.")
            now = self._now()
            values = copy.deepcopy(values)
            template_id = values.pop("templateId", "")
            policy: dict[str, Any] = {
                "id": policy_id,
                **{k: values.pop(k) for k in ("name", "description", "platforms", "technologies")},
                "roleScopeTagIds": values.pop("roleScopeTagIds"),
                "templateReference": template
                or {
                    "templateId": template_id,
                    "templateFamily": "none",
                    "templateDisplayName": None,
                    "templateDisplayVersion": None,
                },
                "createdDateTime": created or now,
                "lastModifiedDateTime": modified or created or now,
                "creationSource": None,
                "priorityMetaData": None,
                **values,
                "assignments": [],
            }
            policy["assignments"] = assignments.for_policy(policy_id, assigned or [])
            self._entities[policy_id] = policy
            self._written()
            return copy.deepcopy(policy)

    def replace(self, policy_id: str, values: dict[str, Any]) -> None:
        """PUT: every writable property and the settings; assignments stay."""
        with self._lock:
            policy = self._mutable(policy_id)
            policy.pop("disableEntraGroupPolicyAssignment", None)
            policy.update(copy.deepcopy(values))
            policy["lastModifiedDateTime"] = self._now()
            self._written()


def normalise(part: dict[str, Any]) -> Part:
    """The ``configurationPolicies`` of a seed or state document validated like POST bodies
    (template-bound policies allowed, ids and timestamps kept when given); ``ValueError``."""
    entries = part.get(KEY) or []
    if not isinstance(entries, list):
        raise ValueError(f"invalid tenant document: '{KEY}' must be a list")
    store = PolicyStore()
    try:
        for index, entry in enumerate(entries):
            store.create(**_seed_arguments(entry, index))
    except ApiError as error:
        raise ValueError(f"invalid tenant document: {KEY}: {error.message}") from None
    return store.snapshot()


def _seed_arguments(entry: Any, index: int) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise bad_request(f"entry {index} must be an object")
    reference = entry.get("templateReference") or {}
    family = reference.get("templateFamily") or "none"
    if family not in schema.TEMPLATE_FAMILIES:
        raise bad_request(f"entry {index}: unknown templateFamily '{family}'")
    body = {k: v for k, v in entry.items() if k not in ("assignments", "id")}
    values = schema.validate_create(body, allow_template=True)
    template = None
    if values["templateId"] or family != "none":
        template = {
            "templateId": values["templateId"],
            "templateFamily": family,
            "templateDisplayName": reference.get("templateDisplayName"),
            "templateDisplayVersion": reference.get("templateDisplayVersion"),
        }
    policy_id = entry.get("id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise bad_request(f"entry {index}: an id must be a string")
    assigned = [
        assignments.validate_assignment(
            item,
            policy_id or "pending",
            schema.TYPES,
            assignment_type=schema.ASSIGNMENT,
            where=f"entry {index}.assignments[{i}]",
        )  # fmt: skip
        for i, item in enumerate(entry.get("assignments") or [])
    ]
    clock.check_timestamps(entry, ("createdDateTime", "lastModifiedDateTime"), f"entry {index}")
    return {
        "values": values,
        "policy_id": policy_id,
        "template": template,
        "created": entry.get("createdDateTime"),
        "modified": entry.get("lastModifiedDateTime"),
        "assigned": assigned,
    }
