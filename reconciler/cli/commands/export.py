"""`reconciler export`: write the live tenant as a manifest set."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.cli.connect import connect, graph_client, tenant_id
from reconciler.cli.exits import EXIT_OK
from reconciler.errors import ConfigError
from reconciler.files import check_writable

if TYPE_CHECKING:
    from reconciler.export.repin import Repin
    from reconciler.values.desired import Desired
    from reconciler.values.live import Live


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


def _repins(desired: Desired, live: Live) -> tuple[dict[str, list[Repin]], list[str]]:
    """By file: each manifest whose live object has another id than it pins; and the
    addresses that match nothing (left as they are)."""
    from reconciler.engine.identity import match_resources
    from reconciler.export.repin import Repin
    from reconciler.kinds import REGISTRY

    by_file: dict[str, list[Repin]] = {}
    unmatched: list[str] = []
    matches = match_resources(desired, live)
    for resource in desired.resources:
        obj = matches[resource.address]
        if REGISTRY.by_kind(resource.kind).singleton:
            continue
        if obj is None or not obj.id:
            unmatched.append(resource.address)
            continue
        if (resource.id or "").lower() == obj.id.lower():
            continue
        id_at = resource.positions.get("/metadata/id")
        name_at = resource.positions["/metadata/name"]
        by_file.setdefault(resource.file, []).append(
            Repin(
                address=resource.address,
                new_id=obj.id,
                old_id=resource.id,
                id_at=(id_at.line, id_at.column) if id_at else None,
                name_at=(name_at.line, name_at.column),
            )
        )
    return by_file, unmatched


def update_ids(args: argparse.Namespace) -> int:
    """`export --update-ids DIR`: set each manifest's metadata.id to its live object's."""
    from reconciler.errors import FileWriteError
    from reconciler.export.repin import NotEditable, apply
    from reconciler.fetch.tenant import read_tenant
    from reconciler.files import read_bytes, write_text_atomic
    from reconciler.load import manifests

    desired = manifests.load([args.update_ids])
    connection = connect(args)
    with closing(graph_client(args, connection)) as client:
        live = read_tenant(
            client, using=desired.kinds(), pinned=desired.pinned(), tenant_id=tenant_id(connection)
        )
    by_file, unmatched = _repins(desired, live)
    for address in unmatched:
        print(f"note: {address}: no live object matches; left as it is", file=sys.stderr)
    if not by_file:
        print(f"Every manifest in {args.update_ids} already pins its live object's id.")
        return EXIT_OK
    print(f"Re-pinning {sum(map(len, by_file.values()))} manifest(s) to this tenant:")
    for file, repins in sorted(by_file.items()):
        for r in repins:
            print(f"  {file}: {r.address}: metadata.id {r.old_id or '(none)'} -> {r.new_id}")
    edited: dict[str, str] = {}
    for file, repins in by_file.items():
        try:
            edited[file] = apply(read_bytes(file).decode("utf-8"), repins)
        except NotEditable as problem:
            raise ConfigError(f"{file}: {problem}; nothing was changed") from None
        except (OSError, UnicodeDecodeError) as error:
            raise FileWriteError(f"{file}: cannot read it again: {error}") from None
    for file, text in edited.items():  # every file edited in memory first: all or nothing
        write_text_atomic(Path(file), text)
    print(f"Updated {len(edited)} file(s); nothing else in them changed.")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.update_ids:
        return update_ids(args)
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
