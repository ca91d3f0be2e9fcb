"""`reconciler force-unlock LOCK_ID`: remove a tenant's apply lock, as Terraform's."""

from __future__ import annotations

import argparse
import sys

from reconciler.cli.exits import EXIT_OK


def run(args: argparse.Namespace) -> int:
    from reconciler.apply.lock import force_unlock

    holder, held = force_unlock(args.lock_id)
    print(f"Removed the apply lock {holder.lock_id} ({holder.key}).")
    if held:
        print(
            f"warning: pid {holder.pid} on {holder.host} still held it (since "
            f"{holder.started}); it keeps running, and a new apply no longer waits for it.",
            file=sys.stderr,
        )
    return EXIT_OK
