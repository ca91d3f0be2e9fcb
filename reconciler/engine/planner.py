"""Desired + live -> Plan. Pure: no I/O, no clock (the caller passes `now`).

Order of writes the plan encodes (the executor keeps it):
  deletes, creates (then each create's facet writes), updates, and last one ordering call
  per collection that has an ordering (Office `updatePriorities`), carrying the whole new
  order. A create whose ordering value is still held by a live object is created with a
  free temporary value and moved into place by that final call, because Graph rejects
  duplicate priorities.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reconciler import __version__
from reconciler.engine import collector, targeting
from reconciler.engine.diff import ResourceDiff, compare, owned_fields
from reconciler.engine.fingerprints import fingerprint, ordering_fingerprint
from reconciler.engine.identity import claimed_ids, match_resources, unmanaged_objects
from reconciler.engine.scope import in_scope
from reconciler.engine.writes import create_steps, delete_step, reorder_body, update_steps
from reconciler.errors import PlanError
from reconciler.kinds import REGISTRY, throttling
from reconciler.kinds.kind import Ordering, ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import plain
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

# The documented Intune per-app limits (kinds.throttling): 100 writes and 1,000 requests of
# any method ($batch items counted) per 20 seconds.
WRITES_PER_SECOND = throttling.DEFAULT.write_rate
REQUESTS_PER_SECOND = throttling.DEFAULT.request_rate


@dataclass
class _Ordering:
    """The ordering of one collection as the plan leaves it."""

    collection: str
    style: Ordering
    final: dict[str, int] = field(default_factory=dict)  # id or placeholder -> value
    owner: dict[str, str] = field(default_factory=dict)  # id or placeholder -> who holds it
    label: dict[str, str] = field(default_factory=dict)  # id or placeholder -> object name
    where: dict[str, str] = field(default_factory=dict)  # id or placeholder -> "file:l:c: "
    managed: set[str] = field(default_factory=set)  # keys of objects the manifests own
    changed: bool = False
    after: list[str] = field(default_factory=list)  # creates and deletes must land first


def make_plan(
    desired: Desired,
    live: Live,
    *,
    now: datetime,
    prune: bool = False,
    replace: Collection[str] = (),
    targets: Collection[str] = (),
    kinds: Registry = REGISTRY,
) -> Plan:
    """The plan that makes `live` match `desired`. `replace`: addresses planned as a
    replacement (create anew, then delete the old object), as a create-only change needs.
    `targets`: a partial plan of these addresses and what they need (see `targeting`)."""
    # A wrapper rather than @collector.paused(): mutmut does not mutate decorated functions.
    with collector.paused():
        return _make_plan(
            desired, live, now=now, prune=prune, replace=replace, targets=targets, kinds=kinds
        )


def _make_plan(
    desired: Desired,
    live: Live,
    *,
    now: datetime,
    prune: bool,
    replace: Collection[str],
    targets: Collection[str],
    kinds: Registry,
) -> Plan:
    addresses = {r.address for r in desired.resources}
    unknown = sorted(set(replace) - addresses)
    if unknown:
        raise PlanError(f"--replace {unknown[0]}: no manifest declares this address")
    matches = match_resources(desired, live, kinds=kinds)
    changes: list[Change] = []
    orderings: dict[str, _Ordering] = {}
    taken = _taken_values(live, kinds)
    temporary = max(
        [v for v in taken if isinstance(v, int)] + _desired_values(desired, kinds) + [0]
    )

    claimed = claimed_ids(matches)
    unmanaged = unmanaged_objects(desired, live, claimed, kinds=kinds)
    prunable = [obj for obj in unmanaged if in_scope(desired.scope, obj)]
    if prune:
        if not desired.scope:
            raise PlanError(
                "--prune deletes unmanaged objects only inside a scope, and this set has none",
                hint="Say what the set manages: a reconciler.yaml with `scope:` globs at the "
                "manifest root, or --scope 'Kind/name glob' (e.g. 'SettingsCatalogPolicy/Office - *').",
            )
        changes.extend(_delete(kinds.by_kind(obj.kind), obj) for obj in prunable)
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
        elif resource.address in replace:
            change = _replace(kind, resource, match, result)
        else:
            _refuse_create_only(kind, resource, result)
            change = _update(kind, resource, match, result, ordering)
        if change is not None:
            changes.append(change)

    # Every live object no resource claims keeps its place unless pruned, whatever its kind:
    # the kinds of a collection share one ordering, and prune deletes only managed kinds.
    pruned = {o.id.lower() for o in prunable if o.id} if prune else set()
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

    if targets:
        changes = targeting.limit(changes, targets, live, kinds, known=addresses)
    writes = sum(len(c.steps) for c in changes)
    return Plan(
        tool_version=__version__,
        graph_url=live.graph_url,
        tenant_id=live.tenant_id,
        created_at=now.isoformat(timespec="seconds"),
        manifest_hash=desired.manifest_hash,
        prune=prune,
        targets=tuple(dict.fromkeys(targets)),
        changes=tuple(changes),
        unmanaged=tuple(
            _unmanaged_record(o, desired.scope)
            for o in unmanaged
            if not (o.id and o.id.lower() in pruned)
        ),
        cost=Cost(
            read_requests=live.read_requests,
            read_units=live.read_units,
            writes=writes,
            min_write_seconds=round(writes / WRITES_PER_SECOND, 2),
            min_read_seconds=round(live.read_units / REQUESTS_PER_SECOND, 2),
            recheck_reads=recheck_reads(changes, kinds),
        ),
    )


def _rounds(changes: list[Change]) -> dict[str, int]:
    """The round (0 first) in which apply sends each step: one past its latest prerequisite."""
    steps = {s.id: s for c in changes for s in c.steps}
    found: dict[str, int] = {}

    def round_of(step_id: str) -> int:
        if step_id not in found:
            after = [a for a in steps[step_id].after if a in steps]
            found[step_id] = 1 + max(map(round_of, after)) if after else 0
        return found[step_id]

    for step_id in steps:
        round_of(step_id)
    return found


def recheck_reads(changes: list[Change], kinds: Registry) -> int:
    """The reads apply's re-checks add (`apply.recheck`): before each round after the first,
    each existing object it touches read by id with its facets, a listing per reordered
    collection; around each round of creates, a listing of the collection."""
    rounds = _rounds(changes)
    reads = 0
    for change in changes:
        later = {rounds[s.id] for s in change.steps if rounds[s.id] > 0}
        if change.action == Action.REORDER:
            reads += len(later)
        elif change.object_id and change.action != Action.CREATE:
            reads += len(later) * kinds.by_kind(change.kind).reads_per_object
    for number in set(rounds.values()):
        collections = {
            kinds.by_kind(c.kind).collection
            for c in changes
            for s in c.steps
            if s.kind == StepKind.CREATE and rounds[s.id] == number
        }
        reads += len(collections) * (2 if number > 0 else 1)
    return reads


def _unmanaged_record(obj: LiveObject, scope: tuple[str, ...]) -> Unmanaged:
    return Unmanaged(
        kind=obj.kind, id=obj.id or "", display_name=obj.label, in_scope=in_scope(scope, obj)
    )


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


def _ignored_on_create(resource: DesiredResource, declared: list[str]) -> tuple[FieldRecord, ...]:
    """The wholly ignored fields a create still sends, shown in the plan like any other."""
    return tuple(
        FieldRecord(
            field=name,
            pointer=f"/spec/{name}",
            after=plain(resource.spec[name]),
            source=_source(resource, f"/spec/{name}"),
        )
        for name in resource.spec
        if name not in declared and resource.spec[name] is not None
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
        ordering.where[placeholder] = resource.located(f"/spec/{ordering.style.field}")
        ordering.label[placeholder] = _label(kind, resource)
        ordering.managed.add(placeholder)
    declared = owned_fields(resource)
    # metadata.ignore is Terraform's ignore_changes: the declared value is set on create and
    # never compared afterwards, so a create sends every declared field, ignored ones too.
    sent = list(resource.spec)
    steps = create_steps(kind, resource, sent, placeholder_path(kind, placeholder), overrides)
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
        fields=_records(resource, result) + _ignored_on_create(resource, declared),
        patch=result.patch,
        steps=tuple(steps),
        source=_source(resource, ""),
        note=f"metadata.id {resource.id} is not in the tenant and no object has this name: "
        "a new object will be created (later plans find it by name; re-pin the set with "
        "`reconciler export --update-ids`)"
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
        ordering.where[live.id] = resource.located(f"/spec/{ordering_field}")
        ordering.label[live.id] = live.label or resource.name
        ordering.managed.add(live.id)
    if not result.changes:
        return None  # (a pinned id that is gone but adopted by name needs no write either)
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
        note=_adopted_note(resource, live),
    )


def _adopted_note(resource: DesiredResource, live: LiveObject) -> str:
    if not resource.id or not live.id or resource.id.lower() == live.id.lower():
        return ""
    return (
        f"metadata.id {resource.id} is not in the tenant; adopted {live.id}, the one object "
        "with this name (re-pin with `reconciler export --update-ids`)"
    )


def _where(resource: DesiredResource, pointer: str) -> str:
    pos = resource.position(pointer)
    return f"{pos.file}:{pos.line}:{pos.column}" if pos else resource.file


def _refuse_create_only(
    kind: ResourceKind, resource: DesiredResource, result: ResourceDiff
) -> None:
    for change in result.changes:
        if change.field in kind.create_only:
            raise PlanError(
                f"{_where(resource, change.pointer)}: {resource.address}: {change.field} cannot "
                f"change once the policy exists ({change.before!r} -> {change.after!r})",
                hint=f"Change it back, or plan a replacement: --replace {resource.address} "
                "(creates the new policy with its assignments, then deletes the old one).",
            )


def _replace(
    kind: ResourceKind, resource: DesiredResource, live: LiveObject, result: ResourceDiff
) -> Change:
    """Create the object anew with everything the manifest declares, then delete the old
    one once the new one and its facets are written. The new object is created like any
    other: ignored fields are sent too (and shown)."""
    if kind.singleton:
        raise PlanError(
            f"{resource.address}: {kind.collection} is the tenant's one {kind.kind} and "
            "cannot be replaced",
            hint="Plan without --replace: its fields are updated in place.",
        )
    if kind.ordering is not None:
        raise PlanError(
            f"{resource.address}: a {kind.kind} shares an ordering and cannot be replaced",
            hint="Delete it and plan again.",
        )
    declared = owned_fields(resource)
    created = create_steps(
        kind,
        resource,
        list(resource.spec),
        placeholder_path(kind, id_placeholder(resource.address)),
        {},
    )
    delete = delete_step(kind, resource.address, live.id, after=tuple(s.id for s in created))
    return Change(
        address=resource.address,
        kind=resource.kind,
        action=Action.REPLACE,
        object_id=live.id,
        display_name=live.label or resource.name,
        fingerprint=fingerprint(kind, live, declared),
        declared=tuple(declared),
        ignore=resource.ignore,
        fields=_records(resource, result) + _ignored_on_create(resource, declared),
        patch=result.patch,
        steps=(*created, delete),
        source=_source(resource, ""),
        note="replaced as asked (--replace): a new object is created, then this one deleted",
    )


def _destroyed(kind: ResourceKind, obj: LiveObject) -> tuple[FieldRecord, ...]:
    """What a delete destroys, field by field as a manifest would declare it, so the
    reviewer sees more than a name."""
    return tuple(
        FieldRecord(field=field, pointer=f"/spec/{field}", before=plain(obj.body[field]))
        for field in kind.spec_order
        if field in obj.body
        and obj.body[field] not in (None, [], {})
        and field not in kind.server_managed
        and field not in kind.reporting
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
        fields=_destroyed(kind, obj),
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
    holders: dict[int, str] = {}  # value -> key
    for key, value in ordering.final.items():
        if value in holders:
            first = holders[value]
            where = ordering.where.get(key) or ordering.where.get(first, "")
            raise PlanError(
                f"{where}{style.field} {value} would be held by both {ordering.owner[first]} "
                f"and {ordering.owner[key]}",
                hint=(
                    f"Each {style.field} is unique across the collection's kinds: change the "
                    f"manifest's {style.field}, or add the other policy to the manifests (or "
                    "delete it)."
                ),
            )
        holders[value] = key
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
