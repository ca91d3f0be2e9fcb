"""`reconciler apply PLANFILE` (that saved plan and nothing else) or `apply PATH...` (plan,
show, confirm, apply)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.cli.connect import connect, endpoints, graph_client, require_permission, tenant_id
from reconciler.cli.exits import EXIT_ERROR, EXIT_OK
from reconciler.cli.planning import load, make_plan, show_plan
from reconciler.errors import ConfigError, StalePlanError
from reconciler.fetch.urls import normalise_base_url

if TYPE_CHECKING:
    from reconciler.apply.executor import ApplyResult
    from reconciler.values.plan import Plan


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


def _report(result: ApplyResult) -> int:
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


def _check_target(plan: Plan, graph_url: str, tenant: str) -> None:
    """A saved plan applies only to the Graph and the tenant it was made for."""
    if plan.graph_url.rstrip("/") != graph_url.rstrip("/"):
        raise StalePlanError(
            f"Saved plan is stale: it was made for {plan.graph_url}, not {graph_url}."
        )
    if plan.tenant_id != tenant:
        raise StalePlanError(
            f"Saved plan is for tenant {plan.tenant_id}, but these credentials reach "
            f"tenant {tenant}; nothing was sent.",
            hint="Apply it with credentials for its own tenant, or run reconciler plan again.",
        )


def _saved_plan(args: argparse.Namespace) -> Plan:
    from reconciler import planfile

    if args.prune:
        raise ConfigError("--prune applies to manifests; a saved plan already says what it deletes")
    return planfile.load(args.paths[0])


def run(args: argparse.Namespace) -> int:
    from reconciler.apply import executor
    from reconciler.apply.audit import AuditLog

    saved = _saved_plan(args) if _is_plan_file(args.paths) else None
    desired = load(args) if saved is None else None
    where = endpoints(args)
    if saved is not None:
        # Checked before any token is asked for, as far as the environment tells the tenant.
        from_environment = os.environ.get("AZURE_TENANT_ID", "").strip().lower()
        _check_target(
            saved, normalise_base_url(where.graph_url), from_environment or saved.tenant_id
        )
    connection = connect(args, where)
    tenant = tenant_id(connection)
    with closing(graph_client(args, connection)) as client:
        if saved is not None:
            plan = saved
            _check_target(plan, client.base_url, tenant)
        else:
            assert desired is not None
            plan = make_plan(args, client, tenant, desired)
            show_plan(plan, "text")
            if plan.is_empty:
                return EXIT_OK
            if not _confirm(args):
                print("Apply cancelled; nothing was changed.")
                return EXIT_ERROR
        require_permission(connection, plan)
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
    return _report(result)
