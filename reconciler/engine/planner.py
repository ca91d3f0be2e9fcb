"""Desired + live -> Plan. Pure: no I/O, no clock (the caller passes `now`).

Order of writes the plan encodes (the executor keeps it):
  deletes, creates (then each create's payloads and assignments), patches, payload writes,
  assignments, and last one `updatePriorities` per collection carrying the whole new order.
A create whose priority is still held by a live object is created with a free temporary
priority and moved into place by that final call, because Graph rejects duplicate priorities.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler import __version__
from reconciler.engine.diff import (
    ResourceDiff,
    compare,
    fingerprint,
    owned_fields,
)
from reconciler.engine.staleness import priorities_fingerprint
from reconciler.errors import PlanError
from reconciler.kinds import registry
from reconciler.kinds.registry import ResourceType
from reconciler.values.canonical import Payload, plain
from reconciler.values.desired import Desired, DesiredResource
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import (
    Action,
    Change,
    Cost,
    FieldRecord,
    Plan,
    SourceRef,
    Step,
    StepKind,
    Unmanaged,
    id_placeholder,
)
from reconciler.values.pointers import copy_at
from reconciler.values.pointers import split as split_pointer

# The documented Intune per-app write limit (graph-spec §3.2): 100 writes per 20 seconds.
WRITES_PER_SECOND = 100 / 20


@dataclass
class _Ordering:
    """Priorities of one collection as the plan leaves them."""

    rt: ResourceType
    final: dict[str, int] = field(default_factory=dict)  # id or placeholder -> priority
    owner: dict[str, str] = field(default_factory=dict)  # id or placeholder -> address/name
    changed: bool = False
    after: list[str] = field(default_factory=list)  # creates and deletes must land first


def make_plan(desired: Desired, live: Live, *, now: datetime, prune: bool = False) -> Plan:
    matches = match_resources(desired, live)
    changes: list[Change] = []
    orderings: dict[str, _Ordering] = {}
    taken = {
        o.body.get(rt.priority.field)
        for o in live.objects
        if (rt := registry.by_kind(o.kind)).priority is not None
    }
    temporary = max([p for p in taken if isinstance(p, int)] + _desired_priorities(desired) + [0])

    claimed = {m.id.lower() for m in matches.values() if m is not None and m.id}
    unmanaged = unmanaged_objects(desired, live, claimed)
    if prune:
        changes.extend(_delete(obj) for obj in unmanaged)
    delete_steps = [c.steps[0].id for c in changes]

    for resource in desired.resources:
        rt = registry.by_kind(resource.kind)
        match = matches[resource.address]
        result = compare(rt, resource, match)
        ordering = _ordering_for(rt, orderings, delete_steps)
        change: Change | None
        if match is None:
            temporary += 1
            change = _create(rt, resource, result, ordering, taken, temporary)
        else:
            change = _update(rt, resource, match, result, ordering)
        if change is not None:
            changes.append(change)

    # Every live object no resource claims keeps its priority unless pruned, whatever its
    # kind: both policy kinds share one priority order, and prune only deletes managed kinds.
    pruned = {o.id.lower() for o in unmanaged if o.id} if prune else set()
    survivors = [
        o
        for o in live.objects
        if o.id and o.id.lower() not in claimed and o.id.lower() not in pruned
    ]
    for ordering in orderings.values():
        _keep_unmanaged(ordering, survivors)
        reorder = _reorder(ordering, live)
        if reorder is not None:
            changes.append(reorder)

    writes = sum(len(c.steps) for c in changes)
    return Plan(
        tool_version=__version__,
        graph_url=live.graph_url,
        created_at=now.isoformat(timespec="seconds"),
        manifest_hash=desired.manifest_hash,
        prune=prune,
        changes=tuple(changes),
        unmanaged=() if prune else tuple(_unmanaged_record(o) for o in unmanaged),
        cost=Cost(
            read_requests=live.read_requests,
            writes=writes,
            min_write_seconds=round(writes / WRITES_PER_SECOND, 2),
        ),
    )


# --- identity -----------------------------------------------------------------------------


def match_resources(desired: Desired, live: Live) -> dict[str, LiveObject | None]:
    """Pair each resource with its live object: metadata.id pins, else one displayName match."""
    matches: dict[str, LiveObject | None] = {}
    claimed: dict[str, str] = {}
    for resource in desired.resources:
        rt = registry.by_kind(resource.kind)
        if rt.singleton:
            singles = live.of_kind(resource.kind)
            matches[resource.address] = singles[0] if singles else None
        elif resource.id:
            obj = live.by_id(resource.id)
            if obj is not None and obj.kind != resource.kind:
                raise PlanError(
                    f"{resource.address}: metadata.id {resource.id} is a {obj.kind}, "
                    f"not a {resource.kind}; Graph cannot change a policy's type",
                    hint="Delete and recreate it, or fix the manifest's kind.",
                )
            if obj is not None and obj.id and obj.id.lower() in claimed:
                raise PlanError(
                    f"{resource.address}: metadata.id {resource.id} is also claimed by "
                    f"{claimed[obj.id.lower()]}"
                )
            matches[resource.address] = obj
            if obj is not None and obj.id:
                claimed[obj.id.lower()] = resource.address
    for resource in desired.resources:
        rt = registry.by_kind(resource.kind)
        if rt.singleton or resource.id:
            continue
        key = rt.identity_key or "displayName"
        wanted = resource.spec.get(key)
        found = [
            o
            for o in live.having(resource.kind, key, wanted)
            if o.id and o.id.lower() not in claimed
        ]
        if len(found) > 1:
            ids = ", ".join(sorted(o.id or "" for o in found))
            raise PlanError(
                f"{resource.address}: {len(found)} live objects have {key} {wanted!r}: {ids}",
                hint="Pin one with metadata.id (and delete or rename the other).",
            )
        match = found[0] if found else None
        matches[resource.address] = match
        if match is not None and match.id:
            claimed[match.id.lower()] = resource.address
    return matches


def unmanaged_objects(desired: Desired, live: Live, claimed: set[str]) -> list[LiveObject]:
    """Live objects of the manifests' (non-singleton) kinds whose id no resource claimed."""
    kinds = {r.kind for r in desired.resources if not registry.by_kind(r.kind).singleton}
    return [o for o in live.objects if o.kind in kinds and o.id and o.id.lower() not in claimed]


def _unmanaged_record(obj: LiveObject) -> Unmanaged:
    return Unmanaged(kind=obj.kind, id=obj.id or "", display_name=obj.display_name)


def _desired_priorities(desired: Desired) -> list[int]:
    values = []
    for resource in desired.resources:
        rt = registry.by_kind(resource.kind)
        if rt.priority is not None and isinstance(resource.spec.get(rt.priority.field), int):
            values.append(resource.spec[rt.priority.field])
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


def _write_value(resource: DesiredResource, live: LiveObject | None, field_name: str) -> Any:
    """The desired value, with live values kept at ignored pointers below this field."""
    declared = resource.spec.get(field_name)
    # A Payload parses to a fresh copy; anything else is copied because it gets changed below.
    value = plain(declared) if isinstance(declared, Payload) else copy.deepcopy(declared)
    if live is not None:
        current = plain(live.body.get(field_name))
        for pointer in resource.ignore:
            tokens = split_pointer(pointer)
            if len(tokens) >= 2 and tokens[0] == field_name:
                copy_at(current, value, tokens[1:])
    return value


def _assign_body(rt: ResourceType, groups: Iterable[str]) -> dict[str, Any]:
    assert rt.assignments is not None
    style = rt.assignments
    return {
        style.body_key: [
            {"target": {"@odata.type": style.target_odata_type, style.target_key: g}}
            for g in sorted(groups)
        ]
    }


def _side_steps(
    rt: ResourceType,
    resource: DesiredResource,
    live: LiveObject | None,
    fields: Iterable[str],
    item: str,
    after: tuple[str, ...],
) -> list[Step]:
    """Payload writes and the assign call for the given changed fields."""
    steps = []
    for name in fields:
        if name in rt.stream_fields:
            steps.append(
                Step(
                    id=f"{resource.address}#{name}",
                    kind=StepKind.WRITE_STREAM,
                    method="PUT",
                    path=f"{item}/{name}",
                    body=_write_value(resource, live, name),
                    after=after,
                )
            )
        elif name == "assignments" and rt.assignments is not None:
            steps.append(
                Step(
                    id=f"{resource.address}#assign",
                    kind=StepKind.ASSIGN,
                    method="POST",
                    path=f"{item}/{rt.assignments.action}",
                    body=_assign_body(rt, resource.spec.get(name) or []),
                    after=after,
                )
            )
    return steps


def _is_side_field(rt: ResourceType, name: str) -> bool:
    return name in rt.stream_fields or (name == "assignments" and rt.assignments is not None)


def _create(
    rt: ResourceType,
    resource: DesiredResource,
    result: ResourceDiff,
    ordering: _Ordering | None,
    taken: set[Any],
    temporary: int,
) -> Change:
    if rt.singleton:
        raise PlanError(f"{resource.address}: the tenant has no {rt.path} to update")
    placeholder = id_placeholder(resource.address)
    body: dict[str, Any] = {"@odata.type": rt.odata_type}
    for name in owned_fields(resource):
        if not _is_side_field(rt, name):
            body[name] = _write_value(resource, None, name)
    if ordering is not None and rt.priority is not None:
        wanted = body.get(rt.priority.field)
        if wanted in taken:
            body[rt.priority.field] = temporary  # moved into place by updatePriorities
            ordering.changed = True
        ordering.final[placeholder] = wanted if isinstance(wanted, int) else temporary
        ordering.owner[placeholder] = resource.address
    create = Step(
        id=f"{resource.address}#create",
        kind=StepKind.CREATE,
        method="POST",
        path=rt.path,
        body=body,
    )
    # A new object has no payload and no groups; an empty payload document ([]) is still one.
    side_fields = [
        c.field
        for c in result.changes
        if _is_side_field(rt, c.field)
        and c.after is not None
        and (c.field in rt.stream_fields or c.after != [])
    ]
    item = placeholder_path(rt, placeholder)
    steps = [create, *_side_steps(rt, resource, None, side_fields, item, (create.id,))]
    if ordering is not None:
        ordering.after.append(create.id)  # the final order needs the new id
    return Change(
        address=resource.address,
        kind=resource.kind,
        action=Action.CREATE,
        display_name=str(resource.spec.get(rt.identity_key or "displayName", "")),
        fingerprint=fingerprint(rt, None),
        declared=tuple(owned_fields(resource)),
        ignore=resource.ignore,
        fields=_records(resource, result),
        patch=result.patch,
        steps=tuple(steps),
        source=_source(resource, ""),
        note="metadata.id not found in the tenant; a new object will be created"
        if resource.id
        else "",
    )


def placeholder_path(rt: ResourceType, placeholder: str) -> str:
    return f"{rt.path}/{placeholder}"


def _update(
    rt: ResourceType,
    resource: DesiredResource,
    live: LiveObject,
    result: ResourceDiff,
    ordering: _Ordering | None,
) -> Change | None:
    item = rt.item_path(live.id)
    priority_field = rt.priority.field if rt.priority else None
    if ordering is not None and priority_field and live.id:
        wanted = resource.spec.get(priority_field)
        if priority_field in result.changed_fields and isinstance(wanted, int):
            ordering.final[live.id] = wanted
            ordering.changed = True
        else:
            ordering.final[live.id] = live.body.get(priority_field)  # type: ignore[assignment]
        ordering.owner[live.id] = resource.address
    if not result.changes:
        return None
    patch_fields = [
        c.field
        for c in result.changes
        if not _is_side_field(rt, c.field) and c.field != priority_field
    ]
    steps: list[Step] = []
    if patch_fields:
        body: dict[str, Any] = {"@odata.type": rt.odata_type} if rt.odata_type else {}
        body.update({name: _write_value(resource, live, name) for name in patch_fields})
        steps.append(
            Step(
                id=f"{resource.address}#patch",
                kind=StepKind.PATCH,
                method="PATCH",
                path=item,
                body=body,
            )
        )
    steps.extend(_side_steps(rt, resource, live, result.changed_fields, item, ()))
    return Change(
        address=resource.address,
        kind=resource.kind,
        action=Action.UPDATE,
        object_id=live.id,
        display_name=live.display_name or resource.name,
        fingerprint=fingerprint(rt, live, owned_fields(resource)),
        declared=tuple(owned_fields(resource)),
        ignore=resource.ignore,
        fields=_records(resource, result),
        patch=result.patch,
        steps=tuple(steps),
        source=_source(resource, ""),
    )


def _delete(obj: LiveObject) -> Change:
    rt = registry.by_kind(obj.kind)
    address = f"{obj.kind}/{obj.id}"
    return Change(
        address=address,
        kind=obj.kind,
        action=Action.DELETE,
        object_id=obj.id,
        display_name=obj.display_name,
        fingerprint=fingerprint(rt, obj),
        steps=(
            Step(
                id=f"{address}#delete",
                kind=StepKind.DELETE,
                method="DELETE",
                path=rt.item_path(obj.id),
            ),
        ),
    )


# --- priorities ---------------------------------------------------------------------------


def _ordering_for(
    rt: ResourceType, orderings: dict[str, _Ordering], delete_steps: list[str]
) -> _Ordering | None:
    if rt.priority is None:
        return None
    if rt.path not in orderings:
        orderings[rt.path] = _Ordering(rt=rt, after=list(delete_steps))
    return orderings[rt.path]


def _keep_unmanaged(ordering: _Ordering, survivors: list[LiveObject]) -> None:
    """Unmanaged objects keep their priority; a manifest may not take it from them."""
    assert ordering.rt.priority is not None
    for obj in survivors:
        if registry.by_kind(obj.kind).path == ordering.rt.path and obj.id:
            value = obj.body.get(ordering.rt.priority.field)
            if isinstance(value, int):
                ordering.final[obj.id] = value
                ordering.owner[obj.id] = f"unmanaged {obj.kind} {obj.display_name!r} ({obj.id})"


def _reorder(ordering: _Ordering, live: Live) -> Change | None:
    style = ordering.rt.priority
    assert style is not None
    holders: dict[int, str] = {}
    for key, value in ordering.final.items():
        if value in holders:
            raise PlanError(
                f"priority {value} would be held by both {holders[value]} and {ordering.owner[key]}",
                hint=(
                    "Priorities are unique across both policy kinds: change the manifest's "
                    "priority, or add the other policy to the manifests (or delete it)."
                ),
            )
        holders[value] = ordering.owner[key]
    if not ordering.changed:
        return None
    managed = sorted(
        (
            (p, key)
            for key, p in ordering.final.items()
            if not ordering.owner[key].startswith("unmanaged")
        ),
        key=lambda pair: pair[0],
    )
    address = f"priorities:{ordering.rt.path}"
    step = Step(
        id=address,
        kind=StepKind.UPDATE_PRIORITIES,
        method="POST",
        path=f"{ordering.rt.path}/{style.action}",
        body={
            style.ids_key: [key for _, key in managed],
            style.values_key: [p for p, _ in managed],
        },
        after=tuple(ordering.after),
    )
    return Change(
        address=address,
        kind="priorities",
        action=Action.REORDER,
        fingerprint=priorities_fingerprint(live, ordering.rt.path, style.field),
        steps=(step,),
    )
