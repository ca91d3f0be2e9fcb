"""The plan: a frozen, versioned value. Apply acts on its steps and nothing else.

`reconciler.planfile` saves and loads it. Steps address objects not yet created with the placeholder `{id:<change address>}` (in paths
and in JSON bodies); the executor fills it from the create's response.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator

FORMAT_VERSION = 1


def id_placeholder(address: str) -> str:
    return "{id:" + address + "}"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REORDER = "reorder"


class StepKind(StrEnum):
    CREATE = "create"
    PATCH = "patch"
    WRITE_STREAM = "write-stream"
    ASSIGN = "assign"
    UPDATE_PRIORITIES = "update-priorities"
    DELETE = "delete"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Frozen):
    """One HTTP write. For WRITE_STREAM, `body` is the JSON document to store (None clears)."""

    id: str
    kind: StepKind
    method: str
    path: str
    body: JsonValue = None
    after: tuple[str, ...] = ()  # step ids that must succeed first

    # The checksum catches damage, not intent: whoever edits a plan can recompute it. So a
    # loaded step may only write, and only below the Graph base URL: no other host (the
    # token would go along), no climbing out with "..", no query or escapes.
    @field_validator("method")
    @classmethod
    def _a_write(cls, method: str) -> str:
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            raise ValueError(f"step method {method[:20]!r} is not a write")
        return method

    @field_validator("path")
    @classmethod
    def _below_the_base_url(cls, path: str) -> str:
        if (
            not path.startswith("/")
            or path.startswith("//")
            or any(c in "\\?#%" or c.isspace() or not c.isprintable() for c in path)
            or any(segment in (".", "..") for segment in path.split("/"))
        ):
            raise ValueError(f"step path {path[:80]!r} is not a path below the Graph URL")
        return path


class SourceRef(_Frozen):
    file: str
    line: int
    column: int


class FieldRecord(_Frozen):
    field: str
    pointer: str
    before: JsonValue = None
    after: JsonValue = None
    details: tuple[str, ...] = ()
    source: SourceRef | None = None  # where the manifest declares it


class Change(_Frozen):
    address: str
    kind: str
    action: Action
    object_id: str | None = None
    display_name: str = ""
    fingerprint: str  # sha256 of the normalised live object this change was computed from
    declared: tuple[str, ...] = ()  # spec fields the manifest owns (part of the fingerprint)
    ignore: tuple[str, ...] = ()  # metadata.ignore pointers, honoured when verifying
    fields: tuple[FieldRecord, ...] = ()
    patch: tuple[dict[str, JsonValue], ...] = ()  # RFC 6902 audit record, live -> desired
    steps: tuple[Step, ...] = ()
    source: SourceRef | None = None
    note: str = ""


class Unmanaged(_Frozen):
    kind: str
    id: str
    display_name: str


class Cost(_Frozen):
    read_requests: int
    writes: int
    min_write_seconds: float  # writes / documented per-app write limit


class Plan(_Frozen):
    format_version: int = FORMAT_VERSION
    tool_version: str
    graph_url: str
    created_at: str
    manifest_hash: str
    prune: bool = False
    changes: tuple[Change, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    cost: Cost

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def is_empty(self) -> bool:
        return not any(c.steps for c in self.changes)

    def steps(self) -> list[Step]:
        return [step for change in self.changes for step in change.steps]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
