"""The live tenant as read from Graph: plain values, normalised by the reader.

`LiveObject.body` holds the entity's properties with top-level OData annotations removed
(nested values as Graph sent them), and one value per facet of its kind: a stream's JSON
document as a `canonical.Payload` (None when empty; the document `{"$nonJson": <base64>}`
when the bytes are not JSON), assignments as the sorted list of their comparable forms
(`kinds.kind.Assignments.from_graph`), and a child collection as the list of its items.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.kinds.kind import DEFAULT_IDENTITY
from reconciler.values.names import name_key

NON_JSON_KEY = "$nonJson"


@dataclass(frozen=True, kw_only=True)
class LiveObject:
    kind: str
    id: str | None
    body: Mapping[str, Any]
    identity: str = DEFAULT_IDENTITY  # the kind's identity property, which names the object

    @property
    def label(self) -> str:
        """The object's name (its identity property), or "" when it has none."""
        name = self.body.get(self.identity)
        return name if isinstance(name, str) else ""


@dataclass(frozen=True, kw_only=True)
class ForeignObject:
    """An object a manifest pins by id that belongs to none of the kinds: it is never
    touched, and the plan says why (a Settings Catalog policy made from a template)."""

    id: str
    collection: str
    why: str


@dataclass(frozen=True, kw_only=True)
class Live:
    graph_url: str
    objects: tuple[LiveObject, ...]
    tenant_id: str = "unknown"  # the tenant read: the token's `tid`, else AZURE_TENANT_ID
    read_requests: int = 0  # HTTP requests spent reading (the plan's stated cost)
    read_units: int = 0  # the same in Graph's request units: each $batch item counts one
    foreign: tuple[ForeignObject, ...] = ()  # pinned ids that are none of the kinds

    def of_kind(self, kind: str) -> list[LiveObject]:
        return [o for o in self.objects if o.kind == kind]

    def by_id(self, object_id: str) -> LiveObject | None:
        return self._by_id.get(object_id.lower())

    def having(self, kind: str, key: str, value: Any) -> list[LiveObject]:
        """Objects of `kind` whose property `key` equals `value`, in read order.

        Indexed on first use per (kind, key): matching each of N resources by name with a
        scan of N objects made planning quadratic (seconds at 5,000 unpinned policies).
        """
        if not isinstance(value, Hashable):
            return [o for o in self.of_kind(kind) if o.body.get(key) == value]
        index = self._indexes.get((kind, key))
        if index is None:
            index = {}
            for obj in self.of_kind(kind):
                found = obj.body.get(key)
                if isinstance(found, Hashable):  # a list or object never equals a hashable
                    index.setdefault(found, []).append(obj)
            self._indexes[(kind, key)] = index
        return list(index.get(value, ()))

    def named(self, kind: str, key: str, value: Any) -> list[LiveObject]:
        """Objects of `kind` whose name at `key` is `value` after the one normalisation of
        names (`names.name_key`), in read order."""
        wanted = name_key(value)
        index = self._name_indexes.get((kind, key))
        if index is None:
            index = {}
            for obj in self.of_kind(kind):
                found = name_key(obj.body.get(key))
                if isinstance(found, Hashable):
                    index.setdefault(found, []).append(obj)
            self._name_indexes[(kind, key)] = index
        return list(index.get(wanted, ())) if isinstance(wanted, Hashable) else []

    @cached_property
    def _indexes(self) -> dict[tuple[str, str], dict[Any, list[LiveObject]]]:
        return {}

    @cached_property
    def _name_indexes(self) -> dict[tuple[str, str], dict[Any, list[LiveObject]]]:
        return {}

    @cached_property
    def _by_id(self) -> dict[str, LiveObject]:
        # Built once: the planner looks up every pinned resource, and a scan per lookup made
        # planning quadratic (seconds at 5,000 policies).
        index: dict[str, LiveObject] = {}
        for obj in self.objects:
            if obj.id is not None:
                index.setdefault(obj.id.lower(), obj)  # the first match wins, as before
        return index
