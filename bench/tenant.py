"""The benchmark tenant: N policies, each with two ~2 KB payloads and two assignments.

Everything is derived from the policy index, so every run (and the naive reader, the floor
and the mutations) sees the same ids, names and bytes.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from reconciler.emulator import make_policy, make_tenant

_NAMESPACE = uuid.UUID("6f1d2c3b-4a59-4e68-9b7a-0c1d2e3f4a5b")
GROUP_POOL = 64
SETTINGS_PER_PAYLOAD = 20  # about 2 KB of JSON per payload
APPS = ("word", "excel", "powerpoint", "outlook", "access")


def policy_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"policy-{index}"))


def group_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"group-{index % GROUP_POOL}"))


def payload(index: int, stream: str, revision: int = 0) -> dict[str, Any]:
    """A payload document; a new `revision` changes every value (a drifted payload)."""
    settings = [
        {
            "id": f"L_{stream}_{n:03d}",
            "app": APPS[(index + n) % len(APPS)],
            "value": f"policy {index:05d} setting {n:03d} revision {revision} "
            + "x" * ((index + n) % 13),
            "enabled": (index + n + revision) % 2 == 0,
        }
        for n in range(SETTINGS_PER_PAYLOAD)
    ]
    return {"schemaVersion": 1, "settings": settings}


def payload_bytes(index: int, stream: str, revision: int = 0) -> bytes:
    return json.dumps(payload(index, stream, revision), separators=(",", ":")).encode("utf-8")


def groups(index: int, revision: int = 0) -> list[str]:
    return [group_id(index + revision * 7), group_id(index + 1 + revision * 7)]


def policy(index: int) -> dict[str, Any]:
    return make_policy(
        policy_id=policy_id(index),
        display_name=f"Bench policy {index:05d}",
        description=f"Benchmark policy number {index}",
        priority=index + 1,
        security=index % 5 == 0,
        policy_payload=payload_bytes(index, "policy"),
        user_preference_payload=payload_bytes(index, "userPreference"),
        groups=groups(index),
    )


def tenant(n: int) -> dict[str, Any]:
    return make_tenant([policy(i) for i in range(n)])


def drifted(seed: dict[str, Any], indexes: list[int]) -> dict[str, Any]:
    """A copy of `seed` where each listed policy differs in description, both payloads and
    assignments: four writes each for the plan that puts it back."""
    copy = json.loads(json.dumps(seed))
    for index in indexes:
        entry = copy["clientConfigurations"][index]
        entry["description"] = f"Edited in the portal ({index})"
        for field, stream in (
            ("policyPayload", "policy"),
            ("userPreferencePayload", "userPreference"),
        ):
            entry[field] = base64.b64encode(payload_bytes(index, stream, 1)).decode("ascii")
        fresh = groups(index, revision=1)
        for assignment, group in zip(entry["assignments"], fresh, strict=True):
            assignment["target"]["groupId"] = group
    return copy
