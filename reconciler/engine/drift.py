"""Desired + live -> DriftReport: where the tenant differs from the manifests. Pure: no I/O.

Drift is judged exactly as a plan would judge it (same identity rules from `identity`, same
field comparison from `diff`), so "no drift" and "empty plan" always agree on managed fields.
What counts as drift (and makes `reconciler drift` exit 2):
- a declared field whose normalised live value differs (one `DriftedField` each);
- a resource with no live object (`missing`);
- a live object of a managed kind that no manifest claims, inside the set's scope
  (`unmanaged`); one outside the scope, or any when there is no scope, is listed as
  information (`outside_scope`) and is not drift.
`metadata.ignore` pointers never count; the report lists them and says whether each one hid
a live difference. `drift_json` is the documented machine form
(`drift_schema.DRIFT_JSON_SCHEMA`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from reconciler import __version__
from reconciler.engine import collector
from reconciler.engine.diff import compare, owned_view
from reconciler.engine.identity import claimed_ids, match_resources, unmanaged_objects
from reconciler.engine.scope import in_scope
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import canonical_json
from reconciler.values.desired import Desired, DesiredResource, SourcePosition
from reconciler.values.live import Live, LiveObject
from reconciler.values.pointers import ABSENT, get_at
from reconciler.values.pointers import split as split_pointer

FORMAT_VERSION = 2


class Status(StrEnum):
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    MISSING = "missing"


@dataclass(frozen=True, kw_only=True)
class DriftedField:
    field: str
    pointer: str  # "/spec/<field>", as in plans
    desired: Any
    live: Any
    details: tuple[str, ...]  # nested pointers that differ, for documents and lists
    source: SourcePosition | None  # where the manifest declares the field


@dataclass(frozen=True, kw_only=True)
class IgnoredPointer:
    pointer: str  # "/spec/..." (metadata.ignore is written relative to spec)
    differs: bool  # the live value differs there, so the ignore hid a difference


@dataclass(frozen=True, kw_only=True)
class ResourceDrift:
    address: str
    kind: str
    object_id: str | None
    display_name: str
    status: Status
    fields: tuple[DriftedField, ...]
    ignored: tuple[IgnoredPointer, ...]
    source: SourcePosition | None  # the resource's document


@dataclass(frozen=True, kw_only=True)
class UnmanagedObject:
    kind: str
    id: str
    display_name: str


@dataclass(frozen=True, kw_only=True)
class DriftReport:
    graph_url: str
    checked_at: str
    manifest_hash: str
    read_requests: int
    resources: tuple[ResourceDrift, ...]
    unmanaged: tuple[UnmanagedObject, ...]  # inside the scope: drift
    outside_scope: tuple[UnmanagedObject, ...] = ()  # information only
    read_units: int = 0  # Graph's request units of the read (each $batch item is one)

    @property
    def has_drift(self) -> bool:
        return bool(self.unmanaged) or any(r.status != Status.IN_SYNC for r in self.resources)


def detect(
    desired: Desired, live: Live, *, now: datetime, kinds: Registry = REGISTRY
) -> DriftReport:
    """The drift of every resource in `desired` against `live` (identity errors raise)."""
    # A wrapper rather than @collector.paused(): mutmut does not mutate decorated functions.
    with collector.paused():
        return _detect(desired, live, now=now, kinds=kinds)


def _detect(desired: Desired, live: Live, *, now: datetime, kinds: Registry) -> DriftReport:
    matches = match_resources(desired, live, kinds=kinds)
    claimed = claimed_ids(matches)
    resources = tuple(
        _resource_drift(kinds.by_kind(resource.kind), resource, matches[resource.address])
        for resource in desired.resources
    )
    unclaimed = sorted(
        unmanaged_objects(desired, live, claimed, kinds=kinds), key=lambda o: (o.kind, o.id or "")
    )

    def record(o: LiveObject) -> UnmanagedObject:
        return UnmanagedObject(kind=o.kind, id=o.id or "", display_name=o.label)

    unmanaged = tuple(record(o) for o in unclaimed if in_scope(desired.scope, o))
    outside = tuple(record(o) for o in unclaimed if not in_scope(desired.scope, o))
    return DriftReport(
        graph_url=live.graph_url,
        checked_at=now.isoformat(timespec="seconds"),
        manifest_hash=desired.manifest_hash,
        read_requests=live.read_requests,
        read_units=live.read_units,
        resources=resources,
        unmanaged=unmanaged,
        outside_scope=outside,
    )


def _resource_drift(
    kind: ResourceKind, resource: DesiredResource, live: LiveObject | None
) -> ResourceDrift:
    if live is None:
        # Nothing to compare field by field: the whole resource is the finding.
        return _record(kind, resource, None, Status.MISSING, (), ())
    result = compare(kind, resource, live)
    fields = tuple(
        DriftedField(
            field=c.field,
            pointer=c.pointer,
            desired=c.after,
            live=c.before,
            details=c.details,
            source=resource.position(c.pointer),
        )
        for c in result.changes
    )
    ignored = tuple(
        IgnoredPointer(pointer="/spec" + p, differs=_differs_at(kind, resource, live, p))
        for p in resource.ignore
    )
    status = Status.DRIFTED if fields else Status.IN_SYNC
    return _record(kind, resource, live, status, fields, ignored)


def _record(
    kind: ResourceKind,
    resource: DesiredResource,
    live: LiveObject | None,
    status: Status,
    fields: tuple[DriftedField, ...],
    ignored: tuple[IgnoredPointer, ...],
) -> ResourceDrift:
    wanted_name = resource.spec.get(kind.identity)
    return ResourceDrift(
        address=resource.address,
        kind=resource.kind,
        object_id=live.id if live is not None else resource.id,
        display_name=live.label if live is not None else str(wanted_name or ""),
        status=status,
        fields=fields,
        ignored=ignored,
        source=resource.position(""),
    )


def _differs_at(
    kind: ResourceKind, resource: DesiredResource, live: LiveObject, pointer: str
) -> bool:
    """Whether desired and live differ at an ignored pointer (relative to spec).

    Only declared fields can differ: an ignore on an undeclared field hides nothing.
    """
    tokens = split_pointer(pointer)
    if not tokens or tokens[0] not in resource.spec:
        return False
    field = [tokens[0]]
    desired = get_at(owned_view(kind, resource.spec, field, ()), tokens)
    current = get_at(owned_view(kind, live.body, field, ()), tokens)
    if desired is ABSENT or current is ABSENT:
        return desired is not current
    return canonical_json(desired) != canonical_json(current)


# --- the documented JSON form ---------------------------------------------------------------


def _position(pos: SourcePosition | None) -> dict[str, Any] | None:
    if pos is None:
        return None
    return {"file": pos.file, "line": pos.line, "column": pos.column}


def summary_counts(report: DriftReport) -> dict[str, int]:
    fields = sum(len(r.fields) for r in report.resources)
    ignored = [i for r in report.resources for i in r.ignored]
    return {
        "resources": len(report.resources),
        "in_sync": sum(r.status == Status.IN_SYNC for r in report.resources),
        "drifted_resources": sum(r.status == Status.DRIFTED for r in report.resources),
        "drifted_fields": fields,
        "missing": sum(r.status == Status.MISSING for r in report.resources),
        "unmanaged": len(report.unmanaged),
        "outside_scope": len(report.outside_scope),
        "ignored_pointers": len(ignored),
        "ignored_differences": sum(i.differs for i in ignored),
    }


def drift_json(report: DriftReport) -> dict[str, Any]:
    """The report as the JSON dict every renderer reads (drift_schema.DRIFT_JSON_SCHEMA)."""
    return {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "graph_url": report.graph_url,
        "checked_at": report.checked_at,
        "manifest_hash": report.manifest_hash,
        "read_requests": report.read_requests,
        "read_units": report.read_units,
        "drift": report.has_drift,
        "summary": summary_counts(report),
        "resources": [
            {
                "address": r.address,
                "kind": r.kind,
                "object_id": r.object_id,
                "display_name": r.display_name,
                "status": r.status.value,
                "source": _position(r.source),
                "fields": [
                    {
                        "field": f.field,
                        "pointer": f.pointer,
                        "desired": f.desired,
                        "live": f.live,
                        "details": list(f.details),
                        "source": _position(f.source),
                    }
                    for f in r.fields
                ],
                "ignored": [{"pointer": i.pointer, "differs": i.differs} for i in r.ignored],
            }
            for r in report.resources
        ],
        "unmanaged": [
            {"kind": u.kind, "id": u.id, "display_name": u.display_name} for u in report.unmanaged
        ],
        "outside_scope": [
            {"kind": u.kind, "id": u.id, "display_name": u.display_name}
            for u in report.outside_scope
        ],
    }
