"""Command line: the only module that prints, prompts or chooses exit codes.

Exit codes: 0 success and nothing to change, 1 error, 2 changes or drift found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler import __version__
from reconciler.errors import ConfigError, ManifestError, ReconcilerError

if TYPE_CHECKING:
    from reconciler.apply.executor import ApplyResult
    from reconciler.fetch.auth.credentials import Connection
    from reconciler.fetch.client import GraphClient
    from reconciler.values.plan import Plan

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/beta"
DEFAULT_WRITE_RATE = 100 / 20  # graph-spec §3.2: Intune writes per app per tenant

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2

DRIFT_FORMATS = ("text", "json", "markdown", "junit", "sarif")


def _print_error(error: ReconcilerError) -> None:
    if isinstance(error, ManifestError):
        for issue in error.issues:
            print(f"error: {issue}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return
    print(f"error: {error}", file=sys.stderr)
    if error.hint:
        print(f"hint: {error.hint}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from reconciler.load import manifests

    desired = manifests.load(args.paths)
    kinds = len({r.kind for r in desired.resources})
    print(
        f"Valid: {len(desired.resources)} resource(s) of {kinds} kind(s) "
        f"in {len(desired.files)} file(s)."
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from reconciler.load import manifest_schema

    print(json.dumps(manifest_schema.json_schema(), indent=2, sort_keys=True))
    return EXIT_OK


def _connect(args: argparse.Namespace) -> Connection:
    """Endpoints and credentials from --cloud, --graph-url, --auth and the environment (see
    the README's Credentials section). Says on stderr which credentials it uses and gets the first token
    now, so a credential problem is reported before any Graph request."""
    from reconciler.fetch.auth import clouds, credentials
    from reconciler.fetch.urls import Origin, is_loopback

    endpoints = clouds.resolve(
        cloud=args.cloud,
        graph_url=args.graph_url or os.environ.get("RECONCILER_GRAPH_URL"),
        environ=os.environ,
    )
    clouds.check_trust(os.environ)
    origin = Origin.of(endpoints.graph_url)
    try:
        mode = credentials.AuthMode(args.auth)
    except ValueError:  # a bad RECONCILER_AUTH; argparse checks only the flag's values
        choices = ", ".join(m.value for m in credentials.AuthMode)
        raise ConfigError(
            f"--auth {args.auth}: unknown mode", hint=f"Use one of: {choices}."
        ) from None
    connection = credentials.connect(
        mode, endpoints, os.environ, loopback=origin is not None and is_loopback(origin.host)
    )
    if connection.auth is not None:
        how = " (chosen by --auth auto)" if mode is credentials.AuthMode.AUTO else ""
        print(f"Using credentials: {connection.description}{how}", file=sys.stderr)
        connection.auth.token()
    return connection


def _graph_client(args: argparse.Namespace, connection: Connection | None = None) -> GraphClient:
    from reconciler.fetch.client import GraphClient

    connection = connection or _connect(args)
    write_rate = getattr(args, "write_rate", None)
    return GraphClient(
        connection.endpoints.graph_url,
        auth=connection.auth,
        write_rate=write_rate if write_rate and write_rate > 0 else None,
    )


def _require_permission(connection: Connection, plan: Plan) -> None:
    """Stop an apply before its first request when the token (a JWT) lacks the permission
    the plan needs: ReadWrite for writes, Read for an empty plan (graph-spec §2.4)."""
    from reconciler.fetch.auth import permissions

    if connection.auth is None:
        return
    needed = permissions.READ if plan.is_empty else permissions.WRITE
    permissions.require(
        connection.auth.token(), needed, outcome="the apply stopped before changing anything"
    )


def _make_plan(args: argparse.Namespace, client: GraphClient) -> Plan:
    from reconciler.engine import planner
    from reconciler.fetch.tenant import read_tenant
    from reconciler.load import manifests

    desired = manifests.load(args.paths)
    live = read_tenant(client)
    return planner.make_plan(desired, live, now=datetime.now(UTC), prune=args.prune)


def _show_plan(plan: Plan, fmt: str) -> None:
    from reconciler.report import plan_formats

    body = plan_formats.plan_json(plan)
    if fmt == "json":
        print(json.dumps(body, indent=2, sort_keys=True))
    elif fmt == "markdown":
        print(plan_formats.markdown(body), end="")
    else:
        print(plan_formats.text(body, color=sys.stdout.isatty() and "NO_COLOR" not in os.environ), end="")


def cmd_plan(args: argparse.Namespace) -> int:
    from reconciler import planfile as plan_file

    with closing(_graph_client(args)) as client:
        plan = _make_plan(args, client)
    _show_plan(plan, args.format)
    if args.out:
        plan_file.save(plan, args.out)
        print(
            f"Saved the plan to {args.out}. Apply it with: reconciler apply {args.out}",
            file=sys.stderr,
        )
    if args.detailed_exitcode and not plan.is_empty:
        return EXIT_CHANGES
    return EXIT_OK


def _is_plan_file(paths: list[str]) -> bool:
    """`apply FILE` with one JSON file means a saved plan; anything else is manifests."""
    return len(paths) == 1 and paths[0].endswith(".json") and os.path.isfile(paths[0])


def _confirm(args: argparse.Namespace) -> bool:
    if args.auto_approve:
        return True
    if not sys.stdin.isatty():
        raise ConfigError(
            "refusing to apply without a terminal to confirm",
            hint="Pass --auto-approve, or apply a saved plan: reconciler apply PLANFILE.",
        )
    answer = input("Apply these changes? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _progress_printer(total_hint: int) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty() or total_hint <= 5:
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done >= total else ""
        print(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} writes",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _report_apply(result: ApplyResult) -> int:
    from reconciler.apply.executor import StepState

    applied = result.count(StepState.APPLIED)
    if result.ok:
        print(f"Apply complete: {applied} write(s) applied and confirmed.")
        return EXIT_OK
    failed = result.count(StepState.FAILED)
    skipped = result.count(StepState.NOT_ATTEMPTED)
    print(
        f"Apply incomplete: {applied} applied, {failed} failed, {skipped} not attempted.",
        file=sys.stderr,
    )
    for outcome in result.outcomes:
        if outcome.state != StepState.APPLIED:
            print(f"  {outcome.state.value}: {outcome.step.id}: {outcome.detail}", file=sys.stderr)
    for line in result.unconfirmed:
        print(f"  not confirmed: {line}", file=sys.stderr)
    print("hint: run reconciler plan again; a fresh apply finishes the job.", file=sys.stderr)
    return EXIT_ERROR


def cmd_apply(args: argparse.Namespace) -> int:
    from reconciler import planfile as plan_file
    from reconciler.apply import executor
    from reconciler.apply.audit import AuditLog

    connection = _connect(args)
    with closing(_graph_client(args, connection)) as client:
        if _is_plan_file(args.paths):
            if args.prune:
                raise ConfigError(
                    "--prune applies to manifests; a saved plan already says what it deletes"
                )
            plan = plan_file.load(args.paths[0])
        else:
            plan = _make_plan(args, client)
            _show_plan(plan, "text")
            if plan.is_empty:
                return EXIT_OK
            if not _confirm(args):
                print("Apply cancelled; nothing was changed.")
                return EXIT_ERROR
        _require_permission(connection, plan)
        state_dir = Path(args.state_dir)
        result = executor.apply_plan(
            plan,
            client,
            backup_root=state_dir / "backups",
            audit=AuditLog(Path(args.audit_log) if args.audit_log else state_dir / "audit.jsonl"),
            now=datetime.now(UTC),
            progress=_progress_printer(len(plan.steps())),
            on_backup=lambda d: print(
                f"Backup of the touched objects: {d} (restore: reconciler apply {d} --auto-approve)"
            ),
        )
    if plan.is_empty:
        print("No changes. The tenant matches the manifests.")
        return EXIT_OK
    return _report_apply(result)


def _write_report(path: str, text: str) -> None:
    from reconciler.files import write_text_atomic

    write_text_atomic(Path(path), text)


def cmd_drift(args: argparse.Namespace) -> int:
    """Exit 2 when a declared field drifted, a resource is missing or an unmanaged object of a
    managed kind exists; ignored pointers never count. A failed read is an error (exit 1)."""
    from reconciler.engine import drift
    from reconciler.fetch.tenant import read_tenant
    from reconciler.load import manifests
    from reconciler.report import drift_formats

    # Resolve every report format before reading the tenant: a typo fails fast and cheap.
    targets = [(path, drift_formats.format_for_path(path)) for path in args.report]
    desired = manifests.load(args.paths)
    with closing(_graph_client(args)) as client:
        live = read_tenant(client)
    body = drift.drift_json(drift.detect(desired, live, now=datetime.now(UTC)))
    rendered: dict[str, str] = {}  # each format once, however many files ask for it

    def render(fmt: str) -> str:
        if fmt not in rendered:
            rendered[fmt] = drift_formats.render(body, fmt)
        return rendered[fmt]

    print(render(args.format), end="")
    for path, fmt in targets:
        _write_report(path, render(fmt))
        print(f"Wrote the {fmt} drift report to {path}.", file=sys.stderr)
    return EXIT_CHANGES if body["drift"] else EXIT_OK


def _export_kinds(wanted: list[str]) -> set[str]:
    from reconciler.kinds import registry

    kinds = {rt.kind.lower(): rt.kind for rt in registry.RESOURCE_TYPES if not rt.singleton}
    unknown = [k for k in wanted if k.lower() not in kinds]
    if unknown:
        raise ConfigError(
            f"--kind {unknown[0]}: not an exportable kind",
            hint=f"Use one of: {', '.join(sorted(kinds.values()))}.",
        )
    return {kinds[k.lower()] for k in wanted} if wanted else set(kinds.values())


def cmd_export(args: argparse.Namespace) -> int:
    from reconciler.export import manifest_set
    from reconciler.fetch.tenant import read_tenant

    kinds = _export_kinds(args.kind)
    with closing(_graph_client(args)) as client:
        live = read_tenant(client)
    objects = [o for o in live.objects if o.kind in kinds]
    files = manifest_set.manifest_files(objects)
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


def cmd_emulator(args: argparse.Namespace) -> int:
    from reconciler.emulator import cli as emulator_cli

    return emulator_cli.main(args.emulator_args)


def _graph_options(parser: argparse.ArgumentParser) -> None:
    from reconciler.fetch.auth.clouds import CLOUDS
    from reconciler.fetch.auth.credentials import AuthMode

    parser.add_argument(
        "--graph-url",
        metavar="URL",
        help="Graph base URL (env RECONCILER_GRAPH_URL; default: the cloud's, "
        f"{DEFAULT_GRAPH_URL} for global)",
    )
    parser.add_argument(
        "--cloud",
        choices=list(CLOUDS),
        default=os.environ.get("RECONCILER_CLOUD") or None,
        help="national cloud: token authority, Graph root and scope "
        "(env RECONCILER_CLOUD; default global, or the cloud of --graph-url)",
    )
    parser.add_argument(
        "--auth",
        choices=[mode.value for mode in AuthMode],
        default=os.environ.get("RECONCILER_AUTH") or "auto",
        help="where credentials come from (env RECONCILER_AUTH; default auto: "
        "RECONCILER_TOKEN, client secret, certificate, workload identity, managed identity "
        "endpoint, Azure CLI; see the README's Credentials section)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reconciler",
        description="Configuration-as-code for Microsoft 365 Office client policies.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="validate manifests offline")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("plan", help="show the changes that would make the tenant match")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _graph_options(p)
    p.add_argument("--out", metavar="FILE", help="save the plan for `reconciler apply FILE`")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects of managed kinds")
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("apply", help="apply a saved plan, or plan and apply manifests")
    p.add_argument("paths", nargs="+", metavar="PLANFILE|PATH")
    _graph_options(p)
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects of managed kinds")
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument("--audit-log", metavar="FILE", help="default: .reconciler/audit.jsonl")
    p.add_argument("--state-dir", default=".reconciler", help="backups and audit log live here")
    p.add_argument(
        "--write-rate",
        type=float,
        default=DEFAULT_WRITE_RATE,
        metavar="PER_SECOND",
        help="pace writes (default 5/s: Intune's 100 writes per 20 s per app; 0 = unpaced)",
    )
    p.set_defaults(func=cmd_apply)

    p = sub.add_parser("drift", help="report where the tenant differs from the manifests")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _graph_options(p)
    # drift_formats.FORMATS, written out: importing reports here would slow every command's start.
    p.add_argument("--format", choices=DRIFT_FORMATS, default="text")
    p.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="also write a report; format from the extension: .json .md .xml (JUnit) .sarif .txt "
        "(repeatable)",
    )
    p.set_defaults(func=cmd_drift)

    p = sub.add_parser("export", help="write the live tenant as a manifest set")
    _graph_options(p)
    p.add_argument("--out", default=".", metavar="DIR", help="directory to write (default: .)")
    p.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only this kind (repeatable)"
    )
    p.add_argument("--force", action="store_true", help="overwrite files that differ")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("schema", help="print the manifest JSON Schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("emulator", help="run the local Graph emulator", add_help=False)
    p.add_argument("emulator_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_emulator)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["emulator"]:
        # The emulator parses its own flags; argparse.REMAINDER would refuse a leading "--x".
        from reconciler.emulator import cli as emulator_cli

        return emulator_cli.main(arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    try:
        return int(args.func(args))
    except ReconcilerError as error:
        _print_error(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # a bug: say so in one line, traceback only with --debug
        if args.debug:
            raise
        print(f"error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("hint: run again with --debug and report the traceback", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
