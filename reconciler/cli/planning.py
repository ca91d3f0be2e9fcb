"""What `plan` and `apply PATH...` share: make a plan from manifests, show it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.fetch.cache import TenantCache
    from reconciler.fetch.client import GraphClient
    from reconciler.values.desired import Desired
    from reconciler.values.plan import Plan


def tenant_cache(args: argparse.Namespace, graph_url: str, tenant: str) -> TenantCache | None:
    """The tenant's folder under --cache-dir, if one was given."""
    from pathlib import Path

    from reconciler.fetch.cache import TenantCache

    root = getattr(args, "cache_dir", None)
    if not root:
        return None
    return TenantCache(Path(root), graph_url, tenant, now=datetime.now(UTC))


def check_catalog(desired: Desired, client: GraphClient, cache: TenantCache | None = None) -> None:
    """The manifests' child items checked against the tenant's catalog (Settings Catalog
    setting definitions, read by id; with a cache, only those it does not hold fresh): an
    unknown setting or option is a located error."""
    from reconciler.engine import catalog
    from reconciler.errors import ManifestError
    from reconciler.fetch.catalog import read_entries
    from reconciler.load.locate import located

    wanted = catalog.references(desired)
    entries: dict[str, dict[str, object]] = {}
    fetched: dict[str, dict[str, object]] = {}
    for collection, ids in wanted.items():
        kept = cache.catalog(collection) if cache is not None else {}
        missing = [i for i in ids if i not in kept]
        fetched[collection] = read_entries(client, collection, missing) if missing else {}
        entries[collection] = {**{i: kept[i] for i in ids if i in kept}, **fetched[collection]}
    if cache is not None and any(fetched.values()):
        cache.save_catalog(fetched)
    problems = catalog.check(desired, entries)
    if problems:
        raise ManifestError(located(desired, problems))


def load(args: argparse.Namespace) -> Desired:
    """The manifests, loaded offline (their problems are reported before any credential
    is asked for), with the scope of `--scope` added to their own."""
    from reconciler.errors import ConfigError
    from reconciler.load import manifests, project

    desired = manifests.load(args.paths)
    extra = list(getattr(args, "scope", None) or [])
    for glob in extra:
        try:
            project.check_glob(glob)
        except ValueError as error:
            raise ConfigError(f"--scope {error}") from None
    if not extra:
        return desired
    scope = tuple(dict.fromkeys((*desired.scope, *extra)))
    return dataclasses.replace(desired, scope=scope)


def make_plan(args: argparse.Namespace, client: GraphClient, tenant: str, desired: Desired) -> Plan:
    from reconciler.engine import planner
    from reconciler.fetch.tenant import read_tenant

    requests_before, units_before = client.stats.requests, client.stats.units
    check_catalog(desired, client, tenant_cache(args, client.base_url, tenant))
    live = read_tenant(client, using=desired.kinds(), pinned=desired.pinned(), tenant_id=tenant)
    # The plan's stated cost covers every read it took, the catalog's included.
    live = dataclasses.replace(
        live,
        read_requests=client.stats.requests - requests_before,
        read_units=client.stats.units - units_before,
    )
    return planner.make_plan(
        desired,
        live,
        now=datetime.now(UTC),
        prune=args.prune,
        replace=getattr(args, "replace", None) or (),
        targets=getattr(args, "target", None) or (),
    )


def show_plan(plan: Plan, fmt: str, *, color: str = "auto", full_diff: bool = False) -> None:
    from reconciler.cli import color as colors
    from reconciler.report import plan_formats

    body = plan_formats.plan_json(plan)
    if fmt == "json":
        print(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False))
    elif fmt == "markdown":
        print(plan_formats.markdown(body, full_diff=full_diff), end="")
    else:
        painted = colors.wanted(color, sys.stdout)
        print(plan_formats.text(body, color=painted, full_diff=full_diff), end="")
