"""Compare desired and live values of the fields a manifest owns. Pure: no I/O.

Normalisation before comparing, by the facet of the field (`kinds.kind`):
- a plain property absent live equals null; for list-valued properties null equals [];
  `@odata.type` annotations inside its complex values are not data and are dropped;
- a stream payload (`canonical.Payload`) compares by its canonical text;
- assignments compare as a set of their comparable forms;
- a child collection compares as a mapping from each item's key to what the kind's shape
  says counts in it (so differences are named by key, never by list index);
- `metadata.ignore` pointers are removed from both sides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, assert_never

import jsonpatch

from reconciler.kinds.kind import Assignments, Children, ResourceKind, Stream, sorted_assignments
from reconciler.values.canonical import canonical_json
from reconciler.values.desired import DesiredResource
from reconciler.values.live import LiveObject
from reconciler.values.pointers import escape_token, remove_at
from reconciler.values.pointers import split as split_pointer


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One changed top-level property. `details` are the nested pointers that differ."""

    field: str
    before: Any
    after: Any
    details: tuple[str, ...] = ()

    @property
    def pointer(self) -> str:
        return f"/spec/{escape_token(self.field)}"


@dataclass(frozen=True, kw_only=True)
class ResourceDiff:
    changes: tuple[FieldChange, ...]
    ignored: tuple[str, ...]  # ignore pointers that were applied (relative to spec)
    patch: tuple[dict[str, Any], ...]  # RFC 6902 operations live -> desired, under /spec

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


def _strip_annotations(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_annotations(v) for k, v in value.items() if k != "@odata.type"}
    if isinstance(value, list):
        return [_strip_annotations(v) for v in value]
    return value


def normalise(kind: ResourceKind, field: str, value: Any) -> Any:
    """The comparable form of one field's value (see the module docstring)."""
    facet = kind.facet(field)
    match facet:
        case None:
            if value is None and field in kind.list_fields:
                return []
            return _strip_annotations(value)
        case Stream():
            return value
        case Assignments():
            return sorted_assignments(list(value or []))
        case Children():
            return facet.shape.view(list(value or []), facet.key)
        case _:
            assert_never(facet)


def owned_view(
    kind: ResourceKind, values: Mapping[str, Any], fields: Iterable[str], ignore: Iterable[str]
) -> dict[str, Any]:
    """The normalised values of `fields` (absent = None), with ignored pointers removed."""
    view = {f: normalise(kind, f, json.loads(canonical_json(values.get(f)))) for f in fields}
    for pointer in ignore:
        remove_at(view, split_pointer(pointer))
    return view


def owned_fields(resource: DesiredResource) -> list[str]:
    """Declared spec fields, minus those a top-level ignore pointer removes entirely."""
    whole = {split_pointer(p)[0] for p in resource.ignore if len(split_pointer(p)) == 1}
    return [f for f in resource.spec if f not in whole]


_BASIC = (str, int, float, bool, type(None))


def _patch(before: Any, after: Any, path: str, ops: list[dict[str, Any]]) -> None:
    """Append the RFC 6902 operations that turn `before` into `after` (JSON values at `path`).

    Dicts and same-length lists are walked here; a list that changed length goes to
    jsonpatch, which matches its items. jsonpatch over whole payloads cost a millisecond
    and more per changed policy, most of the planning time when many changed.
    """
    if type(before) is not type(after):  # JSON types: true is not 1, 1 is not 1.0
        ops.append({"op": "replace", "path": path, "value": after})
    elif isinstance(before, dict):
        for key in sorted(before.keys() - after.keys()):
            ops.append({"op": "remove", "path": f"{path}/{escape_token(key)}"})
        for key, value in after.items():
            child = f"{path}/{escape_token(key)}"
            if key in before:
                _patch(before[key], value, child, ops)
            else:
                ops.append({"op": "add", "path": child, "value": value})
    elif isinstance(before, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _patch(old, new, f"{path}/{index}", ops)
    elif isinstance(before, list):
        for op in jsonpatch.make_patch(before, after).patch:
            moved = {k: path + v if k in ("path", "from") else v for k, v in op.items()}
            ops.append(moved)
    elif before != after:
        ops.append({"op": "replace", "path": path, "value": after})


def comparable_view(
    kind: ResourceKind, values: Mapping[str, Any], fields: Iterable[str], ignore: tuple[str, ...]
) -> dict[str, Any]:
    """`owned_view` without its per-field JSON copy when no pointer is dropped: callers only
    serialise this view and copy the values they keep. The copies were most of the planning
    CPU at scale (each 2 KB payload serialised and parsed again on both sides)."""
    if ignore:
        return owned_view(kind, values, fields, ignore)
    return {f: normalise(kind, f, values.get(f)) for f in fields}


def _same_scalar(a: Any, b: Any) -> bool:
    """Equal JSON scalars, without serialising them (most fields of most policies)."""
    return type(a) is type(b) and isinstance(a, _BASIC) and a == b


def compare(kind: ResourceKind, resource: DesiredResource, live: LiveObject | None) -> ResourceDiff:
    """Field changes needed to make `live` (None: absent) match `resource`."""
    fields = owned_fields(resource)
    ignore = tuple(resource.ignore)
    desired = comparable_view(kind, resource.spec, fields, ignore)
    current = comparable_view(kind, live.body if live else {}, fields, ignore)
    changes = []
    operations: list[dict[str, Any]] = []  # RFC 6902, field by field; unchanged fields none
    for field in fields:
        if _same_scalar(current.get(field), desired.get(field)):
            continue
        before_json, after_json = (
            canonical_json(current.get(field)),
            canonical_json(desired.get(field)),
        )
        if before_json == after_json:
            continue
        before, after = json.loads(before_json), json.loads(after_json)  # plain JSON copies
        prefix = f"/spec/{escape_token(field)}"
        ops: list[dict[str, Any]] = []
        _patch(before, after, prefix, ops)
        operations.extend(ops)
        details: tuple[str, ...] = ()
        if isinstance(before, dict | list) and isinstance(after, dict | list):
            # One diff engine: the details a reviewer reads are the patch's own operations.
            details = tuple(dict.fromkeys(op["path"] for op in ops))
        changes.append(FieldChange(field=field, before=before, after=after, details=details))
    return ResourceDiff(changes=tuple(changes), ignored=ignore, patch=tuple(operations))
