"""Rules over the whole manifest set: what must be unique across files.

- `metadata.name` per kind, and `metadata.id` per kind;
- a singleton kind at most once;
- the identity property (`displayName`, `name`) per kind, after the one normalisation of
  names (NFC, trimmed, case folded), together with the kind's `match_on` properties, since
  plans adopt by them;
- ordering values (priorities) across every kind that shares an ordered collection (Graph
  rejects two policies with one priority).
The first resource in load order wins; every later one is reported, pointing at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from reconciler.errors import ManifestIssue
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.desired import DesiredResource
from reconciler.values.names import name_key

_Key = Callable[[DesiredResource], Hashable | None]
_Message = Callable[[DesiredResource, DesiredResource], str]


def _where(resource: DesiredResource, pointer: str) -> str:
    pos = resource.position(pointer)
    return f"{pos.file}:{pos.line}:{pos.column}" if pos else resource.file


def _first_wins(
    resources: Sequence[DesiredResource], *, key: _Key, pointer: str, message: _Message
) -> list[ManifestIssue]:
    seen: dict[Hashable, DesiredResource] = {}
    issues: list[ManifestIssue] = []
    for resource in resources:
        k = key(resource)
        if k is None:
            continue
        first = seen.setdefault(k, resource)
        if first is resource:
            continue
        pos = resource.position(pointer)
        issues.append(
            ManifestIssue(
                resource.file,
                pos.line if pos else None,
                pos.column if pos else None,
                pointer.strip("/").replace("/", "."),
                message(resource, first),
            )
        )
    return issues


def _identity_key(field: str, kinds: Registry) -> _Key:
    def key(resource: DesiredResource) -> Hashable | None:
        kind = kinds.by_kind(resource.kind)
        value = resource.spec.get(field)
        if kind.singleton or kind.identity != field or not isinstance(value, str):
            return None
        others = tuple(str(resource.spec.get(f)) for f in kind.match_on)
        return (resource.kind, name_key(value), others)

    return key


def _ordering_key(field: str, kinds: Registry) -> _Key:
    def key(resource: DesiredResource) -> Hashable | None:
        kind = kinds.by_kind(resource.kind)
        value = resource.spec.get(field)
        if kind.ordering is None or kind.ordering.field != field or value is None:
            return None
        return (kind.collection, value)  # kinds listed under one collection share the ordering

    return key


def _taken(field: str, *, then: str = "") -> _Message:
    def message(resource: DesiredResource, first: DesiredResource) -> str:
        value = resource.spec[field]
        shown = f"'{value}'" if isinstance(value, str) else str(value)
        where = _where(first, f"/spec/{field}")
        return f"{field} {shown} is already used by {first.address} ({where}){then}"

    return message


def check(
    resources: Sequence[DesiredResource], *, kinds: Registry = REGISTRY
) -> list[ManifestIssue]:
    """Every uniqueness violation in the set."""

    def _singleton(resource: DesiredResource) -> bool:
        return kinds.by_kind(resource.kind).singleton

    issues = _first_wins(
        resources,
        key=lambda r: None if _singleton(r) else (r.kind, r.name),
        pointer="/metadata/name",
        message=lambda r, first: (
            f"duplicate name '{r.name}' for kind {r.kind} "
            f"(first used at {_where(first, '/metadata/name')})"
        ),
    )
    issues += _first_wins(
        resources,
        key=lambda r: r.kind if _singleton(r) else None,
        pointer="/kind",
        message=lambda r, first: (
            f"only one {r.kind} is allowed; another is at {_where(first, '/kind')}"
        ),
    )
    issues += _first_wins(
        resources,
        key=lambda r: (r.kind, r.id.lower()) if r.id else None,
        pointer="/metadata/id",
        message=lambda r, first: (
            f"id '{r.id}' is already pinned by {first.address} ({_where(first, '/metadata/id')})"
        ),
    )
    for field in sorted({k.identity for k in kinds if not k.singleton}):
        issues += _first_wins(
            resources,
            key=_identity_key(field, kinds),
            pointer=f"/spec/{field}",
            message=_taken(field),
        )
    for field in sorted({k.ordering.field for k in kinds if k.ordering}):
        issues += _first_wins(
            resources,
            key=_ordering_key(field, kinds),
            pointer=f"/spec/{field}",
            message=_taken(field, then=f"; each policy needs its own {field}"),
        )
    return issues
