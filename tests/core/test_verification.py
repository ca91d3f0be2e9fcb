"""After an apply, pure: does the tenant show each applied change's intent?"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.engine.planner import make_plan
from reconciler.engine.verification import unconfirmed_changes
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Change
from tests.support.tenant import SECURITY

from .builders import GRAPH, desired, live, obj, resource

NOW = datetime(2026, 1, 1, tzinfo=UTC)
A = f"{SECURITY}/a"


def changes(*wanted, tenant: Live, prune: bool = False) -> list[Change]:
    scope = ("*/*",) if prune else ()  # --prune needs a scope: here the whole tenant's
    return list(make_plan(desired(*wanted, scope=scope), tenant, now=NOW, prune=prune).changes)


def test_an_update_is_confirmed_by_its_planned_values_and_not_by_others():
    planned = changes(
        resource("a", displayName="A", priority=1, description="new", policyPayload={"k": 2}),
        tenant=live(obj("id-a", displayName="A", priority=1)),
    )
    done = live(obj("id-a", displayName="A", priority=1, description="new", policyPayload={"k": 2}))
    assert unconfirmed_changes(planned, done, {}) == []
    half = live(obj("id-a", displayName="A", priority=1, description="new", policyPayload={"k": 3}))
    assert unconfirmed_changes(planned, half, {}) == [
        f"{A}: /spec/policyPayload is not the planned value"
    ]
    assert unconfirmed_changes(planned, live(), {}) == [f"{A}: not found after apply"]


def test_ignored_pointers_are_not_verified():
    wanted = resource(
        "a",
        displayName="A",
        priority=1,
        ignore=("/policyPayload/b",),
        policyPayload={"a": 1, "b": 1},
    )
    planned = changes(wanted, tenant=live(obj("id-a", displayName="A", priority=1)))
    done = live(obj("id-a", displayName="A", priority=1, policyPayload={"a": 1, "b": "theirs"}))
    assert unconfirmed_changes(planned, done, {}) == []


def test_a_create_is_found_by_the_id_graph_gave_it():
    planned = changes(resource("n", displayName="N", priority=3, description="d"), tenant=live())
    created = {"{id:" + f"{SECURITY}/n" + "}": "new-1"}
    done = live(obj("new-1", displayName="N", priority=3, description="d"))
    assert unconfirmed_changes(planned, done, created) == []
    assert unconfirmed_changes(planned, done, {}) == [f"{SECURITY}/n: not found after apply"]
    wrong = live(obj("new-1", displayName="N", priority=3, description="x"))
    assert unconfirmed_changes(planned, wrong, created) == [
        f"{SECURITY}/n: /spec/description is not the planned value"
    ]


def test_a_delete_is_confirmed_when_the_object_is_gone():
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    planned = changes(resource("a", displayName="A", priority=1), tenant=tenant, prune=True)
    assert [c.action for c in planned] == [Action.DELETE]
    assert unconfirmed_changes(planned, live(obj("id-a", displayName="A", priority=1)), {}) == []
    assert unconfirmed_changes(planned, tenant, {}) == [f"{SECURITY}/id-x: still exists"]


def test_a_reorder_is_confirmed_by_every_planned_value_created_ids_included():
    tenant = live(obj("id-a", displayName="A", priority=1))
    planned = changes(
        resource("n", displayName="N", priority=1),
        resource("a", displayName="A", priority=2),
        tenant=tenant,
    )
    reorder = [c for c in planned if c.action == Action.REORDER]
    created = {"{id:" + f"{SECURITY}/n" + "}": "new-n"}
    done = live(obj("new-n", displayName="N", priority=1), obj("id-a", displayName="A", priority=2))
    assert unconfirmed_changes(reorder, done, created) == []
    moved = live(
        obj("new-n", displayName="N", priority=7), obj("id-a", displayName="A", priority=2)
    )
    assert unconfirmed_changes(reorder, moved, created) == [
        "priorities:/officeConfiguration/clientConfigurations: {id:"
        f"{SECURITY}/n" + "} does not have priority 1"
    ]
    gone = live(obj("id-a", displayName="A", priority=2))
    assert len(unconfirmed_changes(reorder, gone, created)) == 1


def test_the_singleton_is_verified_as_the_one_object_of_its_kind():
    singleton = "OfficeConfiguration"
    summary = {"succeededUserCount": 1, "failedUserCount": 0}
    tenant = Live(graph_url=GRAPH, objects=(LiveObject(kind=singleton, id=None, body={}),))
    planned = changes(
        resource("office", singleton, tenantUserCheckinSummary=summary), tenant=tenant
    )
    done = Live(
        graph_url=GRAPH,
        objects=(LiveObject(kind=singleton, id=None, body={"tenantUserCheckinSummary": summary}),),
    )
    assert unconfirmed_changes(planned, done, {}) == []
    assert unconfirmed_changes(planned, tenant, {}) == [
        f"{singleton}/office: /spec/tenantUserCheckinSummary is not the planned value"
    ]


def test_a_replace_is_the_new_object_with_the_old_one_gone():
    planned = changes(
        resource("a", displayName="A", priority=1, description="d"),
        tenant=live(obj("id-a", displayName="A", priority=1)),
    )
    replace = planned[0].model_copy(update={"action": Action.REPLACE})
    created = {"{id:" + A + "}": "new-a"}
    new = obj("new-a", displayName="A", priority=1, description="d")
    assert unconfirmed_changes([replace], live(new), created) == []
    both = live(obj("id-a", displayName="A", priority=1, description="d"), new)
    assert unconfirmed_changes([replace], both, created) == [
        f"{A}: the replaced object still exists"
    ]
    # a replace whose create never happened: the old object is still there, the new one is not
    old_only = live(obj("id-a", displayName="A", priority=1, description="d"))
    assert unconfirmed_changes([replace], old_only, {}) == [
        f"{A}: the replaced object still exists",
        f"{A}: not found after apply",
    ]


def test_every_change_is_checked_whatever_came_before_it():
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2)
    )
    planned = changes(
        resource("b", displayName="B", priority=3),
        resource("a", displayName="A", priority=4, description="new"),
        tenant=tenant,
        prune=True,
    )
    assert [c.action for c in planned] == [
        Action.DELETE,
        Action.CREATE,
        Action.UPDATE,
        Action.REORDER,
    ]
    problems = unconfirmed_changes(planned, live(obj("id-x", displayName="X", priority=2)), {})
    assert problems == [
        f"{SECURITY}/id-x: still exists",
        f"{SECURITY}/b: not found after apply",
        f"{A}: not found after apply",
        "priorities:/officeConfiguration/clientConfigurations: {id:"
        + f"{SECURITY}/b"
        + "} does not have priority 3",
        "priorities:/officeConfiguration/clientConfigurations: id-a does not have priority 4",
    ]


def test_a_singleton_of_a_kind_outside_the_default_registry_is_verified_by_kind():
    import dataclasses

    from reconciler.kinds import REGISTRY
    from reconciler.kinds.registry import Registry

    office = REGISTRY.by_kind("OfficeConfiguration")
    kinds = Registry(
        [dataclasses.replace(office, kind="TenantSettings", collection="/tenantSettings")]
    )
    summary = {"succeededUserCount": 1, "failedUserCount": 0}
    tenant = Live(graph_url=GRAPH, objects=(LiveObject(kind="TenantSettings", id=None, body={}),))
    wanted = desired(resource("t", "TenantSettings", tenantUserCheckinSummary=summary))
    planned = list(make_plan(wanted, tenant, now=NOW, kinds=kinds).changes)
    done = Live(
        graph_url=GRAPH,
        objects=(
            LiveObject(kind="TenantSettings", id=None, body={"tenantUserCheckinSummary": summary}),
        ),
    )
    assert unconfirmed_changes(planned, done, {}, kinds=kinds) == []


def test_changes_after_a_reorder_are_checked_too():
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
    )
    planned = changes(
        resource("a", displayName="A", priority=2, description="new"),
        resource("b", displayName="B", priority=1),
        tenant=tenant,
    )
    reorder = [c for c in planned if c.action == Action.REORDER]
    update = [c for c in planned if c.object_id == "id-a"]
    done = live(
        obj("id-a", displayName="A", priority=2, description="old"),
        obj("id-b", displayName="B", priority=1),
    )
    assert unconfirmed_changes(reorder + update, done, {}) == [
        f"{A}: /spec/description is not the planned value"
    ]


def test_a_created_field_ignored_whole_is_not_verified_but_one_ignored_in_part_is():
    wanted = resource(
        "n",
        displayName="N",
        priority=3,
        ignore=("/description", "/policyPayload/b"),
        description="set once",
        policyPayload={"a": 1, "b": 1},
    )
    planned = changes(wanted, tenant=live())
    created = {"{id:" + f"{SECURITY}/n" + "}": "new-1"}
    body: dict[str, Any] = {"displayName": "N", "priority": 3, "description": "the server's"}
    done = live(obj("new-1", **body, policyPayload={"a": 1, "b": "theirs"}))
    assert unconfirmed_changes(planned, done, created) == []
    wrong = live(obj("new-1", **body, policyPayload={"a": 2, "b": 1}))
    assert unconfirmed_changes(planned, wrong, created) == [
        f"{SECURITY}/n: /spec/policyPayload is not the planned value"
    ]
