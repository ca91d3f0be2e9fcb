"""`reconciler fleet validate|plan|apply|drift|merge`: one baseline on many tenants.

Each tenant is worked on as a single `plan`, `apply` or `drift` would be (the same
`planning.make_plan`, `executor.apply_plan`, lock and reports), with its own credentials
and preflight (`fleet.preflight`), its own Graph client and buckets, and the fleet-wide
cap (`fleet.budget`) over all of them. A tenant that fails is named with its reason and
the others go on; the fleet has one exit code: 0 nothing to change (or all applied), 2
changes or drift, 1 any tenant failed. Folders and files: `fleet.index`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.cli import planning
from reconciler.cli.exits import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from reconciler.errors import ConfigError, ManifestError, ManifestIssue

if TYPE_CHECKING:
    from reconciler.fetch.auth.clouds import Endpoints
    from reconciler.fetch.auth.credentials import AuthMode
    from reconciler.fetch.client import GraphClient
    from reconciler.fleet.budget import FleetCap
    from reconciler.fleet.preflight import TenantConnection
    from reconciler.fleet.run import Outcome, Stop
    from reconciler.fleet.selection import Shard
    from reconciler.fleet.spec import Fleet, Tenant


def usage(args: argparse.Namespace) -> int:
    args.fleet_parser.print_help(sys.stderr)
    return EXIT_ERROR


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def _problems(outcomes: Sequence[Outcome[Any]]) -> None:
    """Each failed tenant on one line with its reason, then the located problems of the
    manifests, each once however many tenants share it."""
    shared: dict[str, list[str]] = {}
    for outcome in outcomes:
        failed = outcome.failed
        if failed is None:
            continue
        # a located problem is shown once, below, at its file:line:col
        said = "see below" if failed.message in failed.details else failed.message
        _say(f"error: tenant {outcome.tenant.name} failed ({failed.reason}): {said}")
        if failed.hint:
            _say(f"hint: {failed.hint}")
        for line in failed.details:
            shared.setdefault(line, []).append(outcome.tenant.name)
    for line, names in shared.items():
        _say(f"error: {line}" + (f" (tenants {', '.join(names)})" if len(names) > 1 else ""))


# -- loading ---------------------------------------------------------------------------------


def _fleet(path: str) -> Fleet:
    from reconciler.fleet.spec import load_fleet

    return load_fleet(path)


def _shard(args: argparse.Namespace) -> Shard | None:
    from reconciler.fleet.selection import parse_shard

    text = getattr(args, "shard", None)
    return parse_shard(text) if text else None


def _scope(args: argparse.Namespace) -> tuple[str, ...]:
    return planning.checked_scope(args.scope)


# -- validate --------------------------------------------------------------------------------


def validate(args: argparse.Namespace) -> int:
    from reconciler.fleet.sets import tenant_set

    fleet = _fleet(args.fleet)
    issues: dict[ManifestIssue, list[str]] = {}
    sizes: dict[str, int] = {}
    for tenant in fleet.tenants:
        try:
            sizes[tenant.name] = len(tenant_set(fleet, tenant).desired.resources)
        except ManifestError as error:
            for issue in error.issues:
                issues.setdefault(issue, []).append(tenant.name)
    if args.format == "json":
        document = {
            "fleet": fleet.name,
            "valid": not issues,
            "tenants": [
                {"name": t.name, "tenant_id": t.tenant_id, "ring": t.ring, "resources": sizes.get(t.name)}
                for t in fleet.tenants
            ],
            "issues": [
                {"file": i.file, "line": i.line, "column": i.column, "path": i.path,
                 "message": i.message, "tenants": names}
                for i, names in issues.items()
            ],
        }  # fmt: skip
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_ERROR if issues else EXIT_OK
    if issues:
        everyone = len(fleet.tenants) > 1
        for issue, names in issues.items():
            named = len(names) == 1 and f"tenant {names[0]}" in issue.message
            who = (
                ""
                if (len(names) == len(fleet.tenants) and everyone) or named
                else f" (tenant{'s' if len(names) > 1 else ''} {', '.join(names)})"
            )
            print(f"error: {issue}{who}", file=sys.stderr)
        failing = sorted({n for names in issues.values() for n in names})
        print(
            f"error: {len(issues)} error(s) in the manifests of {len(failing)} tenant(s): "
            f"{', '.join(failing)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    rows = [(t.name, t.ring or "-", sizes[t.name]) for t in fleet.tenants]
    print("\n".join(_table(("tenant", "ring", "resources"), rows)))
    print(
        f"Fleet {fleet.name}: the fleet file and the manifests of {len(fleet.tenants)} tenant(s) are valid."
    )
    return EXIT_OK


# -- what plan, apply and drift share ------------------------------------------------------


@dataclass
class _Run:
    """One fleet run's connection settings, cap and stop switch."""

    endpoints: Endpoints
    mode: AuthMode
    loopback: bool
    cap: FleetCap
    stop: Stop
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    args: argparse.Namespace = field(default_factory=argparse.Namespace)  # pacing options

    def connect(self, tenant: Tenant, needs: Sequence[str]) -> TenantConnection:
        from reconciler.fleet import preflight

        return preflight.connect(
            tenant,
            mode=self.mode,
            endpoints=self.endpoints,
            environ=self.environ,
            loopback=self.loopback,
            needs=needs,
        )

    def client(self, connection: TenantConnection, tenant: Tenant) -> GraphClient:
        """The tenant's own client (its own buckets, paced by --budget, --write-rate and
        --max-wait as a single tenant's is), drawing on the fleet's cap."""
        from reconciler.cli.connect import paced_client

        where = connection.connection
        auth = self.cap.wrap(where.auth)
        return paced_client(self.args, where.endpoints.graph_url, auth, label=tenant.name)

    @contextlib.contextmanager
    def working(self, client: GraphClient, control: Any = None) -> Iterator[GraphClient]:
        self.stop.enter(client, control)
        try:
            yield client
        finally:
            self.stop.leave(client)


def _run(args: argparse.Namespace, *, shards: int) -> _Run:
    from reconciler.cli.connect import endpoints
    from reconciler.fetch.auth.credentials import AuthMode
    from reconciler.fetch.urls import Origin, is_loopback
    from reconciler.fleet.budget import DEFAULT_BUDGET, FleetCap, fleet_rate, tenant_rate
    from reconciler.fleet.run import Stop

    if args.concurrency < 1:
        raise ConfigError(f"--concurrency {args.concurrency}: at least 1")
    where = endpoints(args)
    origin = Origin.of(where.graph_url)
    try:
        mode = AuthMode(args.auth)
    except ValueError:
        choices = ", ".join(m.value for m in AuthMode)
        raise ConfigError(
            f"--auth {args.auth}: unknown mode", hint=f"Use one of: {choices}."
        ) from None
    budget = args.budget if args.budget is not None else DEFAULT_BUDGET
    if not 0 < budget <= 1:
        raise ConfigError(
            f"--budget {budget:g}: a share of Graph's limits, more than 0 and at most 1",
            hint="0.7 (the default) leaves 30% for the portal and other tools.",
        )
    rate = args.max_rate if args.max_rate is not None else fleet_rate(budget=budget, shards=shards)
    if rate <= 0:
        raise ConfigError(f"--max-rate {args.max_rate:g}: must be more than 0")
    return _Run(
        endpoints=where,
        mode=mode,
        loopback=origin is not None and is_loopback(origin.host),
        cap=FleetCap(rate, tenant_rate=tenant_rate(budget=budget)),
        stop=Stop(),
        args=args,
    )


@contextlib.contextmanager
def _signals(run: _Run) -> Iterator[None]:
    """First SIGINT/SIGTERM: no new tenant starts, the running ones send nothing new and
    finish; the second: writes in flight are recorded as unknown, and the process exits."""
    from reconciler.cli import interrupts

    def first(name: str) -> None:
        run.stop.stop()
        run.cap.stop()
        interrupts._say(
            f"\n{name}: stopping; no new tenant starts, nothing new is sent (send it again "
            "to abort at once)\n"
        )

    def second(name: str) -> None:
        flying = run.stop.abort()
        interrupts._say(
            f"{name} again: aborted. {flying} write(s) were in flight; their outcome is "
            "unknown (recorded in the audit logs).\n"
        )

    with interrupts.on_signals(first, second):
        yield


def _selected(args: argparse.Namespace, fleet: Fleet) -> tuple[list[Tenant], Shard | None]:
    from reconciler.fleet.selection import select

    shard = _shard(args)
    chosen = select(fleet, names=args.tenant, ring=args.ring, shard=shard)
    if not chosen:
        raise ConfigError(
            "no tenant of the fleet is selected"
            + (f" (shard {shard} holds none of them)" if shard else ""),
        )
    return chosen, shard


def _work(
    run: _Run,
    tenants: Sequence[Tenant],
    work: Callable[[Tenant], dict[str, Any]],
    *,
    concurrency: int,
    done: Callable[[Outcome[dict[str, Any]]], str],
) -> list[Outcome[dict[str, Any]]]:
    """Each tenant's `work`, side by side; as each ends, `done` records it and says how it
    went, shown as a `[n/N] name: ...` progress line."""
    from reconciler.fleet.run import run_tenants

    finished = 0

    def on_done(outcome: Outcome[dict[str, Any]]) -> None:
        nonlocal finished
        finished += 1
        _say(f"[{finished}/{len(tenants)}] {outcome.tenant.name}: {done(outcome)}")

    with _signals(run):
        return run_tenants(tenants, work, concurrency=concurrency, stop=run.stop, on_done=on_done)


def _entry(tenant: Tenant, run: _Run, outcome: Outcome[dict[str, Any]]) -> dict[str, Any]:
    """A tenant's line of an index: who, where, and either the result or why it failed."""
    from reconciler.fetch.urls import normalise_base_url

    base: dict[str, Any] = {
        "name": tenant.name,
        "tenant_id": tenant.tenant_id,
        "ring": tenant.ring,
        "position": tenant.position,
        "graph_url": normalise_base_url(run.endpoints.graph_url),
        "environment": dict(tenant.environment),
    }
    if outcome.failed is not None:
        return {
            **base,
            "status": "failed",
            "reason": outcome.failed.reason.value,
            "message": outcome.failed.message,
            "hint": outcome.failed.hint,
            "details": list(outcome.failed.details),
            "summary": None,
        }
    return {
        **base,
        **(outcome.result or {}),
        "reason": None,
        "message": "",
        "hint": "",
        "details": [],
    }


def _tenant_set(fleet: Fleet, tenant: Tenant, scope: tuple[str, ...]) -> Any:
    from reconciler.fleet.sets import tenant_set

    found = tenant_set(fleet, tenant)
    return dataclasses.replace(found, desired=planning.with_scope(found.desired, scope))


def _with_groups(
    fleet: Fleet, tenant: Tenant, found: Any, client: GraphClient, scope: tuple[str, ...]
) -> Any:
    from reconciler.fleet.sets import with_groups

    if not found.groups:
        return found
    resolved = with_groups(fleet, tenant, found, client)  # built anew: --scope again
    return dataclasses.replace(resolved, desired=planning.with_scope(resolved.desired, scope))


def _reads(found: Any) -> list[str]:
    from reconciler.fetch.auth import permissions

    return [permissions.READ, *([permissions.GROUPS] if found.groups else [])]


def _header(kind: str, fleet: Fleet, run: _Run, shard: Shard | None) -> dict[str, Any]:
    from reconciler.fetch.urls import normalise_base_url
    from reconciler.fleet import index

    return index.header(
        kind,
        fleet=fleet.name,
        fleet_file=fleet.file,
        digest=fleet.digest,
        at=_now(),
        graph_url=normalise_base_url(run.endpoints.graph_url),
        shard={"index": shard.index, "count": shard.count} if shard else None,
    )


def _start_line(
    verb: str,
    fleet: Fleet,
    tenants: Sequence[Tenant],
    run: _Run,
    concurrency: int,
    shard: Shard | None,
) -> None:
    of = f" of {len(fleet.tenants)}" if len(tenants) != len(fleet.tenants) else ""
    where = f", shard {shard}" if shard else ""
    _say(
        f"Fleet {fleet.name}: {verb} {len(tenants)} tenant(s){of}{where}, "
        f"{min(concurrency, len(tenants))} at a time, at most {run.cap.rate:g} requests/s "
        f"together and {run.cap.tenant_rate:g} per tenant."
    )


# -- plan ----------------------------------------------------------------------------------


def plan(args: argparse.Namespace) -> int:
    from reconciler import planfile
    from reconciler.files import check_writable
    from reconciler.fleet import index
    from reconciler.report import plan_formats
    from reconciler.values.canonical import sha256_json

    fleet = _fleet(args.fleet)
    tenants, shard = _selected(args, fleet)
    scope = _scope(args)
    out = Path(args.out)
    check_writable(out / index.TENANTS, directory=True)
    run = _run(args, shards=shard.count if shard else 1)
    options = argparse.Namespace(prune=args.prune, replace=(), target=())
    _start_line("planning", fleet, tenants, run, args.concurrency, shard)

    def work(tenant: Tenant) -> dict[str, Any]:
        found = _tenant_set(fleet, tenant, scope)
        connection = run.connect(tenant, _reads(found))
        with closing(run.client(connection, tenant)) as client, run.working(client):
            found = _with_groups(fleet, tenant, found, client, scope)
            made = planning.make_plan(options, client, connection.tenant_id, found.desired)
        relative = index.plan_path(tenant.name)
        planfile.save(made, out / relative)
        body = plan_formats.plan_json(made)
        return {
            "status": "no-changes" if made.is_empty else "changes",
            "plan": relative,
            "checksum": sha256_json(made.to_json_dict()),
            "summary": {**body["summary"], "writes": body["cost"]["writes"]},
        }

    def done(outcome: Outcome[dict[str, Any]]) -> str:
        if outcome.failed is not None:
            return f"failed ({outcome.failed.reason})"
        assert outcome.result is not None
        s = outcome.result["summary"]
        if outcome.result["status"] == "no-changes":
            return "no changes"
        return f"{s['create']} to create, {s['update']} to update, {s['delete']} to delete"

    outcomes = _work(run, tenants, work, concurrency=args.concurrency, done=done)
    entries = [_entry(o.tenant, run, o) for o in outcomes]
    document = {
        **_header(index.PLAN_KIND, fleet, run, shard),
        "summary": index.plan_summary(entries),
        "tenants": entries,
    }
    index.write(out / index.PLAN_INDEX, document)
    if args.format == "json":
        print(index.dumps(document), end="")
    else:
        print("\n".join(_plan_table(entries)))
    _problems(outcomes)
    summary = document["summary"]
    failed = [e["name"] for e in entries if e["status"] == "failed"]
    _say(
        f"Fleet plan: {summary['changes']} tenant(s) with changes, {summary['no_changes']} "
        f"without, {summary['failed']} failed{' (' + ', '.join(failed) + ')' if failed else ''}. "
        f"Saved to {out}; apply with: reconciler fleet apply {out}"
    )
    if failed:
        return EXIT_ERROR
    return EXIT_CHANGES if summary["changes"] else EXIT_OK


def _plan_table(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = []
    for entry in entries:
        s = entry.get("summary") or {}
        status = entry["status"] if entry["status"] != "failed" else f"failed ({entry['reason']})"
        rows.append(
            (entry["name"], entry["ring"] or "-", status.replace("-", " "),
             s.get("create", "-"), s.get("update", "-"), s.get("delete", "-"))
        )  # fmt: skip
    return _table(("tenant", "ring", "result", "create", "update", "delete"), rows)


# -- apply ---------------------------------------------------------------------------------


def _tenant_of(entry: Mapping[str, Any], where: str) -> Tenant:
    from reconciler.fleet.spec import Tenant

    return Tenant(
        name=entry["name"],
        tenant_id=entry["tenant_id"],
        ring=entry.get("ring"),
        overlays=(),
        exclude=(),
        values={},
        environment=dict(entry.get("environment") or {}),
        position=int(entry["position"]),
        where=where,
    )


def apply(args: argparse.Namespace) -> int:
    from reconciler import planfile
    from reconciler.apply import executor, lock
    from reconciler.apply.audit import AuditLog
    from reconciler.cli.commands import apply as apply_command
    from reconciler.fetch.auth import permissions
    from reconciler.fetch.urls import normalise_base_url
    from reconciler.files import check_writable
    from reconciler.fleet import index
    from reconciler.fleet.preflight import Reason, TenantFailure
    from reconciler.values.canonical import sha256_json

    folder = Path(args.plans)
    document = index.read(folder / index.PLAN_INDEX, index.PLAN_KIND)
    shard = document.get("shard")
    timeout = lock.parse_duration(args.lock_timeout)
    run = _run(args, shards=shard["count"] if shard else 1)
    where = str(folder / index.PLAN_INDEX)
    entries = {e["name"]: e for e in document["tenants"]}
    wanted = {n.casefold() for n in args.tenant}
    for name in args.tenant:
        if name.casefold() not in {e.casefold() for e in entries}:
            raise ConfigError(f"--tenant {name}: no such tenant in {where}")
    if args.ring is not None and args.ring not in {e.get("ring") for e in entries.values()}:
        raise ConfigError(f"--ring {args.ring}: no tenant of {where} is in it")
    chosen = [
        _tenant_of(e, where)
        for e in index.ordered(entries.values())
        if (not wanted or e["name"].casefold() in wanted)
        and (args.ring is None or e.get("ring") == args.ring)
    ]
    state = Path(args.state_dir)
    check_writable(folder / index.APPLY_RECORD)
    for tenant in chosen:
        check_writable(state / "fleet" / tenant.name / "backups", directory=True)
    record = index.ApplyRecord(folder, document)
    graph_url = normalise_base_url(run.endpoints.graph_url)
    _say(
        f"Fleet {document['fleet']}: applying {len(chosen)} tenant(s) from {folder}, "
        f"{min(args.concurrency, len(chosen))} at a time, at most {run.cap.rate:g} requests/s "
        f"together and {run.cap.tenant_rate:g} per tenant."
    )

    def work(tenant: Tenant) -> dict[str, Any]:
        entry = entries[tenant.name]
        if entry["status"] == "failed":
            raise TenantFailure(
                Reason.PLAN,
                f"tenant {tenant.name} has no plan: its planning failed ({entry['reason']})",
            )
        already = record.done(tenant.name, entry["checksum"])
        if already is not None:
            return {**already, "skipped": True}
        saved = planfile.load(folder / entry["plan"])
        if sha256_json(saved.to_json_dict()) != entry["checksum"]:
            raise TenantFailure(
                Reason.PLAN,
                f"{entry['plan']} is not the plan {index.PLAN_INDEX} names (its checksum differs)",
            )
        if saved.tenant_id != tenant.tenant_id:
            raise TenantFailure(
                Reason.TENANT,
                f"{entry['plan']} is for tenant {saved.tenant_id}, not {tenant.tenant_id}",
            )
        apply_command.check_graph(saved, graph_url)
        connection = run.connect(
            tenant, [permissions.READ if saved.is_empty else permissions.WRITE]
        )
        control = executor.ApplyControl()
        home = state / "fleet" / tenant.name
        audit = AuditLog(home / "audit.jsonl")
        with (
            lock.tenant_lock(
                run.endpoints.graph_url, tenant.tenant_id, timeout=timeout, command="fleet apply"
            ),
            closing(run.client(connection, tenant)) as client,
            run.working(client, control),
        ):
            result = executor.apply_plan(
                saved,
                client,
                backup_root=home / "backups",
                audit=audit,
                now=datetime.now(UTC),
                control=control,
            )
        counts = apply_command.step_counts(result)
        status = "no-changes" if saved.is_empty else ("applied" if result.ok else "incomplete")
        detail = ""
        if not result.ok:
            detail = result.stopped or ("interrupted" if result.interrupted else "")
            detail = (
                detail
                or "; ".join(
                    f"{o.step.id}: {o.detail}"
                    for o in result.outcomes
                    if o.state == executor.StepState.FAILED
                )[:400]
            )
            detail = detail or "; ".join(f"not confirmed: {u}" for u in result.unconfirmed)[:400]
        return {
            "status": status,
            "plan_checksum": entry["checksum"],
            **counts,
            "backup": str(result.backup_dir) if result.backup_dir else None,
            "audit_log": str(audit.path),
            "detail": detail,
            "finished_at": _now(),
        }

    def done(outcome: Outcome[dict[str, Any]]) -> str:
        name = outcome.tenant.name
        result = outcome.result or {}
        if outcome.failed is not None:
            record.record(name, {
                "status": "failed", "reason": outcome.failed.reason.value,
                "message": outcome.failed.message, "plan_checksum": entries[name].get("checksum"),
                "finished_at": _now(),
            })  # fmt: skip
            return f"failed ({outcome.failed.reason})"
        if result.get("skipped"):
            return "already applied (fleet-apply.json)"
        record.record(name, result)
        if result["status"] == "incomplete":
            return f"incomplete: {result['detail']}"
        return f"{result['status'].replace('-', ' ')}, {result['applied']} write(s)"

    outcomes = _work(run, chosen, work, concurrency=args.concurrency, done=done)
    rows = []
    failing = []
    for outcome in outcomes:
        result = outcome.result or {}
        if outcome.failed is not None:
            status = f"failed ({outcome.failed.reason})"
            failing.append(outcome.tenant.name)
        else:
            status = result["status"].replace("-", " ") + (
                " (earlier run)" if result.get("skipped") else ""
            )
            if result["status"] == "incomplete":
                failing.append(outcome.tenant.name)
        rows.append((outcome.tenant.name, outcome.tenant.ring or "-", status, result.get("applied", "-"),
                     result.get("failed", "-"), result.get("not_attempted", "-")))  # fmt: skip
    if args.format == "json":
        print(index.dumps(record.document), end="")
    else:
        print(
            "\n".join(
                _table(("tenant", "ring", "result", "applied", "failed", "not attempted"), rows)
            )
        )
    _problems(outcomes)
    for outcome in outcomes:
        if outcome.result and outcome.result.get("status") == "incomplete":
            _say(
                f"error: tenant {outcome.tenant.name}: apply incomplete: {outcome.result['detail']}"
            )
    done_count = len(outcomes) - len(failing)
    # A tenant without a usable plan (planning failed, or the tenant moved on) needs a new
    # plan; the others (throttled, locked, interrupted, a failed write) can be retried.
    replan_reasons = {Reason.PLAN, Reason.STALE, Reason.MANIFESTS, Reason.GROUPS}
    replan = [o.tenant.name for o in outcomes if o.failed and o.failed.reason in replan_reasons]
    retry = [name for name in failing if name not in replan]
    next_steps = [
        *(
            [f"run `reconciler fleet apply {folder}` again to retry {', '.join(retry)}"]
            if retry
            else []
        ),
        *([f"plan {', '.join(replan)} again (`reconciler fleet plan`)"] if replan else []),
    ]
    _say(
        f"Fleet apply: {done_count} tenant(s) done, {len(failing)} not"
        + (f" ({', '.join(failing)}); " + "; ".join(next_steps) if failing else "")
        + f". Record: {record.path}"
    )
    return EXIT_ERROR if failing else EXIT_OK


# -- drift ---------------------------------------------------------------------------------


def drift(args: argparse.Namespace) -> int:
    from reconciler.cli.commands.drift import fail_on, found
    from reconciler.engine import drift as engine
    from reconciler.fetch.tenant import read_tenant
    from reconciler.files import check_writable, write_text_atomic
    from reconciler.fleet import index
    from reconciler.report import drift_formats

    failing = fail_on(args.fail_on)
    targets = [(p, drift_formats.format_for_path(p)) for p in args.report]
    fleet = _fleet(args.fleet)
    tenants, shard = _selected(args, fleet)
    scope = _scope(args)
    for path, _ in targets:
        check_writable(Path(path))
    keep = Path(args.out) if args.out else None
    if keep is not None:
        check_writable(keep / index.TENANTS, directory=True)
    run = _run(args, shards=shard.count if shard else 1)
    _start_line("checking drift of", fleet, tenants, run, args.concurrency, shard)
    with contextlib.ExitStack() as stack:
        out = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fleet-drift-")))
        (out / index.TENANTS).mkdir(parents=True, exist_ok=True)

        def work(tenant: Tenant) -> dict[str, Any]:
            found_set = _tenant_set(fleet, tenant, scope)
            connection = run.connect(tenant, _reads(found_set))
            with closing(run.client(connection, tenant)) as client, run.working(client):
                found_set = _with_groups(fleet, tenant, found_set, client, scope)
                desired = found_set.desired
                desired = planning.resolve_catalog(desired, client)
                live = read_tenant(
                    client,
                    using=desired.kinds(),
                    pinned=desired.pinned(),
                    tenant_id=connection.tenant_id,
                )
            body = engine.drift_json(engine.detect(desired, live, now=datetime.now(UTC)))
            del live  # each tenant's state leaves memory as soon as its report is on disk
            relative = index.drift_path(tenant.name)
            write_text_atomic(out / relative, drift_formats.json_text(body))
            findings = found(body)
            return {
                "status": "drift" if findings & failing else "clean",
                "report": relative,
                "found": sorted(findings),
                "summary": body["summary"],
            }

        def done(outcome: Outcome[dict[str, Any]]) -> str:
            if outcome.failed is not None:
                return f"failed ({outcome.failed.reason})"
            assert outcome.result is not None
            return "drift" if outcome.result["status"] == "drift" else "no drift"

        outcomes = _work(run, tenants, work, concurrency=args.concurrency, done=done)
        entries = [_entry(o.tenant, run, o) for o in outcomes]
        document = {
            **_header(index.DRIFT_KIND, fleet, run, shard),
            "fail_on": sorted(failing),
            "summary": index.drift_summary(entries),
            "tenants": entries,
        }
        index.write(out / index.DRIFT_INDEX, document)
        full = with_reports(document, out)
        code = _publish(full, args.format, targets, color=getattr(args, "color", "auto"))
    _problems(outcomes)
    return code


def with_reports(document: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """The drift index with each tenant's report read back from `folder`."""
    tenants = []
    for tenant in document["tenants"]:
        body = None
        if tenant.get("report"):
            body = json.loads((folder / tenant["report"]).read_text(encoding="utf-8"))
        tenants.append({**tenant, "drift": body})
    return {**document, "tenants": tenants}


def _publish(
    document: dict[str, Any], fmt: str, targets: Sequence[tuple[str, str]], *, color: str = "auto"
) -> int:
    from reconciler.cli import color as colors
    from reconciler.files import write_text_atomic
    from reconciler.report import fleet_formats

    rendered: dict[str, str] = {}

    def render(name: str) -> str:
        if name not in rendered:
            rendered[name] = fleet_formats.render(document, name)
        return rendered[name]

    if fmt == "text":
        print(
            fleet_formats.render(document, "text", color=colors.wanted(color, sys.stdout)), end=""
        )
    else:
        print(render(fmt), end="")
    for path, name in targets:
        write_text_atomic(Path(path), render(name))
        _say(f"Wrote the {name} fleet drift report to {path}.")
    summary = document["summary"]
    if summary["failed"] or document.get("missing_shards"):
        return EXIT_ERROR
    return EXIT_CHANGES if summary["drift"] else EXIT_OK


# -- merge ---------------------------------------------------------------------------------


def merge(args: argparse.Namespace) -> int:
    from reconciler.files import check_writable
    from reconciler.fleet import index
    from reconciler.report import drift_formats

    targets = [(p, drift_formats.format_for_path(p)) for p in args.report]
    out = Path(args.out)
    check_writable(out / index.TENANTS, directory=True)
    merged = index.merge([Path(f) for f in args.folders], out)
    document = merged.document
    for folder in document.get("unfinished_folders", []):
        _say(f"warning: {folder}: no index (that shard did not finish): counted as missing")
    if merged.missing_shards:
        count = len(merged.missing_shards) + len(document["merged_from"])
        _say(
            "error: shards missing: "
            + ", ".join(f"{k}/{count}" for k in merged.missing_shards)
            + "; their tenants are in no report"
        )
    if merged.kind == index.PLAN_KIND:
        if targets:
            raise ConfigError(
                "--report goes with drift shards; show a tenant's plan with `reconciler show`"
            )
        if args.format == "json":
            print(index.dumps(document), end="")
        else:
            print("\n".join(_plan_table(document["tenants"])))
        summary = document["summary"]
        _say(
            f"Merged {len(args.folders)} folder(s) into {out / index.PLAN_INDEX}: {summary['tenants']} tenant(s)."
        )
        if summary["failed"] or merged.missing_shards:
            return EXIT_ERROR
        return EXIT_CHANGES if summary["changes"] else EXIT_OK
    full = with_reports(document, out)
    _say(
        f"Merged {len(args.folders)} folder(s) into {out / index.DRIFT_INDEX}: {document['summary']['tenants']} tenant(s)."
    )
    return _publish(full, "json" if args.format == "json" else "text", targets)


# -- show ----------------------------------------------------------------------------------


def is_fleet_plan(path: Path) -> bool:
    """A folder `fleet plan --out` wrote, or its index file."""
    from reconciler.fleet import index

    return (path / index.PLAN_INDEX).is_file() if path.is_dir() else path.name == index.PLAN_INDEX


def show(path: Path, fmt: str, *, color: str = "auto", full_diff: bool = False) -> int:
    """`reconciler show PLANS`: every tenant's saved plan, one section each, each checked
    against the checksum the index holds (what `fleet apply` will check)."""
    from reconciler import planfile
    from reconciler.cli import color as colors
    from reconciler.errors import PlanFileError
    from reconciler.fleet import index
    from reconciler.report import fleet_formats, plan_formats
    from reconciler.values.canonical import sha256_json

    folder = path if path.is_dir() else path.parent
    document = index.read(folder / index.PLAN_INDEX, index.PLAN_KIND)
    tenants = []
    for entry in document["tenants"]:
        body = None
        if entry["status"] != "failed":
            saved = planfile.load(folder / entry["plan"])
            if sha256_json(saved.to_json_dict()) != entry["checksum"]:
                raise PlanFileError(
                    f"{folder / entry['plan']}: not the plan {index.PLAN_INDEX} names for tenant "
                    f"{entry['name']} (its checksum differs)",
                    hint="Plan the fleet again; never edit a saved plan.",
                )
            body = plan_formats.plan_json(saved)
        tenants.append({**entry, "body": body})
    full = {**document, "tenants": tenants}
    painted = fmt == "text" and colors.wanted(color, sys.stdout)
    print(fleet_formats.render_plan(full, fmt, color=painted, full_diff=full_diff), end="")
    return EXIT_OK
