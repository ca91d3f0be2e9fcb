"""The command line: every command, its arguments and their help."""

from __future__ import annotations

import argparse
import os

from reconciler import __version__
from reconciler.cli.commands import apply, drift, emulator, export, plan, schema, validate

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/beta"
DEFAULT_WRITE_RATE = 100 / 20  # graph-spec §3.2: Intune writes per app per tenant


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
        "endpoint, Azure CLI; github-oidc, azure-pipelines, device-code and interactive only "
        "when asked for; see the README's Credentials section)",
    )


def _scope_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="GLOB",
        help="what the set manages beyond what it declares, as a glob over Kind/name, e.g. "
        "'SettingsCatalogPolicy/Office - *' (repeatable; added to reconciler.yaml's scope): "
        "unmanaged objects count, and --prune may delete them, only inside the scope",
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
    p.set_defaults(func=validate.run)

    p = sub.add_parser("plan", help="show the changes that would make the tenant match")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _graph_options(p)
    p.add_argument("--out", metavar="FILE", help="save the plan for `reconciler apply FILE`")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects inside the scope")
    _scope_option(p)
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes")
    p.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="plan this resource as a replacement: create it anew, then delete the old object "
        "(for a change Graph cannot make in place, e.g. a policy's platforms; repeatable)",
    )
    p.set_defaults(func=plan.run)

    p = sub.add_parser("apply", help="apply a saved plan, or plan and apply manifests")
    p.add_argument("paths", nargs="+", metavar="PLANFILE|PATH")
    _graph_options(p)
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects inside the scope")
    _scope_option(p)
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
    p.set_defaults(func=apply.run)

    p = sub.add_parser("drift", help="report where the tenant differs from the manifests")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _graph_options(p)
    p.add_argument("--format", choices=drift.FORMATS, default="text")
    _scope_option(p)
    p.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="also write a report; format from the extension: .json .md .xml (JUnit) .sarif .txt "
        "(repeatable)",
    )
    p.set_defaults(func=drift.run)

    p = sub.add_parser("export", help="write the live tenant as a manifest set")
    _graph_options(p)
    p.add_argument("--out", default=".", metavar="DIR", help="directory to write (default: .)")
    p.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only this kind (repeatable)"
    )
    p.add_argument("--force", action="store_true", help="overwrite files that differ")
    p.set_defaults(func=export.run)

    p = sub.add_parser("schema", help="print the manifest JSON Schema")
    p.set_defaults(func=schema.run)

    p = sub.add_parser("emulator", help="run the local Graph emulator", add_help=False)
    p.add_argument("emulator_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=emulator.run)
    return parser
