"""A set of kinds, looked up by name and by collection.

`REGISTRY` (in `reconciler.kinds`) holds every kind reconciler manages; the stages take a
`Registry` argument defaulting to it, so a test can bring kinds of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from reconciler.kinds.kind import Children, Ordering, ResourceKind
from reconciler.kinds.throttling import ThrottleClass


class Registry:
    def __init__(self, kinds: Iterable[ResourceKind]) -> None:
        self._kinds = {k.kind: k for k in kinds}

    def __iter__(self) -> Iterator[ResourceKind]:
        return iter(self._kinds.values())

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def names(self) -> list[str]:
        return list(self._kinds)

    def get(self, name: str) -> ResourceKind | None:
        return self._kinds.get(name)

    def by_kind(self, name: str) -> ResourceKind:
        return self._kinds[name]

    def at(self, collection: str) -> list[ResourceKind]:
        """The (non-singleton) kinds whose objects live in `collection`."""
        return [k for k in self if k.collection == collection and not k.singleton]

    def classify(self, collection: str, item: Mapping[str, Any]) -> ResourceKind | None:
        """The kind of an item listed from `collection`; None when it is none of ours.

        A kind without a discriminator takes every item its collection lists, so items
        that carry no `@odata.type` are never skipped."""
        for kind in self.at(collection):
            if kind.discriminator is None or kind.discriminator.matches(item):
                return kind
        return None

    def ordering_of(self, collection: str) -> Ordering | None:
        """The ordering a collection's kinds share, if any."""
        for kind in self.at(collection):
            if kind.ordering is not None:
                return kind.ordering
        return None

    def throttle_routes(self) -> list[tuple[str, ThrottleClass]]:
        """(path prefix, throttle class) for every path the kinds read or write: each kind's
        collection and the catalogs its child items are checked against, longest first."""
        routes: dict[str, ThrottleClass] = {}
        for kind in self:
            routes.setdefault(kind.collection, kind.throttle)
            for facet in kind.facets.values():
                if isinstance(facet, Children) and facet.catalog:
                    routes.setdefault(facet.catalog, kind.throttle)
        return sorted(routes.items(), key=lambda route: -len(route[0]))

    def collections(self, names: Iterable[str] | None = None) -> list[str]:
        """The distinct collections of the named kinds (default: all), singletons apart."""
        wanted = self._select(names)
        return sorted({k.collection for k in wanted if not k.singleton})

    def singletons(self, names: Iterable[str] | None = None) -> list[ResourceKind]:
        return [k for k in self._select(names) if k.singleton]

    def _select(self, names: Iterable[str] | None) -> list[ResourceKind]:
        if names is None:
            return list(self)
        chosen = set(names)
        return [k for k in self if k.kind in chosen]
