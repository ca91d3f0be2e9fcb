"""The writes of a change, pure, for each facet: creates (what is inline, what follows and
when nothing follows), updates by PATCH, by PUT of the whole entity and by delta action."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from reconciler.engine.planner import make_plan
from reconciler.engine.writes import delete_step, delta_body, update_steps, write_value
from reconciler.errors import PlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Children, DeltaAction
from reconciler.kinds.registry import Registry
from reconciler.values.desired import Desired, SourcePosition
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Plan, Purpose, StepKind
from tests.support.tenant import GROUP_A, POLICIES, SECURITY, SECURITY_TYPE

from .builders import desired, live, obj, resource
from .test_kind_as_data import DELTA_RULE_SET, KINDS

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OFFICE = REGISTRY.by_kind(SECURITY)
DELTA = "/testing/deltaRuleSets"


def plan(wanted: Desired, tenant: Live, kinds: Registry = REGISTRY) -> Plan:
    return make_plan(wanted, tenant, now=NOW, kinds=kinds)


def rule_set(**spec: Any) -> Desired:
    wanted = resource("r", "DeltaRuleSet", **spec)
    wanted.spec["name"] = "R"  # type: ignore[index]  # the identity, which resource() names
    return desired(wanted)


def delta_live(rules: list[dict[str, Any]]) -> Live:
    body = {"id": "d-1", "name": "R", "rules": rules}
    return Live(
        graph_url="http://x/beta",
        objects=(LiveObject(kind="DeltaRuleSet", id="d-1", body=body, identity="name"),),
    )


def test_a_create_posts_plain_fields_then_each_facet_after_it():
    wanted = desired(
        resource(
            "n",
            displayName="N",
            priority=5,
            description=None,
            policyPayload={},
            userPreferencePayload=None,
            assignments=[],
        )
    )
    (change,) = plan(wanted, live()).changes
    create, *rest = change.steps
    assert (create.kind, create.method, create.path, create.id) == (
        StepKind.CREATE,
        "POST",
        POLICIES,
        f"{SECURITY}/n#create",
    )
    assert create.body == {
        "@odata.type": SECURITY_TYPE,
        "displayName": "N",
        "priority": 5,
        "description": None,
    }
    # an empty document is a payload to store; a null payload and no assignments send nothing
    (stream,) = rest
    assert (stream.id, stream.kind, stream.path, stream.body, stream.after) == (
        f"{SECURITY}/n#policyPayload",
        StepKind.PUT_STREAM,
        f"{POLICIES}/{{id:{SECURITY}/n}}/policyPayload",
        {},
        (create.id,),
    )


def test_a_create_of_a_delta_kind_adds_its_children_in_one_action_after_the_post():
    (change,) = plan(
        rule_set(rules=[{"ruleId": "a", "v": 1}, {"ruleId": "b", "v": 2}]),
        Live(graph_url="http://x/beta", objects=()),
        KINDS,
    ).changes
    create, children = change.steps
    assert create.body == {"name": "R"}  # no create_type: no @odata.type either
    assert (
        children.kind,
        children.purpose,
        children.method,
        children.path,
        children.id,
        children.after,
    ) == (
        StepKind.ACTION,
        Purpose.CHILDREN,
        "POST",
        DELTA + "/{id:DeltaRuleSet/r}/updateRules",
        "DeltaRuleSet/r#rules",
        (create.id,),
    )
    assert children.body == {
        "added": [{"ruleId": "a", "v": 1}, {"ruleId": "b", "v": 2}],
        "updated": [],
        "deletedIds": [],
    }


def test_a_create_of_a_delta_kind_without_children_sends_the_post_alone():
    rules: list[Any] | None
    for rules in ([], None):
        (change,) = plan(
            rule_set(rules=rules), Live(graph_url="http://x/beta", objects=()), KINDS
        ).changes
        assert [s.kind for s in change.steps] == [StepKind.CREATE]


def test_a_delta_update_names_only_what_changed():
    current = [
        {"id": "x1", "ruleId": "a", "v": 1, "@odata.type": "#t"},
        {"id": "x2", "ruleId": "b", "v": 2},
    ]
    (change,) = plan(
        rule_set(rules=[{"ruleId": "a", "v": 1}, {"ruleId": "b", "v": 3}]),
        delta_live(current),
        KINDS,
    ).changes
    (step,) = change.steps
    assert step.body == {
        "added": [],
        "updated": [{"ruleId": "b", "v": 3, "id": "x2"}],
        "deletedIds": [],
    }
    assert (step.id, step.after) == ("DeltaRuleSet/r#rules", ())
    assert plan(
        rule_set(rules=[{"ruleId": "b", "v": 2}, {"ruleId": "a", "v": 1}]),
        delta_live(current),
        KINDS,
    ).is_empty


def test_delta_body_is_none_when_nothing_changed_and_names_each_kind_of_change():
    facet = DELTA_RULE_SET.facet("rules")
    assert isinstance(facet, Children) and isinstance(facet.write, DeltaAction)
    (owner,) = rule_set(rules=[]).resources
    rules: dict[str, Any] = {"resource": owner, "field": "rules"}  # where a refusal points
    same = [{"ruleId": "a", "v": 1}]
    assert (
        delta_body(facet, facet.write, same, [{"id": "1", "ruleId": "a", "v": 1}], **rules) is None
    )
    desired_items = [{"ruleId": "a", "v": 2}]
    assert delta_body(facet, facet.write, desired_items, [], **rules) == {
        "added": desired_items,
        "updated": [],
        "deletedIds": [],
    }
    assert delta_body(facet, facet.write, [], [{"id": "1", "ruleId": "a"}], **rules) == {
        "added": [],
        "updated": [],
        "deletedIds": ["1"],
    }
    sent = delta_body(
        facet, facet.write, desired_items, [{"id": "1", "ruleId": "a", "v": 1}], **rules
    )
    assert sent == {"added": [], "updated": [{"ruleId": "a", "v": 2, "id": "1"}], "deletedIds": []}
    assert desired_items == [{"ruleId": "a", "v": 2}]  # the manifest's items are not changed


def test_a_change_of_an_item_the_catalog_marks_unwritable_is_refused_at_the_item():
    facet = DELTA_RULE_SET.facet("rules")
    assert isinstance(facet, Children) and isinstance(facet.write, DeltaAction)
    (built,) = rule_set(rules=[]).resources
    at = SourcePosition(file="r.yaml", line=9, column=5)
    owner = dataclasses.replace(
        built,
        unwritable={"rules": {"b": "the catalog marks it read-only", "c": "read-only too"}},
        positions={**built.positions, "/spec/rules/1": at},
    )
    rules: dict[str, Any] = {"resource": owner, "field": "rules"}
    live_items = [{"id": "1", "ruleId": "a", "v": 1}, {"id": "2", "ruleId": "b", "v": 1}]
    hint = (
        "Declare it as the tenant holds it (as `reconciler export` writes it), and make the "
        "change in the portal."
    )
    changed = [{"ruleId": "a", "v": 1}, {"ruleId": "b", "v": 2}]
    with pytest.raises(PlanError) as caught:
        delta_body(facet, facet.write, changed, live_items, **rules)
    assert str(caught.value) == ("r.yaml:9:5: DeltaRuleSet/r: b: the catalog marks it read-only")
    assert caught.value.hint == hint
    with pytest.raises(PlanError) as caught:  # removed: named from the live item, at the field
        delta_body(facet, facet.write, changed[:1], live_items, **rules)
    assert str(caught.value) == "r.yaml:5:3: DeltaRuleSet/r: b: the catalog marks it read-only"
    with pytest.raises(PlanError) as caught:  # added
        delta_body(facet, facet.write, [changed[0], {"ruleId": "c"}], live_items[:1], **rules)
    assert str(caught.value) == "r.yaml:9:5: DeltaRuleSet/r: c: read-only too"
    added = [{"ruleId": "a", "v": 1}, {"ruleId": "d", "v": 1}]  # others are written as usual
    assert delta_body(facet, facet.write, added, live_items[:1], **rules) == {
        "added": [{"ruleId": "d", "v": 1}],
        "updated": [],
        "deletedIds": [],
    }


def test_a_create_with_an_item_the_catalog_marks_unwritable_is_refused():
    (built,) = rule_set(rules=[{"ruleId": "a", "v": 1}]).resources
    owner = dataclasses.replace(built, unwritable={"rules": {"a": "read-only"}})
    empty = Live(graph_url="http://x/beta", objects=())
    with pytest.raises(PlanError) as caught:
        plan(Desired(resources=(owner,), manifest_hash="h"), empty, KINDS)
    assert str(caught.value) == "r.yaml:5:3: DeltaRuleSet/r: a: read-only"


def test_an_update_by_put_sends_the_writable_entity_and_leaves_the_ordering_to_the_reorder():
    putting = Registry([dataclasses.replace(OFFICE, update="put")])
    current = obj(
        "id-a",
        displayName="A",
        priority=1,
        description="old",
        lastModifiedDateTime="t",
        userCheckinSummary={"succeededUserCount": 1, "failedUserCount": 0},
        extra={"k": 1, "k@odata.context": "drop me", "@odata.type": "#keep"},
    )
    wanted = desired(resource("a", displayName="A", priority=2, description="new"))
    changes = plan(wanted, live(current), putting).changes
    (put,) = changes[0].steps
    assert (put.kind, put.method, put.path, put.id) == (
        StepKind.PUT,
        "PUT",
        f"{POLICIES}/id-a",
        f"{SECURITY}/a#put",
    )
    assert isinstance(put.body, dict)
    assert put.body["@odata.type"] == SECURITY_TYPE
    assert put.body["description"] == "new" and put.body["priority"] == 1  # the reorder moves it
    assert put.body["extra"] == {"k": 1, "@odata.type": "#keep"}
    assert {
        "id",
        "lastModifiedDateTime",
        "userCheckinSummary",
        "policyPayload",
        "assignments",
    }.isdisjoint(put.body)
    assert [c.steps[0].purpose for c in changes[1:]] == [Purpose.REORDER]


def test_updates_of_streams_and_assignments_keep_live_values_at_ignored_pointers():
    current = obj(
        "id-a", displayName="A", priority=1, policyPayload={"a": 1, "b": "theirs"}, assignments=[]
    )
    wanted = resource(
        "a",
        displayName="A",
        priority=1,
        ignore=("/policyPayload/b",),
        policyPayload={"a": 2, "b": "mine"},
        assignments=[GROUP_A],
    )
    steps = update_steps(OFFICE, wanted, current, ["policyPayload", "assignments"])
    assert [(s.kind, s.id, s.after) for s in steps] == [
        (StepKind.PUT_STREAM, f"{SECURITY}/a#policyPayload", ()),
        (StepKind.ACTION, f"{SECURITY}/a#assign", ()),
    ]
    assert steps[0].body == {"a": 2, "b": "theirs"}
    assert steps[1].body == {
        "officeConfigurationAssignments": [
            {
                "target": {
                    "@odata.type": "#microsoft.graph.officeConfigurationGroupAssignmentTarget",
                    "groupId": GROUP_A,
                }
            }
        ]
    }


def test_write_value_copies_and_only_ignores_pointers_below_the_field():
    declared = {"a": {"x": 1}}
    wanted = resource(
        "a",
        displayName="A",
        ignore=("/policyPayload", "/description/x", "/policyPayload/a/y"),
        policyPayload=declared,
    )
    current = obj("id-a", displayName="A", policyPayload={"a": {"x": 9, "y": 8}})
    value = write_value(wanted, current, "policyPayload")
    assert value == {"a": {"x": 1, "y": 8}}
    assert declared == {"a": {"x": 1}}, "the manifest's value was changed in place"
    assert write_value(wanted, None, "policyPayload") == {"a": {"x": 1}}


def test_a_delete_is_one_delete_of_the_item():
    step = delete_step(OFFICE, f"{SECURITY}/id-x", "id-x", ("before",))
    assert (step.id, step.kind, step.method, step.path, step.body, step.after) == (
        f"{SECURITY}/id-x#delete",
        StepKind.DELETE,
        "DELETE",
        f"{POLICIES}/id-x",
        None,
        ("before",),
    )


def test_a_delta_update_keeps_live_values_at_ignored_pointers_below_the_children():
    facet_kind = KINDS.by_kind("DeltaRuleSet")
    wanted = resource(
        "r", "DeltaRuleSet", ignore=("/rules/0/v",), rules=[{"ruleId": "a", "v": 2, "w": 1}]
    )
    current = LiveObject(
        kind="DeltaRuleSet",
        id="d-1",
        identity="name",
        body={"id": "d-1", "rules": [{"id": "x1", "ruleId": "a", "v": 1, "w": 0}]},
    )
    (step,) = update_steps(facet_kind, wanted, current, ["rules"])
    assert step.body == {
        "added": [],
        "updated": [{"ruleId": "a", "v": 1, "w": 1, "id": "x1"}],
        "deletedIds": [],
    }


def test_a_put_drops_annotations_inside_lists_of_the_live_entity():
    putting = Registry([dataclasses.replace(OFFICE, update="put")])
    statuses = [{"userId": "u", "x@odata.context": "drop me", "@odata.type": "#keep"}]
    current = obj("id-a", displayName="A", priority=1, description="old", extra=statuses)
    (change, *_) = plan(
        desired(resource("a", displayName="A", priority=1, description="new")),
        live(current),
        putting,
    ).changes
    body: Any = change.steps[0].body
    assert body["extra"] == [{"userId": "u", "@odata.type": "#keep"}]
