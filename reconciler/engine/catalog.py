"""Check the manifests' child items (Settings Catalog settings) against the tenant's
catalog: every definition they use exists, every choice is one of its options. Pure: the
catalog entries are read by `fetch.catalog` and passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Children, Path
from reconciler.kinds.registry import Registry
from reconciler.values.desired import Desired


@dataclass(frozen=True, kw_only=True)
class ChildIssue:
    """A problem with one child item of one resource, to be located in its source."""

    address: str
    field: str
    index: int
    path: Path  # inside the item's comparable content
    message: str


def references(desired: Desired, *, kinds: Registry = REGISTRY) -> dict[str, set[str]]:
    """Catalog collection -> the entries the manifests use."""
    wanted: dict[str, set[str]] = {}
    for resource in desired.resources:
        for name, facet in kinds.by_kind(resource.kind).facets.items():
            items = resource.spec.get(name)
            if isinstance(facet, Children) and facet.catalog and isinstance(items, list):
                wanted.setdefault(facet.catalog, set()).update(facet.shape.references(items))
    return wanted


def check(
    desired: Desired,
    entries: Mapping[str, Mapping[str, Any]],
    *,
    kinds: Registry = REGISTRY,
) -> list[ChildIssue]:
    """Every problem of the manifests' items against `entries` (collection -> id -> entry
    or None)."""
    issues = []
    for resource in desired.resources:
        for name, facet in kinds.by_kind(resource.kind).facets.items():
            items = resource.spec.get(name)
            if not (isinstance(facet, Children) and facet.catalog and isinstance(items, list)):
                continue
            for problem in facet.shape.check(items, entries.get(facet.catalog, {})):
                issues.append(
                    ChildIssue(
                        address=resource.address,
                        field=name,
                        index=problem.index,
                        path=problem.path,
                        message=problem.message,
                    )
                )
    return issues
