"""The runner between rounds, with a scripted client: a signal before a round sends nothing
more, a second one records the writes in flight as unknown; the re-check before a round of
creates refuses an object of a planned name that appeared (the one being replaced aside);
a failed re-check read stops the apply; a compensation that cannot delete this apply's copy
says so. (The re-checks against the emulator: tests/safety/test_rechecks.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import StepRunner, StepState
from reconciler.engine.planner import make_plan
from reconciler.errors import GraphError, GraphTransportError, NotSentError
from reconciler.fetch.batching import NO_HOOKS, Hooks
from reconciler.fetch.client import BatchResult
from reconciler.kinds import REGISTRY
from reconciler.values.plan import Plan, StepKind
from tests.core.builders import desired, live, obj, resource
from tests.support.tenant import GROUP_A

from .fake import FakeGraph, graph_error, policy

NOW = datetime(2026, 1, 1, tzinfo=UTC)
N = "WindowsOfficeClientSecurityConfiguration/n"
A = "WindowsOfficeClientSecurityConfiguration/a"
POLICIES = "/officeConfiguration/clientConfigurations"


def runner_for(plan: Plan, graph: Any, tmp_path: Any, *, checked: bool = True) -> StepRunner:
    audit = AuditLog(tmp_path / "audit.jsonl")
    start: dict[str, Any] | None = {} if checked else None  # {}: re-checks on, nothing found
    return StepRunner(plan, graph, audit, None, REGISTRY, start=start)  # type: ignore[arg-type]


def audit_lines(tmp_path: Any) -> list[dict[str, Any]]:
    text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def create_plan() -> Plan:
    """N created (round 0), then its payload and assignment (round 1)."""
    wanted = resource(
        "n", displayName="N", priority=5, policyPayload={"x": 1}, assignments=[GROUP_A]
    )
    return make_plan(desired(wanted), live(), now=NOW)


def update_plan() -> Plan:
    """A's PATCH and payload PUT, both in round 0."""
    wanted = resource("a", displayName="A", priority=1, description="new", policyPayload={"k": 2})
    return make_plan(desired(wanted), live(obj("id-a", displayName="A", priority=1)), now=NOW)


def late_create_plan(object_id: str | None = None) -> Plan:
    """A's PATCH (round 0), then N's create made to wait for it (round 1): the planner
    never makes one, but the runner re-checks any round of creates after the first."""
    wanted = desired(
        resource("a", displayName="A", priority=1, description="new"),
        resource("n", displayName="N", priority=5),
    )
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    update, create = plan.changes
    (patch,) = update.steps
    (post,) = create.steps
    waiting = create.model_copy(
        update={"steps": (post.model_copy(update={"after": (patch.id,)}),), "object_id": object_id}
    )
    return plan.model_copy(update={"changes": (update, waiting)})


def test_a_cancelled_client_sends_nothing_and_every_step_is_not_attempted(tmp_path):
    graph = FakeGraph()
    graph.cancelled = True  # a signal before the first round
    runner = runner_for(create_plan(), graph, tmp_path)
    runner.run()
    assert runner.interrupted and graph.posts == [] and graph.batched == []
    details = {o.step.kind: (o.state, o.detail) for o in runner.outcomes.values()}
    assert set(details.values()) == {(StepState.NOT_ATTEMPTED, "not sent: interrupted")}
    assert len(runner.outcomes) == 3


def test_a_signal_during_a_round_stops_before_the_next(tmp_path):
    class Interrupted(FakeGraph):
        def send(self, method: str, path: str, **kwargs: Any) -> Any:
            answer = super().send(method, path, **kwargs)
            self.cancelled = True  # the first signal arrives while the create is answered
            return answer

    graph = Interrupted(creates=["new-1"], listings=[[policy("new-1", "N")]])
    runner = runner_for(create_plan(), graph, tmp_path)
    runner.run()
    assert runner.interrupted and graph.batched == []
    states = {o.step.kind: (o.state, o.detail) for o in runner.outcomes.values()}
    assert states[StepKind.CREATE] == (StepState.APPLIED, "")
    assert states[StepKind.PUT_STREAM] == (StepState.NOT_ATTEMPTED, "not sent: interrupted")


def test_a_second_signal_records_the_writes_in_flight_as_unknown_and_stops_recording(tmp_path):
    holder: dict[str, StepRunner] = {}
    flying: list[Any] = []

    class Aborted(FakeGraph):
        def batch(self, requests: Any, hooks: Hooks = NO_HOOKS) -> dict[str, BatchResult]:
            sent_only = Hooks(on_sent=hooks.on_sent, on_result=None, partial=hooks.partial)
            results = super().batch(requests, sent_only)
            flying.extend(holder["runner"].abort())  # the second signal, before any answer
            for result in results.values():
                if hooks.on_result:
                    hooks.on_result(result)  # answers after the abort are not recorded
            return results

    plan = update_plan()
    runner = holder["runner"] = runner_for(plan, Aborted(), tmp_path)
    runner.run()
    assert sorted(s.id for s in flying) == sorted(s.id for s in plan.steps())
    assert runner.outcomes == {}
    lines = audit_lines(tmp_path)
    outcomes = [(e["step"], e["outcome"]) for e in lines if e["event"] == "outcome"]
    assert sorted(outcomes) == sorted((s.id, "unknown") for s in plan.steps())
    assert {(e["status"], e["request_id"]) for e in lines if e["event"] == "outcome"} == {
        (None, "")
    }
    assert [e["attempt"] for e in lines if e["event"] == "sent"] == [1, 1]
    assert runner.abort() == []  # nothing is in flight any more


def test_an_object_of_a_planned_name_that_appeared_stops_a_later_round_of_creates(tmp_path):
    graph = FakeGraph(listings=[[policy("theirs-1", "n")]])  # the name in another case
    runner = runner_for(late_create_plan(), graph, tmp_path)
    runner.run()
    assert graph.posts == [] and graph.listed == [POLICIES]
    assert runner.stopped == (
        f"{N}: an object named 'N' appeared (theirs-1); another apply may be creating the same "
        "policies"
    )
    (create,) = [o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE]
    assert (create.state, create.detail) == (
        StepState.NOT_ATTEMPTED,
        "stopped: the tenant changed during the apply",
    )
    assert runner.outcomes[f"{A}#patch"].state == StepState.APPLIED


def test_the_object_being_replaced_is_not_another_of_the_planned_name(tmp_path):
    graph = FakeGraph(creates=["new-1"], listings=[[policy("OLD-1", "N")], [policy("old-1", "N")]])
    runner = runner_for(late_create_plan(object_id="old-1"), graph, tmp_path)
    runner.run()
    assert runner.stopped == "" and len(graph.posts) == 1
    assert {o.state for o in runner.outcomes.values()} == {StepState.APPLIED}


def test_a_failed_re_check_read_stops_the_apply_without_writing_blind(tmp_path):
    graph = FakeGraph(listings=[graph_error(503, "GET")])
    runner = runner_for(late_create_plan(), graph, tmp_path)
    runner.run()
    assert runner.stopped.startswith("a re-check read failed: ") and graph.posts == []
    create = runner.outcomes[f"{N}#create"]
    assert (create.state, create.detail) == (
        StepState.NOT_ATTEMPTED,
        "stopped: a re-check read failed",
    )


def test_without_a_starting_state_rounds_run_unchecked(tmp_path):
    graph = FakeGraph(creates=["new-1"])
    runner = runner_for(late_create_plan(), graph, tmp_path, checked=False)
    runner.run()
    assert graph.listed == [] and runner.stopped == ""
    assert {o.state for o in runner.outcomes.values()} == {StepState.APPLIED}


def test_a_compensation_that_fails_says_to_delete_the_copy_by_hand(tmp_path):
    graph = FakeGraph(
        creates=["mine-1"],
        listings=[[policy("mine-1", "N"), policy("theirs-1", "N")]],
        deletes=[graph_error(500, "DELETE", request_id="rid-x")],
    )
    runner = runner_for(create_plan(), graph, tmp_path)
    runner.run()
    assert graph.deleted == [f"{POLICIES}/mine-1"]
    create = runner.outcomes[f"{N}#create"]
    assert create.state == StepState.FAILED
    assert create.detail == (
        "another apply created 'N' at the same time (theirs-1); removing this apply's copy "
        "mine-1 failed: delete it by hand"
    )
    assert runner.stopped == (
        f"another apply created the same policies at the same time: {N} (theirs-1); "
        "this apply removed its own copies"
    )
    (outcome,) = [e for e in audit_lines(tmp_path) if e["step"] == f"{N}#create:compensate"][1:]
    assert (outcome["outcome"], outcome["status"], outcome["request_id"]) == (
        "failed",
        500,
        "rid-x",
    )
    assert outcome["path"] == f"{POLICIES}/mine-1" and outcome["method"] == "DELETE"


def test_a_compensation_that_succeeds_records_the_answer(tmp_path):
    graph = FakeGraph(
        creates=["mine-1"], listings=[[policy("theirs-1", "N"), policy("MINE-1", "N")]]
    )
    runner = runner_for(create_plan(), graph, tmp_path)
    runner.run()
    create = runner.outcomes[f"{N}#create"]
    assert create.detail == (
        "another apply created 'N' at the same time (theirs-1); this apply's copy was removed"
    )
    sent, outcome = [e for e in audit_lines(tmp_path) if e["step"] == f"{N}#create:compensate"]
    assert (sent["event"], sent["attempt"], sent["address"]) == ("sent", 0, N)
    assert outcome["address"] == N and (create.address, create.step.id) == (N, f"{N}#create")
    assert (outcome["outcome"], outcome["status"], outcome["request_id"]) == (
        "compensated",
        204,
        "rid-delete",
    )
    # the payload and assignment waited for the create: never sent
    assert graph.batched == []
    assert runner.outcomes[f"{N}#policyPayload"].state == StepState.NOT_ATTEMPTED


class Failing(FakeGraph):
    """Every $batch item fails with the error `failure` makes."""

    def __init__(self, failure: Any) -> None:
        super().__init__()
        self.failure = failure

    def batch(self, requests: Any, hooks: Hooks = NO_HOOKS) -> dict[str, BatchResult]:
        if hooks.on_sent:
            hooks.on_sent([r.id for r in requests], 1)
        results = {}
        for request in requests:
            results[request.id] = BatchResult(
                id=request.id, status=0, headers={}, body=None, request_id="", error=self.failure()
            )
            if hooks.on_result:
                hooks.on_result(results[request.id])
        return results


def test_a_write_not_sent_because_of_a_signal_is_not_attempted(tmp_path):
    graph = Failing(lambda: NotSentError("PATCH /x: not sent: interrupted"))
    runner = runner_for(update_plan(), graph, tmp_path)
    runner.run()
    assert {(o.state, o.detail, o.unknown) for o in runner.outcomes.values()} == {
        (StepState.NOT_ATTEMPTED, "not sent: interrupted", False)
    }


def test_a_write_that_failed_ambiguously_has_an_unknown_outcome(tmp_path):
    def dropped() -> GraphError:
        error = GraphTransportError("PATCH /x: connection dropped")
        error.maybe_applied = True
        return error

    runner = runner_for(update_plan(), Failing(dropped), tmp_path)
    runner.run()
    assert {(o.state, o.detail, o.unknown) for o in runner.outcomes.values()} == {
        (StepState.FAILED, "outcome unknown: PATCH /x: connection dropped", True)
    }
    outcomes = {e["outcome"] for e in audit_lines(tmp_path) if e["event"] == "outcome"}
    assert outcomes == {"unknown"}
    refused = runner_for(update_plan(), Failing(lambda: graph_error(400, "PATCH")), tmp_path)
    refused.run()
    assert {(o.state, o.unknown, o.status) for o in refused.outcomes.values()} == {
        (StepState.FAILED, False, 400)
    }
    assert not any(o.detail.startswith("outcome unknown") for o in refused.outcomes.values())


def test_a_compensation_without_an_answer_records_no_status(tmp_path):
    graph = FakeGraph(
        creates=["mine-1"],
        listings=[[policy("mine-1", "N"), policy("theirs-1", "N")]],
        deletes=[GraphTransportError("DELETE /x: connection dropped")],
    )
    runner = runner_for(create_plan(), graph, tmp_path)
    runner.run()
    (outcome,) = [e for e in audit_lines(tmp_path) if e["step"] == f"{N}#create:compensate"][1:]
    assert (outcome["outcome"], outcome["status"], outcome["request_id"]) == ("failed", None, "")


def reorder_plan() -> Plan:
    """A moves from 1 to 2 behind the new N (created in round 0 on a temporary priority);
    the ordering call is in round 1."""
    wanted = desired(
        resource("a", displayName="A", priority=2), resource("n", displayName="N", priority=1)
    )
    return make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)


def test_without_the_starting_order_a_reorder_is_not_re_checked(tmp_path):
    graph = FakeGraph(creates=["new-1"], listings=[[policy("new-1", "N")]])
    runner = runner_for(reorder_plan(), graph, tmp_path)  # re-checks on, no start_orderings
    runner.run()
    assert graph.listed == [POLICIES]  # only the look for copies after the create
    assert {o.state for o in runner.outcomes.values()} == {StepState.APPLIED}


def test_a_signal_during_the_last_round_marks_the_run_interrupted(tmp_path):
    class Interrupted(FakeGraph):
        def batch(self, requests: Any, hooks: Hooks = NO_HOOKS) -> dict[str, BatchResult]:
            self.cancelled = True  # while the one round's writes are out
            return super().batch(requests, hooks)

    runner = runner_for(update_plan(), Interrupted(), tmp_path)
    runner.run()
    assert runner.interrupted is True
    assert {o.state for o in runner.outcomes.values()} == {StepState.APPLIED}


def test_two_policies_created_twice_at_once_are_both_named(tmp_path):
    wanted = desired(
        resource("m", displayName="M", priority=4), resource("n", displayName="N", priority=5)
    )
    plan = make_plan(wanted, live(), now=NOW)
    listing = [
        policy(i, name) for i, name in (("m-1", "M"), ("n-1", "N"), ("m-2", "M"), ("n-2", "N"))
    ]
    graph = FakeGraph(creates=["m-1", "n-1"], listings=[listing])
    runner = runner_for(plan, graph, tmp_path)
    runner.run()
    m = "WindowsOfficeClientSecurityConfiguration/m"
    assert runner.stopped == (
        f"another apply created the same policies at the same time: {m} (m-2), {N} (n-2); "
        "this apply removed its own copies"
    )
    assert sorted(graph.deleted) == [f"{POLICIES}/m-1", f"{POLICIES}/n-1"]
