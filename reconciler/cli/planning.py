"""What `plan` and `apply PATH...` share: make a plan from manifests, show it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reconciler.fetch.client import GraphClient
    from reconciler.values.plan import Plan


def make_plan(args: argparse.Namespace, client: GraphClient, tenant: str) -> Plan:
    from reconciler.engine import planner
    from reconciler.fetch.tenant import read_tenant
    from reconciler.load import manifests

    desired = manifests.load(args.paths)
    using = {r.kind for r in desired.resources}
    live = read_tenant(client, using=using, tenant_id=tenant)
    return planner.make_plan(desired, live, now=datetime.now(UTC), prune=args.prune)


def show_plan(plan: Plan, fmt: str) -> None:
    from reconciler.report import plan_formats

    body = plan_formats.plan_json(plan)
    if fmt == "json":
        print(json.dumps(body, indent=2, sort_keys=True))
    elif fmt == "markdown":
        print(plan_formats.markdown(body), end="")
    else:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(plan_formats.text(body, color=color), end="")
