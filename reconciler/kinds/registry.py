"""The Graph resource types reconciler manages, as data.

Adding a Graph type is one `ResourceType` entry here plus a spec model in `models.py`;
the diff, planner, executor and reader are generic over these records.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from reconciler.kinds import models


@dataclass(frozen=True, kw_only=True)
class AssignmentStyle:
    """How a type's group assignments are read (nav collection) and replaced (one action)."""

    list_segment: str  # GET {item}/{list_segment}
    action: str  # POST {item}/{action}  (full replace)
    body_key: str
    target_odata_type: str
    target_key: str  # the group id property inside the target


@dataclass(frozen=True, kw_only=True)
class PriorityStyle:
    """Priorities unique across a collection, set in one call with parallel arrays."""

    field: str
    action: str  # POST {collection}/{action}
    ids_key: str
    values_key: str


@dataclass(frozen=True, kw_only=True)
class ResourceType:
    kind: str  # the manifest `kind`
    path: str  # collection path, or the entity path of a singleton
    singleton: bool = False
    odata_type: str | None = None  # concrete type sent on create/PATCH; discriminates on list
    identity_key: str | None = None  # natural key used when metadata.id is absent
    read_only: frozenset[str] = frozenset()  # server-managed, never sent
    reporting: frozenset[str] = frozenset()  # ignored unless a manifest declares them
    stream_fields: tuple[str, ...] = ()  # Edm.Stream properties (JSON documents as bytes)
    assignments: AssignmentStyle | None = None
    priority: PriorityStyle | None = None
    spec_model: type[BaseModel]

    def item_path(self, object_id: str | None) -> str:
        return self.path if self.singleton else f"{self.path}/{object_id}"


_CLIENT_CONFIGURATIONS = "/officeConfiguration/clientConfigurations"
_CLIENT_READ_ONLY = frozenset({"id", "lastModifiedDateTime", "@odata.context", "@odata.id"})
_CLIENT_REPORTING = frozenset({"userCheckinSummary", "checkinStatuses"})
_CLIENT_STREAMS = ("policyPayload", "userPreferencePayload")
_CLIENT_ASSIGNMENTS = AssignmentStyle(
    list_segment="assignments",
    action="assign",
    body_key="officeConfigurationAssignments",
    target_odata_type="#microsoft.graph.officeConfigurationGroupAssignmentTarget",
    target_key="groupId",
)
_CLIENT_PRIORITY = PriorityStyle(
    field="priority",
    action="updatePriorities",
    ids_key="officeConfigurationPolicyIds",
    values_key="officeConfigurationPriorities",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        kind="OfficeConfiguration",
        path="/officeConfiguration",
        singleton=True,
        odata_type="#microsoft.graph.officeConfiguration",
        read_only=frozenset({"id", "@odata.context"}),
        reporting=frozenset({"tenantCheckinStatuses", "tenantUserCheckinSummary"}),
        spec_model=models.OfficeConfigurationSpec,
    ),
    ResourceType(
        kind="WindowsOfficeClientConfiguration",
        path=_CLIENT_CONFIGURATIONS,
        odata_type="#microsoft.graph.windowsOfficeClientConfiguration",
        identity_key="displayName",
        read_only=_CLIENT_READ_ONLY,
        reporting=_CLIENT_REPORTING,
        stream_fields=_CLIENT_STREAMS,
        assignments=_CLIENT_ASSIGNMENTS,
        priority=_CLIENT_PRIORITY,
        spec_model=models.WindowsOfficeClientConfigurationSpec,
    ),
    ResourceType(
        kind="WindowsOfficeClientSecurityConfiguration",
        path=_CLIENT_CONFIGURATIONS,
        odata_type="#microsoft.graph.windowsOfficeClientSecurityConfiguration",
        identity_key="displayName",
        read_only=_CLIENT_READ_ONLY,
        reporting=_CLIENT_REPORTING,
        stream_fields=_CLIENT_STREAMS,
        assignments=_CLIENT_ASSIGNMENTS,
        priority=_CLIENT_PRIORITY,
        spec_model=models.WindowsOfficeClientSecurityConfigurationSpec,
    ),
)

BY_KIND: dict[str, ResourceType] = {rt.kind: rt for rt in RESOURCE_TYPES}


def by_kind(kind: str) -> ResourceType:
    return BY_KIND[kind]


def kind_for_odata_type(odata_type: str | None, *, path: str) -> ResourceType | None:
    """The registered type a live object under `path` belongs to (None: not ours)."""
    for rt in RESOURCE_TYPES:
        if rt.path == path and not rt.singleton and rt.odata_type == odata_type:
            return rt
    return None


def collections() -> list[str]:
    """Distinct collection paths to list when reading the tenant."""
    return sorted({rt.path for rt in RESOURCE_TYPES if not rt.singleton})


def priority_style(collection_path: str) -> PriorityStyle:
    """The priority rules of a collection (the reorder change is addressed by its path)."""
    for rt in RESOURCE_TYPES:
        if rt.path == collection_path and rt.priority is not None:
            return rt.priority
    raise KeyError(collection_path)
