"""The executor's batched writes, with a scripted client: which answers count as applied
(a 404 only for a DELETE), what a cleared payload sends (no bytes at all, never `null`),
and that a failed step stops its dependants while independent steps go on."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import StepRunner, StepState, stream_bytes
from reconciler.engine.planner import make_plan
from reconciler.fetch.batching import encode_item
from reconciler.kinds import REGISTRY
from reconciler.values.desired import Desired
from reconciler.values.live import NON_JSON_KEY, Live
from reconciler.values.plan import Action, Change, Plan, Step, StepKind
from tests.core.builders import desired, live, obj, resource
from tests.support.tenant import GROUP_A, POLICIES, SECURITY

from .fake import FakeGraph, graph_error, outcome_lines

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def run(plan: Plan, graph: FakeGraph, progress=None, audit=None) -> StepRunner:
    runner = StepRunner(plan, graph, audit or AuditLog(None), progress, REGISTRY)  # type: ignore[arg-type]
    runner.run()
    return runner


def pruned(wanted: Desired, tenant: Live) -> Plan:
    """The plan with --prune, scoped to the whole tenant's policies (prune needs a scope)."""
    return make_plan(dataclasses.replace(wanted, scope=("*/*",)), tenant, now=NOW, prune=True)


def prune_and_update_plan() -> Plan:
    """One PATCH of "A" and one DELETE of the unmanaged "X"."""
    wanted = desired(resource("a", displayName="A", priority=1, description="new"))
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    return pruned(wanted, tenant)


def by_kind(runner: StepRunner) -> dict[StepKind, StepState]:
    return {o.step.kind: o.state for o in runner.outcomes.values()}


def test_a_404_counts_as_applied_for_a_delete_only():
    plan = prune_and_update_plan()
    delete = next(s for s in plan.steps() if s.kind == StepKind.DELETE)
    patch = next(s for s in plan.steps() if s.kind == StepKind.PATCH)
    runner = run(plan, FakeGraph(statuses={delete.id: 404, patch.id: 404}))
    assert by_kind(runner) == {StepKind.DELETE: StepState.APPLIED, StepKind.PATCH: StepState.FAILED}
    assert runner.outcomes[delete.id].status == 404
    assert runner.outcomes[patch.id].status == 404


@pytest.mark.parametrize("kind", [StepKind.PUT_STREAM, StepKind.ACTION])
def test_a_404_fails_a_payload_or_assignment_write(kind):
    wanted = desired(
        resource("a", displayName="A", priority=1, policyPayload={"k": 2}, assignments=[GROUP_A])
    )
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    step = next(s for s in plan.steps() if s.kind == kind)
    runner = run(plan, FakeGraph(statuses={step.id: 404}))
    assert runner.outcomes[step.id].state == StepState.FAILED


def test_other_failures_of_a_delete_fail_it():
    plan = prune_and_update_plan()
    delete = next(s for s in plan.steps() if s.kind == StepKind.DELETE)
    runner = run(plan, FakeGraph(statuses={delete.id: 403}))
    assert runner.outcomes[delete.id].state == StepState.FAILED
    assert runner.outcomes[delete.id].status == 403
    assert runner.outcomes[delete.id].request_id == f"rid-{delete.id}"


def test_clearing_a_payload_sends_an_empty_body_not_null():
    wanted = desired(resource("a", displayName="A", priority=1, policyPayload=None))
    plan = make_plan(
        wanted, live(obj("id-a", displayName="A", priority=1, policyPayload={"k": 1})), now=NOW
    )
    graph = FakeGraph()
    run(plan, graph)
    (sent,) = graph.batched
    assert (sent.method, sent.url) == ("PUT", f"{POLICIES}/id-a/policyPayload")
    assert sent.body == b"" and sent.content_type == "application/octet-stream"
    item = encode_item(sent, set())
    assert item["body"] == "" and item["headers"] == {"Content-Type": "application/octet-stream"}


def test_stream_bytes_of_documents():
    assert stream_bytes(None) == b""
    assert stream_bytes({"a": "é"}) == '{"a": "é"}'.encode()
    assert stream_bytes([]) == b"[]" and stream_bytes({}) == b"{}"
    raw = bytes(range(256))
    assert stream_bytes({NON_JSON_KEY: base64.b64encode(raw).decode()}) == raw
    # a document that merely has the key among others is JSON, not raw bytes
    mixed = {NON_JSON_KEY: "AA==", "k": 1}
    assert json.loads(stream_bytes(mixed)) == mixed


def test_a_payload_put_sends_the_document_as_json_bytes():
    wanted = desired(resource("a", displayName="A", priority=1, policyPayload={"k": "é"}))
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    graph = FakeGraph()
    run(plan, graph)
    (sent,) = graph.batched
    assert json.loads(sent.body) == {"k": "é"} and sent.content_type == "application/octet-stream"


def test_a_failed_step_stops_its_dependants_and_independent_steps_go_on():
    wanted = desired(
        resource("a", displayName="A", priority=2),
        resource("b", displayName="B", priority=1),
        resource("c", displayName="C", priority=3, description="new"),
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-b", displayName="B", priority=2),
        obj("id-c", displayName="C", priority=3),
    )
    plan = pruned(wanted, tenant)
    patch = next(s for s in plan.steps() if s.kind == StepKind.PATCH)
    reorder = next(s for s in plan.steps() if s.kind == StepKind.ACTION)
    # the reorder waits for nothing here; make it wait for the patch and fail the patch
    chained = plan.model_copy(
        update={
            "changes": tuple(
                c.model_copy(
                    update={"steps": (c.steps[0].model_copy(update={"after": (patch.id,)}),)}
                )
                if c.steps and c.steps[0].id == reorder.id
                else c
                for c in plan.changes
            )
        }
    )
    seen: list[tuple[int, int]] = []
    runner = run(
        chained, FakeGraph(statuses={patch.id: 500}), progress=lambda d, t: seen.append((d, t))
    )
    assert runner.outcomes[patch.id].state == StepState.FAILED
    assert runner.outcomes[reorder.id].state == StepState.NOT_ATTEMPTED
    assert runner.outcomes[reorder.id].detail == f"depends on {patch.id}"
    assert seen == [(1, 2), (2, 2)]


def test_steps_waiting_for_a_create_go_after_it_with_its_id_in_paths_and_bodies():
    wanted = desired(
        resource("n", displayName="N", priority=1),
        resource("a", displayName="A", priority=2),
    )
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    graph = FakeGraph(creates=["new-n"])
    runner = run(plan, graph)
    assert set(o.state for o in runner.outcomes.values()) == {StepState.APPLIED}
    (reorder,) = graph.batched
    assert reorder.body == {
        "officeConfigurationPolicyIds": ["new-n", "id-a"],
        "officeConfigurationPriorities": [1, 2],
    }


def test_the_audit_log_names_the_resolved_path_status_and_request_id(tmp_path):
    wanted = desired(resource("n", displayName="N", priority=5, policyPayload={"x": 1}))
    plan = make_plan(wanted, live(), now=NOW)
    audit = AuditLog(tmp_path / "a" / "audit.jsonl")
    audit.check()
    run(plan, FakeGraph(creates=["new-9"]), audit=audit)
    lines = [json.loads(line) for line in outcome_lines(tmp_path / "a" / "audit.jsonl")]
    assert [line["step"] for line in lines] == [
        f"{SECURITY}/n#create",
        f"{SECURITY}/n#policyPayload",
    ]
    assert [(line["method"], line["path"], line["status"], line["outcome"]) for line in lines] == [
        ("POST", POLICIES, 201, "applied"),
        ("PUT", f"{POLICIES}/new-9/policyPayload", 200, "applied"),
    ]
    assert lines[0]["request_id"] == "rid-create"
    assert lines[1]["address"] == "WindowsOfficeClientSecurityConfiguration/n"


def test_a_step_waiting_for_a_failed_and_a_pending_step_is_not_attempted():
    wanted = desired(
        resource("n", displayName="N", priority=5, policyPayload={"x": 1}),
        resource("a", displayName="A", priority=1),
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    plan = pruned(wanted, tenant)
    delete = next(s for s in plan.steps() if s.kind == StepKind.DELETE)
    payload = next(s for s in plan.steps() if s.kind == StepKind.PUT_STREAM)
    # a step after the payload (done in the second round) and the delete (fails in the first)
    late = Step(
        id="late#x",
        kind=StepKind.PATCH,
        method="PATCH",
        path=f"{POLICIES}/id-a",
        body={},
        after=(payload.id, delete.id),
    )
    extra = Change(
        address="late",
        kind=SECURITY,
        action=Action.UPDATE,
        object_id="id-a",
        fingerprint="f",
        steps=(late,),
    )
    plan = plan.model_copy(update={"changes": (*plan.changes, extra)})
    runner = run(plan, FakeGraph(creates=["new-n"], statuses={delete.id: 500}))
    assert runner.outcomes[late.id].state == StepState.NOT_ATTEMPTED
    assert runner.outcomes[late.id].detail == f"depends on {delete.id}"
    assert runner.outcomes[payload.id].state == StepState.APPLIED


def test_a_placeholder_of_an_object_not_created_is_sent_as_it_is():
    wanted = desired(
        resource("n", displayName="N", priority=1), resource("a", displayName="A", priority=2)
    )
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    # a reorder that does not wait for its create (never made so; shows what is sent)
    changes = tuple(
        c.model_copy(update={"steps": (c.steps[0].model_copy(update={"after": ()}),)})
        if c.action == Action.REORDER
        else c
        for c in plan.changes
    )
    graph = FakeGraph(creates=[graph_error(400)])
    run(plan.model_copy(update={"changes": changes}), graph)
    (reorder,) = graph.batched
    assert reorder.body["officeConfigurationPolicyIds"] == ["{id:" + f"{SECURITY}/n" + "}", "id-a"]
