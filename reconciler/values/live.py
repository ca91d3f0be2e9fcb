"""The live tenant as read from Graph: plain values, normalised by the reader.

`LiveObject.body` holds the entity's properties with OData annotations removed, every stream
field decoded to its JSON document as a `canonical.Payload` (None when empty; the document
`{"$nonJson": <base64>}` when the bytes are not JSON), and `assignments` as the sorted,
lower-cased list of group ids.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

NON_JSON_KEY = "$nonJson"


@dataclass(frozen=True, kw_only=True)
class LiveObject:
    kind: str
    id: str | None
    body: Mapping[str, Any]

    @property
    def display_name(self) -> str:
        name = self.body.get("displayName")
        return name if isinstance(name, str) else ""


@dataclass(frozen=True, kw_only=True)
class Live:
    graph_url: str
    objects: tuple[LiveObject, ...]
    read_requests: int = 0  # HTTP requests spent reading (the plan's stated cost)

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

    @cached_property
    def _indexes(self) -> dict[tuple[str, str], dict[Any, list[LiveObject]]]:
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
