"""Planner with --prune and priorities, pure: a policy being pruned gives up its priority,
and every create that had to take a temporary priority is moved into place by the one
ordering call, which waits for the deletes and creates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reconciler.engine.planner import make_plan
from reconciler.errors import PlanError
from reconciler.values.desired import DesiredResource
from reconciler.values.plan import Action, Plan, Purpose, Step, StepKind
from tests.support.tenant import CLIENT

from .builders import desired as desired_unscoped
from .builders import live, obj, resource


def desired(*resources: DesiredResource) -> Any:
    """Every test here prunes, and --prune needs a scope: the whole tenant's policies."""
    return desired_unscoped(*resources, scope=("*/*",))


NOW = datetime(2026, 1, 1, tzinfo=UTC)
PLACEHOLDER = "{id:WindowsOfficeClientSecurityConfiguration/n}"


def reorder_step(plan: Plan) -> Step:
    (step,) = [s for s in plan.steps() if s.purpose == Purpose.REORDER]
    return step


def order(plan: Plan) -> list[tuple[Any, Any]]:
    body: Any = reorder_step(plan).body
    ids, values = body["officeConfigurationPolicyIds"], body["officeConfigurationPriorities"]
    return list(zip(ids, values, strict=True))


def created_with(plan: Plan) -> list[Any]:
    """The priority each create is posted with."""
    return [s.body["priority"] for s in plan.steps() if s.kind == StepKind.CREATE]  # type: ignore[call-overload, index]


def prune_plan(*wanted: DesiredResource) -> Plan:
    """The plan with --prune of `wanted` over A (priority 1) and the unmanaged X (2)."""
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    return make_plan(desired(*wanted), tenant, now=NOW, prune=True)


def test_a_manifest_may_take_the_priority_of_a_policy_being_pruned():
    wanted = desired(resource("a", displayName="A", priority=2))
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    with pytest.raises(PlanError, match="priority 2 would be held by both"):
        make_plan(wanted, tenant, now=NOW)
    plan = make_plan(wanted, tenant, now=NOW, prune=True)
    delete = next(s for s in plan.steps() if s.kind == StepKind.DELETE)
    assert order(plan) == [("id-a", 2)]
    assert reorder_step(plan).after == (delete.id,)


def test_a_pruned_policy_of_the_other_kind_gives_up_its_priority_only_when_its_kind_is_managed():
    wanted = desired(resource("a", displayName="A", priority=2))
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-c", CLIENT, displayName="C", priority=2)
    )
    with pytest.raises(PlanError, match="unmanaged WindowsOfficeClientConfiguration 'C'"):
        make_plan(wanted, tenant, now=NOW, prune=True)  # prune deletes only managed kinds


def test_a_create_whose_priority_a_pruned_policy_holds_still_gets_the_ordering_call():
    plan = prune_plan(
        resource("n", displayName="N", priority=2), resource("a", displayName="A", priority=1)
    )
    create = next(s for s in plan.steps() if s.kind == StepKind.CREATE)
    delete = next(s for s in plan.steps() if s.kind == StepKind.DELETE)
    assert created_with(plan)[0] not in (1, 2), "the create would collide before the delete lands"
    assert order(plan) == [("id-a", 1), (PLACEHOLDER, 2)]
    assert set(reorder_step(plan).after) == {delete.id, create.id}
    assert [c.action for c in plan.changes] == [Action.DELETE, Action.CREATE, Action.REORDER]


def test_a_create_with_a_free_priority_needs_no_ordering_call():
    plan = prune_plan(
        resource("n", displayName="N", priority=3), resource("a", displayName="A", priority=1)
    )
    assert created_with(plan) == [3]
    assert [s for s in plan.steps() if s.purpose == Purpose.REORDER] == []


def test_temporary_priorities_are_above_every_priority_live_or_desired_and_distinct():
    wanted = desired(
        resource("n", displayName="N", priority=1),
        resource("m", displayName="M", priority=2),
        resource("a", displayName="A", priority=30),
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-b", displayName="B", priority=2),
        obj("id-c", displayName="C", priority=12),
    )
    plan = make_plan(wanted, tenant, now=NOW, prune=True)
    temporary = created_with(plan)
    assert temporary == [31, 32]  # the next values above all of them, one per create
    assert [value for _, value in order(plan)] == [1, 2, 30]


def test_a_temporary_priority_is_the_first_above_zero_when_zero_is_all_there_is():
    wanted = desired(resource("n", displayName="N", priority=0))
    plan = make_plan(wanted, live(obj("id-x", displayName="X", priority=0)), now=NOW, prune=True)
    assert created_with(plan) == [1]  # X holds 0 until it is pruned: N waits at 1
    assert order(plan) == [("{id:WindowsOfficeClientSecurityConfiguration/n}", 0)]


def test_unmanaged_policies_keep_their_place_without_prune_and_give_it_up_with_it():
    wanted = desired(resource("a", displayName="A", priority=3))
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    kept = make_plan(wanted, tenant, now=NOW)
    assert order(kept) == [("id-a", 3)]
    assert [u.id for u in kept.unmanaged] == ["id-x"]
    pruned = make_plan(wanted, tenant, now=NOW, prune=True)
    assert pruned.unmanaged == ()
    assert [c.object_id for c in pruned.changes if c.action == Action.DELETE] == ["id-x"]


def test_the_ordering_fingerprint_and_labels_name_each_managed_policy():
    wanted = desired(
        resource("n", displayName="N", priority=1), resource("a", displayName="A", priority=2)
    )
    tenant = live(obj("id-a", displayName="A", priority=1))
    plan = make_plan(wanted, tenant, now=NOW)
    (reorder,) = [c for c in plan.changes if c.action == Action.REORDER]
    assert reorder.address == "priorities:/officeConfiguration/clientConfigurations"
    assert reorder.collection == "/officeConfiguration/clientConfigurations"
    assert [(e.id, e.value, e.label) for e in reorder.ordering] == [
        (PLACEHOLDER, 1, "N"),
        ("id-a", 2, "A"),
    ]
    assert reorder.steps[0].path == "/officeConfiguration/clientConfigurations/updatePriorities"
