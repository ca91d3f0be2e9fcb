"""Microsoft's generated Python SDK (``msgraph_beta``) drives the emulator's Administrative
Templates surface: catalog lookup by ``$filter`` (TFP's filter, §A.5), create, list, get,
``updateDefinitionValues`` through its generated action builder, the documented reads
(definition values with ``$expand=definition``, presentation values with
``$expand=presentation``, discriminators resolved to the SDK's classes), an update keeping
instance ids, assign with an exclusion and a filter, and delete.

One SDK trap shows on the way: its presentation-value classes carry no ``@odata.type`` unless
it is set, and a presentation value without one is refused (the base type is abstract).
"""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.device_management.group_policy_configurations.group_policy_configurations_request_builder import (
    GroupPolicyConfigurationsRequestBuilder,
)
from msgraph_beta.generated.device_management.group_policy_configurations.item.assign.assign_post_request_body import (
    AssignPostRequestBody,
)
from msgraph_beta.generated.device_management.group_policy_configurations.item.definition_values.definition_values_request_builder import (
    DefinitionValuesRequestBuilder,
)
from msgraph_beta.generated.device_management.group_policy_configurations.item.definition_values.item.presentation_values.presentation_values_request_builder import (
    PresentationValuesRequestBuilder,
)
from msgraph_beta.generated.device_management.group_policy_configurations.item.update_definition_values.update_definition_values_post_request_body import (
    UpdateDefinitionValuesPostRequestBody,
)
from msgraph_beta.generated.device_management.group_policy_definitions.group_policy_definitions_request_builder import (
    GroupPolicyDefinitionsRequestBuilder,
)
from msgraph_beta.generated.models.exclusion_group_assignment_target import (
    ExclusionGroupAssignmentTarget,
)
from msgraph_beta.generated.models.group_assignment_target import GroupAssignmentTarget
from msgraph_beta.generated.models.group_policy_configuration import GroupPolicyConfiguration
from msgraph_beta.generated.models.group_policy_configuration_assignment import (
    GroupPolicyConfigurationAssignment,
)
from msgraph_beta.generated.models.group_policy_definition_class_type import (
    GroupPolicyDefinitionClassType,
)
from msgraph_beta.generated.models.group_policy_definition_value import GroupPolicyDefinitionValue
from msgraph_beta.generated.models.group_policy_presentation_dropdown_list import (
    GroupPolicyPresentationDropdownList,
)
from msgraph_beta.generated.models.group_policy_presentation_value import (
    GroupPolicyPresentationValue,
)
from msgraph_beta.generated.models.group_policy_presentation_value_boolean import (
    GroupPolicyPresentationValueBoolean,
)
from msgraph_beta.generated.models.group_policy_presentation_value_list import (
    GroupPolicyPresentationValueList,
)
from msgraph_beta.generated.models.group_policy_presentation_value_text import (
    GroupPolicyPresentationValueText,
)
from msgraph_beta.generated.models.key_value_pair import KeyValuePair
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

from tests.emulator.at import (
    BLOCK_MACROS,
    FILTER,
    GRAPH_DEFINITIONS,
    GROUP_A,
    GROUP_B,
    TRUST_CENTER,
    VBA,
    WORD,
    quoted,
)
from tests.sdk.targets import filtered_and_excluded

NS = "#microsoft.graph."


async def find(client: GraphServiceClient, name: str, path: str) -> Any:
    """TFP's lookup (§A.5) through the SDK's query parameters, then an exact match."""
    query = (
        GroupPolicyDefinitionsRequestBuilder.GroupPolicyDefinitionsRequestBuilderGetQueryParameters(
            filter=f"contains(displayName, {quoted(name)}) and classType eq 'user' "
            f"and categoryPath eq {quoted(path)}"
        )
    )
    page = await client.device_management.group_policy_definitions.get(
        RequestConfiguration(query_parameters=query)
    )
    (found,) = [d for d in page.value if d.display_name == name]
    return found


def bound(definition_id: str, presentation_id: str | None = None) -> dict[str, str]:
    if presentation_id is None:
        return {"definition@odata.bind": f"{GRAPH_DEFINITIONS}('{definition_id}')"}
    return {
        "presentation@odata.bind": f"{GRAPH_DEFINITIONS}('{definition_id}')/presentations('{presentation_id}')"
    }


def text(definition_id: str, presentation_id: str, value: str, **extra: Any) -> Any:
    return GroupPolicyPresentationValueText(
        odata_type=NS + "groupPolicyPresentationValueText",
        value=value,
        additional_data=bound(definition_id, presentation_id),
        **extra,
    )


def test_the_sdk_writes_and_reads_a_profile(run) -> None:
    async def scenario(client: GraphServiceClient, adapter: GraphRequestAdapter) -> None:
        vba = await find(client, VBA, WORD + TRUST_CENTER)
        assert vba.class_type == GroupPolicyDefinitionClassType.User
        block = await find(client, BLOCK_MACROS, WORD + TRUST_CENTER)
        location = await find(
            client, "Trusted Location #1", WORD + TRUST_CENTER + r"\Trusted Locations"
        )
        addins = await find(
            client, "List of managed add-ins", r"\Microsoft Outlook 2016\Miscellaneous"
        )
        definitions = client.device_management.group_policy_definitions
        presentations = (
            await definitions.by_group_policy_definition_id(vba.id).presentations.get()
        ).value
        (dropdown,) = presentations
        assert isinstance(dropdown, GroupPolicyPresentationDropdownList)
        assert [i.value for i in dropdown.items] == ["1", "2", "3", "4"]
        loc = {
            p.label: p.id
            for p in (
                await definitions.by_group_policy_definition_id(location.id).presentations.get()
            ).value
        }
        (managed,) = (
            await definitions.by_group_policy_definition_id(addins.id).presentations.get()
        ).value

        # Create a profile and list it.
        profiles = client.device_management.group_policy_configurations
        created = await profiles.post(
            GroupPolicyConfiguration(display_name="SDK ADMX", description="sdk")
        )
        assert created.id and created.role_scope_tag_ids == ["0"]
        for index in range(2):
            await profiles.post(GroupPolicyConfiguration(display_name=f"Other {index}"))
        query = GroupPolicyConfigurationsRequestBuilder.GroupPolicyConfigurationsRequestBuilderGetQueryParameters(
            top=2, select=["id", "displayName"]
        )
        page = await profiles.get(RequestConfiguration(query_parameters=query))
        names = [p.display_name for p in page.value]
        while page.odata_next_link:
            page = await profiles.with_url(page.odata_next_link).get()
            names += [p.display_name for p in page.value]
        assert names == ["Other 0", "Other 1", "SDK ADMX"]
        item = profiles.by_group_policy_configuration_id(created.id)
        assert (await item.get()).display_name == "SDK ADMX"

        # The SDK's trap: a presentation value with no @odata.type is refused.
        untyped = GroupPolicyPresentationValueText(
            value="3", additional_data=bound(vba.id, dropdown.id)
        )
        with pytest.raises(ODataError) as refused:
            await item.update_definition_values.post(
                UpdateDefinitionValuesPostRequestBody(
                    added=[
                        GroupPolicyDefinitionValue(
                            enabled=True,
                            presentation_values=[untyped],
                            additional_data=bound(vba.id),
                        )
                    ]
                )
            )
        assert refused.value.response_status_code == 400
        assert "abstract" in refused.value.error.message

        # updateDefinitionValues through the generated action builder: 204.
        body = UpdateDefinitionValuesPostRequestBody(
            added=[
                GroupPolicyDefinitionValue(enabled=True, presentation_values=[text(vba.id, dropdown.id, "3")], additional_data=bound(vba.id)),
                GroupPolicyDefinitionValue(enabled=True, presentation_values=[], additional_data=bound(block.id)),
                GroupPolicyDefinitionValue(
                    enabled=True,
                    presentation_values=[
                        text(location.id, loc["Path:"], r"\\fs\templates"),
                        GroupPolicyPresentationValueBoolean(
                            odata_type=NS + "groupPolicyPresentationValueBoolean", value=True,
                            additional_data=bound(location.id, loc["Allow sub folders"]),
                        ),
                    ],
                    additional_data=bound(location.id),
                ),
                GroupPolicyDefinitionValue(
                    enabled=True,
                    presentation_values=[
                        GroupPolicyPresentationValueList(
                            odata_type=NS + "groupPolicyPresentationValueList",
                            values=[KeyValuePair(name="Contoso.Addin", value="1")],
                            additional_data=bound(addins.id, managed.id),
                        )
                    ],
                    additional_data=bound(addins.id),
                ),
            ],
            updated=[],
            deleted_ids=[],
        )  # fmt: skip
        assert await item.update_definition_values.post(body) is None

        # The documented reads: values with their definitions, then presentation values.
        expand = DefinitionValuesRequestBuilder.DefinitionValuesRequestBuilderGetQueryParameters(
            expand=["definition"]
        )
        values = (
            await item.definition_values.get(RequestConfiguration(query_parameters=expand))
        ).value
        by_name = {v.definition.display_name: v for v in values}
        assert set(by_name) == {VBA, BLOCK_MACROS, "Trusted Location #1", "List of managed add-ins"}
        assert by_name[VBA].definition.category_path == WORD + TRUST_CENTER
        pv_query = (
            PresentationValuesRequestBuilder.PresentationValuesRequestBuilderGetQueryParameters(
                expand=["presentation"]
            )
        )
        read: dict[str, list[GroupPolicyPresentationValue]] = {}
        for name, value in by_name.items():
            builder = item.definition_values.by_group_policy_definition_value_id(
                value.id
            ).presentation_values
            read[name] = (await builder.get(RequestConfiguration(query_parameters=pv_query))).value
        (choice,) = read[VBA]
        assert isinstance(choice, GroupPolicyPresentationValueText) and choice.value == "3"
        assert isinstance(choice.presentation, GroupPolicyPresentationDropdownList)
        assert read[BLOCK_MACROS] == []
        path, subfolders = read["Trusted Location #1"]
        assert (path.value, path.presentation.label) == (r"\\fs\templates", "Path:")
        assert (
            isinstance(subfolders, GroupPolicyPresentationValueBoolean) and subfolders.value is True
        )
        (listed,) = read["List of managed add-ins"]
        assert isinstance(listed, GroupPolicyPresentationValueList)
        assert [(p.name, p.value) for p in listed.values] == [("Contoso.Addin", "1")]

        # An update with the instance ids (TFP's and DSC's shape), and a delete.
        update = UpdateDefinitionValuesPostRequestBody(
            added=[],
            updated=[
                GroupPolicyDefinitionValue(
                    id=by_name[VBA].id, enabled=True,
                    presentation_values=[text(vba.id, dropdown.id, "4", id=choice.id)],
                    additional_data=bound(vba.id),
                )
            ],
            deleted_ids=[by_name[BLOCK_MACROS].id],
        )  # fmt: skip
        await item.update_definition_values.post(update)
        after = (await item.definition_values.get()).value
        assert {v.id for v in after} == {
            by_name[n].id for n in (VBA, "Trusted Location #1", "List of managed add-ins")
        }
        vba_values = item.definition_values.by_group_policy_definition_value_id(
            by_name[VBA].id
        ).presentation_values
        (changed,) = (await vba_values.get()).value
        assert (changed.id, changed.value) == (choice.id, "4")

        # Assign a group with a filter and an exclusion group.
        targets = filtered_and_excluded(GROUP_A, GROUP_B, FILTER)
        assigned = await item.assign.post(
            AssignPostRequestBody(
                assignments=[GroupPolicyConfigurationAssignment(target=t) for t in targets]
            )
        )
        assert [a.id for a in assigned.value] == [
            f"{created.id}_{GROUP_A}",
            f"{created.id}_{GROUP_B}",
        ]
        first, second = (await item.assignments.get()).value
        assert isinstance(first.target, GroupAssignmentTarget)
        assert first.target.device_and_app_management_assignment_filter_id == FILTER
        assert isinstance(second.target, ExclusionGroupAssignmentTarget)
        assert first.last_modified_date_time is not None

        # Delete, then the profile is gone.
        await item.delete()
        with pytest.raises(ODataError) as gone:
            await item.get()
        assert gone.value.response_status_code == 404

    run(scenario)
    stats = run.emulator.stats()
    assert (
        stats["by_route"][
            "POST /deviceManagement/groupPolicyConfigurations/{id}/updateDefinitionValues"
        ]
        == 3
    )
    assert stats["by_route"]["GET /deviceManagement/groupPolicyDefinitions"] == 4
    assert stats["by_route"]["DELETE /deviceManagement/groupPolicyConfigurations/{id}"] == 1
