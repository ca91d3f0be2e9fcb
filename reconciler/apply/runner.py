"""Run a plan's steps against one client: rounds, creates, batches, the audit trail.

Steps run in rounds: a round is every step whose prerequisites have all succeeded; a
failed step leaves its dependants "not attempted" while independent steps go on. Creates are
not idempotent in Graph: after an ambiguous failure (5xx, timeout, dropped connection) the
collection is listed again and a new object with the planned identity is adopted instead of
posting twice.

Before each round after the first the touched objects are re-checked (`recheck`); a
difference stops the apply. After `client.cancel()` (the first signal) no new round starts
and no new request goes out; `abort()` (the second) records every write still in flight as
`unknown`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.apply import recheck
from reconciler.apply.audit import AuditLog
from reconciler.errors import GraphError, GraphHTTPError, GraphResponseError, NotSentError
from reconciler.fetch.batching import Hooks
from reconciler.fetch.client import BatchRequest, BatchResult, GraphClient, GraphResponse
from reconciler.fetch.tenant import read_by_id
from reconciler.kinds.registry import Registry
from reconciler.values.live import NON_JSON_KEY
from reconciler.values.plan import Action, Change, Plan, Step, StepKind, id_placeholder

_PLACEHOLDER = re.compile(r"\{id:[^}]*\}")
CREATE_ATTEMPTS = 3

Progress = Callable[[int, int], None]


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
    unknown: bool = False  # failed without an answer: the write may have landed


def stream_bytes(document: Any) -> bytes:
    """The bytes stored for a payload document; None clears the stream."""
    if document is None:
        return b""
    if isinstance(document, dict) and set(document) == {NON_JSON_KEY}:
        import base64

        return base64.b64decode(document[NON_JSON_KEY])
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class StepRunner:
    """Runs the steps of one plan against one client, keeping outcomes and new ids.

    `start` (lower-case id -> the object as apply found it) turns on the re-checks; without
    it (tests of the steps alone) rounds run unchecked.
    """

    def __init__(
        self,
        plan: Plan,
        client: GraphClient,
        audit: AuditLog,
        progress: Progress | None,
        kinds: Registry,
        *,
        start: dict[str, recheck.Expected] | None = None,
        start_orderings: dict[str, dict[str, Any]] | None = None,
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
        self.start = start
        self.start_orderings = start_orderings or {}
        self.stopped = ""  # why the apply stopped early (the tenant changed), if it did
        self.interrupted = False
        self._in_flight: dict[str, Step] = {}
        self._lock = threading.RLock()
        self._aborted = False

    # -- bookkeeping ------------------------------------------------------------------------

    def _audit(self, event: str, step: Step, **fields: Any) -> None:
        self.audit.record(
            event=event,
            address=self.address[step.id],
            step=step.id,
            method=step.method,
            path=self._resolve(step.path),
            **fields,
        )

    def _sent(self, step: Step, attempt: int) -> None:
        with self._lock:
            if self._aborted:
                return
            self._in_flight[step.id] = step
            self._audit("sent", step, attempt=attempt)

    def _finish(
        self,
        step: Step,
        state: StepState,
        *,
        status: int | None = None,
        request_id: str = "",
        detail: str = "",
        unknown: bool = False,
    ) -> None:
        with self._lock:
            if self._aborted or step.id in self.outcomes:
                return
            outcome = StepOutcome(
                step=step,
                address=self.address[step.id],
                state=state,
                status=status,
                request_id=request_id,
                detail=detail,
                unknown=unknown,
            )
            self.outcomes[step.id] = outcome
            was_sent = self._in_flight.pop(step.id, None) is not None
            if was_sent or state == StepState.APPLIED:
                outcome_value = "unknown" if unknown else state.value
                self._audit(
                    "outcome", step, status=status, request_id=request_id, outcome=outcome_value
                )
            if self.progress:
                self.progress(len(self.outcomes), len(self.steps))

    def _fail(self, step: Step, error: GraphError) -> None:
        if isinstance(error, NotSentError):
            self._finish(step, StepState.NOT_ATTEMPTED, detail="not sent: interrupted")
            return
        status = error.status if isinstance(error, GraphHTTPError) else None
        request_id = error.request_id if isinstance(error, GraphHTTPError) else ""
        unknown = error.maybe_applied
        self._finish(
            step,
            StepState.FAILED,
            status=status,
            request_id=request_id,
            detail=("outcome unknown: " if unknown else "") + str(error),
            unknown=unknown,
        )

    def abort(self) -> list[Step]:
        """The second signal: record every write in flight as `unknown`, and stop recording.
        Returns those steps (their outcome is unknown)."""
        with self._lock:
            flying = list(self._in_flight.values())
            for step in flying:
                self._audit("outcome", step, status=None, request_id="", outcome="unknown")
            self._in_flight.clear()
            self._aborted = True
            return flying

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
        first = True
        while pending:
            if getattr(self.client, "cancelled", False):
                self.interrupted = True
                self._skip(pending, "not sent: interrupted")
                return
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
            try:
                if not first:  # the start read checked round one
                    self._recheck(ready)
                creates = [s for s in ready if s.kind == StepKind.CREATE]
                self._run_creates(creates)
                self._check_created(creates)
            except recheck.TenantChanged as changed:
                self.stopped = str(changed)
                self._skip([*ready, *waiting], "stopped: the tenant changed during the apply")
                return
            except NotSentError:  # a signal came before a re-check read: interrupted, not failed
                self.interrupted = True
                self._skip([*ready, *waiting], "not sent: interrupted")
                return
            except GraphError as error:  # a re-check read failed: do not write blind
                self.stopped = f"a re-check read failed: {error}"
                self._skip([*ready, *waiting], "stopped: a re-check read failed")
                return
            self._run_batch([s for s in ready if s.kind != StepKind.CREATE])
            if getattr(self.client, "cancelled", False):
                self.interrupted = True
            pending = waiting
            first = False

    def _skip(self, steps: list[Step], why: str) -> None:
        for step in steps:
            self._finish(step, StepState.NOT_ATTEMPTED, detail=why)

    # -- re-checks ----------------------------------------------------------------------------

    def _recheck(self, ready: list[Step]) -> None:
        if self.start is None:
            return
        touched = list(
            {self.address[s.id]: self.changes[self.address[s.id]] for s in ready}.values()
        )
        wanted = [
            (self.kinds.by_kind(c.kind), c.object_id)
            for c in touched
            if c.object_id and c.object_id.lower() in self.start
        ]
        fresh = read_by_id(self.client, self.kinds, wanted) if wanted else {}
        for change in sorted(touched, key=lambda c: c.address):
            object_id = (change.object_id or "").lower()
            expected = self.start.get(object_id)
            if expected is None:
                continue  # a create (its new object is this apply's own) or a reorder
            now = fresh.get(object_id)
            if now is None:
                if change.action == Action.DELETE:
                    continue  # gone already: the delete's 404 counts as done
                raise recheck.TenantChanged(f"{change.address}: {change.object_id} was deleted")
            field = recheck.changed_field(expected, now, change)
            if field is not None:
                raise recheck.TenantChanged(
                    f"{change.address}: {field} was changed by someone else"
                )
        for change in touched:
            if change.action == Action.REORDER:
                self._recheck_ordering(change)
        creates = [s for s in ready if s.kind == StepKind.CREATE]
        if creates:
            self._check_identities_free(creates)

    def _ours(self) -> set[str]:
        return {i.lower() for i in self.created.values()}

    def _recheck_ordering(self, change: Change) -> None:
        collection = change.collection or ""
        style = self.kinds.ordering_of(collection)
        start = self.start_orderings.get(collection)
        if style is None or start is None:
            return
        now = recheck.ordering_values(self.client.list_all(collection), style.field)
        planned = {self.created.get(e.id, e.id).lower(): e.value for e in change.ordering}
        moved = recheck.moved_member(start, now, self._ours(), planned)
        if moved is not None:
            raise recheck.TenantChanged(
                f"{change.address}: {moved} joined, left or moved in {collection}"
            )

    def _listed(self, change: Change) -> list[dict[str, Any]]:
        kind = self.kinds.by_kind(change.kind)
        listed = kind.collection + (f"?{kind.list_query}" if kind.list_query else "")
        return self.client.list_all(listed)

    def _check_identities_free(self, creates: list[Step]) -> None:
        """Before a round of creates: no object of a planned identity appeared."""
        listings: dict[str, list[dict[str, Any]]] = {}
        for step in creates:
            change = self.changes[self.address[step.id]]
            kind = self.kinds.by_kind(change.kind)
            if kind.collection not in listings:
                listings[kind.collection] = self._listed(change)
            found = recheck.same_identity(
                listings[kind.collection], kind, change.display_name, self.kinds
            )
            found = [i for i in found if i.lower() != (change.object_id or "").lower()]
            if found:  # (a replace's old object has the name, and is not "another")
                raise recheck.TenantChanged(
                    f"{change.address}: an object named {change.display_name!r} appeared "
                    f"({found[0]}); another apply may be creating the same policies"
                )

    def _check_created(self, creates: list[Step]) -> None:
        """After a round of creates: if another apply created one of the same identity at the
        same moment, remove this apply's own copy (audited as compensated) and stop. The apply
        that sees the other's object yields, so at most one copy stays, and often none (both
        may yield: the next plan creates it once)."""
        made = [s for s in creates if self.outcomes.get(s.id, None) is not None]
        made = [s for s in made if self.outcomes[s.id].state == StepState.APPLIED]
        if not made or self.start is None:
            return
        listings: dict[str, list[dict[str, Any]]] = {}
        clash: list[str] = []
        for step in made:
            change = self.changes[self.address[step.id]]
            kind = self.kinds.by_kind(change.kind)
            if kind.collection not in listings:
                listings[kind.collection] = self._listed(change)
            mine = self.created[id_placeholder(change.address)].lower()
            found = recheck.same_identity(
                listings[kind.collection], kind, change.display_name, self.kinds
            )
            replaced = (change.object_id or "").lower()
            others = [i for i in found if i.lower() not in (mine, replaced)]
            if others:
                self._compensate(step, change, mine, others[0])
                clash.append(f"{change.address} ({others[0]})")
        if clash:
            raise recheck.TenantChanged(
                "another apply created the same policies at the same time: "
                + ", ".join(clash)
                + "; this apply removed its own copies"
            )

    def _compensate(self, step: Step, change: Change, mine: str, other: str) -> None:
        kind = self.kinds.by_kind(change.kind)
        path = kind.item(mine)
        self.audit.record(
            event="sent",
            address=change.address,
            step=f"{step.id}:compensate",
            method="DELETE",
            path=path,
            attempt=0,
        )
        status: int | None = None
        try:
            response = self.client.send("DELETE", path)
            outcome, status, request_id = "compensated", response.status, response.request_id
        except GraphError as error:
            outcome = "failed"
            status = error.status if isinstance(error, GraphHTTPError) else None
            request_id = error.request_id if isinstance(error, GraphHTTPError) else ""
        self.audit.record(
            event="outcome",
            address=change.address,
            step=f"{step.id}:compensate",
            method="DELETE",
            path=path,
            status=status,
            request_id=request_id,
            outcome=outcome,
        )
        detail = f"another apply created {change.display_name!r} at the same time ({other}); " + (
            "this apply's copy was removed"
            if outcome == "compensated"
            else f"removing this apply's copy {mine} failed: delete it by hand"
        )
        with self._lock:
            self.outcomes[step.id] = StepOutcome(
                step=step, address=change.address, state=StepState.FAILED, detail=detail
            )

    # -- creates ----------------------------------------------------------------------------

    def _run_creates(self, steps: list[Step]) -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(self._create, steps))

    def _create(self, step: Step) -> None:
        change = self.changes[self.address[step.id]]
        last_error: GraphError | None = None
        for _ in range(CREATE_ATTEMPTS):
            try:
                response = self.client.send(
                    "POST",
                    step.path,
                    json=step.body,
                    idempotent=False,
                    before_send=lambda attempt: self._sent(step, attempt),
                )
                self._created(step, change, _entity_id(response), response)
                return
            except GraphError as error:
                if not error.maybe_applied:  # a definite refusal: nothing was created
                    self._fail(step, error)
                    return
                last_error = error
                if getattr(self.client, "cancelled", False):
                    break  # no re-listing after an interruption: its outcome stays unknown
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
        self.created[id_placeholder(change.address)] = new_id
        self._finish(
            step,
            StepState.APPLIED,
            status=response.status if response else None,
            request_id=response.request_id if response else "",
            detail="" if response else "adopted after an ambiguous failure",
        )

    def _find_created(self, change: Change) -> str | None:
        kind = self.kinds.by_kind(change.kind)
        found = recheck.same_identity(self._listed(change), kind, change.display_name, self.kinds)
        if len(found) > 1:  # never post a third; the next plan reports the ambiguity
            raise GraphResponseError(
                f"{change.address}: {len(found)} objects named {change.display_name!r} exist"
            )
        return found[0] if found else None

    # -- everything else, batched ------------------------------------------------------------

    def _run_batch(self, steps: list[Step]) -> None:
        if not steps:
            return
        by_id = {step.id: step for step in steps}
        requests = [self._batch_request(step) for step in steps]

        def sent(ids: list[str], attempt: int) -> None:
            for step_id in ids:
                self._sent(by_id[step_id], attempt)

        def answered(result: BatchResult) -> None:
            step = by_id[result.id]
            if result.error is None or (step.kind == StepKind.DELETE and result.status == 404):
                # a 404 on DELETE: an earlier, interrupted attempt already removed it
                self._finish(
                    step, StepState.APPLIED, status=result.status, request_id=result.request_id
                )
            else:
                self._fail(step, result.error)

        self.client.batch(requests, hooks=Hooks(on_sent=sent, on_result=answered, partial=True))

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
