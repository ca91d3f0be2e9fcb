"""`make run`: start the embedded Graph emulator with a demo tenant, then plan and apply.

The demo tenant already holds one of the example policies (with a drifted description and
payload) and one legacy policy no manifest claims, so the plan shows an update, creates and an
unmanaged object; the second plan shows the tenant converged.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from reconciler import cli
from reconciler.emulator import running_emulator
from reconciler.kinds import REGISTRY
from reconciler.load import manifests

LEGACY_GROUP = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def _b64(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


def demo_tenant(manifest_dir: str) -> dict[str, Any]:
    """A seed tenant derived from the example manifests, so the demo always has work to do."""
    desired = manifests.load([manifest_dir])
    policies = [r for r in desired.resources if not REGISTRY.by_kind(r.kind).singleton]
    seeded: list[dict[str, Any]] = []
    if policies:
        first = policies[0]
        rt = REGISTRY.by_kind(first.kind)
        seeded.append(
            {
                "id": "5b1f0c3e-2a7d-4c1e-9f3b-7d2e8a6c4b10",
                "@odata.type": rt.create_type,
                "displayName": first.spec["displayName"],
                "description": "Edited by hand in the portal",
                "priority": first.spec["priority"],
                "policyPayload": _b64({"settings": []}),
                "userPreferencePayload": None,
                "assignments": [],
            }
        )
    seeded.append(
        {
            "id": "0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f",
            "@odata.type": "#microsoft.graph.windowsOfficeClientConfiguration",
            "displayName": "Legacy macro policy (not in git)",
            "description": "Created before configuration-as-code",
            "priority": 100,
            "policyPayload": None,
            "userPreferencePayload": None,
            "assignments": [
                {
                    "id": "a1",
                    "target": {
                        "@odata.type": "#microsoft.graph.officeConfigurationGroupAssignmentTarget",
                        "groupId": LEGACY_GROUP,
                    },
                }
            ],
        }
    )
    return {"officeConfiguration": {}, "clientConfigurations": seeded}


def _step(title: str, argv: list[str], expected: set[int]) -> None:
    print(f"\n$ reconciler {' '.join(argv)}\n", flush=True)
    code = cli.main(argv)
    if code not in expected:
        print(f"demo: step '{title}' exited {code}", file=sys.stderr)
        sys.exit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reconciler.cli.demo")
    parser.add_argument("manifests", nargs="?", default="manifests")
    args = parser.parse_args(argv)
    with (
        running_emulator(seed=demo_tenant(args.manifests)) as emulator,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = emulator.base_url
        print(f"Graph emulator listening on {url} (demo tenant: 2 policies)")
        plan_path = str(Path(tmp) / "demo-plan.json")
        _step("validate", ["validate", args.manifests], {0})
        _step("plan", ["plan", args.manifests, "--graph-url", url, "--out", plan_path], {0})
        _step(
            "apply",
            ["apply", plan_path, "--graph-url", url, "--state-dir", str(Path(tmp) / "state")],
            {0},
        )
        _step(
            "plan again",
            ["plan", args.manifests, "--graph-url", url, "--detailed-exitcode"],
            {0},
        )
    print("\nDemo complete: planned, applied, and the tenant now matches manifests/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
