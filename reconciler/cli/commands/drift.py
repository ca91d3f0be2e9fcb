"""`reconciler drift PATH...`: report where the tenant differs from the manifests.

Exit 2 when a declared field drifted, a resource is missing or an unmanaged object of a
managed kind exists inside the set's scope; objects outside it and ignored pointers never
count. A failed read is an error (exit 1)."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from reconciler.cli.connect import connect, graph_client, tenant_id
from reconciler.cli.exits import EXIT_CHANGES, EXIT_OK
from reconciler.cli.planning import check_catalog, load

# drift_formats.FORMATS, written out: importing the renderers here would slow every start.
FORMATS = ("text", "json", "markdown", "junit", "sarif")


def run(args: argparse.Namespace) -> int:
    from reconciler.engine import drift
    from reconciler.fetch.tenant import read_tenant
    from reconciler.files import write_text_atomic
    from reconciler.report import drift_formats

    # Resolve every report format before reading the tenant: a typo fails fast and cheap.
    targets = [(path, drift_formats.format_for_path(path)) for path in args.report]
    desired = load(args)
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        check_catalog(desired, client)
        live = read_tenant(
            client,
            using=desired.kinds(),
            pinned=desired.pinned(),
            tenant_id=tenant_id(connection),
        )
    body = drift.drift_json(drift.detect(desired, live, now=datetime.now(UTC)))
    rendered: dict[str, str] = {}  # each format once, however many files ask for it

    def render(fmt: str) -> str:
        if fmt not in rendered:
            rendered[fmt] = drift_formats.render(body, fmt)
        return rendered[fmt]

    print(render(args.format), end="")
    for path, fmt in targets:
        write_text_atomic(Path(path), render(fmt))
        print(f"Wrote the {fmt} drift report to {path}.", file=sys.stderr)
    return EXIT_CHANGES if body["drift"] else EXIT_OK
