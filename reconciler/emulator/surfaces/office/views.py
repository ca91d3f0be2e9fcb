"""How stored objects look on the wire (the shapes of the seed documents' responses)."""

from __future__ import annotations

from typing import Any

from reconciler.emulator.config import StreamMode
from reconciler.emulator.surfaces.office import schema

_POLICY_ORDER = (
    "@odata.type",
    "id",
    "displayName",
    "description",
    "priority",
    "policyPayload",
    "userPreferencePayload",
    "userCheckinSummary",
    "checkinStatuses",
)


def singleton(stored: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.type": schema.SINGLETON_TYPE, **stored}


def policy(stored: dict[str, Any], streams: StreamMode) -> dict[str, Any]:
    """A policy entity: streams inline as stored strings, or left out in ``separate`` mode."""
    hidden = {"assignments"}
    if streams == "separate":
        hidden.update(schema.STREAM_PROPERTIES)
    ordered = {key: stored[key] for key in _POLICY_ORDER if key in stored and key not in hidden}
    # Keep any property a future schema adds rather than silently dropping it.
    ordered.update({k: v for k, v in stored.items() if k not in ordered and k not in hidden})
    return ordered


def assignment(stored: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.type": schema.ASSIGNMENT_TYPE, "id": stored["id"], "target": stored["target"]}
