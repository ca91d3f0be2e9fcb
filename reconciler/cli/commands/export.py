"""`reconciler export`: write the live tenant as a manifest set."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path

from reconciler.cli.connect import connect, graph_client, tenant_id
from reconciler.cli.exits import EXIT_OK
from reconciler.errors import ConfigError
from reconciler.files import check_writable


def _export_kinds(wanted: list[str]) -> set[str]:
    from reconciler.kinds import REGISTRY

    kinds = {k.kind.lower(): k.kind for k in REGISTRY if not k.singleton}
    unknown = [k for k in wanted if k.lower() not in kinds]
    if unknown:
        raise ConfigError(
            f"--kind {unknown[0]}: not an exportable kind",
            hint=f"Use one of: {', '.join(sorted(kinds.values()))}.",
        )
    return {kinds[k.lower()] for k in wanted} if wanted else set(kinds.values())


def run(args: argparse.Namespace) -> int:
    from reconciler.export import manifest_set
    from reconciler.fetch.tenant import read_tenant
    from reconciler.load import manifest_schema

    kinds = _export_kinds(args.kind)
    check_writable(Path(args.out), directory=True)
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        live = read_tenant(client, using=kinds, tenant_id=tenant_id(connection))
    objects = [o for o in live.objects if o.kind in kinds]
    files = manifest_set.with_editor_schema(
        manifest_set.manifest_files(objects), manifest_schema.json_schema()
    )
    root = Path(args.out)
    written = manifest_set.write_files(root, files, force=args.force)
    # Files of objects deleted or renamed since an earlier export would still be planned.
    stale = sorted(
        p.name for p in root.glob("*.y*ml") if p.suffix in (".yaml", ".yml") and p.name not in files
    )
    if stale:
        print(
            f"note: {len(stale)} manifest file(s) in {root} are not from this export "
            f"(deleted or renamed objects?): {', '.join(stale[:5])}",
            file=sys.stderr,
        )
    print(
        f"Exported {len(objects)} object(s) to {root}: {len(written)} file(s) written, "
        f"{len(files) - len(written)} unchanged."
    )
    return EXIT_OK
