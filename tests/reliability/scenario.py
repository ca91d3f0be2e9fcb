"""One realistic starting tenant and desired state whose plan uses every kind of step:
creates (with payloads and assignments), patches, stream writes, assign calls, a priority
reorder and a pruned delete. The fault and crash tests both run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.emulator import make_policy, make_tenant
from tests.support.manifests import manifest, write_manifests
from tests.support.tenant import CLIENT, GROUPS, SECURITY

G0, G1, G2 = GROUPS


def seed() -> dict[str, Any]:
    return make_tenant(
        [
            make_policy(
                display_name="Existing A",
                priority=1,
                security=True,
                description="old",
                policy_payload={"v": 1},
                groups=[G0],
            ),
            make_policy(display_name="Existing B", priority=2, description="keep", groups=[G0, G1]),
            make_policy(display_name="Unmanaged C", priority=3, security=True),
            make_policy(display_name="Existing D", priority=4, user_preference_payload={"d": 1}),
        ]
    )


def desired(new: int = 5) -> list[dict[str, Any]]:
    documents = [
        manifest(
            "a",
            "Existing A",
            2,
            description="new",
            policyPayload={"v": 2, "list": [1, 2, 3]},
            assignments=[G1],
        ),
        manifest("b", "Existing B", 1, kind=CLIENT, userPreferencePayload={"x": True}),
        manifest(
            "d", "Existing D", 4, kind=CLIENT, description="changed", userPreferencePayload=None
        ),
    ]
    for i in range(new):
        documents.append(
            manifest(
                f"n{i}",
                f"New {i:02d}",
                10 + i,
                kind=SECURITY if i % 2 else CLIENT,
                description=f"new policy {i}",
                policyPayload={"setting": i, "name": f"n{i}"},
                userPreferencePayload={"pref": i} if i % 3 == 0 else None,
                assignments=list(GROUPS[: 1 + i % 3]),
            )
        )
    return documents


# The tenant singleton, declaring nothing: read by every plan and apply (reads cover only
# the kinds the manifests use), never written.
SINGLETON = {"apiVersion": "reconciler/v1", "kind": "OfficeConfiguration", "spec": {}}


def write_desired(root: Path, new: int = 5) -> tuple[Path, list[dict[str, Any]]]:
    """The desired policies (returned) and, in the manifest set written, the singleton."""
    documents = desired(new)
    return write_manifests(root, [*documents, SINGLETON]), documents
