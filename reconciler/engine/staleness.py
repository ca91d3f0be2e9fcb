"""Is a saved plan still true? Compare each change's fingerprint with the tenant now. Pure."""

from __future__ import annotations

from reconciler.engine.fingerprints import fingerprint, ordering_fingerprint
from reconciler.errors import StalePlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Change, Plan


def live_object(change: Change, live: Live, *, kinds: Registry = REGISTRY) -> LiveObject | None:
    """The live object a change is about (None for a create, or when it is gone)."""
    kind = kinds.get(change.kind)
    if kind is not None and kind.singleton:
        found = live.of_kind(change.kind)
        return found[0] if found else None
    return live.by_id(change.object_id) if change.object_id else None


def _why_stale(change: Change, live: Live, kinds: Registry) -> str | None:
    if change.action == Action.REORDER:
        collection = change.collection or ""
        style = kinds.ordering_of(collection)
        members = [k.kind for k in kinds.at(collection)]
        if style is None or ordering_fingerprint(live, style.field, members) != change.fingerprint:
            return f"the {style.label if style else 'ordering'} under {collection} changed"
        return None
    kind = kinds.by_kind(change.kind)
    if change.action in (Action.CREATE, Action.REPLACE):
        for named in live.named(change.kind, kind.identity, change.display_name):
            if change.action == Action.CREATE or named.id != change.object_id:
                return f"{change.address}: an object named {change.display_name!r} now exists"
        if change.action == Action.CREATE:
            return None
    obj = live_object(change, live, kinds=kinds)
    if obj is None:
        return f"{change.address}: object {change.object_id} no longer exists"
    if fingerprint(kind, obj, change.declared) != change.fingerprint:
        return f"{change.address}: object {obj.id} changed since the plan was made"
    return None


def check_fresh(plan: Plan, live: Live, *, kinds: Registry = REGISTRY) -> None:
    """Raise StalePlanError naming the first change whose live object moved on."""
    if plan.graph_url.rstrip("/") != live.graph_url.rstrip("/"):
        raise StalePlanError(
            f"Saved plan is stale: it was made for {plan.graph_url}, not {live.graph_url}."
        )
    for change in plan.changes:
        reason = _why_stale(change, live, kinds)
        if reason:
            raise StalePlanError(f"Saved plan is stale: {reason}.")
