"""The Office cloud-policy kinds (`officeConfiguration` and its `clientConfigurations`), as
Microsoft published them (graph-spec.md); removed from live Graph, served by the emulator.

Both policy kinds live in one collection, told apart by `@odata.type`, and share one
priority order set by `updatePriorities`. Their assignments are group targets only.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from reconciler.kinds import throttling
from reconciler.kinds.fields import (
    INT32_MAX,
    GroupAssignment,
    NonEmpty,
    PayloadSource,
    StrictModel,
)
from reconciler.kinds.kind import (
    Assignments,
    Discriminator,
    Ordering,
    ResourceKind,
    Stream,
    Target,
)

CLIENT_CONFIGURATIONS = "/officeConfiguration/clientConfigurations"


class UserCheckinSummary(StrictModel):
    odata_type: str | None = Field(default=None, alias="@odata.type")
    succeededUserCount: int
    failedUserCount: int


class CheckinStatus(StrictModel):
    odata_type: str | None = Field(default=None, alias="@odata.type")
    userPrincipalName: str | None = None
    deviceName: str | None = None
    devicePlatform: str | None = None
    devicePlatformVersion: str | None = None
    wasSuccessful: bool
    userId: str
    checkinDateTime: str
    errorMessage: str | None = None
    appliedPolicies: list[str | None] | None = None


class ClientConfigurationSpec(StrictModel):
    """Shared by both policy kinds: they differ only in `@odata.type`."""

    displayName: NonEmpty = Field(description="name shown in the portal; adopts a live policy")
    description: str | None = None
    priority: Annotated[int, Field(ge=0, le=INT32_MAX)] = Field(
        description="lower wins; unique across all Office client policies"
    )
    policyPayload: PayloadSource | None = Field(
        default=None, description="settings users cannot change"
    )
    userPreferencePayload: PayloadSource | None = Field(
        default=None, description="defaults users may change"
    )
    assignments: list[GroupAssignment] | None = Field(
        default=None, description="the groups the policy applies to (replaces all)"
    )
    # Reporting fields: never managed unless a manifest declares them (the seeds send them).
    userCheckinSummary: UserCheckinSummary | None = None
    checkinStatuses: list[CheckinStatus] | None = None


class WindowsOfficeClientConfigurationSpec(ClientConfigurationSpec):
    pass


class WindowsOfficeClientSecurityConfigurationSpec(ClientConfigurationSpec):
    pass


class OfficeConfigurationSpec(StrictModel):
    tenantCheckinStatuses: list[CheckinStatus] | None = None
    tenantUserCheckinSummary: UserCheckinSummary | None = None


_ASSIGNMENTS = Assignments(
    list_segment="assignments",
    action="assign",
    body_key="officeConfigurationAssignments",
    targets={Target.GROUP: "#microsoft.graph.officeConfigurationGroupAssignmentTarget"},
)
_PRIORITY = Ordering(
    field="priority",
    action="updatePriorities",
    ids_key="officeConfigurationPolicyIds",
    values_key="officeConfigurationPriorities",
    label="priorities",
)


def _client_kind(kind: str, odata_type: str, model: type[ClientConfigurationSpec]) -> ResourceKind:
    return ResourceKind(
        kind=kind,
        collection=CLIENT_CONFIGURATIONS,
        discriminator=Discriminator(pointer="@odata.type", value=odata_type),
        create_type=odata_type,
        server_managed=frozenset({"id", "lastModifiedDateTime"}),
        reporting=frozenset({"userCheckinSummary", "checkinStatuses"}),
        facets={
            "policyPayload": Stream(segment="policyPayload"),
            "userPreferencePayload": Stream(segment="userPreferencePayload"),
            "assignments": _ASSIGNMENTS,
        },
        ordering=_PRIORITY,
        throttle=throttling.OFFICE_CONFIGURATION,
        spec_model=model,
    )


OFFICE_CONFIGURATION = ResourceKind(
    kind="OfficeConfiguration",
    collection="/officeConfiguration",
    singleton=True,
    create_type="#microsoft.graph.officeConfiguration",
    server_managed=frozenset({"id"}),
    reporting=frozenset({"tenantCheckinStatuses", "tenantUserCheckinSummary"}),
    throttle=throttling.OFFICE_CONFIGURATION,
    spec_model=OfficeConfigurationSpec,
)
WINDOWS_OFFICE_CLIENT = _client_kind(
    "WindowsOfficeClientConfiguration",
    "#microsoft.graph.windowsOfficeClientConfiguration",
    WindowsOfficeClientConfigurationSpec,
)
WINDOWS_OFFICE_CLIENT_SECURITY = _client_kind(
    "WindowsOfficeClientSecurityConfiguration",
    "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
    WindowsOfficeClientSecurityConfigurationSpec,
)

KINDS = (OFFICE_CONFIGURATION, WINDOWS_OFFICE_CLIENT, WINDOWS_OFFICE_CLIENT_SECURITY)
