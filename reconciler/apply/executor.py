"""Apply exactly a plan: stale check, backup, the steps (`runner`), verification.

The only writes made are the plan's steps (and, when another apply created the same policy
at the same moment, the removal of this apply's own copy: see `runner._check_created`).
The start read that checks the plan is fresh also records each touched object as found, for
the re-checks before later rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reconciler.apply import recheck
from reconciler.apply.audit import AuditLog
from reconciler.apply.runner import (
    CREATE_ATTEMPTS,
    Progress,
    StepOutcome,
    StepRunner,
    StepState,
    stream_bytes,
)
from reconciler.engine.staleness import check_fresh, live_object
from reconciler.engine.verification import unconfirmed_changes
from reconciler.errors import NotSentError
from reconciler.export import manifest_set
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_tenant
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Plan

__all__ = [
    "CREATE_ATTEMPTS",
    "ApplyControl",
    "ApplyResult",
    "StepOutcome",
    "StepRunner",
    "StepState",
    "apply_plan",
    "kinds_in",
    "stream_bytes",
    "write_backup",
]


@dataclass
class ApplyControl:
    """What a signal handler reaches: the running steps (to abort them), once they run."""

    runner: StepRunner | None = None


@dataclass(frozen=True, kw_only=True)
class ApplyResult:
    outcomes: tuple[StepOutcome, ...]
    backup_dir: Path | None
    unconfirmed: tuple[str, ...]
    stopped: str = ""  # why the apply stopped early: the tenant changed during it
    interrupted: bool = False  # a signal stopped it

    @property
    def ok(self) -> bool:
        complete = all(o.state == StepState.APPLIED for o in self.outcomes)
        return complete and not self.unconfirmed and not self.stopped and not self.interrupted

    def count(self, state: StepState) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


def kinds_in(plan: Plan, kinds: Registry) -> set[str]:
    """The kinds whose objects a plan touches: those of its changes, and every kind in a
    collection it reorders."""
    names = {c.kind for c in plan.changes if c.kind}
    for change in plan.changes:
        if change.collection:
            names.update(k.kind for k in kinds.at(change.collection))
    return names


def write_backup(
    plan: Plan, live: Live, root: Path, now: datetime, *, kinds: Registry = REGISTRY
) -> Path | None:
    """Save every object the plan touches as a manifest set (ids pinned) under root/<UTC time>."""
    touched: dict[str, LiveObject] = {}
    singleton_fields: list[str] = []
    for change in plan.changes:
        if change.action == Action.REORDER:
            members = {k.kind for k in kinds.at(change.collection or "")}
            for member in live.objects:
                if member.kind in members and member.id:
                    touched.setdefault(member.id, member)
            continue
        obj = live_object(change, live, kinds=kinds)
        if obj is None:
            continue
        if kinds.by_kind(obj.kind).singleton:
            singleton_fields.extend(change.declared)
        touched.setdefault(obj.id or obj.kind, obj)
    if not touched:
        return None
    directory = root / now.strftime("%Y%m%dT%H%M%S%fZ")
    files = manifest_set.manifest_files(
        touched.values(), singleton_fields=singleton_fields, kinds=kinds
    )
    manifest_set.write_files(directory, files)
    return directory


def _orderings(plan: Plan, live: Live, kinds: Registry) -> dict[str, dict[str, Any]]:
    """Each reordered collection's (id -> value) as apply found it."""
    found: dict[str, dict[str, Any]] = {}
    for change in plan.changes:
        style = kinds.ordering_of(change.collection or "")
        if change.action == Action.REORDER and style is not None:
            members = {k.kind for k in kinds.at(change.collection or "")}
            found[change.collection or ""] = {
                o.id.lower(): o.body.get(style.field)
                for o in live.objects
                if o.kind in members and o.id
            }
    return found


def apply_plan(
    plan: Plan,
    client: GraphClient,
    *,
    backup_root: Path,
    audit: AuditLog,
    now: datetime,
    progress: Progress | None = None,
    on_backup: Callable[[Path], None] | None = None,
    control: ApplyControl | None = None,
    kinds: Registry = REGISTRY,
) -> ApplyResult:
    """Carry out `plan`. Raises StalePlanError before any write if the tenant moved on."""
    audit.check()
    using = kinds_in(plan, kinds)
    live = read_tenant(client, kinds=kinds, using=using)
    check_fresh(plan, live, kinds=kinds)
    if plan.is_empty:
        return ApplyResult(outcomes=(), backup_dir=None, unconfirmed=())
    backup_dir = write_backup(plan, live, backup_root, now, kinds=kinds)
    if backup_dir is not None and on_backup is not None:
        on_backup(backup_dir)
    start = recheck.starting_state(plan.changes, live, kinds)
    orderings = _orderings(plan, live, kinds)
    # Not needed past here: the verification read below must not hold two copies of the
    # tenant (tens of MB of payloads each at 5,000 policies).
    del live
    runner = StepRunner(
        plan, client, audit, progress, kinds, start=start, start_orderings=orderings
    )
    if control is not None:
        control.runner = runner
    runner.run()
    outcomes = tuple(runner.outcomes[s.id] for s in runner.steps if s.id in runner.outcomes)
    if runner.interrupted or runner.stopped or client.cancelled:
        # No verification read: an interrupted apply sends nothing more, and a tenant that
        # someone else is changing would not confirm anything.
        return ApplyResult(
            outcomes=outcomes,
            backup_dir=backup_dir,
            unconfirmed=(),
            stopped=runner.stopped,
            interrupted=runner.interrupted or client.cancelled,
        )
    applied = {o.address for o in runner.outcomes.values() if o.state == StepState.APPLIED}
    incomplete = {o.address for o in runner.outcomes.values() if o.state != StepState.APPLIED}
    done = [c for c in plan.changes if c.address in applied and c.address not in incomplete]
    try:
        after = read_tenant(client, kinds=kinds, using=using)
    except NotSentError:
        # A signal during the verification read: every write is done and audited; what is
        # lost is only the confirmation, so the outcomes stand and nothing is "unconfirmed".
        return ApplyResult(
            outcomes=outcomes, backup_dir=backup_dir, unconfirmed=(), interrupted=True
        )
    return ApplyResult(
        outcomes=outcomes,
        backup_dir=backup_dir,
        unconfirmed=tuple(unconfirmed_changes(done, after, runner.created, kinds=kinds)),
    )
