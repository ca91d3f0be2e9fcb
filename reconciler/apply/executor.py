"""Apply exactly a plan: stale check, backup, paced and batched writes, verification.

The only writes made are the plan's steps. Steps run when every step they wait for has
succeeded; a failed step leaves its dependants "not attempted" while independent steps go on.
Creates are not idempotent in Graph: after an ambiguous failure (5xx, timeout, dropped
connection) the collection is listed again and a new object with the planned displayName is
adopted instead of posting twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from reconciler.apply.audit import AuditLog
from reconciler.engine.staleness import check_fresh, live_object
from reconciler.engine.verification import unconfirmed_changes
from reconciler.errors import GraphError, GraphHTTPError, GraphResponseError
from reconciler.export import manifest_set
from reconciler.fetch.client import BatchRequest, GraphClient, GraphResponse
from reconciler.fetch.tenant import read_tenant
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.live import NON_JSON_KEY, Live, LiveObject
from reconciler.values.plan import Action, Change, Plan, Step, StepKind

_PLACEHOLDER = re.compile(r"\{id:[^}]*\}")
CREATE_ATTEMPTS = 3


class StepState(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True, kw_only=True)
class StepOutcome:
    step: Step
    address: str
    state: StepState
    status: int | None = None
    request_id: str = ""
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class ApplyResult:
    outcomes: tuple[StepOutcome, ...]
    backup_dir: Path | None
    unconfirmed: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(o.state == StepState.APPLIED for o in self.outcomes) and not self.unconfirmed

    def count(self, state: StepState) -> int:
        return sum(1 for o in self.outcomes if o.state == state)


Progress = Callable[[int, int], None]


def stream_bytes(document: Any) -> bytes:
    """The bytes stored for a payload document; None clears the stream."""
    if document is None:
        return b""
    if isinstance(document, dict) and set(document) == {NON_JSON_KEY}:
        import base64

        return base64.b64decode(document[NON_JSON_KEY])
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


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


class StepRunner:
    """Runs the steps of one plan against one client, keeping outcomes and new ids."""

    def __init__(
        self,
        plan: Plan,
        client: GraphClient,
        audit: AuditLog,
        progress: Progress | None,
        kinds: Registry,
    ):
        self.client = client
        self.kinds = kinds
        self.audit = audit
        self.progress = progress
        self.address = {s.id: c.address for c in plan.changes for s in c.steps}
        self.changes = {c.address: c for c in plan.changes}
        self.steps = plan.steps()
        self.outcomes: dict[str, StepOutcome] = {}
        self.created: dict[str, str] = {}  # "{id:<address>}" -> new id

    # -- bookkeeping ------------------------------------------------------------------------

    def _finish(
        self,
        step: Step,
        state: StepState,
        *,
        status: int | None = None,
        request_id: str = "",
        detail: str = "",
    ) -> None:
        outcome = StepOutcome(
            step=step,
            address=self.address[step.id],
            state=state,
            status=status,
            request_id=request_id,
            detail=detail,
        )
        self.outcomes[step.id] = outcome
        if state != StepState.NOT_ATTEMPTED:
            self.audit.record(
                address=outcome.address,
                step=step.id,
                method=step.method,
                path=self._resolve(step.path),
                status=status,
                request_id=request_id,
                outcome=state.value,
            )
        if self.progress:
            self.progress(len(self.outcomes), len(self.steps))

    def _fail(self, step: Step, error: GraphError) -> None:
        status = error.status if isinstance(error, GraphHTTPError) else None
        request_id = error.request_id if isinstance(error, GraphHTTPError) else ""
        self._finish(
            step, StepState.FAILED, status=status, request_id=request_id, detail=str(error)
        )

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: self.created.get(m.group(0), m.group(0)), value)
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve(v) for k, v in value.items()}
        return value

    # -- scheduling -------------------------------------------------------------------------

    def run(self) -> None:
        pending = list(self.steps)
        while pending:
            ready, waiting = [], []
            for step in pending:
                states = [
                    self.outcomes[d].state if d in self.outcomes else None for d in step.after
                ]
                if any(s not in (None, StepState.APPLIED) for s in states):
                    failed = next(
                        d
                        for d in step.after
                        if d in self.outcomes and self.outcomes[d].state != StepState.APPLIED
                    )
                    self._finish(step, StepState.NOT_ATTEMPTED, detail=f"depends on {failed}")
                elif all(s == StepState.APPLIED for s in states):
                    ready.append(step)
                else:
                    waiting.append(step)
            if not ready:
                break
            self._run_creates([s for s in ready if s.kind == StepKind.CREATE])
            self._run_batch([s for s in ready if s.kind != StepKind.CREATE])
            pending = waiting

    # -- creates ----------------------------------------------------------------------------

    def _run_creates(self, steps: list[Step]) -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self._create, steps))

    def _create(self, step: Step) -> None:
        change = self.changes[self.address[step.id]]
        last_error: GraphError | None = None
        for _ in range(CREATE_ATTEMPTS):
            try:
                response = self.client.send("POST", step.path, json=step.body, idempotent=False)
                self._created(step, change, _entity_id(response), response)
                return
            except GraphError as error:
                if not error.maybe_applied:  # a definite refusal: nothing was created
                    self._fail(step, error)
                    return
                last_error = error
                try:
                    adopted = self._find_created(change)  # the POST may have landed anyway
                except GraphError as list_error:
                    self._fail(step, list_error)
                    return
                if adopted is not None:
                    self._created(step, change, adopted, None)
                    return
        assert last_error is not None
        self._fail(step, last_error)

    def _created(
        self, step: Step, change: Change, new_id: str, response: GraphResponse | None
    ) -> None:
        self.created["{id:" + change.address + "}"] = new_id
        self._finish(
            step,
            StepState.APPLIED,
            status=response.status if response else None,
            request_id=response.request_id if response else "",
            detail="" if response else "adopted after an ambiguous failure",
        )

    def _find_created(self, change: Change) -> str | None:
        kind = self.kinds.by_kind(change.kind)
        listed = kind.collection + (f"?{kind.list_query}" if kind.list_query else "")
        found = [
            item["id"]
            for item in self.client.list_all(listed)
            if self.kinds.classify(kind.collection, item) is kind
            and item.get(kind.identity) == change.display_name
        ]
        if len(found) > 1:  # never post a third; the next plan reports the ambiguity
            raise GraphResponseError(
                f"{change.address}: {len(found)} objects named {change.display_name!r} exist"
            )
        return found[0] if found else None

    # -- everything else, batched ------------------------------------------------------------

    def _run_batch(self, steps: list[Step]) -> None:
        if not steps:
            return
        requests = [self._batch_request(step) for step in steps]
        results = self.client.batch(requests)
        for step in steps:
            result = results[step.id]
            if result.error is None or (step.kind == StepKind.DELETE and result.status == 404):
                # a 404 on DELETE: an earlier, interrupted attempt already removed it
                self._finish(
                    step, StepState.APPLIED, status=result.status, request_id=result.request_id
                )
            else:
                self._fail(step, result.error)

    def _batch_request(self, step: Step) -> BatchRequest:
        path = self._resolve(step.path)
        if step.kind == StepKind.PUT_STREAM:
            return BatchRequest(
                id=step.id,
                method=step.method,
                url=path,
                body=stream_bytes(step.body),
                content_type="application/octet-stream",
            )
        body = self._resolve(step.body) if step.body is not None else None
        return BatchRequest(id=step.id, method=step.method, url=path, body=body)


def _entity_id(response: GraphResponse) -> str:
    body = response.body
    if isinstance(body, dict) and isinstance(body.get("value"), dict):
        body = body["value"]
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise GraphResponseError("create succeeded but the response carries no id")
    return str(body["id"])


def apply_plan(
    plan: Plan,
    client: GraphClient,
    *,
    backup_root: Path,
    audit: AuditLog,
    now: datetime,
    progress: Progress | None = None,
    on_backup: Callable[[Path], None] | None = None,
    kinds: Registry = REGISTRY,
) -> ApplyResult:
    """Carry out `plan`. Raises StalePlanError before any write if the tenant moved on."""
    using = kinds_in(plan, kinds)
    live = read_tenant(client, kinds=kinds, using=using)
    check_fresh(plan, live, kinds=kinds)
    if plan.is_empty:
        return ApplyResult(outcomes=(), backup_dir=None, unconfirmed=())
    backup_dir = write_backup(plan, live, backup_root, now, kinds=kinds)
    if backup_dir is not None and on_backup is not None:
        on_backup(backup_dir)
    # Not needed past the backup: the verification read below must not hold two copies of
    # the tenant (tens of MB of payloads each at 5,000 policies).
    del live
    runner = StepRunner(plan, client, audit, progress, kinds)
    runner.run()
    applied = {o.address for o in runner.outcomes.values() if o.state == StepState.APPLIED}
    incomplete = {o.address for o in runner.outcomes.values() if o.state != StepState.APPLIED}
    done = [c for c in plan.changes if c.address in applied and c.address not in incomplete]
    after = read_tenant(client, kinds=kinds, using=using)
    return ApplyResult(
        outcomes=tuple(runner.outcomes[s.id] for s in runner.steps if s.id in runner.outcomes),
        backup_dir=backup_dir,
        unconfirmed=tuple(unconfirmed_changes(done, after, runner.created, kinds=kinds)),
    )
