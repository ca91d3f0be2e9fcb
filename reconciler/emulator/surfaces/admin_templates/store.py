"""The Administrative Templates part of the tenant: ``groupPolicyConfigurations`` with their
definition values, presentation values and assignments, in stored form.

Stored form of one profile (the tenant-document form)::

    {"id": "<guid>", "displayName": str, "description": str | None,
     "roleScopeTagIds": ["0"], "policyConfigurationIngestionType": "unknown",
     "createdDateTime": "2026-01-01T00:00:00.0000000Z", "lastModifiedDateTime": "...",
     "definitionValues": [...],                          # see values
     "assignments": [{"id": "<profileId>_<groupId>",
                      "lastModifiedDateTime": "...", "target": {...}}]}  # intune.assignments

The shared behaviour (locking, copies, ``written``, PATCH, DELETE, ``assign``) is
``intune.store.EntityStore``'s. A write either applies whole or raises before changing
anything.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from reconciler.emulator.errors import ApiError, bad_request
from reconciler.emulator.surfaces.admin_templates import schema, values
from reconciler.emulator.surfaces.intune import assignments, clock
from reconciler.emulator.surfaces.intune.store import EntityStore

KEY = "groupPolicyConfigurations"
KEYS = (KEY,)
Part = dict[str, Any]
Profile = dict[str, Any]


class ProfileStore(EntityStore):
    key = KEY
    entity_type = "groupPolicyConfiguration"

    def profiles(self) -> list[Profile]:
        return self.entities()

    def summaries(self) -> list[dict[str, Any]]:
        """What listing sorts on, for every profile (no values copied)."""
        with self._lock:
            return [
                {"id": p["id"], "displayName": p["displayName"]} for p in self._entities.values()
            ]

    # -- writes -------------------------------------------------------------------------

    def create(self, fields: dict[str, Any]) -> Profile:
        """A new profile from validated metadata (no values, no assignments)."""
        with self._lock:
            now = self._now()
            profile: Profile = {
                "id": str(uuid.uuid4()),
                "displayName": fields["displayName"],
                "description": fields["description"],
                "roleScopeTagIds": list(fields["roleScopeTagIds"]),
                "policyConfigurationIngestionType": "unknown",
                "createdDateTime": now,
                "lastModifiedDateTime": now,
                "definitionValues": [],
                "assignments": [],
            }
            self._entities[profile["id"]] = profile
            self._written()
            return copy.deepcopy(profile)

    def insert(self, profile: Profile) -> None:
        """A whole profile in stored form (seeds, validated by :func:`normalise`)."""
        with self._lock:
            if profile["id"] in self._entities:
                raise bad_request(f"A profile with id '{profile['id']}' already exists.")
            self._entities[profile["id"]] = copy.deepcopy(profile)

    def update_values(self, profile_id: str, changes: values.Changes) -> list[values.Stored]:
        """``updateDefinitionValues``: all of ``changes`` or nothing; the profile's
        ``lastModifiedDateTime`` moves (observed). Answers the values after the change."""
        with self._lock:
            profile = self._mutable(profile_id)
            now = self._now()
            profile["definitionValues"] = values.merge(profile["definitionValues"], changes, now)
            profile["lastModifiedDateTime"] = now
            self._written()
            return copy.deepcopy(profile["definitionValues"])

    def add_value(self, profile_id: str, item: values.DefinitionInput) -> values.Stored:
        """``POST .../definitionValues``: one new value (the last one after the change)."""
        return self.update_values(profile_id, values.Changes([item], [], []))[-1]

    def _assignments(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return stamped(items, self._now())


def stamped(items: list[dict[str, Any]], moment: str) -> list[dict[str, Any]]:
    """Assignments in this surface's stored form: the shared one plus ``lastModifiedDateTime``
    after the id (the order Graph answers in)."""
    return [
        {"id": item["id"], "lastModifiedDateTime": item.get("lastModifiedDateTime") or moment,
         "target": copy.deepcopy(item["target"])}
        for item in items
    ]  # fmt: skip


# -- seeds and state ------------------------------------------------------------------------

_TIMESTAMPS = ("createdDateTime", "lastModifiedDateTime")


def normalise(part: dict[str, Any]) -> Part:
    """The ``groupPolicyConfigurations`` of a seed or state document validated like the
    writes that would make them (ids and timestamps kept when given); ``ValueError``."""
    entries = part.get(KEY) or []
    if not isinstance(entries, list):
        raise ValueError(f"invalid tenant document: '{KEY}' must be a list")
    store = ProfileStore()
    ticks = clock.Clock()
    try:
        for index, entry in enumerate(entries):
            store.insert(_seeded(entry, f"entry {index}", ticks))
    except ApiError as error:
        raise ValueError(f"invalid tenant document: {KEY}: {error.message}") from None
    return store.snapshot()


def _seeded(entry: Any, where: str, ticks: clock.Clock) -> Profile:
    if not isinstance(entry, dict):
        raise bad_request(f"{where} must be an object")
    fields = schema.validate_create(
        {k: entry[k] for k in ("displayName", "description", "roleScopeTagIds") if k in entry}
    )
    unknown = set(entry) - {*schema.PROPERTIES, *schema.NAVIGATIONS}
    if unknown:
        raise bad_request(f"{where}: unknown properties {sorted(unknown)}")
    profile_id = entry.get("id") or str(uuid.uuid4())
    if not isinstance(profile_id, str):
        raise bad_request(f"{where}: an id must be a string")
    ingestion = entry.get("policyConfigurationIngestionType") or "unknown"
    if ingestion not in schema.INGESTION_TYPES:
        raise bad_request(f"{where}: unknown policyConfigurationIngestionType '{ingestion}'")
    clock.check_timestamps(entry, _TIMESTAMPS, where)
    created = entry.get("createdDateTime") or ticks.now()
    seeded_values = _seeded_values(entry.get("definitionValues") or [], where, ticks)
    assigned = [
        _seeded_assignment(item, profile_id, f"{where}.assignments[{i}]")
        for i, item in enumerate(entry.get("assignments") or [])
    ]
    return {
        "id": profile_id,
        **fields,
        "policyConfigurationIngestionType": ingestion,
        "createdDateTime": created,
        "lastModifiedDateTime": entry.get("lastModifiedDateTime") or created,
        "definitionValues": seeded_values,
        "assignments": stamped(assignments.once_each(assigned), created),
    }


def _seeded_assignment(item: Any, profile_id: str, where: str) -> dict[str, Any]:
    """An assignment as ``assign`` would store it, its ``lastModifiedDateTime`` kept."""
    stored = assignments.validate_assignment(
        item,
        profile_id,
        schema.TYPES,
        assignment_type=schema.ASSIGNMENT,
        where=where,
        sourced=False,
    )
    clock.check_timestamps(item, ("lastModifiedDateTime",), where)
    if item.get("lastModifiedDateTime") is not None:
        stored["lastModifiedDateTime"] = item["lastModifiedDateTime"]
    return stored


def _seeded_values(entries: Any, where: str, ticks: clock.Clock) -> list[values.Stored]:
    """Stored-form definition values, checked as ``added`` items of ``updateDefinitionValues``
    would be (their ids and timestamps kept when given)."""
    if not isinstance(entries, list):
        raise bad_request(f"{where}.definitionValues must be a list")
    added = [
        values.parse_definition_value(
            _as_written(item, f"{where}.definitionValues[{i}]"),
            (values.GRAPH_ROOT,),
            f"{where}.definitionValues[{i}]",
            lambda at: bad_request(f"'{at}' has no definitionId"),
        )
        for i, item in enumerate(entries)
    ]
    stored: list[values.Stored] = []
    for item in added:  # one after the other, so they are listed in seed order
        stored = values.merge(stored, values.Changes([item], [], []), ticks.now())
    for value, entry in zip(stored, entries, strict=True):
        _keep(value, entry)
        given = {p.get("presentationId"): p for p in entry.get("presentationValues") or []}
        for presentation in value["presentationValues"]:
            _keep(presentation, given[presentation["presentationId"]])
    ids = [v["id"] for v in stored] + [p["id"] for v in stored for p in v["presentationValues"]]
    if len(ids) != len(set(ids)):
        raise bad_request(f"{where}: two values share an id")
    return stored


def _keep(stored: dict[str, Any], entry: dict[str, Any]) -> None:
    clock.check_timestamps(entry, _TIMESTAMPS, f"value '{stored['id']}'")
    if entry.get("id") is not None:
        if not isinstance(entry["id"], str):
            raise bad_request("a value's id must be a string")
        stored["id"] = entry["id"]
    for name in _TIMESTAMPS:
        if entry.get(name) is not None:
            stored[name] = entry[name]


def _as_written(entry: Any, where: str) -> dict[str, Any]:
    """A stored-form definition value as the body that would have written it."""
    if not isinstance(entry, dict):
        raise bad_request(f"{where} must be an object")
    definition = entry.get("definitionId")
    body = {k: v for k, v in entry.items() if k not in ("definitionId", "presentationValues")}
    if definition is not None:
        body[values.DEFINITION_BIND] = values.GRAPH_ROOT + values.DEFINITION_FORM.replace(
            "{id}", str(definition)
        )
    presentations = entry.get("presentationValues")
    if presentations is not None:
        if not isinstance(presentations, list):
            raise bad_request(f"{where}.presentationValues must be a list")
        body["presentationValues"] = [
            _presentation_as_written(p, str(definition), f"{where}.presentationValues[{i}]")
            for i, p in enumerate(presentations)
        ]
    return body


def _presentation_as_written(entry: Any, definition: str, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise bad_request(f"{where} must be an object")
    body = {k: v for k, v in entry.items() if k != "presentationId"}
    body[values.PRESENTATION_BIND] = values.GRAPH_ROOT + values.PRESENTATION_FORM.replace(
        "{id}", definition
    ).replace("{presentationId}", str(entry.get("presentationId")))
    return body
