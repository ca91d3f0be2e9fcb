"""Which live object is each manifest's: pinned by `metadata.id`, else (no id, or a pinned
id that is gone) the one live object of its kind whose identity property (`displayName`,
`name`, ...) matches after the one normalisation of names (`values.names`), and whose
`match_on` properties (Settings Catalog: platforms and technologies) are equal. Pure.

Plan and drift share these rules, so "no drift" and "an empty plan" agree on what is whose.
"""

from __future__ import annotations

from reconciler.errors import PlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.desired import Desired, DesiredResource
from reconciler.values.live import Live, LiveObject


def match_resources(
    desired: Desired, live: Live, *, kinds: Registry = REGISTRY
) -> dict[str, LiveObject | None]:
    """Pair each resource (by address) with its live object, or None when it has none."""
    matches: dict[str, LiveObject | None] = {}
    claimed: dict[str, str] = {}
    for resource in desired.resources:
        kind = kinds.by_kind(resource.kind)
        if kind.singleton:
            singles = live.of_kind(resource.kind)
            matches[resource.address] = singles[0] if singles else None
        elif resource.id:
            obj = live.by_id(resource.id)
            _refuse_foreign(resource, live)
            if obj is not None and obj.kind != resource.kind:
                raise PlanError(
                    f"{resource.located('/metadata/id')}{resource.address}: metadata.id "
                    f"{resource.id} is a {obj.kind}, "
                    f"not a {resource.kind}; Graph cannot change a policy's type",
                    hint="Delete and recreate it, or fix the manifest's kind.",
                )
            if obj is not None and obj.id and obj.id.lower() in claimed:
                raise PlanError(
                    f"{resource.located('/metadata/id')}{resource.address}: metadata.id "
                    f"{resource.id} is also claimed by "
                    f"{claimed[obj.id.lower()]}"
                )
            matches[resource.address] = obj
            if obj is not None and obj.id:
                claimed[obj.id.lower()] = resource.address
    for resource in desired.resources:
        kind = kinds.by_kind(resource.kind)
        if kind.singleton or (resource.id and matches.get(resource.address) is not None):
            continue
        # A pinned id that is gone (deleted in the portal, or a set exported from another
        # tenant) falls back to the identity: the one live object of that name is adopted,
        # so the object apply creates for it is found again by the next plan.
        wanted = resource.spec.get(kind.identity)
        found = [
            o
            for o in live.named(resource.kind, kind.identity, wanted)
            if o.id and o.id.lower() not in claimed and _same_match_on(kind, resource, o)
        ]
        if len(found) > 1:
            ids = ", ".join(sorted(o.id or "" for o in found))
            raise PlanError(
                f"{resource.located()}{resource.address}: {len(found)} live objects have "
                f"{kind.identity} "
                f"{wanted!r}: {ids}",
                hint="Pin one with metadata.id (and delete or rename the other).",
            )
        match = found[0] if found else None
        matches[resource.address] = match
        if match is not None and match.id:
            claimed[match.id.lower()] = resource.address
    return matches


def _refuse_foreign(resource: DesiredResource, live: Live) -> None:
    pinned = (resource.id or "").lower()
    for other in live.foreign:
        if other.id.lower() == pinned:
            raise PlanError(
                f"{resource.located('/metadata/id')}{resource.address}: metadata.id "
                f"{resource.id} is not a {resource.kind}: "
                f"{other.why}; reconciler never touches it",
                hint="Pin a policy of this kind, or leave metadata.id out to create one.",
            )


def _same_match_on(kind: ResourceKind, resource: DesiredResource, obj: LiveObject) -> bool:
    return all(
        obj.body.get(field) == resource.spec.get(field)
        for field in kind.match_on
        if field in resource.spec
    )


def claimed_ids(matches: dict[str, LiveObject | None]) -> set[str]:
    return {m.id.lower() for m in matches.values() if m is not None and m.id}


def unmanaged_objects(
    desired: Desired, live: Live, claimed: set[str], *, kinds: Registry = REGISTRY
) -> list[LiveObject]:
    """Live objects of the manifests' (non-singleton) kinds whose id no resource claimed.

    Objects of other kinds read alongside (they share a collection) are never listed."""
    used = {r.kind for r in desired.resources if not kinds.by_kind(r.kind).singleton}
    return [o for o in live.objects if o.kind in used and o.id and o.id.lower() not in claimed]
