"""`reconciler plan PATH...`: read the tenant and show the minimal changes."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from reconciler.cli.connect import connect, graph_client, tenant_id
from reconciler.cli.exits import EXIT_CHANGES, EXIT_OK
from reconciler.cli.planning import load, make_plan, show_plan
from reconciler.files import check_writable


def run(args: argparse.Namespace) -> int:
    from reconciler import planfile

    desired = load(args)
    if args.out:  # before the tenant is read: a plan that cannot be saved is not made
        check_writable(Path(args.out))
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        plan = make_plan(args, client, tenant_id(connection), desired)
    show_plan(plan, args.format, color=args.color, full_diff=args.full_diff)
    if args.out:
        planfile.save(plan, args.out)
        print(
            f"Saved the plan to {args.out}. Apply it with: reconciler apply {args.out}",
            file=sys.stderr,
        )
    if args.detailed_exitcode and not plan.is_empty:
        return EXIT_CHANGES
    return EXIT_OK
