"""The `live` profile's tenant: N Settings Catalog policies, 20 settings and two group
assignments each, every id and value derived from the policy index (so every reader, every
run and the edits see the same tenant).

The 20 settings of every policy are the same 20 synthetic toggles of the emulator's catalog
(`emulator_synthetic_toggle_000` to `_019`), set Enabled or Disabled by index: the tenant
uses D = 20 distinct setting definitions, as a real Office baseline reuses a few dozen.
"""

from __future__ import annotations

import uuid
from typing import Any

from reconciler.emulator import make_configuration_policy
from reconciler.emulator.surfaces.settings_catalog.seeds import choice

_NAMESPACE = uuid.UUID("0b6c1c38-52a4-4d0a-9a5e-5f3e8d1c2b7a")
SETTINGS = 20
DEFINITIONS = [f"emulator_synthetic_toggle_{n:03d}" for n in range(SETTINGS)]
GROUP_POOL = 64
COLLECTION = "/deviceManagement/configurationPolicies"


def policy_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"policy-{index}"))


def group_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"group-{index % GROUP_POOL}"))


def instances(index: int, revision: int = 0) -> list[dict[str, Any]]:
    """The policy's setting instances; a new `revision` flips every toggle."""
    return [
        choice(definition, "_1" if (index + n + revision) % 2 == 0 else "_0")
        for n, definition in enumerate(DEFINITIONS)
    ]


def policy(index: int) -> dict[str, Any]:
    return make_configuration_policy(
        f"Bench policy {index:05d}",
        description=f"Benchmark policy number {index}",
        settings=instances(index),
        groups=[group_id(index), group_id(index + 1)],
        policy_id=policy_id(index),
    )


def tenant(n: int) -> dict[str, Any]:
    return {"configurationPolicies": [policy(i) for i in range(n)]}


def edit(index: int) -> dict[str, Any]:
    """A portal-style PUT of the whole policy with every toggle flipped (it moves the
    policy's lastModifiedDateTime, as the portal's save does)."""
    return {
        "name": f"Bench policy {index:05d}",
        "description": f"Benchmark policy number {index}",
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "templateReference": {"templateId": ""},
        "settings": [
            {"@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
             "settingInstance": instance}
            for instance in instances(index, revision=1)
        ],
    }  # fmt: skip
