"""The executor's creates, with a scripted client (the emulator cannot fail a create at an
exact point, and its rule against duplicate priorities hides a create sent twice):

- a definite refusal (4xx) is final: never sent again, nothing re-listed;
- an ambiguous failure (timeout, dropped answer, 5xx) re-lists the collection and adopts the
  one new object of the planned kind and name in the same apply, else posts again;
- adoption refuses two objects of the planned name, and never takes another kind's object.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import CREATE_ATTEMPTS, StepRunner, StepState
from reconciler.engine.planner import make_plan
from reconciler.errors import GraphError, GraphResponseError, GraphTransportError
from reconciler.kinds import REGISTRY
from reconciler.values.live import Live
from reconciler.values.plan import Plan, StepKind
from tests.core.builders import desired, live, resource
from tests.support.tenant import CLIENT_TYPE, GROUP_A, POLICIES

from .fake import FakeGraph, graph_error, outcome_lines, policy

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ADDRESS = "WindowsOfficeClientSecurityConfiguration/n"


def create_plan() -> Plan:
    """One new policy "N" with a payload and an assignment, both waiting for the create."""
    wanted = resource(
        "n", displayName="N", priority=5, policyPayload={"x": 1}, assignments=[GROUP_A]
    )
    return make_plan(desired(wanted), live(), now=NOW)


def run(plan: Plan, graph: FakeGraph, tmp_path: Any = None) -> StepRunner:
    audit = AuditLog(tmp_path / "audit.jsonl" if tmp_path is not None else None)
    runner = StepRunner(plan, graph, audit, None, REGISTRY)  # type: ignore[arg-type]
    runner.run()
    return runner


def states(runner: StepRunner) -> dict[StepKind, StepState]:
    return {o.step.kind: o.state for o in runner.outcomes.values()}


def dropped() -> GraphError:
    error = GraphTransportError("POST /x: connection dropped mid-response")
    error.maybe_applied = True
    return error


AMBIGUOUS = {
    "dropped answer": dropped,
    "timeout": lambda: _maybe(GraphTransportError("POST /x: no answer within 30s")),
    "HTTP 500": lambda: graph_error(500, maybe_applied=True),
    "HTTP 503": lambda: graph_error(503, maybe_applied=True),
}


def _maybe(error: GraphError) -> GraphError:
    error.maybe_applied = True
    return error


def test_a_create_that_succeeds_is_posted_once_and_its_id_fills_the_dependants():
    graph = FakeGraph(creates=["new-1"])
    runner = run(create_plan(), graph)
    assert len(graph.posts) == 1 and graph.listed == []
    assert set(states(runner).values()) == {StepState.APPLIED}
    assert {r.url for r in graph.batched} == {
        f"{POLICIES}/new-1/policyPayload",
        f"{POLICIES}/new-1/assign",
    }
    assert runner.created == {"{id:" + ADDRESS + "}": "new-1"}


@pytest.mark.parametrize("status", [400, 403, 409, 422])
def test_a_definite_refusal_is_not_sent_again_and_stops_its_dependants(status, tmp_path):
    graph = FakeGraph(creates=[graph_error(status)])
    runner = run(create_plan(), graph, tmp_path)
    assert len(graph.posts) == 1, "a refused create was sent again"
    assert graph.listed == [], "a definite refusal needs no re-listing"
    assert states(runner) == {
        StepKind.CREATE: StepState.FAILED,
        StepKind.PUT_STREAM: StepState.NOT_ATTEMPTED,
        StepKind.ACTION: StepState.NOT_ATTEMPTED,
    }
    failed = next(o for o in runner.outcomes.values() if o.state == StepState.FAILED)
    assert failed.status == status
    assert graph.batched == []
    audit = outcome_lines(tmp_path / "audit.jsonl")
    assert len(audit) == 1 and '"outcome": "failed"' in audit[0]  # not-attempted steps: no line


@pytest.mark.parametrize("failure", list(AMBIGUOUS))
def test_an_ambiguous_failure_relists_and_adopts_the_object_that_landed(failure, tmp_path):
    graph = FakeGraph(
        creates=[AMBIGUOUS[failure]()],
        listings=[[policy("other", "Other"), policy("landed-1", "N")]],
    )
    runner = run(create_plan(), graph, tmp_path)
    assert len(graph.posts) == 1, "an object that landed was posted again"
    assert graph.listed == [POLICIES]
    assert set(states(runner).values()) == {StepState.APPLIED}
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert create.detail == "adopted after an ambiguous failure"
    assert {r.url for r in graph.batched} == {
        f"{POLICIES}/landed-1/policyPayload",
        f"{POLICIES}/landed-1/assign",
    }
    assert '"outcome": "applied"' in outcome_lines(tmp_path / "audit.jsonl")[0]


def test_an_ambiguous_failure_with_nothing_landed_posts_again_in_the_same_apply():
    graph = FakeGraph(creates=[dropped(), "new-2"], listings=[[policy("other", "Other")]])
    runner = run(create_plan(), graph)
    assert len(graph.posts) == 2 and len(graph.listed) == 1
    assert graph.posts[0] == graph.posts[1]  # the same body both times
    assert set(states(runner).values()) == {StepState.APPLIED}
    assert runner.created == {"{id:" + ADDRESS + "}": "new-2"}


def test_ambiguous_failures_give_up_after_the_attempts_with_the_last_error():
    graph = FakeGraph(
        creates=[
            *(dropped() for _ in range(CREATE_ATTEMPTS - 1)),
            graph_error(503, maybe_applied=True),
        ],
        listings=[[] for _ in range(CREATE_ATTEMPTS)],
    )
    runner = run(create_plan(), graph)
    assert len(graph.posts) == CREATE_ATTEMPTS == 3
    assert len(graph.listed) == CREATE_ATTEMPTS
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert (create.state, create.status) == (StepState.FAILED, 503)
    assert states(runner)[StepKind.PUT_STREAM] == StepState.NOT_ATTEMPTED


def test_two_objects_of_the_planned_name_are_never_adopted_nor_posted_a_third_time():
    graph = FakeGraph(creates=[dropped()], listings=[[policy("dup-1", "N"), policy("dup-2", "N")]])
    runner = run(create_plan(), graph)
    assert len(graph.posts) == 1
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert create.state == StepState.FAILED
    assert "2 objects named 'N' exist" in create.detail
    assert runner.created == {}


def test_an_object_of_another_kind_with_the_planned_name_is_not_adopted():
    graph = FakeGraph(
        creates=[dropped(), "new-3"], listings=[[policy("client-1", "N", CLIENT_TYPE)]]
    )
    runner = run(create_plan(), graph)
    assert len(graph.posts) == 2, "the other kind's object was taken for the create"
    assert runner.created == {"{id:" + ADDRESS + "}": "new-3"}


def test_an_object_of_another_name_is_not_adopted():
    graph = FakeGraph(creates=[dropped(), "new-4"], listings=[[policy("n-2", "N 2")]])
    runner = run(create_plan(), graph)
    assert runner.created == {"{id:" + ADDRESS + "}": "new-4"}


def test_a_failed_relisting_fails_the_create_without_posting_again():
    graph = FakeGraph(creates=[dropped()], listings=[GraphResponseError("GET: garbage")])
    runner = run(create_plan(), graph)
    assert len(graph.posts) == 1
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert create.state == StepState.FAILED and "garbage" in create.detail


def test_a_create_answer_without_an_id_is_a_failure_not_an_object():
    class NoId(FakeGraph):
        def send(self, method: str, path: str, **kwargs: Any) -> Any:
            response = super().send(method, path, **kwargs)
            return type(response)(**{**response.__dict__, "body": {"displayName": "N"}})

    graph = NoId(creates=["ignored"])
    runner = run(create_plan(), graph)
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert create.state == StepState.FAILED
    assert create.detail == "create succeeded but the response carries no id"
    assert len(graph.posts) == 1


def test_a_create_answer_wrapped_in_value_gives_its_id():
    class Wrapped(FakeGraph):
        def send(self, method: str, path: str, **kwargs: Any) -> Any:
            response = super().send(method, path, **kwargs)
            return type(response)(**{**response.__dict__, "body": {"value": response.body}})

    runner = run(create_plan(), Wrapped(creates=["wrapped-1"]))
    assert runner.created == {"{id:" + ADDRESS + "}": "wrapped-1"}


def test_outcomes_carry_request_ids_and_details_only_where_they_have_them(tmp_path):
    graph = FakeGraph(creates=[dropped()], listings=[[policy("landed-1", "N")]], statuses={})
    runner = run(create_plan(), graph, tmp_path)
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert (create.status, create.request_id) == (None, "")  # adopted: no answer was read
    others = [o for o in runner.outcomes.values() if o.step.kind != StepKind.CREATE]
    assert all(o.detail == "" and o.request_id.startswith("rid-") for o in others)
    lines = [json.loads(line) for line in outcome_lines(tmp_path / "audit.jsonl")]
    assert [line["step"] for line in lines] == [o.step.id for o in runner.outcomes.values()]
    assert lines[0]["request_id"] == ""

    posted = run(create_plan(), FakeGraph(creates=["new-1"]))
    create = next(o for o in posted.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert (create.status, create.request_id, create.detail) == (201, "rid-create", "")


def test_a_failure_without_an_http_answer_has_no_request_id_and_stops_dependants_plainly():
    graph = FakeGraph(creates=[dropped()], listings=[[]] * 3)
    graph.creates += [dropped(), dropped()]
    runner = run(create_plan(), graph)
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert (create.state, create.status, create.request_id) == (StepState.FAILED, None, "")
    skipped = [o for o in runner.outcomes.values() if o.state == StepState.NOT_ATTEMPTED]
    assert skipped and all(o.request_id == "" and o.status is None for o in skipped)
    assert all(o.detail == f"depends on {create.step.id}" for o in skipped)


def test_a_kind_with_a_list_query_is_listed_with_it_when_looking_for_a_create():
    from .test_apply_plan import KINDS, WIDGETS

    wanted = resource("w", "Widget", size=1)
    wanted.spec["name"] = "W"  # type: ignore[index]  # the identity, which resource() names
    plan = make_plan(
        desired(wanted), Live(graph_url="https://graph.test/beta", objects=()), now=NOW, kinds=KINDS
    )
    graph = FakeGraph(creates=[dropped()], listings=[[{"id": "w-9", "name": "W"}]])
    runner = StepRunner(plan, graph, AuditLog(None), None, KINDS)  # type: ignore[arg-type]
    runner.run()
    assert graph.listed == [f"{WIDGETS}?$select=id,name,size"]
    assert runner.created == {"{id:Widget/w}": "w-9"}


def test_an_ambiguous_failure_after_a_signal_is_not_re_listed_and_stays_unknown(tmp_path):
    class Signalled(FakeGraph):
        def send(self, method: str, path: str, **kwargs: Any) -> Any:
            self.cancelled = True  # the signal arrives while the POST is out
            return super().send(method, path, **kwargs)

    graph = Signalled(creates=[dropped()], listings=[[policy("landed-1", "N")]])
    runner = run(create_plan(), graph, tmp_path)
    assert len(graph.posts) == 1 and graph.listed == []
    create = next(o for o in runner.outcomes.values() if o.step.kind == StepKind.CREATE)
    assert (create.state, create.unknown) == (StepState.FAILED, True)
    assert create.detail == "outcome unknown: POST /x: connection dropped mid-response"
    sent = [
        json.loads(line)
        for line in (tmp_path / "audit.jsonl").read_text().splitlines()
        if '"event": "sent"' in line
    ]
    assert [(line["step"], line["attempt"]) for line in sent] == [(f"{ADDRESS}#create", 1)]
