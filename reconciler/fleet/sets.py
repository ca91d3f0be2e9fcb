"""One tenant's manifest set: the baseline and its overlays, with its variables and groups.

A resource of an overlay replaces the baseline's of the same kind and name whole, in the
baseline's place; an excluded baseline resource is left out; what remains must still be
unique across the set (`load.uniqueness`). Loading is offline; groups named by
displayName get placeholder ids unless `groups` (resolved in the tenant) is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.errors import ManifestError, ManifestIssue
from reconciler.fetch import directory
from reconciler.fetch.client import GraphClient
from reconciler.fleet.spec import Fleet, Tenant
from reconciler.load import manifests, uniqueness
from reconciler.load.variables import Expansion, GroupUse
from reconciler.values.desired import Desired, DesiredResource


@dataclass(frozen=True)
class TenantSet:
    desired: Desired
    groups: tuple[GroupUse, ...]  # every group named by displayName, where

    def group_names(self) -> list[str]:
        return list(dict.fromkeys(use.name.strip().casefold() for use in self.groups))


def _issue(where: str, path: str, message: str) -> ManifestIssue:
    file, _, rest = where.rpartition(":")
    file, _, line = file.rpartition(":")
    return ManifestIssue(file, int(line), int(rest), path, message)


def _load(
    paths: Sequence[str], fleet: Fleet, expansion: Expansion
) -> tuple[Desired | None, list[ManifestIssue]]:
    try:
        return manifests.load(paths, root=fleet.root, expansion=expansion), []
    except ManifestError as error:
        return None, list(error.issues)


def tenant_set(
    fleet: Fleet, tenant: Tenant, *, groups: Mapping[str, str] | None = None
) -> TenantSet:
    """The tenant's set; raises ManifestError with every problem (those of variables and
    groups name the tenant)."""
    expansion = Expansion(
        tenant=tenant.name,
        types={name: v.type for name, v in fleet.variables.items()},
        values=fleet.values_of(tenant),
        groups=groups,
        source=tenant.where,
    )
    base, issues = _load(fleet.baseline, fleet, expansion)
    overlay: Desired | None = None
    if tenant.overlays:
        overlay, found = _load(tenant.overlays, fleet, expansion)
        issues += found
    if base is None or (tenant.overlays and overlay is None):
        raise ManifestError(issues)
    ours = {r.address: r for r in overlay.resources} if overlay else {}
    present = {r.address for r in base.resources}
    for address, where in zip(tenant.exclude, tenant.exclude_at, strict=True):
        path = "exclude"
        if address not in present:
            issues.append(_issue(where, path, f"{address} is in no baseline manifest"))
        elif address in ours:
            issues.append(
                _issue(
                    where,
                    path,
                    f"{address} is excluded and also in tenant {tenant.name}'s overlays; an "
                    "overlay replaces the baseline's, so leave it out of exclude",
                )
            )
    excluded = set(tenant.exclude)
    resources: list[DesiredResource] = []
    for resource in base.resources:
        if resource.address in excluded:
            continue
        resources.append(ours.pop(resource.address, resource))
    resources.extend(r for r in (overlay.resources if overlay else ()) if r.address in ours)
    issues += uniqueness.check(resources)
    if issues:
        raise ManifestError(issues)
    scope = tuple(dict.fromkeys((*base.scope, *(overlay.scope if overlay else ()))))
    files = tuple(dict.fromkeys((*base.files, *(overlay.files if overlay else ()))))
    desired = Desired(
        resources=tuple(resources),
        manifest_hash=manifests.manifest_hash(resources),
        files=files,
        scope=scope,
    )
    return TenantSet(desired, _kept(expansion.used_groups, resources))


def _kept(uses: list[GroupUse], resources: Sequence[DesiredResource]) -> tuple[GroupUse, ...]:
    """The group uses of the resources kept (not those of replaced or excluded ones): in a
    kept manifest document (whose positions include the use), or in a file one names."""
    places = {(p.file, p.line, p.column) for r in resources for p in r.positions.values()}
    files = {f.shown for r in resources for f in r.files.values()}
    return tuple(u for u in uses if (u.file, u.line, u.column) in places or u.file in files)


class GroupProblem(ManifestError):
    """A group named by displayName is missing or ambiguous in the tenant."""


def with_groups(fleet: Fleet, tenant: Tenant, found: TenantSet, client: GraphClient) -> TenantSet:
    """The tenant's set with every group named by displayName resolved in the tenant (one
    match each); GroupProblem, located at each use, for none or several."""
    if not found.groups:
        return found
    ids = directory.group_ids(client, found.group_names())
    problems: list[ManifestIssue] = []
    for use in found.groups:
        matches = ids[use.name.strip().casefold()]
        if not matches:
            problems.append(use.issue(f"no group named '{use.name}' in tenant {tenant.name}"))
        elif len(matches) > 1:
            problems.append(
                use.issue(
                    f"{len(matches)} groups are named '{use.name}' in tenant {tenant.name} "
                    f"({', '.join(matches)}); name it by its id"
                )
            )
    if problems:
        raise GroupProblem(problems)
    return tenant_set(fleet, tenant, groups={name: found[0] for name, found in ids.items()})
