"""`reconciler validate PATH...`: check manifests offline."""

from __future__ import annotations

import argparse

from reconciler.cli.exits import EXIT_OK


def run(args: argparse.Namespace) -> int:
    from reconciler.load import manifests

    desired = manifests.load(args.paths)
    kinds = len({r.kind for r in desired.resources})
    print(
        f"Valid: {len(desired.resources)} resource(s) of {kinds} kind(s) "
        f"in {len(desired.files)} file(s)."
    )
    return EXIT_OK
