"""`reconciler show PLANFILE`: render a saved plan without Graph (the approval step).
A folder of `fleet plan --out` (or its fleet-plan.json) shows every tenant's plan."""

from __future__ import annotations

import argparse
from pathlib import Path

from reconciler.cli.exits import EXIT_OK
from reconciler.cli.planning import show_plan


def run(args: argparse.Namespace) -> int:
    from reconciler import planfile
    from reconciler.cli.commands import fleet

    if fleet.is_fleet_plan(Path(args.plan)):
        return fleet.show(Path(args.plan), args.format, color=args.color, full_diff=args.full_diff)
    plan = planfile.load(args.plan)
    show_plan(plan, args.format, color=args.color, full_diff=args.full_diff)
    return EXIT_OK
