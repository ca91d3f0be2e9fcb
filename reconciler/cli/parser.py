"""The command line: every command, its arguments, their help and examples.

Usage errors exit 1, never 2: 2 means "changes" or "drift" to the scripts that branch on it.
Abbreviated options are refused (a prefix that matches today may match two flags tomorrow).
`--debug` and `-v` work before or after the command.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn

from reconciler import __version__
from reconciler.cli.commands import (
    apply,
    catalog,
    completion,
    drift,
    emulator,
    export,
    fleet,
    force_unlock,
    plan,
    schema,
    show,
    validate,
)
from reconciler.cli.exits import EXIT_ERROR

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/beta"
DEFAULT_BUDGET = 0.7  # the portal and other tools share the tenant's limits

EXIT_CODES = """exit codes:
  0  success, nothing to change
  1  error (bad input, a failed read or write, a usage error)
  2  changes present (plan --detailed-exitcode) or drift found (drift)"""

FLEET_EXIT_CODES = """exit codes: (for the fleet as a whole)
  0  nothing to change (plan), every tenant applied (apply), no drift (drift)
  1  any tenant failed (the others still run), or bad input before any tenant is touched
  2  changes present in some tenant (plan) or drift found (drift)"""


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Epilogs as written; every option's default in its help (not of a required option,
    nor one without a default)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.required or action.default is None:
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message}", file=sys.stderr)
        print(f"hint: run `{self.prog} --help` for the usage", file=sys.stderr)
        sys.exit(EXIT_ERROR)


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """`--debug` and `-v`, on the top parser and on each command; a command leaves the
    top's value alone unless it is given there too (SUPPRESS)."""
    default: object = False if top else argparse.SUPPRESS
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="log every request and show tracebacks of unexpected errors (env RECONCILER_LOG=debug)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="log requests, retries, throttle waits and the credential source "
        "(env RECONCILER_LOG=info)",
    )


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
        help="where credentials come from (env RECONCILER_AUTH; auto: RECONCILER_TOKEN, client "
        "secret, certificate, workload identity, managed identity endpoint, Azure CLI)",
    )
    parser.add_argument(
        "--budget",
        type=_fraction,
        default=DEFAULT_BUDGET,
        metavar="FRACTION",
        help="share of the tenant's documented Graph limits this run paces itself to (Intune: "
        "1,000 requests and 100 writes per 20 s per app), reads and writes; 0: no pacing. "
        "A fleet paces each tenant so, and the whole run at this share of Graph's global "
        "per-app limit (more than 0 there)",
    )
    parser.add_argument(
        "--max-wait",
        default="10m",
        metavar="DURATION",
        help="how long one request may wait while Graph throttles it (Retry-After) before "
        "the run fails (e.g. 90s, 30m)",
    )


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction from 0 to 1, got {text!r}")
    return value


def _cache_options(parser: argparse.ArgumentParser, *, refresh: bool) -> None:
    parser.add_argument(
        "--cache-dir",
        default=os.environ.get("RECONCILER_CACHE_DIR") or None,
        metavar="DIR",
        help="keep the tenant's setting catalog here between runs, one folder per tenant "
        "(env RECONCILER_CACHE_DIR)"
        + ("; --refresh incremental keeps its last read too" if refresh else ""),
    )
    if refresh:
        parser.add_argument(
            "--refresh",
            choices=["full", "incremental"],
            default="full",
            help="incremental: re-read only the policies whose lastModifiedDateTime changed "
            "since the read kept in --cache-dir (see docs/drift.md for its limits)",
        )
        parser.add_argument(
            "--full-read-every",
            type=int,
            default=7,
            metavar="N",
            help="with --refresh incremental, read everything again every N runs",
        )


def _paths(parser: argparse.ArgumentParser, what: str = "manifest files or directories") -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=what)


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


def _full_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--full-diff",
        action="store_true",
        help="show a changed document whole, as a diff, instead of the values that differ",
    )


def _color(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set or "
        "TERM=dumb; FORCE_COLOR forces it)",
    )


def _command(
    sub: argparse._SubParsersAction[Parser],
    name: str,
    summary: str,
    description: str,
    examples: str,
    *,
    exit_codes: str = EXIT_CODES,
) -> Parser:
    parser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=f"examples:\n{examples}\n\n{exit_codes}",
    )
    _common(parser, top=False)
    return parser


def _fleet_selection(parser: argparse.ArgumentParser, *, shard: bool = True) -> None:
    parser.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="NAME",
        help="only this tenant of the fleet (repeatable)",
    )
    parser.add_argument("--ring", metavar="RING", help="only the tenants of this ring")
    if shard:
        parser.add_argument(
            "--shard",
            metavar="K/N",
            help="only the tenants whose id hashes (SHA-256) to K modulo N, K in 0..N-1 (a "
            "Kubernetes completion index fits as is); stable when tenants are added",
        )


def _fleet_running(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="C",
        help="tenants worked on at once, each with its own Graph client",
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        metavar="PER_SECOND",
        help="requests per second for the whole run, every tenant together (default: "
        "--budget of Graph's global per-app limit, divided among --shard's N)",
    )


def _fleet_commands(sub: argparse._SubParsersAction[Parser]) -> None:
    top = _command(
        sub,
        "fleet",
        "plan, apply and check drift of one baseline on many tenants",
        "One baseline, per-tenant overlays and typed variables, many tenants (a Fleet file, "
        "see docs/fleet.md): one exit code for the whole fleet, a tenant that fails never "
        "stops the others.",
        "  reconciler fleet validate fleet.yaml\n  reconciler fleet plan fleet.yaml --out "
        "plans\n  reconciler fleet apply plans --ring pilot\n  reconciler fleet drift "
        "fleet.yaml --report drift.html",
        exit_codes=FLEET_EXIT_CODES,
    )
    commands = top.add_subparsers(dest="fleet_command", metavar="COMMAND", parser_class=Parser)
    top.set_defaults(func=fleet.usage, fleet_parser=top)

    p = _command(
        commands,
        "validate",
        "check a fleet offline",
        "Check the fleet file and every tenant's manifest set (baseline, overlays, "
        "variables) without Graph; every problem of every tenant in one run.",
        "  reconciler fleet validate fleet.yaml",
        exit_codes=FLEET_EXIT_CODES,
    )
    p.add_argument("fleet", metavar="FLEET", help="the fleet file")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output")
    p.set_defaults(func=fleet.validate)

    p = _command(
        commands,
        "plan",
        "plan every tenant, save one plan each",
        "Plan each tenant (its own credentials, preflight and Graph client) and save its plan "
        "in DIR/tenants/, with DIR/fleet-plan.json as the index. Exit 0: nothing to change; "
        "2: changes; 1: a tenant failed (the others are still planned).",
        "  reconciler fleet plan fleet.yaml --out plans\n  reconciler fleet plan fleet.yaml "
        "--out plans-0 --shard 0/4\n  reconciler fleet plan fleet.yaml --out plans --ring pilot",
        exit_codes=FLEET_EXIT_CODES,
    )
    p.add_argument("fleet", metavar="FLEET", help="the fleet file")
    p.add_argument("--out", required=True, metavar="DIR", help="where plans and the index go")
    _fleet_selection(p)
    _fleet_running(p)
    _graph_options(p)
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects inside the scope")
    _scope_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text", help="json: the index")
    p.set_defaults(func=fleet.plan)

    p = _command(
        commands,
        "apply",
        "apply the saved plans of a fleet",
        "Apply each tenant's saved plan (its tenant check, stale check and lock); a tenant "
        "that fails never stops the others. DIR/fleet-apply.json records each tenant as it "
        "finishes, so running again applies only the tenants not yet done.",
        "  reconciler fleet apply plans --ring pilot\n  reconciler fleet apply plans",
        exit_codes=FLEET_EXIT_CODES,
    )
    p.add_argument("plans", metavar="DIR", help="the folder `reconciler fleet plan --out` wrote")
    _fleet_selection(p, shard=False)
    _fleet_running(p)
    _graph_options(p)
    p.add_argument("--state-dir", default=".reconciler", help="backups and audit logs, per tenant")
    p.add_argument(
        "--write-rate",
        type=float,
        metavar="PER_SECOND",
        help="pace each tenant's writes at this rate instead of --budget's share of the "
        "documented limit (Intune: 100 writes per 20 s per app per tenant; 0 = unpaced)",
    )
    p.add_argument(
        "--lock-timeout",
        default="0",
        metavar="DURATION",
        help="wait this long for another apply to a tenant to finish (e.g. 30s, 5m)",
    )
    p.add_argument("--format", choices=["text", "json"], default="text", help="json: the record")
    p.set_defaults(func=fleet.apply)

    p = _command(
        commands,
        "drift",
        "report where each tenant differs from its manifests",
        "Check each tenant for drift; one exit code for the fleet (0 none, 2 drift, 1 a "
        "tenant failed). Reports hold every tenant: JUnit one suite each, SARIF results "
        "naming the tenant, HTML tenants by ring.",
        "  reconciler fleet drift fleet.yaml --report drift.html --report junit.xml\n"
        "  reconciler fleet drift fleet.yaml --shard 2/10 --out drift-2",
        exit_codes=FLEET_EXIT_CODES,
    )
    p.add_argument("fleet", metavar="FLEET", help="the fleet file")
    _fleet_selection(p)
    _fleet_running(p)
    _graph_options(p)
    _scope_option(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="keep the index and each tenant's report here (for `fleet merge`)",
    )
    p.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="also write a report; format from the extension: .json .md .xml (JUnit) .sarif "
        ".txt .html (repeatable)",
    )
    p.add_argument("--format", choices=drift.FORMATS, default="text", help="standard output")
    p.add_argument(
        "--fail-on",
        default="drifted,missing,unmanaged",
        metavar="FINDINGS",
        help="which findings count as drift, comma-separated: drifted, missing, unmanaged",
    )
    _color(p)
    p.set_defaults(func=fleet.drift)

    p = _command(
        commands,
        "merge",
        "join the outputs of shards",
        "Join the folders of the shards of one run (fleet plan or fleet drift) into one index "
        "and report; missing shards are named and exit 1.",
        "  reconciler fleet merge drift-0 drift-1 drift-2 --out drift --report drift/fleet.html",
        exit_codes=FLEET_EXIT_CODES,
    )
    p.add_argument("folders", nargs="+", metavar="DIR", help="the shards' --out folders")
    p.add_argument("--out", required=True, metavar="DIR", help="the merged folder")
    p.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="with drift shards: also write a report (format from the extension)",
    )
    p.add_argument("--format", choices=["text", "json"], default="text", help="output")
    p.set_defaults(func=fleet.merge)


def build_parser() -> Parser:
    parser = Parser(
        prog="reconciler",
        description="Configuration-as-code for Microsoft 365 Apps (Office) client policy over "
        "Microsoft Graph: validate manifests, plan the minimal changes, apply exactly that "
        "plan, and report drift.",
        epilog="examples:\n  reconciler validate manifests\n  reconciler plan manifests --out "
        "plan.json\n  reconciler apply plan.json\n  reconciler drift manifests --report "
        f"drift.xml\n\n{EXIT_CODES}",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = _command(
        sub,
        "validate",
        "validate manifests offline",
        "Check a manifest set without Graph: every problem of every file in one run, each "
        "as file:line:column. The tenant's setting catalog is not checked (plan and drift do).",
        "  reconciler validate manifests\n  reconciler validate manifests --format github",
    )
    _paths(p)
    p.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text; json (one document); github (workflow annotations ::error file=...)",
    )
    p.set_defaults(func=validate.run)

    p = _command(
        sub,
        "plan",
        "show the changes that would make the tenant match",
        "Read the tenant, compare it with the manifests and show the minimal writes. Nothing "
        "is written; save the plan with --out and apply exactly it with `reconciler apply`.",
        "  reconciler plan manifests\n  reconciler plan manifests --out plan.json "
        "--detailed-exitcode\n  reconciler plan manifests --target "
        "SettingsCatalogPolicy/office-macros",
    )
    _paths(p)
    _graph_options(p)
    p.add_argument("--out", metavar="FILE", help="save the plan for `reconciler apply FILE`")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text", help="output")
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
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="plan only this resource and what it needs (repeatable); the plan is partial",
    )
    _cache_options(p, refresh=False)
    _full_diff(p)
    _color(p)
    p.set_defaults(func=plan.run)

    p = _command(
        sub,
        "show",
        "show a saved plan",
        "Render a saved plan (what the approval step of a pipeline shows), without Graph.",
        "  reconciler show plan.json\n  reconciler show plan.json --format markdown\n"
        "  reconciler show plan.json --format html > plan.html\n  reconciler show plans/",
    )
    p.add_argument(
        "plan",
        metavar="PLANFILE",
        help="a plan saved by `reconciler plan --out`, or the folder `reconciler fleet plan --out` wrote (every tenant's plan)",
    )
    p.add_argument(
        "--format",
        choices=["text", "json", "markdown", "html"],
        default="text",
        help="output (html: one self-contained page)",
    )
    _full_diff(p)
    _color(p)
    p.set_defaults(func=show.run)

    p = _command(
        sub,
        "apply",
        "apply a saved plan, or plan and apply manifests",
        "With a saved plan: check it was made for this Graph and tenant and is still true, "
        "then carry out its writes and nothing else. With manifests: plan, show, ask, apply.",
        "  reconciler apply plan.json\n  reconciler apply manifests --auto-approve\n  "
        "reconciler apply plan.json --lock-timeout 5m --format json",
    )
    _paths(p, "a saved plan, or manifest files or directories")
    _graph_options(p)
    p.add_argument("--prune", action="store_true", help="delete unmanaged objects inside the scope")
    _scope_option(p)
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="with manifests: plan and apply only this resource and what it needs "
        "(repeatable); not with a saved plan, which already says what it changes",
    )
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument("--audit-log", metavar="FILE", help="default: STATE_DIR/audit.jsonl")
    p.add_argument("--state-dir", default=".reconciler", help="backups and audit log live here")
    p.add_argument(
        "--write-rate",
        type=float,
        metavar="PER_SECOND",
        help="pace writes at this rate instead of --budget's share of the documented limit "
        "(Intune: 100 writes per 20 s per app; default 0.7 x 5 = 3.5/s; 0 = unpaced)",
    )
    p.add_argument(
        "--lock-timeout",
        default="0",
        metavar="DURATION",
        help="wait this long for another apply to the same tenant to finish (e.g. 30s, 5m; "
        "0: fail at once)",
    )
    p.add_argument(
        "--format", choices=["text", "json"], default="text", help="json: the outcome of every step"
    )
    _color(p)
    p.set_defaults(func=apply.run)

    p = _command(
        sub,
        "drift",
        "report where the tenant differs from the manifests",
        "Read the tenant and report every declared field that differs, every resource with "
        "no live object, and every unmanaged object inside the set's scope.",
        "  reconciler drift manifests\n  reconciler drift manifests --report drift.xml "
        "--report drift.sarif\n  reconciler drift manifests --fail-on drifted,missing",
    )
    _paths(p)
    _graph_options(p)
    p.add_argument("--format", choices=drift.FORMATS, default="text", help="standard output")
    _scope_option(p)
    p.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FILE",
        help="also write a report; format from the extension: .json .md .xml (JUnit) .sarif .txt "
        ".html (repeatable)",
    )
    p.add_argument(
        "--fail-on",
        default="drifted,missing,unmanaged",
        metavar="FINDINGS",
        help="which findings exit 2, comma-separated: drifted, missing, unmanaged",
    )
    _cache_options(p, refresh=True)
    _color(p)
    p.set_defaults(func=drift.run)

    p = _command(
        sub,
        "export",
        "write the live tenant as a manifest set",
        "Write every live object of the chosen kinds as manifests (ids pinned), with payloads "
        "and settings as pretty JSON files; or, with --update-ids, re-pin an existing set.",
        "  reconciler export --out exported\n  reconciler export --kind SettingsCatalogPolicy\n"
        "  reconciler export --update-ids manifests",
    )
    _graph_options(p)
    p.add_argument("--out", default=".", metavar="DIR", help="directory to write")
    p.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only this kind (repeatable)"
    )
    p.add_argument("--force", action="store_true", help="overwrite files that differ")
    p.add_argument(
        "--update-ids",
        metavar="DIR",
        help="re-pin the manifests in DIR to this tenant: set each metadata.id to the live "
        "object it matches, editing nothing else (comments are kept)",
    )
    p.set_defaults(func=export.run)

    p = _command(
        sub,
        "catalog",
        "search the tenant's setting catalogs",
        "Find setting definitions in the tenant's catalogs (Administrative Templates "
        "definitions by name; the Settings Catalog by name, id or description) and print each "
        "as a manifest entry ready to paste, with its presentations or options and their "
        "allowed values.",
        "  reconciler catalog search 'VBA Macro'\n  reconciler catalog search macro --kind "
        "AdministrativeTemplatePolicy",
    )
    p.add_argument("action", choices=catalog.ACTIONS, help="what to do: search")
    p.add_argument("text", metavar="TEXT", help="the text to look for (case does not matter)")
    p.add_argument(
        "--kind", action="append", default=[], metavar="KIND", help="only this kind (repeatable)"
    )
    _graph_options(p)
    p.set_defaults(func=catalog.run)

    p = _command(
        sub,
        "schema",
        "print a JSON Schema",
        "Print the JSON Schema of manifests (for editors), of plans, or of drift reports.",
        "  reconciler schema > manifests/reconciler.schema.json\n  reconciler schema --plan",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--plan", action="store_true", help="the saved plan's schema")
    which.add_argument("--drift", action="store_true", help="the drift report's schema")
    p.set_defaults(func=schema.run)

    p = _command(
        sub,
        "force-unlock",
        "release a tenant's apply lock",
        "Remove the lock an apply left, by the id its error message gives. A lock held by a "
        "running process is released by the operating system when it ends.",
        "  reconciler force-unlock 3f2b9c1e",
    )
    p.add_argument("lock_id", metavar="LOCK_ID", help="the lock id an apply's error names")
    p.set_defaults(func=force_unlock.run)

    p = _command(
        sub,
        "completion",
        "print a shell completion script",
        "Print a completion script for bash, zsh or powershell, made from this parser.",
        "  reconciler completion bash > ~/.local/share/bash-completion/completions/reconciler"
        "\n  reconciler completion powershell >> $PROFILE",
    )
    p.add_argument("shell", choices=["bash", "zsh", "powershell", "fish"], help="the shell")
    p.set_defaults(func=completion.run)

    _fleet_commands(sub)

    p = sub.add_parser("emulator", help="run the local Graph emulator", add_help=False)
    p.add_argument("emulator_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=emulator.run)
    return parser
