"""Desired-state models, one per manifest kind. Strict: unknown fields and wrong types fail.

A field left out of `spec` is not managed; `model_fields_set` tells what was declared, and an
explicit `null` (declared, value None) means "clear it".
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

API_VERSION = "reconciler/v1"

GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
POINTER_PATTERN = r"^(/[^/]*)+$"
# Names appear in addresses like `Kind/name` and in file names written by export.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
INT32_MAX = 2**31 - 1

Guid = Annotated[str, StringConstraints(pattern=GUID_PATTERN, strict=True)]
JsonPointer = Annotated[str, StringConstraints(pattern=POINTER_PATTERN, strict=True)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strict=True)]


def _title(name: str, info: Any) -> str:
    # Editors show titles on hover: the name as written in YAML, not "Displayname".
    return str(getattr(info, "alias", None) or name)


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        # Aliases only: a manifest writes "@odata.type", never the Python name odata_type.
        populate_by_name=False,
        field_title_generator=_title,
    )

    # How to write a value of this model, for error messages ("expected {shape}, got ...").
    shape: ClassVar[str] = "a mapping"


class PayloadSource(_Strict):
    """A stream payload: a JSON file beside the manifest, or an inline JSON value."""

    # The schema's way of saying "exactly one of file or inline" (the validator below).
    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    shape: ClassVar[str] = "{file: <path>} or {inline: <JSON value>}"

    file: NonEmpty | None = Field(
        default=None, description="JSON file, relative to this manifest, inside the manifest root"
    )
    inline: JsonValue = Field(default=None, description="the JSON document itself")

    @model_validator(mode="after")
    def _exactly_one(self) -> PayloadSource:
        given = {"file", "inline"} & self.model_fields_set
        if len(given) != 1:
            raise ValueError("give exactly one of 'file' or 'inline'")
        if "file" in given and self.file is None:
            raise ValueError("'file' must be a path")
        if "inline" in given and self.inline is None:
            # {inline: null} would read as "clear the payload"; make that explicit instead.
            raise ValueError("inline payload is null; to clear the payload write null instead")
        return self


class GroupAssignment(_Strict):
    shape: ClassVar[str] = "{groupId: <group object id>}"

    groupId: Guid = Field(description="Entra ID group object id (a GUID)")


class UserCheckinSummary(_Strict):
    odata_type: str | None = Field(default=None, alias="@odata.type")
    succeededUserCount: int
    failedUserCount: int


class CheckinStatus(_Strict):
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


class ClientConfigurationSpec(_Strict):
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


class OfficeConfigurationSpec(_Strict):
    tenantCheckinStatuses: list[CheckinStatus] | None = None
    tenantUserCheckinSummary: UserCheckinSummary | None = None


class Metadata(_Strict):
    name: (
        Annotated[
            str, StringConstraints(min_length=1, max_length=253, pattern=NAME_PATTERN, strict=True)
        ]
        | None
    ) = Field(default=None, description="unique per kind; not needed for OfficeConfiguration")
    id: NonEmpty | None = Field(default=None, description="pins a live object by its Graph id")
    ignore: list[JsonPointer] = Field(
        default_factory=list, description="JSON pointers into spec that are never diffed"
    )


class Envelope(_Strict):
    """The document around a spec; the spec itself is validated by its kind's model."""

    apiVersion: Literal["reconciler/v1"]
    kind: str
    metadata: Metadata = Field(default_factory=Metadata)
    spec: dict[str, Any]
