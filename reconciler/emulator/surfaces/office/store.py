"""The Office part of the tenant: the singleton, its policies and their assignments.

Thread-safe (the tenant's re-entrant lock around every read and write). Every method returns
deep copies in the *stored form*, which is also the state/seed file format documented in
the package docstring. Writes enforce the tenant's invariants (unique ids, unique
priorities across both policy kinds, one assignment per group per policy) and raise
:class:`ApiError` when a request would break them, leaving the tenant unchanged.
After each successful write the ``written`` callback runs while the lock is still held.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request, not_found
from reconciler.emulator.surfaces.office import payloads, schema

Part = dict[str, Any]  # the office keys of a tenant document
KEYS = ("officeConfiguration", "clientConfigurations")


def new_id() -> str:
    return str(uuid.uuid4())


def empty_part() -> Part:
    return {
        "officeConfiguration": {
            "id": new_id(),
            "tenantCheckinStatuses": [],
            "tenantUserCheckinSummary": None,
        },
        "clientConfigurations": [],
    }


def _policy_defaults(policy_id: str, odata_type: str) -> dict[str, Any]:
    return {
        "id": policy_id,
        "@odata.type": odata_type,
        "displayName": None,
        "description": None,
        "priority": None,
        "policyPayload": None,
        "userPreferencePayload": None,
        "userCheckinSummary": None,
        "checkinStatuses": [],
        "assignments": [],
    }


def normalise(data: Any) -> Part:
    """Validate the office part of a seed/state document and fill in defaults; raises
    ``ValueError``.

    Missing ids are generated; a policy without ``@odata.type`` is a
    windowsOfficeClientConfiguration. Priorities and ids must be unique.
    """
    try:
        return _normalise(data)
    except ApiError as error:
        raise ValueError(f"invalid tenant document: {error.message}") from None


def _normalise(data: Any) -> Part:
    if not isinstance(data, dict):
        raise bad_request("the document must be a JSON object")
    tenant = empty_part()
    singleton = data.get("officeConfiguration") or {}
    singleton_id = singleton.get("id") if isinstance(singleton, dict) else None
    singleton_id = singleton_id or tenant["officeConfiguration"]["id"]
    tenant["officeConfiguration"].update(schema.validate_singleton_patch(singleton, singleton_id))
    tenant["officeConfiguration"]["id"] = singleton_id
    store = OfficeStore(tenant)
    for entry in data.get("clientConfigurations") or []:
        if not isinstance(entry, dict):
            raise bad_request("each clientConfigurations entry must be an object")
        body = {k: v for k, v in entry.items() if k not in ("id", "assignments")}
        body.setdefault("@odata.type", schema.POLICY_TYPES[0])
        odata_type, values = schema.validate_policy_create(body)
        policy = store.create_policy(odata_type, values, policy_id=_optional_id(entry))
        for item in entry.get("assignments") or []:
            if not isinstance(item, dict):
                raise bad_request("each assignments entry must be an object")
            target = schema.validate_assignment({"target": item.get("target")})
            store.create_assignment(policy["id"], target, assignment_id=_optional_id(item))
    return store.snapshot()


def _optional_id(entry: dict[str, Any]) -> str | None:
    value = entry.get("id")
    if value is not None and not isinstance(value, str):
        raise bad_request(f"an id must be a string, not {value!r}")
    return value


class OfficeStore:
    """The office part of the tenant (see the module docstring)."""

    def __init__(
        self,
        part: Part | None = None,
        *,
        lock: threading.RLock | None = None,
        written: Callable[[], None] | None = None,
    ) -> None:
        self._lock = lock or threading.RLock()
        self._written_callback = written
        self._load(part if part is not None else empty_part())

    def _load(self, tenant: Part) -> None:
        self._singleton: dict[str, Any] = copy.deepcopy(tenant["officeConfiguration"])
        self._policies: dict[str, dict[str, Any]] = {
            p["id"]: copy.deepcopy(p) for p in tenant["clientConfigurations"]
        }

    def _written(self) -> None:
        if self._written_callback is not None:
            self._written_callback()

    # -- whole tenant -------------------------------------------------------------------

    def snapshot(self) -> Part:
        """The office part of the tenant in the state-file format."""
        with self._lock:
            return {
                "officeConfiguration": copy.deepcopy(self._singleton),
                "clientConfigurations": [copy.deepcopy(p) for p in self._policies.values()],
            }

    def load(self, part: Part) -> None:
        """Swap in a whole (normalised) office part; the tenant saves it."""
        with self._lock:
            self._load({**empty_part(), **part})

    # -- singleton ----------------------------------------------------------------------

    def singleton(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._singleton)

    def patch_singleton(self, values: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._singleton.update(copy.deepcopy(values))
            self._written()
            return copy.deepcopy(self._singleton)

    # -- policies -----------------------------------------------------------------------

    def policies(self) -> list[dict[str, Any]]:
        """All policies in creation order, each with its ``assignments``."""
        with self._lock:
            return [copy.deepcopy(p) for p in self._policies.values()]

    def policy_ids(self) -> list[str]:
        """Every policy id in creation order (cheap: a page copies only its own policies)."""
        with self._lock:
            return list(self._policies)

    def get_policy(self, policy_id: str) -> dict[str, Any] | None:
        with self._lock:
            policy = self._policies.get(policy_id)
            return copy.deepcopy(policy) if policy is not None else None

    def require_policy(self, policy_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._mutable_policy(policy_id))

    def _check_priority_free(self, priority: int, *, ignore: str | None) -> None:
        for other in self._policies.values():
            if other["id"] != ignore and other["priority"] == priority:
                raise bad_request(
                    f"Priority {priority} is already used by policy '{other['id']}'; "
                    "priorities must be unique (use updatePriorities to reorder)."
                )

    def create_policy(
        self, odata_type: str, values: dict[str, Any], *, policy_id: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            policy_id = policy_id or new_id()
            if policy_id in self._policies:
                raise bad_request(f"A policy with id '{policy_id}' already exists.")
            self._check_priority_free(values["priority"], ignore=None)
            policy = _policy_defaults(policy_id, odata_type)
            policy.update(copy.deepcopy(values))
            self._policies[policy_id] = policy
            self._written()
            return copy.deepcopy(policy)

    def patch_policy(self, policy_id: str, values: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            policy = self._mutable_policy(policy_id)
            if "priority" in values:
                self._check_priority_free(values["priority"], ignore=policy_id)
            policy.update(copy.deepcopy(values))
            self._written()
            return copy.deepcopy(policy)

    def delete_policy(self, policy_id: str) -> None:
        with self._lock:
            self._mutable_policy(policy_id)
            del self._policies[policy_id]
            self._written()

    def _mutable_policy(self, policy_id: str) -> dict[str, Any]:
        policy = self._policies.get(policy_id)
        if policy is None:
            raise not_found(f"officeClientConfiguration '{policy_id}'")
        return policy

    def update_priorities(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Set several priorities at once; the result must keep every priority unique."""
        with self._lock:
            wanted = dict(pairs)
            for policy_id in wanted:
                self._mutable_policy(policy_id)
            result = {pid: wanted.get(pid, p["priority"]) for pid, p in self._policies.items()}
            if len(set(result.values())) != len(result):
                raise bad_request(
                    "The new priorities would not be unique across clientConfigurations; "
                    "nothing was changed."
                )
            for policy_id, priority in wanted.items():
                self._policies[policy_id]["priority"] = priority
            self._written()

    # -- payload streams ----------------------------------------------------------------

    def read_payload(self, policy_id: str, name: str) -> bytes | None:
        """The bytes of a stream property, or None when it was never set."""
        with self._lock:
            value = self._mutable_policy(policy_id)[name]
            return None if value is None else payloads.decode(value)

    def write_payload(self, policy_id: str, name: str, data: bytes) -> None:
        with self._lock:
            self._mutable_policy(policy_id)[name] = payloads.encode(data)
            self._written()

    # -- assignments --------------------------------------------------------------------

    def assignments(self, policy_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._mutable_policy(policy_id)["assignments"])

    def get_assignment(self, policy_id: str, assignment_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._mutable_assignment(policy_id, assignment_id))

    def _mutable_assignment(self, policy_id: str, assignment_id: str) -> dict[str, Any]:
        for item in self._mutable_policy(policy_id)["assignments"]:
            if item["id"] == assignment_id:
                return item
        raise not_found(f"officeClientConfigurationAssignment '{assignment_id}'")

    @staticmethod
    def _check_group_free(
        existing: list[dict[str, Any]], target: dict[str, Any], *, ignore: str | None
    ) -> None:
        group = target.get("groupId")
        for item in existing:
            if item["id"] != ignore and item["target"].get("groupId") == group:
                raise bad_request(f"Group '{group}' is already assigned to this policy.")

    def create_assignment(
        self, policy_id: str, target: dict[str, Any], *, assignment_id: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            existing = self._mutable_policy(policy_id)["assignments"]
            self._check_group_free(existing, target, ignore=None)
            assignment = {"id": assignment_id or new_id(), "target": copy.deepcopy(target)}
            if any(item["id"] == assignment["id"] for item in existing):
                raise bad_request(f"An assignment with id '{assignment['id']}' already exists.")
            existing.append(assignment)
            self._written()
            return copy.deepcopy(assignment)

    def patch_assignment(
        self, policy_id: str, assignment_id: str, target: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            existing = self._mutable_policy(policy_id)["assignments"]
            assignment = self._mutable_assignment(policy_id, assignment_id)
            self._check_group_free(existing, target, ignore=assignment_id)
            assignment["target"] = copy.deepcopy(target)
            self._written()
            return copy.deepcopy(assignment)

    def delete_assignment(self, policy_id: str, assignment_id: str) -> None:
        with self._lock:
            assignment = self._mutable_assignment(policy_id, assignment_id)
            self._policies[policy_id]["assignments"].remove(assignment)
            self._written()

    def assign(self, policy_id: str, targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Replace all assignments; an unchanged target keeps its assignment id."""
        with self._lock:
            policy = self._mutable_policy(policy_id)
            groups = [t.get("groupId") for t in targets]
            if len(set(groups)) != len(groups):
                raise bad_request("The same group is listed more than once.")
            old = {item["target"].get("groupId"): item["id"] for item in policy["assignments"]}
            policy["assignments"] = [
                {"id": old.get(t.get("groupId")) or new_id(), "target": copy.deepcopy(t)}
                for t in targets
            ]
            self._written()
            return copy.deepcopy(policy["assignments"])
