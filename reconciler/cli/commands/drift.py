"""`reconciler drift PATH...`: report where the tenant differs from the manifests.

Exit 2 when a finding named by `--fail-on` is present (default all three): a declared field
drifted, a resource is missing, an unmanaged object of a managed kind exists inside the set's
scope. Objects outside the scope and ignored pointers never count. A failed read is an error
(exit 1). With the default, exit 0 here means `plan --prune` of the same set is empty.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.cli import color as colors
from reconciler.cli.connect import connect, graph_client, tenant_id
from reconciler.cli.exits import EXIT_CHANGES, EXIT_OK
from reconciler.cli.planning import load, resolve_catalog
from reconciler.errors import ConfigError

# drift_formats.FORMATS, written out: importing the renderers here would slow every start.
FORMATS = ("text", "json", "markdown", "junit", "sarif")
FINDINGS = ("drifted", "missing", "unmanaged")


def fail_on(value: str) -> set[str]:
    """`--fail-on drifted,missing`: the findings that make drift exit 2."""
    wanted = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = sorted(wanted - set(FINDINGS))
    if unknown:
        raise ConfigError(
            f"--fail-on {value}: {unknown[0]!r} is not a finding",
            hint=f"Use a comma-separated list of: {', '.join(FINDINGS)}.",
        )
    return wanted


def found(body: dict[str, Any]) -> set[str]:
    """The kinds of finding a drift report holds."""
    statuses = {r["status"] for r in body["resources"]}
    kinds = {s for s in ("drifted", "missing") if s in statuses}
    return kinds | ({"unmanaged"} if body["unmanaged"] else set())


def run(args: argparse.Namespace) -> int:
    from reconciler.engine import drift
    from reconciler.fetch.tenant import read_tenant
    from reconciler.files import check_writable, write_text_atomic
    from reconciler.report import drift_formats

    failing = fail_on(args.fail_on)
    # Resolve every report format before reading the tenant: a typo fails fast and cheap.
    targets = [(path, drift_formats.format_for_path(path)) for path in args.report]
    desired = load(args)
    for path, _ in targets:
        check_writable(Path(path))
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        desired = resolve_catalog(desired, client)
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

    if args.format == "text":
        painted = colors.wanted(args.color, sys.stdout)
        print(drift_formats.render(body, "text", color=painted), end="")
    else:
        print(render(args.format), end="")
    for path, fmt in targets:
        write_text_atomic(Path(path), render(fmt))
        print(f"Wrote the {fmt} drift report to {path}.", file=sys.stderr)
    return EXIT_CHANGES if found(body) & failing else EXIT_OK
