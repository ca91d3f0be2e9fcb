"""Is a saved plan still true? Compare each change's fingerprint with the tenant now. Pure."""

from __future__ import annotations

from reconciler.engine.diff import fingerprint
from reconciler.errors import StalePlanError
from reconciler.kinds import registry
from reconciler.values.canonical import sha256_json
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Change, Plan


def live_object(change: Change, live: Live) -> LiveObject | None:
    rt = registry.by_kind(change.kind)
    if rt.singleton:
        found = live.of_kind(change.kind)
        return found[0] if found else None
    return live.by_id(change.object_id) if change.object_id else None


def priorities_fingerprint(live: Live, collection_path: str, field: str) -> str:
    current = sorted(
        ((o.id or "").lower(), o.body.get(field))
        for o in live.objects
        if registry.by_kind(o.kind).path == collection_path
        and not registry.by_kind(o.kind).singleton
    )
    return sha256_json([[i, p] for i, p in current])


def _why_stale(change: Change, live: Live) -> str | None:
    if change.action == Action.REORDER:
        path = change.address.removeprefix("priorities:")
        style = registry.priority_style(path)
        if priorities_fingerprint(live, path, style.field) != change.fingerprint:
            return f"priorities under {path} changed"
        return None
    rt = registry.by_kind(change.kind)
    if change.action == Action.CREATE:
        key = rt.identity_key or "displayName"
        if live.having(change.kind, key, change.display_name):
            return f"{change.address}: an object named {change.display_name!r} now exists"
        return None
    obj = live_object(change, live)
    if obj is None:
        return f"{change.address}: object {change.object_id} no longer exists"
    if fingerprint(rt, obj, change.declared) != change.fingerprint:
        return f"{change.address}: object {obj.id} changed since the plan was made"
    return None


def check_fresh(plan: Plan, live: Live) -> None:
    """Raise StalePlanError naming the first change whose live object moved on."""
    if plan.graph_url.rstrip("/") != live.graph_url.rstrip("/"):
        raise StalePlanError(
            f"Saved plan is stale: it was made for {plan.graph_url}, not {live.graph_url}."
        )
    for change in plan.changes:
        reason = _why_stale(change, live)
        if reason:
            raise StalePlanError(f"Saved plan is stale: {reason}.")
