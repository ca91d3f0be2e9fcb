"""Optimistic concurrency during an apply: before each write round after the first, the
objects the round touches are read again and compared with what they should be now.

"Should be" is the object as apply found it at its start (the read that checked the plan
was fresh), with the fields of this change that already hold their planned values counted
as planned: so create then assign, patch then stream, PUT then assign do not trip it, while
anyone else's edit, a third value in a planned field, a deletion or a new member of a
reordered collection does. Round one needs no read: the start read was just made.

Before and after a round of creates the collection is listed: an object of a planned
identity that apply did not make means another apply (another machine: the lock is per
machine) is creating the same things.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.engine.diff import owned_view
from reconciler.errors import ReconcilerError
from reconciler.kinds.kind import ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import canonical_json
from reconciler.values.live import Live, LiveObject
from reconciler.values.names import name_key
from reconciler.values.plan import Action, Change


class TenantChanged(ReconcilerError):
    """Someone else changed an object this apply is changing; the apply stops."""


def _fields(kind: ResourceKind, body: Mapping[str, Any], declared: Iterable[str]) -> list[str]:
    keep = set(declared)
    return sorted(
        k for k in body if k in keep or (k not in kind.server_managed and k not in kind.reporting)
    )


@dataclass(frozen=True)
class Expected:
    """An object as apply found it: its comparable fields, ignored pointers removed."""

    kind: ResourceKind
    view: dict[str, Any]

    @classmethod
    def of(cls, kind: ResourceKind, obj: LiveObject, change: Change) -> Expected:
        fields = _fields(kind, obj.body, change.declared)
        return cls(kind, owned_view(kind, obj.body, fields, change.ignore))


def changed_field(expected: Expected, fresh: LiveObject, change: Change) -> str | None:
    """The first field of `fresh` that is neither as found nor as planned; None if none."""
    fields = sorted(set(expected.view) | set(_fields(expected.kind, fresh.body, change.declared)))
    now = owned_view(expected.kind, fresh.body, fields, change.ignore)
    planned = {r.field: canonical_json(r.after) for r in change.fields}
    for field in fields:
        value = canonical_json(now.get(field))
        if value == canonical_json(expected.view.get(field)):
            continue
        if planned.get(field) == value:
            continue  # this apply's own write (or one with the same result)
        return field
    return None


def starting_state(changes: Iterable[Change], live: Live, kinds: Registry) -> dict[str, Expected]:
    """What each existing object a plan changes looked like at the start, by lower-case id."""
    found: dict[str, Expected] = {}
    for change in changes:
        if change.action in (Action.UPDATE, Action.REPLACE, Action.DELETE) and change.object_id:
            obj = live.by_id(change.object_id)
            kind = kinds.get(change.kind)
            if obj is not None and kind is not None and not kind.singleton:
                found[change.object_id.lower()] = Expected.of(kind, obj, change)
    return found


def ordering_values(items: Iterable[Mapping[str, Any]], field: str) -> dict[str, Any]:
    return {str(i["id"]).lower(): i.get(field) for i in items if isinstance(i.get("id"), str)}


def moved_member(
    start: Mapping[str, Any], now: Mapping[str, Any], ours: set[str], planned: Mapping[str, int]
) -> str | None:
    """A member of an ordered collection that joined, left or moved since the start, other
    than objects this apply created and moves it made itself; None if none."""
    for object_id in sorted(set(start) | set(now)):
        if object_id in ours:
            continue
        if start.get(object_id) != now.get(object_id) and planned.get(object_id) != now.get(
            object_id
        ):
            return object_id
    return None


def same_identity(
    listed: Iterable[Mapping[str, Any]], kind: ResourceKind, name: str, kinds: Registry
) -> list[str]:
    """Ids of listed objects of `kind` whose identity is `name` (one normalisation)."""
    wanted = name_key(name)
    return [
        str(item["id"])
        for item in listed
        if isinstance(item.get("id"), str)
        and kinds.classify(kind.collection, item) is kind
        and name_key(item.get(kind.identity)) == wanted
    ]
