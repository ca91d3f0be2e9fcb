"""What reconciler writes to an Administrative Templates profile, Microsoft's generated SDK
(``msgraph_beta``) reads back as a stranger would: a profile applied from a manifest with a
value of every presentation type is listed by the SDK, its definition values carry their
definitions, and each presentation value deserialises to the SDK's class for its type with
the content the manifest gave (a dropdown's item by its value, list box pairs, numbers as
numbers). The SDK checks reconciler's bodies against the published model, beyond what the
emulator's own checks cover."""

from __future__ import annotations

import asyncio
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta.generated.device_management.group_policy_configurations.item.definition_values.definition_values_request_builder import (
    DefinitionValuesRequestBuilder,
)
from msgraph_beta.generated.device_management.group_policy_configurations.item.definition_values.item.presentation_values.presentation_values_request_builder import (
    PresentationValuesRequestBuilder,
)
from msgraph_beta.generated.models.exclusion_group_assignment_target import (
    ExclusionGroupAssignmentTarget,
)
from msgraph_beta.generated.models.group_assignment_target import GroupAssignmentTarget
from msgraph_beta.generated.models.group_policy_presentation_value_boolean import (
    GroupPolicyPresentationValueBoolean,
)
from msgraph_beta.generated.models.group_policy_presentation_value_decimal import (
    GroupPolicyPresentationValueDecimal,
)
from msgraph_beta.generated.models.group_policy_presentation_value_list import (
    GroupPolicyPresentationValueList,
)
from msgraph_beta.generated.models.group_policy_presentation_value_long_decimal import (
    GroupPolicyPresentationValueLongDecimal,
)
from msgraph_beta.generated.models.group_policy_presentation_value_multi_text import (
    GroupPolicyPresentationValueMultiText,
)
from msgraph_beta.generated.models.group_policy_presentation_value_text import (
    GroupPolicyPresentationValueText,
)

from tests.admin_templates.test_admin_templates_e2e import ASSIGNMENTS, EVERY_TYPE, FILTER, manifest
from tests.sdk.conftest import client_for
from tests.support.cli import UNPACED, run
from tests.support.tenant import GROUP_A, GROUP_B


def content(value: Any) -> tuple[str, Any]:
    """A presentation value as (SDK class name, content)."""
    if isinstance(value, GroupPolicyPresentationValueList):
        return type(value).__name__, {p.name: p.value for p in value.values}
    if isinstance(value, GroupPolicyPresentationValueMultiText):
        return type(value).__name__, list(value.values)
    return type(value).__name__, value.value


def test_a_profile_reconciler_applied_reads_back_through_the_sdk(capsys, make_emulator, tmp_path):
    emulator = make_emulator()
    root = tmp_path / "m"
    root.mkdir()
    (root / "p.yaml").write_text(manifest(EVERY_TYPE, assignments=ASSIGNMENTS))
    applied = run(
        capsys, "apply", str(root), "--graph-url", emulator.base_url, "--auto-approve",
        "--state-dir", str(tmp_path / "s"), *UNPACED,
    )  # fmt: skip
    assert applied.code == 0, applied.err

    async def read_back() -> tuple[Any, dict[str, tuple[bool, list[Any]]]]:
        client, _ = client_for(emulator)
        (found,) = (await client.device_management.group_policy_configurations.get()).value
        item = (
            client.device_management.group_policy_configurations.by_group_policy_configuration_id(
                found.id
            )
        )
        expand = DefinitionValuesRequestBuilder.DefinitionValuesRequestBuilderGetQueryParameters(
            expand=["definition"]
        )
        values = (
            await item.definition_values.get(RequestConfiguration(query_parameters=expand))
        ).value
        pv_query = (
            PresentationValuesRequestBuilder.PresentationValuesRequestBuilderGetQueryParameters(
                expand=["presentation"]
            )
        )
        read: dict[str, tuple[bool, list[Any]]] = {}
        for value in values:
            builder = item.definition_values.by_group_policy_definition_value_id(
                value.id
            ).presentation_values
            got = (await builder.get(RequestConfiguration(query_parameters=pv_query))).value
            read[value.definition.display_name] = (value.enabled, got)
        return await item.assignments.get(), read

    assignments, read = asyncio.run(read_back())
    shown = {
        name: (enabled, {v.presentation.label: content(v) for v in got})
        for name, (enabled, got) in read.items()
    }
    assert shown == {
        "Block macros from running in Office files from the Internet": (True, {}),
        "VBA Macro Notification Settings": (
            True,
            {"Macro notification:": (GroupPolicyPresentationValueText.__name__, "3")},
        ),
        "AutoArchive Settings": (
            True,
            {
                "Turn on AutoArchive": (GroupPolicyPresentationValueBoolean.__name__, True),
                "Run AutoArchive every (days):": (GroupPolicyPresentationValueDecimal.__name__, 21),
                "Prompt before AutoArchive runs": (
                    GroupPolicyPresentationValueBoolean.__name__,
                    False,
                ),
            },
        ),
        "Large PST: Maximum size": (
            True,
            {
                "Maximum size in MB:": (
                    GroupPolicyPresentationValueLongDecimal.__name__,
                    4_000_000_000,
                )
            },
        ),
        "List of managed add-ins": (
            True,
            {
                "List of managed add-ins": (
                    GroupPolicyPresentationValueList.__name__,
                    {"Contoso.Addin": "1", "Legacy.Addin": "0"},
                )
            },
        ),
        "Disable commands": (
            True,
            {
                "Enter a command ID to disable": (
                    GroupPolicyPresentationValueList.__name__,
                    {"12": None, "345": None},
                )
            },
        ),
        "Trusted domain list": (
            True,
            {
                "Domains:": (
                    GroupPolicyPresentationValueMultiText.__name__,
                    ["contoso.com", "fabrikam.com"],
                )
            },
        ),
        "Standard font": (
            True,
            {"Font name:": (GroupPolicyPresentationValueText.__name__, "Calibri")},
        ),
        "Default File Location": (
            True,
            {"Documents:": (GroupPolicyPresentationValueText.__name__, "%USERPROFILE%\\Documents")},
        ),
        "Update Channel": (
            True,
            {"Channel Name:": (GroupPolicyPresentationValueText.__name__, "MonthlyEnterprise")},
        ),
        "Disable 'Remember password' for Internet e-mail accounts": (False, {}),
    }
    targets = sorted(
        (
            type(a.target).__name__,
            a.target.group_id,
            a.target.device_and_app_management_assignment_filter_id,
        )
        for a in assignments.value
    )
    assert targets == sorted(
        [
            (GroupAssignmentTarget.__name__, GROUP_A, FILTER),
            (ExclusionGroupAssignmentTarget.__name__, GROUP_B, None),
        ]
    )
