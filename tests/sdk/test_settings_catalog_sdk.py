"""Microsoft's generated Python SDK (``msgraph_beta``, installed by ``make install``) drives the
emulator's Settings Catalog surface: a stranger's client, with its own serialisation,
discriminators, URL templates and middleware, must be able to create, list, read, rename,
assign, replace (PUT through the request adapter: the builders have no PUT) and delete.

The SDK talks to the emulator over real HTTP (the ``run`` fixture of ``conftest``).
"""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph_beta import GraphRequestAdapter, GraphServiceClient
from msgraph_beta.generated.device_management.configuration_policies.configuration_policies_request_builder import (
    ConfigurationPoliciesRequestBuilder,
)
from msgraph_beta.generated.device_management.configuration_policies.item.assign.assign_post_request_body import (
    AssignPostRequestBody,
)
from msgraph_beta.generated.device_management.configuration_policies.item.device_management_configuration_policy_item_request_builder import (
    DeviceManagementConfigurationPolicyItemRequestBuilder,
)
from msgraph_beta.generated.device_management.configuration_policies.item.settings.settings_request_builder import (
    SettingsRequestBuilder,
)
from msgraph_beta.generated.models.device_and_app_management_assignment_filter_type import (
    DeviceAndAppManagementAssignmentFilterType,
)
from msgraph_beta.generated.models.device_management_configuration_choice_setting_instance import (
    DeviceManagementConfigurationChoiceSettingInstance,
)
from msgraph_beta.generated.models.device_management_configuration_choice_setting_value import (
    DeviceManagementConfigurationChoiceSettingValue,
)
from msgraph_beta.generated.models.device_management_configuration_platforms import (
    DeviceManagementConfigurationPlatforms,
)
from msgraph_beta.generated.models.device_management_configuration_policy import (
    DeviceManagementConfigurationPolicy,
)
from msgraph_beta.generated.models.device_management_configuration_policy_assignment import (
    DeviceManagementConfigurationPolicyAssignment,
)
from msgraph_beta.generated.models.device_management_configuration_policy_template_reference import (
    DeviceManagementConfigurationPolicyTemplateReference,
)
from msgraph_beta.generated.models.device_management_configuration_setting import (
    DeviceManagementConfigurationSetting,
)
from msgraph_beta.generated.models.device_management_configuration_simple_setting_instance import (
    DeviceManagementConfigurationSimpleSettingInstance,
)
from msgraph_beta.generated.models.device_management_configuration_string_setting_value import (
    DeviceManagementConfigurationStringSettingValue,
)
from msgraph_beta.generated.models.device_management_configuration_technologies import (
    DeviceManagementConfigurationTechnologies,
)
from msgraph_beta.generated.models.exclusion_group_assignment_target import (
    ExclusionGroupAssignmentTarget,
)
from msgraph_beta.generated.models.group_assignment_target import GroupAssignmentTarget
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

from tests.emulator.sc import FILTER, GROUP_A, GROUP_B, REPAIR, SAVE_AS, SAVE_AS_FORMAT

# The spec's ids, written once for every test package (tests/ is on the import path).
from tests.sdk.targets import filtered_and_excluded

GROUP, EXCLUDED = GROUP_A, GROUP_B


def choice(
    definition: str, option: str, *children: Any
) -> DeviceManagementConfigurationChoiceSettingInstance:
    return DeviceManagementConfigurationChoiceSettingInstance(
        setting_definition_id=definition,
        choice_setting_value=DeviceManagementConfigurationChoiceSettingValue(
            value=definition + option, children=list(children)
        ),
    )


def office_policy(name: str) -> DeviceManagementConfigurationPolicy:
    """A choice setting with a child (Excel "Save Excel files as", §3.3(b))."""
    return DeviceManagementConfigurationPolicy(
        name=name,
        description="made by msgraph_beta",
        platforms=DeviceManagementConfigurationPlatforms.Windows10,
        technologies=DeviceManagementConfigurationTechnologies.Mdm,
        role_scope_tag_ids=["0"],
        template_reference=DeviceManagementConfigurationPolicyTemplateReference(template_id=""),
        settings=[
            DeviceManagementConfigurationSetting(
                setting_instance=choice(SAVE_AS, "_1", choice(SAVE_AS_FORMAT, "_51"))
            )
        ],
    )


def item_query(**options: Any) -> RequestConfiguration[Any]:
    return RequestConfiguration(
        query_parameters=DeviceManagementConfigurationPolicyItemRequestBuilder.DeviceManagementConfigurationPolicyItemRequestBuilderGetQueryParameters(
            **options
        )
    )


def test_the_sdk_creates_lists_reads_renames_assigns_and_deletes(run) -> None:
    async def scenario(client: GraphServiceClient, adapter: GraphRequestAdapter) -> None:
        policies = client.device_management.configuration_policies
        created = await policies.post(office_policy("SDK policy"))
        assert created is not None and created.id
        assert created.setting_count == 1 and created.is_assigned is False
        assert created.technologies == [
            DeviceManagementConfigurationTechnologies.Mdm
        ]  # flags: a list
        assert created.template_reference.template_family.value == "none"
        for index in range(3):
            await policies.post(office_policy(f"Other {index}"))

        # List with the reconciler's scope filter and a small page, following nextLinks.
        query = ConfigurationPoliciesRequestBuilder.ConfigurationPoliciesRequestBuilderGetQueryParameters(
            filter="templateReference/templateFamily eq 'none' and technologies has 'mdm'", top=2
        )
        page = await policies.get(RequestConfiguration(query_parameters=query))
        names = [p.name for p in page.value]
        assert len(names) == 2 and page.odata_next_link
        while page.odata_next_link:
            page = await policies.with_url(page.odata_next_link).get()
            names += [p.name for p in page.value]
        assert names == ["Other 0", "Other 1", "Other 2", "SDK policy"]

        # Get with settings and assignments expanded: the discriminators resolve.
        item = policies.by_device_management_configuration_policy_id(created.id)
        got = await item.get(item_query(expand=["settings", "assignments"]))
        instance = got.settings[0].setting_instance
        assert isinstance(instance, DeviceManagementConfigurationChoiceSettingInstance)
        assert instance.choice_setting_value.value == SAVE_AS + "_1"
        child = instance.choice_setting_value.children[0]
        assert isinstance(child, DeviceManagementConfigurationChoiceSettingInstance)
        assert child.choice_setting_value.value == SAVE_AS_FORMAT + "_51"
        assert got.assignments == []

        # The settings collection, with definitions expanded.
        settings_query = SettingsRequestBuilder.SettingsRequestBuilderGetQueryParameters(
            expand=["settingDefinitions"], top=1000
        )
        settings = await item.settings.get(RequestConfiguration(query_parameters=settings_query))
        assert [s.id for s in settings.value] == ["0"]
        assert [d.id for d in settings.value[0].setting_definitions] == [SAVE_AS, SAVE_AS_FORMAT]

        # PATCH the name: 200 with the entity.
        renamed = await item.patch(DeviceManagementConfigurationPolicy(name="Renamed by SDK"))
        assert renamed.name == "Renamed by SDK"
        assert renamed.last_modified_date_time > created.last_modified_date_time

        # Assign a group with a filter, and an exclusion group.
        targets = filtered_and_excluded(GROUP, EXCLUDED, FILTER)
        body = AssignPostRequestBody(
            assignments=[DeviceManagementConfigurationPolicyAssignment(target=t) for t in targets]
        )
        assigned = await item.assign.post(body)
        assert [a.id for a in assigned.value] == [
            f"{created.id}_{GROUP}",
            f"{created.id}_{EXCLUDED}",
        ]
        first, second = assigned.value
        assert isinstance(first.target, GroupAssignmentTarget)
        assert first.target.device_and_app_management_assignment_filter_id == FILTER
        assert (
            first.target.device_and_app_management_assignment_filter_type
            == DeviceAndAppManagementAssignmentFilterType.Include
        )
        assert isinstance(second.target, ExclusionGroupAssignmentTarget)
        assert (
            second.target.device_and_app_management_assignment_filter_type
            == DeviceAndAppManagementAssignmentFilterType.None_
        )
        listed = await item.assignments.get()
        assert [a.target.group_id for a in listed.value] == [GROUP, EXCLUDED]
        assert (await item.get()).is_assigned is True

        # A refusal reaches the SDK as its ODataError.
        with pytest.raises(ODataError) as refused:
            await item.patch(office_policy("no settings through PATCH"))
        assert refused.value.response_status_code == 400
        assert "Cannot PATCH navigation property 'settings'" in refused.value.error.message

        # Delete, then the policy is gone.
        await item.delete()
        with pytest.raises(ODataError) as gone:
            await item.get()
        assert gone.value.response_status_code == 404

    run(scenario)
    stats = run.emulator.stats()
    assert stats["by_route"]["POST /deviceManagement/configurationPolicies/{id}/assign"] == 1
    assert stats["by_route"]["DELETE /deviceManagement/configurationPolicies/{id}"] == 1


def test_the_sdk_replaces_a_policy_with_put(run) -> None:
    async def scenario(client: GraphServiceClient, adapter: GraphRequestAdapter) -> None:
        policies = client.device_management.configuration_policies
        created = await policies.post(office_policy("Before PUT"))
        replacement = office_policy("After PUT")
        replacement.settings = [
            DeviceManagementConfigurationSetting(
                setting_instance=choice(SAVE_AS, "_1", choice(SAVE_AS_FORMAT, "_52"))
            ),
            DeviceManagementConfigurationSetting(
                setting_instance=choice(
                    REPAIR,
                    "_1",
                    DeviceManagementConfigurationSimpleSettingInstance(
                        setting_definition_id=REPAIR + "_l_localodtpath",
                        simple_setting_value=DeviceManagementConfigurationStringSettingValue(
                            value="\\\\share\\odt"
                        ),
                    ),
                    choice(REPAIR + "_l_fallbacktocdn", "_0"),
                )
            ),
        ]
        # The generated builders have no PUT (§4.3): build the request by hand, as TF does.
        info = RequestInformation(
            Method.PUT,
            "{+baseurl}/deviceManagement/configurationPolicies('{id}')",
            {"id": created.id},
        )
        info.headers.try_add("Accept", "application/json")
        info.set_content_from_parsable(adapter, "application/json", replacement)
        await adapter.send_no_response_content_async(info, {"XXX": ODataError})

        item = policies.by_device_management_configuration_policy_id(created.id)
        got = await item.get(item_query(expand=["settings"]))
        assert got.name == "After PUT" and got.setting_count == 2
        assert [s.id for s in got.settings] == ["0", "1"]
        first_child = got.settings[0].setting_instance.choice_setting_value.children[0]
        assert first_child.choice_setting_value.value == SAVE_AS_FORMAT + "_52"
        path = got.settings[1].setting_instance.choice_setting_value.children[0]
        assert isinstance(path, DeviceManagementConfigurationSimpleSettingInstance)
        assert isinstance(
            path.simple_setting_value, DeviceManagementConfigurationStringSettingValue
        )
        assert path.simple_setting_value.value == "\\\\share\\odt"

        # A PUT the emulator refuses comes back as the SDK's error.
        bad = office_policy("x")
        bad.role_scope_tag_ids = []
        info = RequestInformation(
            Method.PUT, "{+baseurl}/deviceManagement/configurationPolicies/{id}", {"id": created.id}
        )
        info.set_content_from_parsable(adapter, "application/json", bad)
        with pytest.raises(ODataError) as refused:
            await adapter.send_no_response_content_async(info, {"XXX": ODataError})
        assert refused.value.response_status_code == 400

    run(scenario)
    log = run.emulator.stats()["write_log"]
    assert [(w["method"], w["status"]) for w in log] == [("POST", 201), ("PUT", 204), ("PUT", 400)]
    assert log[1]["path"].endswith("')")  # the OData key form
