"""The Intune assignment model: targets, assignment filters and ``assign`` as replace-all
(graph-intune admin-templates-assignments-peers Part B, settings-catalog §4.5).

Stored form of one assignment (also the tenant-document form)::

    {"id": "<policyId>_<groupId>",
     "source": "direct", "sourceId": "<policyId>",            # sourced types only
     "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": "<guid>",                      # group targets only
                "deviceAndAppManagementAssignmentFilterId": "<guid>" | None,
                "deviceAndAppManagementAssignmentFilterType": "none|include|exclude"}}

An assignment type is *sourced* when it has ``source`` and ``sourceId``
(``deviceManagementConfigurationPolicyAssignment``); ``groupPolicyConfigurationAssignment``
has ``id``, ``lastModifiedDateTime`` and ``target`` only (observed), and its surface adds the
timestamp to the stored form.

- Targets: ``groupAssignmentTarget``, ``exclusionGroupAssignmentTarget`` (with
  ``groupId``), ``allDevicesAssignmentTarget``, ``allLicensedUsersAssignmentTarget``. The
  other targets of the model (Configuration Manager collections, scope-tag groups, ...)
  are refused: the emulator does not model them.
- Ids: ``{policyId}_{groupId}``; All Devices is the pseudo-group
  ``adadadad-808e-44e2-905a-0b7873a8a531``, All Users ``acacacac-9df4-4c7d-9d50-4ef0226f57a9``
  (observed, for both types). ``sourceId`` is the policy id for ``direct`` assignments.
- Filters: "no filter" is read back as id null + type ``none``; sending the zero GUID or
  null with ``none`` (or leaving both out) means the same. ``include``/``exclude`` need a
  filter id (a GUID).
- ``assign`` sets the assignments to the request's list (an empty list clears them). A
  target listed twice (same id) counts once, the first one winning, as Graph silently
  ignores duplicates (MG-Cloudflow/Intune-Toolkit#57).

The emulator's own decisions: group and filter ids must be GUIDs (no directory is
emulated, so they are not looked up); a filter on an exclusion target is refused (the
Intune admin center offers none); a filter id with type ``none`` is refused rather than
guessed at; ``id``, ``source`` and ``sourceId`` sent in an ``assign`` item are tolerated
and ignored (the server sets them) but ``source`` other than ``direct`` is refused; so is
``lastModifiedDateTime`` on types that have it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from reconciler.emulator.errors import bad_request
from reconciler.emulator.surfaces.intune import model

ALL_DEVICES_GROUP = "adadadad-808e-44e2-905a-0b7873a8a531"
ALL_USERS_GROUP = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"

BASE_TARGET = "microsoft.graph.deviceAndAppManagementAssignmentTarget"
GROUP = "microsoft.graph.groupAssignmentTarget"
EXCLUSION = "microsoft.graph.exclusionGroupAssignmentTarget"
ALL_DEVICES = "microsoft.graph.allDevicesAssignmentTarget"
ALL_USERS = "microsoft.graph.allLicensedUsersAssignmentTarget"
SERVED = (GROUP, EXCLUSION, ALL_DEVICES, ALL_USERS)
UNSERVED = (
    "microsoft.graph.configurationManagerCollectionAssignmentTarget",
    "microsoft.graph.scopeTagGroupAssignmentTarget",
    "microsoft.graph.androidFotaDeploymentAssignmentTarget",
)

TARGET_TYPES: dict[str, model.TypeInfo] = {
    **model.hierarchy(
        BASE_TARGET, GROUP, ALL_DEVICES, ALL_USERS, *UNSERVED, abstract=[BASE_TARGET]
    ),
    EXCLUSION: model.TypeInfo(GROUP),
}

FILTER_ID = "deviceAndAppManagementAssignmentFilterId"
FILTER_TYPE = "deviceAndAppManagementAssignmentFilterType"
FILTER_TYPES = ("none", "include", "exclude")
_TARGET_PROPERTIES = {
    GROUP: ("groupId", FILTER_ID, FILTER_TYPE),
    EXCLUSION: ("groupId", FILTER_ID, FILTER_TYPE),
    ALL_DEVICES: (FILTER_ID, FILTER_TYPE),
    ALL_USERS: (FILTER_ID, FILTER_TYPE),
}
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")


def _guid(value: Any, where: str) -> str:
    text = model.string(value, where, nullable=False)
    assert text is not None
    if not _GUID.match(text):
        raise bad_request(f"Invalid value '{text}' for '{where}': expected a GUID.")
    return text


def validate_target(body: Any, types: model.Model, *, where: str) -> dict[str, Any]:
    """A target in stored form (see the module docstring)."""
    if body is None:
        raise bad_request(f"'{where}' is required.")
    if not isinstance(body, dict):
        raise model.wrong_value(where, BASE_TARGET, body)
    name = types.resolve(body, BASE_TARGET)
    if name not in SERVED:
        raise bad_request(f"The emulator does not serve assignment targets of type '{name}'.")
    clean = model.clean_object(body, _TARGET_PROPERTIES[name], name, where=where)
    target: dict[str, Any] = {"@odata.type": f"#{name}"}
    if "groupId" in _TARGET_PROPERTIES[name]:
        target["groupId"] = _guid(clean.get("groupId"), f"{where}.groupId")
    filter_type = clean.get(FILTER_TYPE) or "none"
    if filter_type not in FILTER_TYPES:
        raise model.wrong_value(
            f"{where}.{FILTER_TYPE}",
            "microsoft.graph.deviceAndAppManagementAssignmentFilterType",
            filter_type,
        )
    filter_id = clean.get(FILTER_ID)
    if filter_id in (None, model.ZERO_GUID):
        filter_id = None
    else:
        filter_id = _guid(filter_id, f"{where}.{FILTER_ID}")
    if filter_type == "none" and filter_id is not None:
        raise bad_request(
            f"'{where}' names assignment filter '{filter_id}' with filter type 'none'; "
            "use include or exclude, or leave the filter out."
        )
    if filter_type != "none" and filter_id is None:
        raise bad_request(f"'{where}' has filter type '{filter_type}' but no filter id.")
    if filter_id is not None and name == EXCLUSION:
        raise bad_request(f"'{where}': an exclusion target cannot carry an assignment filter.")
    target[FILTER_ID] = filter_id
    target[FILTER_TYPE] = filter_type
    return target


def group_of(target: dict[str, Any]) -> str:
    """The (pseudo-)group a target addresses: the part of the assignment id after ``_``."""
    kind = model.bare(target["@odata.type"])
    if kind == ALL_DEVICES:
        return ALL_DEVICES_GROUP
    if kind == ALL_USERS:
        return ALL_USERS_GROUP
    return str(target["groupId"])


def stored(policy_id: str, target: dict[str, Any], *, sourced: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {"id": f"{policy_id}_{group_of(target)}"}
    if sourced:
        record.update({"source": "direct", "sourceId": policy_id})
    record["target"] = target
    return record


def validate_assign(
    body: Any, policy_id: str, types: model.Model, *, assignment_type: str, sourced: bool = True
) -> list[dict[str, Any]]:
    """The body of ``POST .../{id}/assign`` as the complete new list of stored assignments."""
    items = model.action_body(body, ("assignments",), "assign").get("assignments")
    if not isinstance(items, list):
        raise bad_request("The parameter 'assignments' is required and must be a collection.")
    result = [
        validate_assignment(
            item,
            policy_id,
            types,
            assignment_type=assignment_type,
            where=f"assignments[{index}]",
            sourced=sourced,
        )  # fmt: skip
        for index, item in enumerate(items)
    ]
    return once_each(result)


def once_each(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A target listed twice (same assignment id) counts once, the first one winning."""
    by_id: dict[str, dict[str, Any]] = {}
    for item in items:
        by_id.setdefault(item["id"], item)
    return list(by_id.values())


def for_policy(
    policy_id: str, items: list[dict[str, Any]], *, sourced: bool = True
) -> list[dict[str, Any]]:
    """Seeded assignments (validated before the policy had its id) keyed for ``policy_id``."""
    return once_each([stored(policy_id, item["target"], sourced=sourced) for item in items])


def validate_assignment(
    body: Any,
    policy_id: str,
    types: model.Model,
    *,
    assignment_type: str,
    where: str,
    sourced: bool = True,
) -> dict[str, Any]:
    """One assignment of an ``assign`` body (or a seed) in stored form."""
    if not isinstance(body, dict):
        raise model.wrong_value(where, assignment_type, body)
    types.resolve(body, assignment_type)
    properties = ("source", "sourceId") if sourced else ("lastModifiedDateTime",)
    clean = model.clean_object(body, ("id", "target", *properties), assignment_type, where=where)
    if clean.get("source", "direct") != "direct":
        raise bad_request(
            f"'{where}.source' must be 'direct'; policy-set assignments are not emulated."
        )
    target = validate_target(clean.get("target"), types, where=f"{where}.target")
    return stored(policy_id, target, sourced=sourced)


def seed_entries(groups: Iterable[str], targets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Seed-format assignments: a group target per group id, then ``targets`` as they are."""
    found = [{"@odata.type": f"#{GROUP}", "groupId": group} for group in groups]
    return [{"target": target} for target in [*found, *targets]]


def view(assignment: dict[str, Any]) -> dict[str, Any]:
    """An assignment as minimal metadata serves it: ``@odata.type`` only on the target."""
    return {key: dict(value) if key == "target" else value for key, value in assignment.items()}
