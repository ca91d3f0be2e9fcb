"""Planner and diff, pure: identity, minimal bodies, payloads, assignments, priorities, prune."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.engine.planner import make_plan
from reconciler.engine.staleness import check_fresh
from reconciler.errors import PlanError
from reconciler.values.plan import Action, Purpose, StepKind
from tests.support.tenant import CLIENT, GROUP_A, GROUP_B

from .builders import desired, in_sync, live, obj, resource

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def plan_for(d, tenant_, **kw):
    return make_plan(d, tenant_, now=NOW, **kw)


def test_matching_tenant_plans_nothing():
    d, tenant = in_sync()
    plan = plan_for(d, tenant)
    assert plan.is_empty
    assert plan.changes == ()


def test_one_changed_field_patches_exactly_that_field():
    d = desired(resource("a", displayName="A", priority=1, description="new"))
    tenant = live(obj("id-a", displayName="A", priority=1, description="old"))
    (change,) = plan_for(d, tenant).changes
    assert change.action == Action.UPDATE
    (step,) = change.steps
    assert step.kind == StepKind.PATCH
    assert step.body == {
        "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
        "description": "new",
    }
    assert [r.pointer for r in change.fields] == ["/spec/description"]
    assert change.patch == ({"op": "replace", "path": "/spec/description", "value": "new"},)


def test_undeclared_fields_are_not_managed_and_null_clears():
    d = desired(resource("a", displayName="A", priority=1, description=None))
    tenant = live(
        obj(
            "id-a",
            displayName="A",
            priority=1,
            description="keep?",
            policyPayload={"unmanaged": True},
        )
    )
    (change,) = plan_for(d, tenant).changes
    assert change.steps[0].body["description"] is None
    assert "policyPayload" not in change.steps[0].body


def test_payload_compared_as_json_and_written_only_when_different():
    d = desired(resource("a", displayName="A", priority=1, policyPayload={"b": 2, "a": 1}))
    same = live(obj("id-a", displayName="A", priority=1, policyPayload={"a": 1, "b": 2}))
    assert plan_for(d, same).is_empty
    other = live(obj("id-a", displayName="A", priority=1, policyPayload={"a": 1, "b": 3}))
    (change,) = plan_for(d, other).changes
    (step,) = change.steps
    assert (step.kind, step.method, step.path) == (
        StepKind.PUT_STREAM,
        "PUT",
        "/officeConfiguration/clientConfigurations/id-a/policyPayload",
    )
    assert change.fields[0].details == ("/spec/policyPayload/b",)


def test_assignments_are_a_set_of_ids_and_one_assign_call():
    d = desired(resource("a", displayName="A", priority=1, assignments=[GROUP_A, GROUP_B]))
    same = live(obj("id-a", displayName="A", priority=1, assignments=[GROUP_B, GROUP_A.upper()]))
    assert plan_for(d, same).is_empty
    fewer = live(obj("id-a", displayName="A", priority=1, assignments=[GROUP_A]))
    (change,) = plan_for(d, fewer).changes
    (step,) = change.steps
    assert (step.kind, step.purpose) == (StepKind.ACTION, Purpose.ASSIGN)
    targets = [a["target"]["groupId"] for a in step.body["officeConfigurationAssignments"]]
    assert targets == sorted([GROUP_A, GROUP_B])


def test_reorder_is_one_update_priorities_call_with_the_whole_order():
    d = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
    )
    plan = plan_for(d, tenant)
    reorders = [s for s in plan.steps() if s.purpose == Purpose.REORDER]
    assert len(reorders) == 1
    assert reorders[0].body == {
        "officeConfigurationPolicyIds": ["id-b", "id-a"],
        "officeConfigurationPriorities": [1, 2],
    }
    assert not any(s.kind == StepKind.PATCH for s in plan.steps())
    assert plan.count(Action.UPDATE) == 2


def test_create_takes_a_free_temporary_priority_when_its_own_is_held():
    d = desired(
        resource("new", displayName="N", priority=1), resource("a", displayName="A", priority=2)
    )
    tenant = live(obj("id-a", displayName="A", priority=1))
    plan = plan_for(d, tenant)
    create = next(s for s in plan.steps() if s.kind == StepKind.CREATE)
    assert create.body["priority"] not in (1, 2)
    reorder = next(s for s in plan.steps() if s.purpose == Purpose.REORDER)
    assert reorder.body["officeConfigurationPriorities"] == [1, 2]
    assert (
        reorder.body["officeConfigurationPolicyIds"][0]
        == "{id:WindowsOfficeClientSecurityConfiguration/new}"
    )
    assert create.id in reorder.after


def test_create_then_payloads_and_assign_depend_on_it():
    d = desired(
        resource("n", displayName="N", priority=5, policyPayload={"x": 1}, assignments=[GROUP_A])
    )
    plan = plan_for(d, live())
    kinds = [s.kind for s in plan.steps()]
    assert kinds == [StepKind.CREATE, StepKind.PUT_STREAM, StepKind.ACTION]
    create = plan.steps()[0]
    assert create.body == {
        "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
        "displayName": "N",
        "priority": 5,
    }
    assert all(s.after == (create.id,) for s in plan.steps()[1:])


def test_two_live_objects_with_the_same_name_stop_the_plan():
    d = desired(resource("a", displayName="A", priority=1))
    tenant = live(
        obj("id-1", displayName="A", priority=1), obj("id-2", displayName="A", priority=2)
    )
    with pytest.raises(PlanError, match="id-1, id-2"):
        plan_for(d, tenant)


def test_pinned_id_wins_over_display_name():
    d = desired(resource("a", id="ID-2", displayName="Renamed", priority=2))
    tenant = live(
        obj("id-1", displayName="Renamed", priority=1), obj("id-2", displayName="Old", priority=2)
    )
    (change,) = plan_for(d, tenant).changes
    assert change.object_id == "id-2"
    assert change.steps[0].body["displayName"] == "Renamed"


def test_unmanaged_listed_or_pruned_and_kind_scoped():
    d = desired(resource("a", displayName="A", priority=1), scope=("*/*",))
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-x", displayName="X", priority=2),
        obj("id-c", CLIENT, displayName="C", priority=3),
    )
    plan = plan_for(d, tenant)
    assert [u.id for u in plan.unmanaged] == ["id-x"]  # the other kind is not managed here
    pruned = plan_for(d, tenant, prune=True)
    assert [(c.action, c.object_id) for c in pruned.changes] == [(Action.DELETE, "id-x")]


def test_priority_held_by_unmanaged_object_is_an_error():
    d = desired(resource("a", displayName="A", priority=2))
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    with pytest.raises(PlanError, match="priority 2"):
        plan_for(d, tenant)


def test_ignored_pointer_is_neither_diffed_nor_overwritten():
    d = desired(
        resource(
            "a",
            displayName="A",
            priority=1,
            ignore=("/description", "/policyPayload/b"),
            description="mine",
            policyPayload={"a": 2, "b": "mine"},
        )
    )
    tenant = live(
        obj(
            "id-a",
            displayName="A",
            priority=1,
            description="theirs",
            policyPayload={"a": 1, "b": "theirs"},
        )
    )
    (change,) = plan_for(d, tenant).changes
    (step,) = change.steps
    assert step.body == {"a": 2, "b": "theirs"}
    assert [r.field for r in change.fields] == ["policyPayload"]


def test_plan_states_its_cost():
    d = desired(resource("a", displayName="A", priority=1, description="n"))
    plan = plan_for(d, live(obj("id-a", displayName="A", priority=1), reads=7))
    assert plan.cost.read_requests == 7
    assert plan.cost.writes == 1
    assert plan.cost.min_write_seconds == 0.2


def test_a_fresh_reorder_plan_is_not_stale_whatever_the_case_of_its_ids():
    # The reorder's fingerprint must be the one the stale check computes: ordering ids
    # before lower-casing them ("B" < "a", but "a" < "b") once made such a plan stale at once.
    d = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    tenant = live(obj("B-1", displayName="A", priority=1), obj("a-2", displayName="B", priority=2))
    plan = plan_for(d, tenant)
    assert Action.REORDER in [c.action for c in plan.changes]
    check_fresh(plan, tenant)  # raises StalePlanError when the fingerprints disagree
