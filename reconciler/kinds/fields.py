"""Pieces that every kind's spec model is built from: strict models, id and pointer types,
payload sources and assignment targets.

A spec model is strict: unknown fields and wrong types fail. A field left out is not
managed; `model_fields_set` tells what was declared, and an explicit `null` (declared, value
None) means "clear it".
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


class StrictModel(BaseModel):
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


class PayloadSource(StrictModel):
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


class GroupAssignment(StrictModel):
    """A group the policy applies to: the only target the Office cloud-policy API has."""

    shape: ClassVar[str] = "{groupId: <group object id>}"

    target: Literal["group"] = Field(default="group", description="only 'group' for this kind")
    groupId: Guid = Field(description="Entra ID group object id (a GUID)")


class AssignmentFilter(StrictModel):
    shape: ClassVar[str] = "{id: <filter id>, type: include|exclude}"

    id: Guid = Field(description="the assignment filter's id (a GUID)")
    type: Literal["include", "exclude"] = Field(description="include or exclude what it matches")


class Assignment(StrictModel):
    """An Intune assignment target: a group to include or exclude, or everyone."""

    shape: ClassVar[str] = (
        "{target: group|exclusionGroup|allDevices|allLicensedUsers, groupId: ...}"
    )

    target: Literal["group", "exclusionGroup", "allDevices", "allLicensedUsers"] = Field(
        default="group", description="who the policy applies to (default: a group)"
    )
    groupId: Guid | None = Field(
        default=None, description="Entra ID group object id, for group and exclusionGroup"
    )
    filter: AssignmentFilter | None = Field(default=None, description="an assignment filter")

    @model_validator(mode="after")
    def _group_when_needed(self) -> Assignment:
        needs_group = self.target in ("group", "exclusionGroup")
        if needs_group and self.groupId is None:
            raise ValueError(f"the '{self.target}' target needs a groupId")
        if not needs_group and self.groupId is not None:
            raise ValueError(f"the '{self.target}' target takes no groupId (it reaches everyone)")
        return self
