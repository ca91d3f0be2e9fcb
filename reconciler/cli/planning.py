"""What `plan` and `apply PATH...` share: make a plan from manifests, show it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
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


def resolve_catalog(
    desired: Desired, client: GraphClient, cache: TenantCache | None = None
) -> Desired:
    """The manifests' child items resolved against the tenant's catalog (Settings Catalog
    setting definitions read by id; Administrative Templates definitions found by address,
    their presentations by label): an unknown setting, option, address or value is a
    located error. Only the resolved set may be planned or drifted. With a cache, the
    catalog reads it holds fresh are not sent again (D = 0), and new answers are kept."""
    from reconciler.engine import catalog
    from reconciler.errors import ManifestError
    from reconciler.fetch.catalog import read_catalog
    from reconciler.load.locate import located

    kept = cache.catalog_reads() if cache is not None else {}
    found = read_catalog(client, lambda found: catalog.lookups(desired, found), known=kept)
    if cache is not None:
        fresh = {url: answer for url, answer in found.items() if url not in kept}
        if any(answer not in (None, []) for answer in fresh.values()):
            cache.save_catalog_reads(fresh)
    resolved, problems = catalog.resolve(desired, found, root=client.base_url)
    if problems:
        raise ManifestError(located(desired, problems))
    return resolved


def load(args: argparse.Namespace) -> Desired:
    """The manifests, loaded offline (their problems are reported before any credential
    is asked for), with the scope of `--scope` added to their own."""
    from reconciler.load import manifests

    desired = manifests.load(args.paths)
    return with_scope(desired, checked_scope(getattr(args, "scope", None) or []))


def checked_scope(globs: Sequence[str]) -> tuple[str, ...]:
    """The `--scope` globs, each checked (ConfigError naming the bad one)."""
    from reconciler.errors import ConfigError
    from reconciler.load import project

    for glob in globs:
        try:
            project.check_glob(glob)
        except ValueError as error:
            raise ConfigError(f"--scope {error}") from None
    return tuple(globs)


def with_scope(desired: Desired, extra: Sequence[str]) -> Desired:
    """`desired` with the `--scope` globs added to its own."""
    if not extra:
        return desired
    return dataclasses.replace(desired, scope=tuple(dict.fromkeys((*desired.scope, *extra))))


def make_plan(args: argparse.Namespace, client: GraphClient, tenant: str, desired: Desired) -> Plan:
    from reconciler.engine import planner
    from reconciler.fetch.tenant import read_tenant

    requests_before, units_before = client.stats.requests, client.stats.units
    desired = resolve_catalog(desired, client, tenant_cache(args, client.base_url, tenant))
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
    elif fmt == "html":
        from reconciler.report import html

        print(html.plan(body), end="")
    else:
        painted = colors.wanted(color, sys.stdout)
        print(plan_formats.text(body, color=painted, full_diff=full_diff), end="")
