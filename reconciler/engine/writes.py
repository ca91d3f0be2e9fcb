"""The HTTP writes that carry out a change, in the form each facet needs. Pure.

- plain properties: one PATCH of the changed ones (with the kind's `@odata.type`), or one
  PUT of the whole entity when the kind updates by PUT or a `ReplaceEntity` child
  collection changed (the live entity overlaid with what the manifest declares);
- a stream: one PUT of its bytes;
- a `DeltaAction` child collection: one action naming only what was added, updated and
  deleted;
- assignments: one action with the whole desired set;
- a create: one POST with the plain properties and any `ReplaceEntity` children inline,
  then the other facets' writes, each after the create;
- the ordering of a collection: one action carrying the whole new order (`planner`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, assert_never

from reconciler.errors import PlanError
from reconciler.kinds.kind import (
    Assignments,
    Children,
    DeltaAction,
    Ordering,
    ReplaceEntity,
    ResourceKind,
    Stream,
    Unwritable,
    child_key,
)
from reconciler.values.canonical import Payload, canonical_json, plain
from reconciler.values.desired import DesiredResource
from reconciler.values.live import LiveObject
from reconciler.values.plan import Purpose, Step, StepKind
from reconciler.values.pointers import copy_at
from reconciler.values.pointers import split as split_pointer


def write_value(resource: DesiredResource, live: LiveObject | None, field: str) -> Any:
    """The desired value of `field`, with live values kept at ignored pointers below it."""
    declared = resource.spec.get(field)
    # A Payload parses to a fresh copy; anything else is copied because it gets changed below.
    value = plain(declared) if isinstance(declared, Payload) else copy.deepcopy(declared)
    if live is not None:
        current = plain(live.body.get(field))
        for pointer in resource.ignore:
            tokens = split_pointer(pointer)
            if len(tokens) >= 2 and tokens[0] == field:
                copy_at(current, value, tokens[1:])
    return value


def _sendable(value: Any) -> Any:
    """A live value as it may be sent back: annotations other than `@odata.type` dropped."""
    if isinstance(value, dict):
        return {k: _sendable(v) for k, v in value.items() if "@" not in k or k == "@odata.type"}
    if isinstance(value, list):
        return [_sendable(v) for v in value]
    return value


def _typed(kind: ResourceKind) -> dict[str, Any]:
    return {"@odata.type": kind.create_type} if kind.create_type else {}


def _with_defaults(kind: ResourceKind, body: dict[str, Any]) -> dict[str, Any]:
    """A create or PUT body with the kind's `write_defaults` where it leaves a value unset."""
    for name, value in kind.write_defaults.items():
        if body.get(name) is None:
            body[name] = copy.deepcopy(value)
    return body


def _refuse_secrets(kind: ResourceKind, address: str, body: Mapping[str, Any]) -> None:
    """A write that would send a secret setting back is refused: Graph returns secrets as an
    encrypted token, and sending that token back is undocumented (it may overwrite the
    secret with the token itself)."""
    for name, facet in kind.facets.items():
        if isinstance(facet, Children) and isinstance(body.get(name), list):
            held = facet.shape.secrets(body[name])
            if held:
                raise PlanError(
                    f"{address}: the write would send the secret value of {held[0]} back to "
                    "Graph; writing secret settings is not supported in this release",
                    hint="Set the secret in the portal, and leave it out of the manifest "
                    "(its presence is still checked by drift).",
                )


def assign_body(facet: Assignments, assignments: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {facet.body_key: [facet.to_graph(a) for a in assignments]}


def _step(
    address: str,
    suffix: str,
    kind: StepKind,
    method: str,
    path: str,
    body: Any,
    after: tuple[str, ...],
    purpose: Purpose | None = None,
) -> Step:
    return Step(
        id=f"{address}#{suffix}",
        kind=kind,
        purpose=purpose,
        method=method,
        path=path,
        body=body,
        after=after,
    )


def delta_body(
    facet: Children,
    action: DeltaAction,
    desired: Sequence[Any],
    live: Sequence[Any],
    *,
    resource: DesiredResource,
    field: str,
) -> dict[str, Any] | None:
    """What changed between two child collections, as the delta action takes it; None
    when nothing did. Only the items that differ are sent, each whole in the form the
    kind's shape writes it (an updated one with the live item's ids). A change the shape
    cannot write, or of an item the catalog marks unwritable, is refused."""
    wanted = {child_key(item, facet.key): (i, item) for i, item in enumerate(desired)}
    current = {child_key(item, facet.key): item for item in live}
    unwritable = resource.unwritable.get(field, {})
    shape = facet.shape

    def one(item: Any) -> str:
        return canonical_json(shape.view([item], facet.key))

    def sent(key: str, index: int | None, item: Any, live_item: Any | None) -> Any:
        pointer = f"/spec/{field}" if index is None else f"/spec/{field}/{index}"
        try:
            if key in unwritable:
                named = _named(shape, live_item if item is None else item, facet.key)
                raise Unwritable(
                    f"{named}: {unwritable[key]}",
                    hint="Declare it as the tenant holds it (as `reconciler export` writes "
                    "it), and make the change in the portal.",
                )
            return shape.written(item, live_item) if item is not None else None
        except Unwritable as why:
            raise PlanError(
                f"{resource.located(pointer)}{resource.address}: {why}", hint=why.hint
            ) from None

    added = [sent(k, i, item, None) for k, (i, item) in wanted.items() if k not in current]
    updated = [
        sent(k, i, item, current[k])
        for k, (i, item) in wanted.items()
        if k in current and one(item) != one(current[k])
    ]
    deleted = []
    for key, item in current.items():
        if key not in wanted:
            sent(key, None, None, item)  # refused when unwritable
            deleted.append(shape.removed(item))
    if not (added or updated or deleted):
        return None
    return {action.added: added, action.updated: updated, action.deleted: deleted}


def _named(shape: Any, item: Any, key: str) -> str:
    """How plans name one child item: its key in the shape's comparable form."""
    return str(next(iter(shape.view([item], key)), ""))


def create_steps(
    kind: ResourceKind,
    resource: DesiredResource,
    fields: Sequence[str],
    item: str,
    overrides: dict[str, Any],
) -> list[Step]:
    """POST the collection, then each facet's write after it. `fields` are the declared
    fields; `overrides` replace plain values (a temporary priority)."""
    body = _typed(kind)
    follow: list[tuple[str, Any]] = []
    for name in fields:
        facet = kind.facet(name)
        match facet:
            case None:
                body[name] = (
                    overrides[name] if name in overrides else write_value(resource, None, name)
                )
            case Children():
                if isinstance(facet.write, ReplaceEntity):
                    body[name] = write_value(resource, None, name) or []
                else:
                    follow.append((name, facet))
            case Stream() | Assignments():
                follow.append((name, facet))
            case _:
                assert_never(facet)
    _refuse_secrets(kind, resource.address, body)
    body = _with_defaults(kind, body)
    create = _step(resource.address, "create", StepKind.CREATE, "POST", kind.collection, body, ())
    steps = [create]
    after = (create.id,)
    for name, facet in follow:
        value = write_value(resource, None, name)
        match facet:
            case Stream():
                if value is not None:  # a new object has no payload; an empty document is one
                    steps.append(_stream_step(resource, name, facet, item, value, after))
            case Assignments():
                if value:  # a new object has no assignments
                    steps.append(_assign_step(resource, facet, item, value, after))
            case Children():
                assert isinstance(facet.write, DeltaAction)
                delta = delta_body(
                    facet, facet.write, value or [], [], resource=resource, field=name
                )
                if delta is not None:
                    steps.append(_delta_step(resource, name, facet.write, item, delta, after))
    return steps


def _stream_step(
    resource: DesiredResource,
    name: str,
    facet: Stream,
    item: str,
    value: Any,
    after: tuple[str, ...],
) -> Step:
    return _step(
        resource.address, name, StepKind.PUT_STREAM, "PUT", f"{item}/{facet.segment}", value, after
    )


def _assign_step(
    resource: DesiredResource, facet: Assignments, item: str, value: Any, after: tuple[str, ...]
) -> Step:
    return _step(
        resource.address,
        "assign",
        StepKind.ACTION,
        "POST",
        f"{item}/{facet.action}",
        assign_body(facet, value or []),
        after,
        Purpose.ASSIGN,
    )


def _delta_step(
    resource: DesiredResource,
    name: str,
    action: DeltaAction,
    item: str,
    body: dict[str, Any],
    after: tuple[str, ...],
) -> Step:
    return _step(
        resource.address,
        name,
        StepKind.ACTION,
        "POST",
        f"{item}/{action.action}",
        body,
        after,
        Purpose.CHILDREN,
    )


def update_steps(
    kind: ResourceKind, resource: DesiredResource, live: LiveObject, changed: Sequence[str]
) -> list[Step]:
    """The writes that turn `live` into what the manifest declares, for the changed fields
    (the ordering field excluded: the collection's reorder carries it)."""
    item = kind.item(live.id)
    plain_fields: list[str] = []
    replace = False
    steps: list[Step] = []
    follow: list[Step] = []
    for name in changed:
        facet = kind.facet(name)
        match facet:
            case None:
                plain_fields.append(name)
            case Stream():
                value = write_value(resource, live, name)
                follow.append(_stream_step(resource, name, facet, item, value, ()))
            case Assignments():
                value = write_value(resource, live, name)
                follow.append(_assign_step(resource, facet, item, value, ()))
            case Children():
                if isinstance(facet.write, ReplaceEntity):
                    replace = True
                else:
                    delta = delta_body(
                        facet,
                        facet.write,
                        write_value(resource, live, name) or [],
                        live.body.get(name) or [],
                        resource=resource,
                        field=name,
                    )
                    if delta is not None:
                        follow.append(_delta_step(resource, name, facet.write, item, delta, ()))
            case _:
                assert_never(facet)
    if replace or (plain_fields and kind.update == "put"):
        body = _with_defaults(kind, _whole_entity(kind, resource, live))
        _refuse_secrets(kind, resource.address, body)
        steps.append(_step(resource.address, "put", StepKind.PUT, "PUT", item, body, ()))
    elif plain_fields:
        body = _typed(kind)
        body.update({name: write_value(resource, live, name) for name in plain_fields})
        steps.append(_step(resource.address, "patch", StepKind.PATCH, "PATCH", item, body, ()))
    return steps + follow


def _whole_entity(
    kind: ResourceKind, resource: DesiredResource, live: LiveObject
) -> dict[str, Any]:
    """The body of a PUT: the live entity's writable properties and `ReplaceEntity`
    children, overlaid with everything the manifest declares of them."""
    body = _typed(kind)
    for name, value in live.body.items():
        if name in kind.server_managed or name in kind.reporting:
            continue
        facet = kind.facet(name)
        if facet is None or (
            isinstance(facet, Children) and isinstance(facet.write, ReplaceEntity)
        ):
            body[name] = _sendable(plain(value))
    ordering = kind.ordering.field if kind.ordering else None
    for name in resource.spec:
        facet = kind.facet(name)
        entity_part = facet is None or (
            isinstance(facet, Children) and isinstance(facet.write, ReplaceEntity)
        )
        if entity_part and name != ordering:
            body[name] = write_value(resource, live, name)
    return body


def delete_step(
    kind: ResourceKind, address: str, object_id: str | None, after: tuple[str, ...] = ()
) -> Step:
    return _step(address, "delete", StepKind.DELETE, "DELETE", kind.item(object_id), None, after)


def reorder_body(style: Ordering, entries: list[tuple[str, int]]) -> dict[str, Any]:
    """The ordering call's body: parallel lists of ids and values."""
    return {
        style.ids_key: [object_id for object_id, _ in entries],
        style.values_key: [value for _, value in entries],
    }
