"""Saved plans against the tenant at apply time, pure: which moves make a plan stale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.engine.planner import make_plan
from reconciler.engine.staleness import check_fresh, live_object
from reconciler.errors import StalePlanError
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Plan
from tests.support.tenant import CLIENT

from .builders import GRAPH, a_and_unmanaged_x, desired, live, obj, prune_x, resource

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SUMMARY = {"succeededUserCount": 1, "failedUserCount": 0}


def stale(plan: Plan, tenant: Live) -> str:
    with pytest.raises(StalePlanError) as caught:
        check_fresh(plan, tenant)
    return str(caught.value)


def reorder_plan() -> tuple[Plan, Live]:
    wanted = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-b", displayName="B", priority=2),
        obj("id-x", CLIENT, displayName="X", priority=3),
    )
    plan = make_plan(wanted, tenant, now=NOW)
    assert [c.action for c in plan.changes] == [Action.UPDATE, Action.UPDATE, Action.REORDER]
    # the updates (no steps: the reorder carries their priorities) have fingerprints of their
    # own; keep the reorder alone so that its fingerprint is what is checked
    return plan.model_copy(update={"changes": plan.changes[-1:]}), tenant


def test_a_reorder_plan_is_fresh_against_the_tenant_it_came_from():
    plan, tenant = reorder_plan()
    check_fresh(plan, tenant)


@pytest.mark.parametrize("moved", ["id-a", "id-x"])
def test_a_reorder_plan_is_stale_when_a_priority_moved(moved):
    plan, tenant = reorder_plan()
    objects = [
        LiveObject(kind=o.kind, id=o.id, body={**o.body, "priority": 9}) if o.id == moved else o
        for o in tenant.objects
    ]
    message = stale(plan, Live(graph_url=GRAPH, objects=tuple(objects)))
    assert "the priorities under /officeConfiguration/clientConfigurations changed" in message


def test_a_reorder_plan_is_stale_when_a_policy_joined_or_left_the_collection():
    plan, tenant = reorder_plan()
    joined = Live(
        graph_url=GRAPH, objects=(*tenant.objects, obj("id-y", CLIENT, displayName="Y", priority=7))
    )
    assert "priorities" in stale(plan, joined)
    left = Live(graph_url=GRAPH, objects=tuple(o for o in tenant.objects if o.id != "id-x"))
    assert "priorities" in stale(plan, left)


def test_a_reorder_plan_ignores_changes_outside_the_ordering():
    plan, tenant = reorder_plan()
    objects = [
        LiveObject(kind=o.kind, id=o.id, body={**o.body, "description": "edited"})
        for o in tenant.objects
    ]
    check_fresh(plan, Live(graph_url=GRAPH, objects=tuple(objects)))


def create_plan() -> Plan:
    plan = make_plan(desired(resource("n", displayName="N", priority=4)), live(), now=NOW)
    assert [c.action for c in plan.changes] == [Action.CREATE]
    return plan


def test_a_create_plan_is_stale_when_an_object_of_that_name_appeared():
    message = stale(create_plan(), live(obj("id-n", displayName="N", priority=9)))
    assert "WindowsOfficeClientSecurityConfiguration/n: an object named 'N' now exists" in message


def test_a_create_plan_is_fresh_when_the_name_appeared_only_in_another_kind_or_name():
    check_fresh(create_plan(), live(obj("id-n", CLIENT, displayName="N", priority=9)))
    check_fresh(create_plan(), live(obj("id-m", displayName="N 2", priority=9)))


def update_plan(**spec) -> tuple[Plan, LiveObject]:
    current = obj(
        "id-a", displayName="A", priority=1, description="old", userCheckinSummary=SUMMARY
    )
    plan = make_plan(
        desired(resource("a", displayName="A", priority=1, **spec)), live(current), now=NOW
    )
    assert [c.action for c in plan.changes] == [Action.UPDATE]
    return plan, current


def edited(current: LiveObject, **body) -> Live:
    return live(LiveObject(kind=current.kind, id=current.id, body={**current.body, **body}))


def test_an_update_plan_is_stale_when_its_object_changed():
    plan, current = update_plan(description="new")
    check_fresh(plan, live(current))
    assert "object id-a changed since the plan was made" in stale(
        plan, edited(current, displayName="Renamed")
    )
    assert "object id-a changed" in stale(plan, edited(current, policyPayload={"k": 1}))


def test_an_update_plan_is_stale_when_its_object_is_gone():
    plan, _ = update_plan(description="new")
    assert "object id-a no longer exists" in stale(plan, live())


def test_reporting_and_server_fields_are_not_part_of_the_fingerprint_unless_declared():
    plan, current = update_plan(description="new")
    check_fresh(
        plan, edited(current, userCheckinSummary={"succeededUserCount": 7, "failedUserCount": 0})
    )
    check_fresh(
        plan, edited(current, checkinStatuses=[{"userId": "u"}], lastModifiedDateTime="later")
    )


def test_a_declared_reporting_field_is_part_of_the_fingerprint():
    plan, current = update_plan(description="new", userCheckinSummary=SUMMARY)
    assert "userCheckinSummary" in plan.changes[0].declared
    check_fresh(plan, live(current))
    moved = edited(current, userCheckinSummary={"succeededUserCount": 7, "failedUserCount": 0})
    assert "object id-a changed" in stale(plan, moved)


def test_the_fingerprint_ignores_the_case_of_the_id():
    plan, current = update_plan(description="new")
    check_fresh(
        plan, live(LiveObject(kind=current.kind, id="ID-A", body={**current.body, "id": "ID-A"}))
    )


def test_a_delete_plan_is_stale_when_its_object_changed_or_went():
    tenant = a_and_unmanaged_x()
    plan = prune_x(tenant, NOW)
    assert [c.action for c in plan.changes] == [Action.DELETE]
    check_fresh(plan, tenant)
    assert "id-x no longer exists" in stale(plan, live(obj("id-a", displayName="A", priority=1)))
    changed = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-x", displayName="X", priority=2, description="e"),
    )
    assert "object id-x changed" in stale(plan, changed)


def test_a_singleton_change_is_checked_against_the_one_live_object():
    singleton = "OfficeConfiguration"
    wanted = desired(resource("office", singleton, tenantUserCheckinSummary=SUMMARY))
    tenant = Live(graph_url=GRAPH, objects=(LiveObject(kind=singleton, id=None, body={}),))
    plan = make_plan(wanted, tenant, now=NOW)
    (change,) = plan.changes
    assert live_object(change, tenant) is tenant.objects[0]
    check_fresh(plan, tenant)
    moved = Live(
        graph_url=GRAPH,
        objects=(LiveObject(kind=singleton, id=None, body={"tenantUserCheckinSummary": SUMMARY}),),
    )
    assert "changed since the plan was made" in stale(plan, moved)
    assert "no longer exists" in stale(plan, Live(graph_url=GRAPH, objects=()))


def test_a_plan_for_another_graph_url_is_stale_whatever_its_changes():
    plan = make_plan(desired(), live(), now=NOW)
    check_fresh(plan, Live(graph_url=GRAPH + "/", objects=()))
    message = stale(plan, Live(graph_url="http://127.0.0.1:2/beta", objects=()))
    assert message == f"Saved plan is stale: it was made for {GRAPH}, not http://127.0.0.1:2/beta."
