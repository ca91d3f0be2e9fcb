"""`reconciler apply PLANFILE` (that saved plan and nothing else) or `apply PATH...` (plan,
show, confirm, apply)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from contextlib import closing, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.cli import interrupts, progress
from reconciler.cli.connect import (
    connect,
    endpoints,
    graph_client,
    require_permission,
    tenant_id,
    write_rate,
)
from reconciler.cli.exits import EXIT_ERROR, EXIT_OK
from reconciler.cli.planning import load, make_plan, show_plan
from reconciler.errors import ConfigError, StalePlanError
from reconciler.fetch.urls import normalise_base_url

if TYPE_CHECKING:
    from reconciler.apply.audit import AuditLog
    from reconciler.apply.executor import ApplyResult
    from reconciler.apply.lock import Holder
    from reconciler.values.plan import Plan


def _saved_plan_path(paths: list[str]) -> str | None:
    """`apply FILE` means a saved plan whatever its name (`plan --out tfplan` then `apply
    tfplan`): one file that is not named as a manifest (.yaml, .yml), or is so named but holds
    a JSON object. A directory, several paths or a YAML manifest are manifests."""
    from reconciler import planfile

    if len(paths) != 1:
        return None
    path = paths[0]
    if not os.path.exists(path):
        raise ConfigError(
            f"{path}: no such file or directory",
            hint="Give a plan saved by `reconciler plan --out FILE`, or manifest files "
            "or directories.",
        )
    if not os.path.isfile(path):
        return None
    manifest_name = path.lower().endswith((".yaml", ".yml"))
    return path if not manifest_name or planfile.looks_like_plan(path) else None


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


def _result_json(result: ApplyResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        **step_counts(result),
        "backup": str(result.backup_dir) if result.backup_dir else None,
        "steps": [
            {
                "id": o.step.id,
                "address": o.address,
                "method": o.step.method,
                "path": o.step.path,
                "state": o.state.value,
                "status": o.status,
                "request_id": o.request_id,
                "detail": o.detail,
                "unknown": o.unknown,
            }
            for o in result.outcomes
        ],
        "unconfirmed": list(result.unconfirmed),
        "stopped": result.stopped,
        "interrupted": result.interrupted,
    }


def _report(result: ApplyResult, fmt: str) -> int:
    from reconciler.apply.executor import StepState

    if fmt == "json":
        print(json.dumps(_result_json(result), indent=2, ensure_ascii=False))
    applied = result.count(StepState.APPLIED)
    if result.ok:
        print(
            f"Apply complete: {applied} write(s) applied and confirmed.",
            file=sys.stdout if fmt == "text" else sys.stderr,
        )
        return EXIT_OK
    failed = result.count(StepState.FAILED)
    skipped = result.count(StepState.NOT_ATTEMPTED)
    counts = f"{applied} applied, {failed} failed, {skipped} not attempted"
    if result.interrupted:
        print(f"Apply interrupted: {counts}.", file=sys.stderr)
    elif result.stopped:
        print(
            f"Apply stopped: the tenant changed during the apply: {result.stopped}.",
            file=sys.stderr,
        )
        print(f"  {counts}.", file=sys.stderr)
    else:
        print(f"Apply incomplete: {counts}.", file=sys.stderr)
    for outcome in result.outcomes:
        if outcome.state == StepState.FAILED or (
            outcome.state == StepState.NOT_ATTEMPTED and not (result.interrupted or result.stopped)
        ):
            print(f"  {outcome.state.value}: {outcome.step.id}: {outcome.detail}", file=sys.stderr)
    unknown = [o for o in result.outcomes if o.unknown]
    if unknown:
        print(
            f"  {len(unknown)} write(s) got no answer; they may have landed (audit: unknown).",
            file=sys.stderr,
        )
    for line in result.unconfirmed:
        print(f"  not confirmed: {line}", file=sys.stderr)
    if result.backup_dir is not None:
        print(f"  Backup of the touched objects: {result.backup_dir}", file=sys.stderr)
    if result.stopped:
        hint = (
            "run reconciler plan again to see the tenant as it is now, and review it before "
            "applying: another apply (or an admin) is changing the same policies."
        )
    else:
        hint = "run reconciler plan again; applying its plan finishes the job."
    print(f"hint: {hint}", file=sys.stderr)
    return EXIT_ERROR


def _check_outputs(args: argparse.Namespace) -> AuditLog:
    """The state folder and the audit log are writable, before the tenant is read."""
    from reconciler.apply.audit import AuditLog
    from reconciler.files import check_writable

    state_dir = Path(args.state_dir)
    check_writable(state_dir / "backups", directory=True)
    audit = AuditLog(Path(args.audit_log) if args.audit_log else state_dir / "audit.jsonl")
    audit.check()
    return audit


def check_graph(plan: Plan, graph_url: str) -> None:
    """A saved plan applies only to the Graph it was made for."""
    if plan.graph_url.rstrip("/") != graph_url.rstrip("/"):
        raise StalePlanError(
            f"Saved plan is stale: it was made for {plan.graph_url}, not {graph_url}."
        )


def step_counts(result: ApplyResult) -> dict[str, int]:
    """How many steps were applied, failed and not attempted."""
    from reconciler.apply.executor import StepState

    return {
        "applied": result.count(StepState.APPLIED),
        "failed": result.count(StepState.FAILED),
        "not_attempted": result.count(StepState.NOT_ATTEMPTED),
    }


def _check_target(plan: Plan, graph_url: str, tenant: str) -> None:
    """A saved plan applies only to the Graph and the tenant it was made for."""
    check_graph(plan, graph_url)
    if plan.tenant_id != tenant:
        raise StalePlanError(
            f"Saved plan is for tenant {plan.tenant_id}, but these credentials reach "
            f"tenant {tenant}; nothing was sent.",
            hint="Apply it with credentials for its own tenant, or run reconciler plan again.",
        )


def _saved_plan(args: argparse.Namespace, path: str) -> Plan:
    from reconciler import planfile

    if args.prune:
        raise ConfigError("--prune applies to manifests; a saved plan already says what it deletes")
    if args.target:
        raise ConfigError(
            "--target applies to manifests; a saved plan already says what it changes",
            hint="Make a partial plan with `reconciler plan PATH --target ADDRESS --out FILE`.",
        )
    return planfile.load(path)


def _waiting(holder: Holder | None) -> None:
    who = f" ({holder.describe()})" if holder else ""
    print(f"Waiting for another apply to this tenant to finish{who}...", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from reconciler.apply import executor, lock

    timeout = lock.parse_duration(args.lock_timeout)
    human = sys.stdout if args.format == "text" else sys.stderr
    plan_path = _saved_plan_path(args.paths)
    saved = _saved_plan(args, plan_path) if plan_path else None
    desired = load(args) if saved is None else None
    audit = _check_outputs(args)
    control = executor.ApplyControl()
    where = endpoints(args)
    if saved is not None:
        # Checked before any token is asked for, as far as the environment tells the tenant.
        from_environment = os.environ.get("AZURE_TENANT_ID", "").strip().lower()
        _check_target(
            saved, normalise_base_url(where.graph_url), from_environment or saved.tenant_id
        )
    connection = connect(args, where)
    tenant = tenant_id(connection)
    if not lock.has_os_lock():
        print(
            "warning: this Python has no OS file lock; applies to this tenant from this "
            "machine are not kept apart (the per-round re-checks still run)",
            file=sys.stderr,
        )
    with (
        lock.tenant_lock(
            where.graph_url,
            "" if tenant == "unknown" else tenant,
            timeout=timeout,
            on_wait=_waiting,
        ),
        closing(graph_client(args, connection)) as client,
        interrupts.graceful(client, control),
    ):
        if saved is not None:
            plan = saved
            _check_target(plan, client.base_url, tenant)
        else:
            assert desired is not None
            plan = make_plan(args, client, tenant, desired)
            with redirect_stdout(human):
                show_plan(plan, "text", color=args.color)
            if plan.is_empty:
                if args.format == "json":
                    print(json.dumps({"ok": True, "applied": 0, "steps": []}, indent=2))
                return EXIT_OK
            if not _confirm(args):
                print("Apply cancelled; nothing was changed.", file=human)
                return EXIT_ERROR
        require_permission(connection, plan)
        state_dir = Path(args.state_dir)
        result = executor.apply_plan(
            plan,
            client,
            backup_root=state_dir / "backups",
            audit=audit,
            now=datetime.now(UTC),
            control=control,
            progress=progress.for_apply(len(plan.steps()), write_rate(args)),
            on_backup=lambda d: print(
                f"Backup of the touched objects: {d} (restore: reconciler apply {d} --auto-approve)",
                file=human,
            ),
        )
    if plan.is_empty:
        print("No changes. The tenant matches the manifests.", file=human)
        if args.format == "json":
            print(json.dumps(_result_json(result), indent=2))
        return EXIT_OK
    return _report(result, args.format)
