"""The plan: a frozen, versioned value. Apply acts on its steps and nothing else.

Saved as JSON `{"plan": {...}, "checksum": sha256(canonical plan)}`; loading refuses another
format version or a file whose checksum does not match.

Steps address objects not yet created with the placeholder `{id:<change address>}` (in paths
and in JSON bodies); the executor fills it from the create's response.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError, field_validator

from reconciler.errors import PlanFileError
from reconciler.files import write_text_atomic
from reconciler.values.canonical import sha256_json

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


def dumps(plan: Plan) -> str:
    """Indented, with each change on one line of its own.

    Indenting everything meant Python's pure-Python encoder: seconds for a plan of a few
    hundred changed payloads. A line per change keeps the C encoder and a readable diff.
    """
    body = plan.to_json_dict()
    skeleton = {"checksum": sha256_json(body), "plan": {**body, "changes": []}}
    text = json.dumps(skeleton, indent=2, sort_keys=True)
    if body["changes"]:
        rows = ",\n".join(f"{' ' * 6}{json.dumps(c, sort_keys=True)}" for c in body["changes"])
        # The first '"changes": []' is the plan's: only the checksum's hex digits precede it.
        text = text.replace('"changes": []', f'"changes": [\n{rows}\n    ]', 1)
    return text + "\n"


def save(plan: Plan, path: str | Path) -> None:
    """Write atomically, so an interrupted save never leaves half a plan."""
    write_text_atomic(Path(path), dumps(plan))


def loads(text: str, *, source: str = "plan") -> Plan:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{source}: not a plan file (invalid JSON at line {exc.lineno})"
        ) from exc
    except (ValueError, RecursionError) as exc:  # a number of >4300 digits; deep nesting
        raise PlanFileError(
            f"{source}: not a plan file (JSON nested too deeply or a number too long)"
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise PlanFileError(f"{source}: not a plan file (no 'plan' object)")
    body = document["plan"]
    version = body.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"{source}: plan format version {version!r} is not supported (expected {FORMAT_VERSION})",
            hint="Run reconciler plan again with this version.",
        )
    if document.get("checksum") != sha256_json(body):
        raise PlanFileError(
            f"{source}: checksum mismatch, the plan file was changed or truncated",
            hint="Run reconciler plan again.",
        )
    try:
        plan = Plan.model_validate(body)
    except ValidationError as exc:
        raise PlanFileError(f"{source}: malformed plan: {exc.errors()[0]['msg']}") from exc
    from reconciler.planfile.integrity import step_problem  # imports this module

    problem = step_problem(plan)
    if problem:
        raise PlanFileError(
            f"{source}: the plan's steps do not match its changes ({problem})",
            hint="Run reconciler plan again; never edit a plan file.",
        )
    return plan


def load(path: str | Path) -> Plan:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read plan file: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path}: not a plan file (not UTF-8)") from exc
    return loads(text, source=str(path))
