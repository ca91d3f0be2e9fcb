"""`reconciler show PLANFILE`: render a saved plan without Graph (the approval step)."""

from __future__ import annotations

import argparse

from reconciler.cli.exits import EXIT_OK
from reconciler.cli.planning import show_plan


def run(args: argparse.Namespace) -> int:
    from reconciler import planfile

    plan = planfile.load(args.plan)
    show_plan(plan, args.format, color=args.color, full_diff=args.full_diff)
    return EXIT_OK
