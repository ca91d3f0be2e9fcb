"""The plan: a frozen, versioned value. Apply acts on its steps and nothing else.

`reconciler.planfile` saves and loads it. Steps address objects not yet created with the
placeholder `{id:<change address>}` (in paths and in JSON bodies); the executor fills it
from the create's response.

Format version 2: steps are `create`, `patch`, `put` (the whole entity), `put-stream`,
`action` (with a `purpose`: assign, reorder, children) and `delete`; a reorder change names
its `collection` and carries the new `ordering`; the plan names the `tenant_id` it was made
for; the cost counts request units as Graph counts them (each `$batch` item is one).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue, field_validator

FORMAT_VERSION = 2


def id_placeholder(address: str) -> str:
    return "{id:" + address + "}"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"  # create the new object (with its facets), then delete the old one
    REORDER = "reorder"


class StepKind(StrEnum):
    CREATE = "create"  # POST the collection
    PATCH = "patch"  # PATCH the changed plain properties
    PUT = "put"  # PUT the whole entity
    PUT_STREAM = "put-stream"  # PUT the bytes of one stream property
    ACTION = "action"  # POST a bound action; `purpose` says which
    DELETE = "delete"


class Purpose(StrEnum):
    """What an `action` step is for."""

    ASSIGN = "assign"  # replace the object's assignments
    REORDER = "reorder"  # set the ordering of a collection
    CHILDREN = "children"  # add, update and delete child items in one call


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Step(_Frozen):
    """One HTTP write. For PUT_STREAM, `body` is the JSON document to store (None clears)."""

    id: str
    kind: StepKind
    purpose: Purpose | None = None  # for ACTION steps only
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


class OrderEntry(_Frozen):
    """One object's place in a reordered collection."""

    id: str  # a Graph id, or the placeholder of an object the plan creates
    value: int
    label: str = ""  # the object's name, for people


class Change(_Frozen):
    address: str
    kind: str  # the manifest kind; "" for a reorder, which spans the kinds of a collection
    action: Action
    object_id: str | None = None
    collection: str | None = None  # a reorder: the collection whose ordering it sets
    display_name: str = ""
    fingerprint: str  # sha256 of the normalised live object this change was computed from
    declared: tuple[str, ...] = ()  # spec fields the manifest owns (part of the fingerprint)
    ignore: tuple[str, ...] = ()  # metadata.ignore pointers, honoured when verifying
    fields: tuple[FieldRecord, ...] = ()
    patch: tuple[dict[str, JsonValue], ...] = ()  # RFC 6902 audit record, live -> desired
    steps: tuple[Step, ...] = ()
    source: SourceRef | None = None
    note: str = ""
    ordering: tuple[OrderEntry, ...] = ()  # a reorder: the final order, lowest first


class Unmanaged(_Frozen):
    kind: str
    id: str
    display_name: str
    in_scope: bool = True  # inside the manifest set's scope: reported, prunable


class Cost(_Frozen):
    read_requests: int  # HTTP requests the plan's read took
    read_units: int = 0  # the same in Graph's request units (each $batch item counts one)
    writes: int  # HTTP writes apply will send; each is one request unit
    min_write_seconds: float  # writes / documented per-app write limit
    # read_units / documented per-app request limit: the read's least time when the
    # tenant's bucket starts empty (0 in plans made before it was stated)
    min_read_seconds: float = 0.0
    recheck_reads: int = 0  # at most this many reads apply adds to re-check between rounds


class Plan(_Frozen):
    format_version: int = FORMAT_VERSION
    tool_version: str
    graph_url: str
    tenant_id: str = "unknown"  # the token's `tid`, else AZURE_TENANT_ID; apply checks it
    created_at: str
    manifest_hash: str
    prune: bool = False
    targets: tuple[str, ...] = ()  # addresses a partial plan was limited to (none: all)
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
