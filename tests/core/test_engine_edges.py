"""Edges of the engine the other core tests leave open, each pinned because a deliberate
breakage of the code went unnoticed (docs/mutation/report.md): plan metadata and messages,
replace and URL staleness, the temporary-priority owners named in conflicts, drift's
ignored pointers, deeper diff details and patches."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import jsonpatch
import pytest

from reconciler.engine import drift
from reconciler.engine.diff import compare
from reconciler.engine.planner import make_plan
from reconciler.engine.scope import in_scope
from reconciler.engine.staleness import check_fresh
from reconciler.engine.writes import write_value
from reconciler.errors import PlanError, StalePlanError
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import Payload
from reconciler.values.desired import SourcePosition
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, FieldRecord, SourceRef
from tests.support.tenant import SECURITY

from .builders import GRAPH, a_and_unmanaged_x, desired, live, obj, prune_x, resource
from .test_kind_as_data import RULE_SET

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OFFICE = REGISTRY.by_kind(SECURITY)


def details(before: Any, after: Any) -> tuple[str, ...]:
    wanted = resource("a", displayName="A", policyPayload=after)
    (change,) = compare(OFFICE, wanted, obj("id-a", displayName="A", policyPayload=before)).changes
    return tuple(d.removeprefix("/spec/policyPayload") for d in change.details)


# --- diff -----------------------------------------------------------------------------------


def test_details_of_reordered_plain_values_name_the_moved_indexes():
    assert details([1, 2], [2, 1]) == ("/0", "/1")
    # a list of the same length is walked index by index (every index here changed) ...
    assert details([1, 2, 3, 4], [2, 3, 4, 5]) == ("/0", "/1", "/2", "/3")
    # ... one that changed length is matched: one removal, not three replacements
    assert details([1, 2, 3, 4], [2, 3, 4]) == ("/0",)


def test_details_of_a_list_turning_from_values_to_documents_go_index_by_index():
    assert details([1, 2, 3], [{"x": 1}, 1, 2]) == ("/0", "/1", "/2")


def test_details_of_two_one_key_dicts_with_different_keys_name_both_keys():
    assert details({"a": 1}, {"b": 1}) == ("/a", "/b")  # the patch's remove and add


def test_a_dict_with_exactly_a_third_in_common_is_named_key_by_key():
    shared = {f"s{i}": i for i in range(33)}
    before = {**shared, **{f"b{i}": i for i in range(34)}}
    after = {**shared, **{f"a{i}": i for i in range(33)}}
    assert len(before.keys() | after.keys()) == 100
    assert details(before, after) != ("",)


def test_deeper_details_inside_a_list_that_changed_length():
    assert details([{"a": 1}], [{"a": 2}, {"b": 1}]) == ("/0/a", "/1")


def test_a_patch_with_moves_inside_a_list_that_changed_length_applies():
    wanted = resource("a", displayName="A", policyPayload={"l": [3, 1, 2, 4]})
    result = compare(OFFICE, wanted, obj("id-a", displayName="A", policyPayload={"l": [1, 2, 3]}))
    assert any(op["op"] == "move" for op in result.patch)
    document = {"spec": {"policyPayload": {"l": [1, 2, 3]}}}
    assert jsonpatch.apply_patch(document, list(result.patch)) == {
        "spec": {"policyPayload": {"l": [3, 1, 2, 4]}}
    }


def test_annotations_inside_lists_of_complex_values_are_dropped():
    status = {"userId": "u", "wasSuccessful": True, "checkinDateTime": "t"}
    wanted = resource("a", displayName="A", checkinStatuses=[status, status])
    current = obj(
        "id-a",
        displayName="A",
        checkinStatuses=[{**status, "@odata.type": "#x"}, {**status, "@odata.type": "#x"}],
    )
    assert compare(OFFICE, wanted, current).changes == ()


def test_a_null_list_field_equals_an_empty_list_and_a_value_does_not():
    wanted = resource("a", displayName="A", checkinStatuses=[])
    assert compare(OFFICE, wanted, obj("id-a", displayName="A", checkinStatuses=None)).changes == ()
    (change,) = compare(
        OFFICE, wanted, obj("id-a", displayName="A", checkinStatuses=[{"userId": "u"}])
    ).changes
    assert change.after == []


def test_write_value_of_a_payload_is_its_document():
    wanted = resource(
        "a",
        displayName="A",
        ignore=("/policyPayload/b",),
        policyPayload=Payload.of({"a": 1, "b": 1}),
    )
    current = obj("id-a", displayName="A", policyPayload={"a": 0, "b": "theirs"})
    assert write_value(wanted, current, "policyPayload") == {"a": 1, "b": "theirs"}
    assert write_value(wanted, None, "policyPayload") == {"a": 1, "b": 1}


# --- planner --------------------------------------------------------------------------------


def test_the_plan_carries_the_tenant_prune_flag_and_read_units():
    tenant = Live(graph_url=GRAPH, tenant_id="t-1", objects=(), read_requests=2, read_units=9)
    plan = make_plan(desired(scope=("*/*",)), tenant, now=NOW, prune=True)
    assert (plan.tenant_id, plan.prune, plan.cost.read_units, plan.cost.read_requests) == (
        "t-1",
        True,
        9,
        2,
    )
    assert plan.created_at == "2026-01-01T00:00:00+00:00" and plan.manifest_hash == "h" * 64


def test_the_plans_least_times_are_its_units_at_the_documented_limits():
    # 1,000 requests and 100 writes per 20 s per app: 50 units and 5 writes a second
    wanted = desired(*(resource(f"n{i}", displayName=f"N{i}", priority=i) for i in range(3)))
    tenant = Live(graph_url=GRAPH, objects=(), read_requests=2, read_units=77)
    cost = make_plan(wanted, tenant, now=NOW).cost
    writes = cost.writes
    assert writes > 0 and cost.min_write_seconds == round(writes / 5, 2)
    assert cost.min_read_seconds == 1.54  # 77 / 50, to the hundredth
    one = make_plan(desired(resource("n", displayName="N", priority=1)), tenant, now=NOW).cost
    assert one.min_write_seconds == round(one.writes / 5, 2)
    assert (one.writes, one.min_write_seconds) == (1, 0.2)


def test_drift_reports_the_reads_request_units():
    tenant = Live(graph_url=GRAPH, objects=(), read_requests=2, read_units=9)
    report = drift.detect(desired(), tenant, now=NOW)
    assert (report.read_requests, report.read_units) == (2, 9)


def test_changes_carry_their_ignore_pointers_and_manifest_source():
    ignore = ("/description",)
    wanted = desired(
        resource("n", displayName="N", priority=3, ignore=ignore, policyPayload={"k": 1}),
        resource("a", displayName="A", priority=1, ignore=ignore, policyPayload={"k": 1}),
    )
    plan = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    create, update = plan.changes
    assert (create.action, update.action) == (Action.CREATE, Action.UPDATE)
    for change, name in ((create, "n"), (update, "a")):
        assert change.ignore == ignore
        assert change.source == SourceRef(file=f"{name}.yaml", line=1, column=1)
    assert create.note == "" and create.display_name == "N"


def test_a_create_for_a_pinned_id_that_is_gone_says_so():
    plan = make_plan(
        desired(resource("n", id="gone-1", displayName="N", priority=3)), live(), now=NOW
    )
    (change,) = plan.changes
    assert change.note == (
        "metadata.id gone-1 is not in the tenant and no object has this name: a new object "
        "will be created (later plans find it by name; re-pin the set with "
        "`reconciler export --update-ids`)"
    )


def test_a_singleton_the_tenant_lacks_is_an_error():
    wanted = desired(resource("office", "OfficeConfiguration", tenantUserCheckinSummary=None))
    with pytest.raises(PlanError) as caught:
        make_plan(wanted, Live(graph_url=GRAPH, objects=()), now=NOW)
    assert (
        str(caught.value)
        == "OfficeConfiguration/office: the tenant has no /officeConfiguration to update"
    )


@pytest.mark.parametrize("existing", [False, True])
def test_a_priority_wanted_twice_names_both_owners_with_a_hint(existing):
    tenant = live(obj("id-b", displayName="B", priority=2)) if existing else live()
    wanted = desired(
        resource("a", displayName="A", priority=5), resource("b", displayName="B", priority=5)
    )
    with pytest.raises(PlanError) as caught:
        make_plan(wanted, tenant, now=NOW)
    assert str(caught.value) == (  # located at the second owner's priority
        f"b.yaml:6:3: priority 5 would be held by both {SECURITY}/a and {SECURITY}/b"
    )
    assert caught.value.hint == (
        "Each priority is unique across the collection's kinds: change the manifest's priority, "
        "or add the other policy to the manifests (or delete it)."
    )


def test_a_delete_step_addresses_the_pruned_object():
    plan = prune_x(a_and_unmanaged_x(), NOW)
    (delete,) = plan.changes
    (step,) = delete.steps
    assert (delete.address, step.id, step.path) == (
        f"{SECURITY}/id-x",
        f"{SECURITY}/id-x#delete",
        "/officeConfiguration/clientConfigurations/id-x",
    )


def test_objects_of_another_collection_never_hold_a_priority_here():
    kinds = Registry([*REGISTRY, RULE_SET])
    other = LiveObject(
        kind="RuleSet", id="rs-1", body={"id": "rs-1", "name": "R", "priority": 1}, identity="name"
    )
    tenant = Live(
        graph_url=GRAPH, objects=(*live(obj("id-a", displayName="A", priority=2)).objects, other)
    )
    plan = make_plan(
        desired(resource("a", displayName="A", priority=1)), tenant, now=NOW, kinds=kinds
    )
    assert [c.action for c in plan.changes] == [Action.UPDATE, Action.REORDER]


def test_prune_without_a_scope_is_refused_with_the_ways_to_give_one():
    with pytest.raises(PlanError) as caught:
        make_plan(desired(resource("a", displayName="A", priority=1)), live(), now=NOW, prune=True)
    assert str(caught.value) == (
        "--prune deletes unmanaged objects only inside a scope, and this set has none"
    )
    assert caught.value.hint == (
        "Say what the set manages: a reconciler.yaml with `scope:` globs at the manifest root, "
        "or --scope 'Kind/name glob' (e.g. 'SettingsCatalogPolicy/Office - *')."
    )


def pinned_at(name: str, object_id: str, line: int, **spec: Any):
    """A resource pinned by id, with the id's own position, as a loaded manifest has it."""
    built = resource(name, id=object_id, **spec)
    at = SourcePosition(file=f"{name}.yaml", line=line, column=7)
    return dataclasses.replace(built, positions={**built.positions, "/metadata/id": at})


def test_one_id_pinned_twice_is_refused_at_the_second_pin():
    wanted = desired(
        pinned_at("a", "id-a", 3, displayName="A", priority=1),
        pinned_at("b", "ID-A", 4, displayName="B", priority=2),
    )
    with pytest.raises(PlanError) as caught:
        make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    assert str(caught.value) == (
        f"b.yaml:4:7: {SECURITY}/b: metadata.id ID-A is also claimed by {SECURITY}/a"
    )


def test_a_create_shows_the_ignored_fields_it_still_sends():
    ignore = ("/description", "/policyPayload")
    spec: dict[str, Any] = {"displayName": "N", "priority": 3, "description": "set once"}
    spec["policyPayload"] = None
    (change,) = make_plan(desired(resource("n", ignore=ignore, **spec)), live(), now=NOW).changes
    # (policyPayload is null: neither sent nor shown)
    records = {r.field: r for r in change.fields}
    assert set(records) == {"displayName", "priority", "description"}
    assert records["description"] == FieldRecord(
        field="description",
        pointer="/spec/description",
        after="set once",
        source=SourceRef(file="n.yaml", line=7, column=3),
    )
    assert change.declared == ("displayName", "priority")
    (create,) = change.steps
    assert isinstance(create.body, dict) and create.body["description"] == "set once"


def test_a_pinned_id_that_is_gone_adopts_the_one_object_of_its_name_with_a_note():
    wanted = desired(resource("a", id="Gone-1", displayName="A", priority=1, description="d"))
    (change,) = make_plan(wanted, live(obj("id-a", displayName="A", priority=1)), now=NOW).changes
    assert (change.action, change.object_id) == (Action.UPDATE, "id-a")
    assert change.note == (
        "metadata.id Gone-1 is not in the tenant; adopted id-a, the one object with this name "
        "(re-pin with `reconciler export --update-ids`)"
    )
    # pinned in another case, it is the same object: no note
    same = desired(resource("a", id="ID-a", displayName="A", priority=1, description="d"))
    (change,) = make_plan(same, live(obj("iD-A", displayName="A", priority=1)), now=NOW).changes
    assert (change.object_id, change.note) == ("iD-A", "")


def test_two_unmanaged_objects_holding_one_priority_are_named_without_a_location():
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-x", displayName="X", priority=2),
        obj("id-y", displayName="Y", priority=2),
    )
    wanted = desired(resource("a", displayName="A", priority=3))
    with pytest.raises(PlanError) as caught:
        make_plan(wanted, tenant, now=NOW)
    assert str(caught.value) == (
        f"priority 2 would be held by both unmanaged {SECURITY} 'X' (id-x) and "
        f"unmanaged {SECURITY} 'Y' (id-y)"
    )


def test_a_scope_glob_names_a_kind_and_a_name_that_may_hold_a_slash():
    named = obj("id-s", displayName="Office/Word", priority=1)
    assert in_scope((f"{SECURITY}/Office/W*",), named)
    assert in_scope((f"{SECURITY.lower()}/office/word",), named)  # case does not matter
    assert not in_scope(("OfficeConfiguration/Office/Word",), named)  # another kind
    assert not in_scope(("*/Office",), named)


# --- --target -------------------------------------------------------------------------------


def test_a_target_may_be_in_sync_or_a_pruned_object_but_not_unknown():
    tenant = a_and_unmanaged_x()
    wanted = desired(resource("a", displayName="A", priority=1), scope=("*/*",))
    assert make_plan(wanted, tenant, now=NOW, targets=[f"{SECURITY}/a"]).changes == ()
    (delete,) = make_plan(wanted, tenant, now=NOW, prune=True, targets=[f"{SECURITY}/id-x"]).changes
    assert delete.address == f"{SECURITY}/id-x"
    with pytest.raises(PlanError) as caught:
        make_plan(wanted, tenant, now=NOW, targets=[f"{SECURITY}/zz", f"{SECURITY}/nope"])
    assert str(caught.value) == (
        f"--target {SECURITY}/nope: no manifest declares this address and the plan deletes "
        "nothing by it"
    )
    assert caught.value.hint == (
        "Use a manifest's Kind/name, or a pruned object's Kind/id as the plan shows it."
    )


def test_a_target_already_in_place_carries_no_ordering_call():
    wanted = desired(
        resource("a", displayName="A", priority=1, description="new"),
        resource("b", displayName="B", priority=5),  # B moves: the full plan reorders
    )
    tenant = live(
        obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
    )
    full = make_plan(wanted, tenant, now=NOW)
    assert [c.action for c in full.changes] == [Action.UPDATE, Action.UPDATE, Action.REORDER]
    (update,) = make_plan(wanted, tenant, now=NOW, targets=[f"{SECURITY}/a"]).changes
    assert update.action == Action.UPDATE


def test_a_targeted_create_on_a_held_priority_keeps_the_ordering_call_after_its_create():
    # another kind's object without a priority shares the tenant: it holds no place
    catalog = LiveObject(kind="SettingsCatalogPolicy", id="p-1", body={"id": "p-1", "name": "P"})
    tenant = Live(
        graph_url=GRAPH,
        objects=(
            *live(obj("id-a", displayName="A", priority=1)).objects,
            catalog,
        ),
    )
    wanted = desired(
        resource("a", displayName="A", priority=2),
        resource("n", displayName="N", priority=1),
        resource("x", displayName="X", priority=7, description="another create"),
    )
    plan = make_plan(wanted, tenant, now=NOW, targets=[f"{SECURITY}/n", f"{SECURITY}/a"])
    update, create, reorder = plan.changes
    assert (update.action, create.action, reorder.action) == (
        Action.UPDATE,
        Action.CREATE,
        Action.REORDER,
    )
    (step,) = reorder.steps
    assert step.after == (create.steps[0].id,)  # not the untargeted create of X
    assert [(e.id, e.value) for e in reorder.ordering] == [
        ("{id:" + f"{SECURITY}/n" + "}", 1),
        ("id-a", 2),
    ]


# --- staleness ------------------------------------------------------------------------------


def test_a_plan_made_with_a_trailing_slash_is_fresh_against_the_same_url():
    plan = make_plan(desired(), Live(graph_url=GRAPH + "/", objects=()), now=NOW)
    check_fresh(plan, Live(graph_url=GRAPH, objects=()))
    with pytest.raises(StalePlanError):
        check_fresh(plan, Live(graph_url="/" + GRAPH, objects=()))


def test_a_replace_is_stale_when_another_object_took_its_name_but_not_for_itself():
    current = obj("id-a", displayName="A", priority=1)
    plan = make_plan(
        desired(resource("a", displayName="A", priority=1, description="d")), live(current), now=NOW
    )
    replace = plan.model_copy(
        update={"changes": (plan.changes[0].model_copy(update={"action": Action.REPLACE}),)}
    )
    check_fresh(replace, live(current))
    with pytest.raises(StalePlanError, match="an object named 'A' now exists"):
        check_fresh(replace, live(current, obj("id-b", displayName="A", priority=2)))
    with pytest.raises(StalePlanError, match="no longer exists"):
        check_fresh(replace, live())


def test_a_singleton_of_a_kind_outside_the_default_registry_is_found_by_kind():
    office = REGISTRY.by_kind("OfficeConfiguration")
    kinds = Registry(
        [dataclasses.replace(office, kind="TenantSettings", collection="/tenantSettings")]
    )
    tenant = Live(graph_url=GRAPH, objects=(LiveObject(kind="TenantSettings", id=None, body={}),))
    plan = make_plan(
        desired(
            resource(
                "t",
                "TenantSettings",
                tenantUserCheckinSummary={"succeededUserCount": 1, "failedUserCount": 0},
            )
        ),
        tenant,
        now=NOW,
        kinds=kinds,
    )
    check_fresh(plan, tenant, kinds=kinds)


# --- drift's ignored pointers --------------------------------------------------------------


def ignored(spec: dict[str, Any], body: dict[str, Any], *pointers: str) -> list[tuple[str, bool]]:
    wanted = desired(resource("a", displayName="A", priority=1, ignore=pointers, **spec))
    report = drift.detect(wanted, live(obj("id-a", displayName="A", priority=1, **body)), now=NOW)
    return [(i.pointer, i.differs) for i in report.resources[0].ignored]


def test_an_ignored_pointer_says_whether_it_hid_a_difference():
    assert ignored(
        {"policyPayload": {"a": 1, "b": 1}},
        {"policyPayload": {"a": 1, "b": 2}},
        "/policyPayload/b",
        "/policyPayload/a",
    ) == [
        ("/spec/policyPayload/b", True),
        ("/spec/policyPayload/a", False),
    ]


def test_an_ignored_pointer_present_on_one_side_only_hid_a_difference():
    assert ignored(
        {"policyPayload": {"a": 1}}, {"policyPayload": {"a": 1, "b": 2}}, "/policyPayload/b"
    ) == [("/spec/policyPayload/b", True)]
    assert ignored(
        {"policyPayload": {"a": 1, "b": 2}}, {"policyPayload": {"a": 1}}, "/policyPayload/b"
    ) == [("/spec/policyPayload/b", True)]
    assert ignored(
        {"policyPayload": {"a": 1}}, {"policyPayload": {"a": 1}}, "/policyPayload/b"
    ) == [("/spec/policyPayload/b", False)]


def test_an_ignore_on_an_undeclared_field_hides_nothing():
    assert ignored({}, {"description": "theirs"}, "/description") == [("/spec/description", False)]


# --- ignored pointers below each kind of write ----------------------------------------------


def test_a_patch_keeps_live_values_at_ignored_pointers_below_a_plain_field():
    summary = {"succeededUserCount": 2, "failedUserCount": 5}
    wanted = resource(
        "a",
        displayName="A",
        priority=1,
        ignore=("/userCheckinSummary/failedUserCount",),
        userCheckinSummary={"succeededUserCount": 3, "failedUserCount": 0},
    )
    plan = make_plan(
        desired(wanted),
        live(obj("id-a", displayName="A", priority=1, userCheckinSummary=summary)),
        now=NOW,
    )
    (step,) = plan.changes[0].steps
    assert step.body == {
        "@odata.type": OFFICE.create_type,
        "userCheckinSummary": {"succeededUserCount": 3, "failedUserCount": 5},
    }
    putting = Registry([dataclasses.replace(OFFICE, update="put")])
    plan = make_plan(
        desired(wanted),
        live(obj("id-a", displayName="A", priority=1, userCheckinSummary=summary)),
        now=NOW,
        kinds=putting,
    )
    (put,) = plan.changes[0].steps
    assert isinstance(put.body, dict)
    assert put.body["userCheckinSummary"] == {"succeededUserCount": 3, "failedUserCount": 5}


def test_an_assign_keeps_the_live_target_at_an_ignored_pointer():
    from tests.support.tenant import GROUP_A, GROUP_B, GROUP_C

    # sorted, the targets are [B, C] desired and [A, B] live; index 1's group is ignored, so the
    # change is at index 0, and index 1 keeps its live group (B), not the declared one (C)
    wanted = resource(
        "a",
        displayName="A",
        priority=1,
        ignore=("/assignments/1/groupId",),
        assignments=[GROUP_B, GROUP_C],
    )
    current = obj("id-a", displayName="A", priority=1, assignments=[GROUP_A, GROUP_B])
    (change,) = make_plan(desired(wanted), live(current), now=NOW).changes
    (step,) = change.steps
    body: Any = step.body
    assert [a["target"]["groupId"] for a in body["officeConfigurationAssignments"]] == [
        GROUP_B,
        GROUP_B,
    ]


def test_a_pointer_ignored_below_another_field_changes_nothing_here():
    wanted = resource("a", displayName="A", ignore=("/description/x",), policyPayload={"a": 1})
    current = obj("id-a", displayName="A", policyPayload={"a": 0, "x": "theirs"})
    assert write_value(wanted, current, "policyPayload") == {"a": 1}


def test_annotations_are_dropped_from_complex_values_inside_lists_too():
    status = {"userId": "u", "wasSuccessful": True, "checkinDateTime": "t"}
    wanted = resource("a", displayName="A", checkinStatuses=[status])
    other = {**status, "userId": "v", "@odata.type": "#x"}
    (change,) = compare(
        OFFICE, wanted, obj("id-a", displayName="A", checkinStatuses=[other])
    ).changes
    assert change.before == [{k: v for k, v in other.items() if k != "@odata.type"}]


def test_with_an_ignore_pointer_assignments_still_compare_as_a_set():
    from tests.support.tenant import GROUP_A, GROUP_B

    wanted = resource(
        "a", displayName="A", ignore=("/description",), assignments=[GROUP_A, GROUP_B]
    )
    body = {
        "displayName": "A",
        "assignments": [
            {"target": "group", "groupId": GROUP_B},
            {"target": "group", "groupId": GROUP_A},
        ],
    }
    assert compare(OFFICE, wanted, LiveObject(kind=SECURITY, id="id-a", body=body)).changes == ()


# --- drift records -------------------------------------------------------------------------


def test_a_drift_record_names_the_live_object_or_else_the_wanted_one():
    wanted = desired(
        resource("a", id="id-a", displayName="Wanted", priority=1),
        resource("m", displayName="Missing", priority=2),
    )
    report = drift.detect(wanted, live(obj("id-a", displayName="Live name", priority=1)), now=NOW)
    found, missing = report.resources
    assert (found.display_name, found.object_id, found.status) == (
        "Live name",
        "id-a",
        drift.Status.DRIFTED,
    )
    assert (missing.display_name, missing.object_id, missing.status) == (
        "Missing",
        None,
        drift.Status.MISSING,
    )
    assert found.source is not None and missing.source is not None
    assert (found.source.file, missing.source.file) == ("a.yaml", "m.yaml")


def test_a_missing_singleton_has_no_name():
    wanted = desired(resource("office", "OfficeConfiguration", tenantUserCheckinSummary=None))
    (record,) = drift.detect(wanted, Live(graph_url=GRAPH, objects=()), now=NOW).resources
    assert (record.display_name, record.status) == ("", drift.Status.MISSING)
