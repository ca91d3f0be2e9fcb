"""Builders for seed documents, so demos and benchmarks can generate tenants in code.

>>> tenant = make_tenant([make_policy(display_name="Baseline", priority=1, groups=["g1"])])
>>> tenant["clientConfigurations"][0]["@odata.type"]
'#microsoft.graph.windowsOfficeClientConfiguration'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reconciler.emulator.surfaces.office import payloads, schema
from reconciler.emulator.surfaces.office.store import Part, new_id

Payload = bytes | str | dict[str, Any] | list[Any] | None


def _payload(value: Payload) -> str | None:
    """bytes as they are, text as UTF-8, a dict or list as compact JSON; base64 encoded."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, str):
        value = value.encode("utf-8")
    return payloads.encode(value)


def make_policy(
    *,
    display_name: str,
    priority: int,
    security: bool = False,
    description: str | None = None,
    policy_payload: Payload = None,
    user_preference_payload: Payload = None,
    groups: Iterable[str] = (),
    policy_id: str | None = None,
) -> dict[str, Any]:
    """One ``clientConfigurations`` entry in the seed format, with ids filled in."""
    return {
        "id": policy_id or new_id(),
        "@odata.type": schema.POLICY_TYPES[1 if security else 0],
        "displayName": display_name,
        "description": description,
        "priority": priority,
        "policyPayload": _payload(policy_payload),
        "userPreferencePayload": _payload(user_preference_payload),
        "assignments": [
            {
                "id": new_id(),
                "target": {"@odata.type": schema.GROUP_TARGET_TYPE, "groupId": group},
            }
            for group in groups
        ],
    }


def make_tenant(
    policies: Iterable[dict[str, Any]] = (), *, office_configuration: dict[str, Any] | None = None
) -> Part:
    """A whole seed document; ``office_configuration`` holds extra singleton properties."""
    return {
        "officeConfiguration": dict(office_configuration or {}),
        "clientConfigurations": list(policies),
    }
