"""Resolve the manifests' child items against the tenant's catalog: Settings Catalog
settings are checked (every definition exists, every choice is one of its options);
Administrative Templates settings are looked up by their readable address and typed by
their presentations, and come out in the form they are written in. Pure: the catalog is
read by `fetch.catalog`, in rounds of the reads the kinds name (`lookups`), and passed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import CatalogRead, Children, Found, Path
from reconciler.kinds.registry import Registry
from reconciler.values.desired import Desired, DesiredResource


@dataclass(frozen=True, kw_only=True)
class ChildIssue:
    """A problem with one child item of one resource, to be located in its source."""

    address: str
    field: str
    index: int
    path: Path  # inside the item's comparable content
    message: str


def _children(
    resource: DesiredResource, kinds: Registry
) -> Iterator[tuple[str, Children, list[Any]]]:
    for name, facet in kinds.by_kind(resource.kind).facets.items():
        items = resource.spec.get(name)
        if isinstance(facet, Children) and facet.catalog and isinstance(items, list):
            yield name, facet, items


def lookups(desired: Desired, found: Found, *, kinds: Registry = REGISTRY) -> list[CatalogRead]:
    """The catalog reads the manifests still need, given what was read (`found`), each
    once, in a stable order; none left means the catalog is read."""
    wanted: dict[str, CatalogRead] = {}
    for resource in desired.resources:
        for _, facet, items in _children(resource, kinds):
            for read in facet.shape.lookups(items, found):
                wanted.setdefault(read.url, read)
    return [wanted[url] for url in sorted(wanted) if url not in found]


def uses_catalog(desired: Desired, *, kinds: Registry = REGISTRY) -> bool:
    """Whether any manifest has child items that only the tenant's catalog can check."""
    return bool(lookups(desired, {}, kinds=kinds))


def resolve(
    desired: Desired, found: Found, *, root: str, kinds: Registry = REGISTRY
) -> tuple[Desired, list[ChildIssue]]:
    """The manifests with their child items resolved against `found` (`root`: the Graph
    base URL), and every problem found; when there are problems, the resolved set is not
    to be planned."""
    issues: list[ChildIssue] = []
    resources = []
    for resource in desired.resources:
        spec = dict(resource.spec)
        unwritable = dict(resource.unwritable)
        for name, facet, items in _children(resource, kinds):
            result = facet.shape.resolve(items, found, root)
            spec[name] = result.items
            if result.unwritable:
                unwritable[name] = result.unwritable
            issues.extend(
                ChildIssue(
                    address=resource.address,
                    field=name,
                    index=problem.index,
                    path=problem.path,
                    message=problem.message,
                )
                for problem in result.problems
            )
        resources.append(dataclasses.replace(resource, spec=spec, unwritable=unwritable))
    return dataclasses.replace(desired, resources=tuple(resources)), issues
