"""The assignment targets both SDK tests assign: a group with an include filter, and an
exclusion group (Part B of the peers spec), as the SDK's own classes."""

from __future__ import annotations

from msgraph_beta.generated.models.device_and_app_management_assignment_filter_type import (
    DeviceAndAppManagementAssignmentFilterType,
)
from msgraph_beta.generated.models.exclusion_group_assignment_target import (
    ExclusionGroupAssignmentTarget,
)
from msgraph_beta.generated.models.group_assignment_target import GroupAssignmentTarget


def filtered_and_excluded(
    group: str, excluded: str, filter_id: str
) -> tuple[GroupAssignmentTarget, ExclusionGroupAssignmentTarget]:
    return (
        GroupAssignmentTarget(
            group_id=group,
            device_and_app_management_assignment_filter_id=filter_id,
            device_and_app_management_assignment_filter_type=DeviceAndAppManagementAssignmentFilterType.Include,
        ),
        ExclusionGroupAssignmentTarget(group_id=excluded),
    )
