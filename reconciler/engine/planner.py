"""Desired + live -> Plan. Pure: no I/O, no clock (the caller passes `now`).

Order of writes the plan encodes (the executor keeps it):
  deletes, creates (then each create's facet writes), updates, and last one ordering call
  per collection that has an ordering (Office `updatePriorities`), carrying the whole new
  order. A create whose ordering value is still held by a live object is created with a
  free temporary value and moved into place by that final call, because Graph rejects
  duplicate priorities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler import __version__
from reconciler.engine.diff import ResourceDiff, compare, owned_fields
from reconciler.engine.fingerprints import fingerprint, ordering_fingerprint
from reconciler.engine.identity import claimed_ids, match_resources, unmanaged_objects
from reconciler.engine.writes import create_steps, delete_step, update_steps
from reconciler.errors import PlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Ordering, ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.desired import Desired, DesiredResource
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import (
    Action,
    Change,
    Cost,
    FieldRecord,
    OrderEntry,
    Plan,
    Purpose,
    SourceRef,
    Step,
    StepKind,
    Unmanaged,
    id_placeholder,
)

# The documented Intune per-app write limit (graph-spec §3.2): 100 writes per 20 seconds.
WRITES_PER_SECOND = 100 / 20


@dataclass
class _Ordering:
    """The ordering of one collection as the plan leaves it."""

    collection: str
    style: Ordering
    final: dict[str, int] = field(default_factory=dict)  # id or placeholder -> value
    owner: dict[str, str] = field(default_factory=dict)  # id or placeholder -> who holds it
    label: dict[str, str] = field(default_factory=dict)  # id or placeholder -> object name
    managed: set[str] = field(default_factory=set)  # keys of objects the manifests own
    changed: bool = False
    after: list[str] = field(default_factory=list)  # creates and deletes must land first


def make_plan(
    desired: Desired,
    live: Live,
    *,
    now: datetime,
    prune: bool = False,
    kinds: Registry = REGISTRY,
) -> Plan:
    matches = match_resources(desired, live, kinds=kinds)
    changes: list[Change] = []
    orderings: dict[str, _Ordering] = {}
    taken = _taken_values(live, kinds)
    temporary = max(
        [v for v in taken if isinstance(v, int)] + _desired_values(desired, kinds) + [0]
    )

    claimed = claimed_ids(matches)
    unmanaged = unmanaged_objects(desired, live, claimed, kinds=kinds)
    if prune:
        changes.extend(_delete(kinds.by_kind(obj.kind), obj) for obj in unmanaged)
    delete_steps = [c.steps[0].id for c in changes]

    for resource in desired.resources:
        kind = kinds.by_kind(resource.kind)
        match = matches[resource.address]
        result = compare(kind, resource, match)
        ordering = _ordering_for(kind, orderings, delete_steps)
        change: Change | None
        if match is None:
            temporary += 1
            change = _create(kind, resource, result, ordering, taken, temporary)
        else:
            change = _update(kind, resource, match, result, ordering)
        if change is not None:
            changes.append(change)

    # Every live object no resource claims keeps its place unless pruned, whatever its kind:
    # the kinds of a collection share one ordering, and prune deletes only managed kinds.
    pruned = {o.id.lower() for o in unmanaged if o.id} if prune else set()
    survivors = [
        o
        for o in live.objects
        if o.id and o.id.lower() not in claimed and o.id.lower() not in pruned
    ]
    for ordering in orderings.values():
        _keep_unmanaged(ordering, survivors, kinds)
        reorder = _reorder(ordering, live, kinds)
        if reorder is not None:
            changes.append(reorder)

    writes = sum(len(c.steps) for c in changes)
    return Plan(
        tool_version=__version__,
        graph_url=live.graph_url,
        tenant_id=live.tenant_id,
        created_at=now.isoformat(timespec="seconds"),
        manifest_hash=desired.manifest_hash,
        prune=prune,
        changes=tuple(changes),
        unmanaged=() if prune else tuple(_unmanaged_record(o) for o in unmanaged),
        cost=Cost(
            read_requests=live.read_requests,
            read_units=live.read_units,
            writes=writes,
            min_write_seconds=round(writes / WRITES_PER_SECOND, 2),
        ),
    )


def _unmanaged_record(obj: LiveObject) -> Unmanaged:
    return Unmanaged(kind=obj.kind, id=obj.id or "", display_name=obj.label)


def _taken_values(live: Live, kinds: Registry) -> set[Any]:
    taken = set()
    for obj in live.objects:
        kind = kinds.get(obj.kind)
        if kind is not None and kind.ordering is not None:
            taken.add(obj.body.get(kind.ordering.field))
    return taken


def _desired_values(desired: Desired, kinds: Registry) -> list[int]:
    values = []
    for resource in desired.resources:
        style = kinds.by_kind(resource.kind).ordering
        if style is not None and isinstance(resource.spec.get(style.field), int):
            values.append(resource.spec[style.field])
    return values


# --- changes ------------------------------------------------------------------------------


def _source(resource: DesiredResource, pointer: str) -> SourceRef | None:
    pos = resource.position(pointer)
    if pos is None:
        return None
    return SourceRef(file=pos.file, line=pos.line, column=pos.column)


def _records(resource: DesiredResource, result: ResourceDiff) -> tuple[FieldRecord, ...]:
    return tuple(
        FieldRecord(
            field=c.field,
            pointer=c.pointer,
            before=c.before,
            after=c.after,
            details=c.details,
            source=_source(resource, c.pointer),
        )
        for c in result.changes
    )


def placeholder_path(kind: ResourceKind, placeholder: str) -> str:
    return f"{kind.collection}/{placeholder}"


def _create(
    kind: ResourceKind,
    resource: DesiredResource,
    result: ResourceDiff,
    ordering: _Ordering | None,
    taken: set[Any],
    temporary: int,
) -> Change:
    if kind.singleton:
        raise PlanError(f"{resource.address}: the tenant has no {kind.collection} to update")
    placeholder = id_placeholder(resource.address)
    overrides: dict[str, Any] = {}
    if ordering is not None:
        wanted = resource.spec.get(ordering.style.field)
        if wanted in taken:
            overrides[ordering.style.field] = temporary  # moved into place by the reorder
            ordering.changed = True
        ordering.final[placeholder] = wanted if isinstance(wanted, int) else temporary
        ordering.owner[placeholder] = resource.address
        ordering.label[placeholder] = _label(kind, resource)
        ordering.managed.add(placeholder)
    declared = owned_fields(resource)
    steps = create_steps(kind, resource, declared, placeholder_path(kind, placeholder), overrides)
    if ordering is not None:
        ordering.after.append(steps[0].id)  # the final order needs the new id
    return Change(
        address=resource.address,
        kind=resource.kind,
        action=Action.CREATE,
        display_name=_label(kind, resource),
        fingerprint=fingerprint(kind, None),
        declared=tuple(declared),
        ignore=resource.ignore,
        fields=_records(resource, result),
        patch=result.patch,
        steps=tuple(steps),
        source=_source(resource, ""),
        note="metadata.id not found in the tenant; a new object will be created"
        if resource.id
        else "",
    )


def _label(kind: ResourceKind, resource: DesiredResource) -> str:
    value = resource.spec.get(kind.identity, "")
    return value if isinstance(value, str) else str(value)


def _update(
    kind: ResourceKind,
    resource: DesiredResource,
    live: LiveObject,
    result: ResourceDiff,
    ordering: _Ordering | None,
) -> Change | None:
    ordering_field = ordering.style.field if ordering is not None else None
    if ordering is not None and ordering_field and live.id:
        wanted = resource.spec.get(ordering_field)
        if ordering_field in result.changed_fields and isinstance(wanted, int):
            ordering.final[live.id] = wanted
            ordering.changed = True
        else:
            ordering.final[live.id] = live.body.get(ordering_field)  # type: ignore[assignment]
        ordering.owner[live.id] = resource.address
        ordering.label[live.id] = live.label or resource.name
        ordering.managed.add(live.id)
    if not result.changes:
        return None
    changed = [f for f in result.changed_fields if f != ordering_field]
    steps = update_steps(kind, resource, live, changed)
    return Change(
        address=resource.address,
        kind=resource.kind,
        action=Action.UPDATE,
        object_id=live.id,
        display_name=live.label or resource.name,
        fingerprint=fingerprint(kind, live, owned_fields(resource)),
        declared=tuple(owned_fields(resource)),
        ignore=resource.ignore,
        fields=_records(resource, result),
        patch=result.patch,
        steps=tuple(steps),
        source=_source(resource, ""),
    )


def _delete(kind: ResourceKind, obj: LiveObject) -> Change:
    address = f"{obj.kind}/{obj.id}"
    return Change(
        address=address,
        kind=obj.kind,
        action=Action.DELETE,
        object_id=obj.id,
        display_name=obj.label,
        fingerprint=fingerprint(kind, obj),
        steps=(delete_step(kind, address, obj.id),),
    )


# --- ordering -----------------------------------------------------------------------------


def _ordering_for(
    kind: ResourceKind, orderings: dict[str, _Ordering], delete_steps: list[str]
) -> _Ordering | None:
    if kind.ordering is None:
        return None
    if kind.collection not in orderings:
        orderings[kind.collection] = _Ordering(
            collection=kind.collection, style=kind.ordering, after=list(delete_steps)
        )
    return orderings[kind.collection]


def _keep_unmanaged(ordering: _Ordering, survivors: list[LiveObject], kinds: Registry) -> None:
    """Unmanaged objects keep their place; a manifest may not take it from them."""
    members = {k.kind for k in kinds.at(ordering.collection)}
    for obj in survivors:
        if obj.kind in members and obj.id:
            value = obj.body.get(ordering.style.field)
            if isinstance(value, int):
                ordering.final[obj.id] = value
                ordering.owner[obj.id] = f"unmanaged {obj.kind} {obj.label!r} ({obj.id})"


def _reorder(ordering: _Ordering, live: Live, kinds: Registry) -> Change | None:
    style = ordering.style
    holders: dict[int, str] = {}
    for key, value in ordering.final.items():
        if value in holders:
            raise PlanError(
                f"{style.field} {value} would be held by both {holders[value]} and "
                f"{ordering.owner[key]}",
                hint=(
                    f"Each {style.field} is unique across the collection's kinds: change the "
                    f"manifest's {style.field}, or add the other policy to the manifests (or "
                    "delete it)."
                ),
            )
        holders[value] = ordering.owner[key]
    if not ordering.changed:
        return None
    managed = sorted(
        ((value, key) for key, value in ordering.final.items() if key in ordering.managed),
        key=lambda pair: pair[0],
    )
    address = f"{style.label}:{ordering.collection}"
    step = Step(
        id=address,
        kind=StepKind.ACTION,
        purpose=Purpose.REORDER,
        method="POST",
        path=f"{ordering.collection}/{style.action}",
        body=reorder_body(style, [(key, value) for value, key in managed]),
        after=tuple(ordering.after),
    )
    members = [k.kind for k in kinds.at(ordering.collection)]
    return Change(
        address=address,
        kind="",
        action=Action.REORDER,
        collection=ordering.collection,
        fingerprint=ordering_fingerprint(live, style.field, members),
        ordering=tuple(
            OrderEntry(id=key, value=value, label=ordering.label.get(key, ""))
            for value, key in managed
        ),
        steps=(step,),
    )


def reorder_body(style: Ordering, entries: list[tuple[str, int]]) -> dict[str, Any]:
    """The ordering call's body: parallel lists of ids and values."""
    return {
        style.ids_key: [object_id for object_id, _ in entries],
        style.values_key: [value for _, value in entries],
    }
