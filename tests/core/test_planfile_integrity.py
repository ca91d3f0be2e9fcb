"""A saved plan is loaded only when every step is the write its change describes, and with
clear messages when it is not a plan file at all. A tamperer recomputes the checksum, so
`dumps` (which computes it) stands in for one here."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reconciler import planfile
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanFileError
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.planfile.integrity import allowed_writes, step_problem
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import FORMAT_VERSION, Action, Change, Plan, Purpose, Step, StepKind
from tests.support.tenant import GROUP_A, POLICIES, SECURITY

from .builders import GRAPH, desired, live, obj, resource

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OFFICE = REGISTRY.by_kind(SECURITY)


def every_kind_of_change() -> Plan:
    """A create with its payload and assignment, an update of every facet, a delete, a
    reorder and a singleton update."""
    tenant = Live(
        graph_url=GRAPH,
        objects=(
            LiveObject(kind="OfficeConfiguration", id=None, body={}),
            obj("id-a", displayName="A", priority=1),
            obj("id-b", displayName="B", priority=2),
            obj("id-x", displayName="X", priority=3),
        ),
    )
    wanted = desired(
        resource("n", displayName="N", priority=1, policyPayload={"k": 1}, assignments=[GROUP_A]),
        resource(
            "a",
            displayName="A",
            priority=4,
            description="d",
            policyPayload={"k": 2},
            userPreferencePayload={"u": 1},
            assignments=[GROUP_A],
        ),
        resource("b", displayName="B", priority=2),
        resource(
            "office",
            "OfficeConfiguration",
            tenantUserCheckinSummary={"succeededUserCount": 1, "failedUserCount": 0},
        ),
        scope=("*/*",),
    )
    plan = make_plan(wanted, tenant, now=NOW, prune=True)
    assert {c.action for c in plan.changes} == {
        Action.CREATE,
        Action.UPDATE,
        Action.DELETE,
        Action.REORDER,
    }
    return plan


def edited(plan: Plan, address: str, **step_changes: Any) -> Plan:
    """`plan` with the first step of the change at `address` changed."""
    changes = []
    for change in plan.changes:
        if change.address == address:
            first = change.steps[0].model_copy(update=step_changes)
            change = change.model_copy(update={"steps": (first, *change.steps[1:])})
        changes.append(change)
    return plan.model_copy(update={"changes": tuple(changes)})


def refused(plan: Plan, kinds: Registry = REGISTRY) -> str:
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(planfile.dumps(plan), kinds=kinds)
    assert caught.value.hint == "Run reconciler plan again; never edit a plan file."
    message = str(caught.value)
    assert message.startswith("plan: the plan's steps do not match its changes (")
    return message.removeprefix("plan: the plan's steps do not match its changes (").removesuffix(
        ")"
    )


def test_a_plan_with_every_kind_of_step_loads_as_it_was_saved():
    plan = every_kind_of_change()
    assert step_problem(plan) is None
    assert planfile.loads(planfile.dumps(plan)) == plan


def test_a_step_that_appears_twice_is_refused():
    plan = every_kind_of_change()
    first = plan.changes[0]
    doubled = plan.model_copy(
        update={
            "changes": (
                first.model_copy(update={"steps": (first.steps[0], first.steps[0])}),
                *plan.changes[1:],
            )
        }
    )
    assert refused(doubled) == f"step {first.steps[0].id} appears twice"


def test_a_step_of_a_kind_the_action_cannot_have_is_refused():
    plan = every_kind_of_change()
    assert refused(edited(plan, f"{SECURITY}/n", kind=StepKind.DELETE, method="DELETE")) == (
        f"{SECURITY}/n: step {SECURITY}/n#create of kind 'delete' in a change of action 'create'"
    )


def test_a_step_with_another_method_is_refused():
    plan = every_kind_of_change()
    assert refused(edited(plan, f"{SECURITY}/a", method="PUT")).endswith("uses PUT")
    assert (
        refused(edited(plan, f"{SECURITY}/n", method="PUT"))
        == f"{SECURITY}/n: step {SECURITY}/n#create uses PUT"
    )


def test_a_purpose_belongs_to_actions_only():
    plan = every_kind_of_change()
    message = refused(edited(plan, f"{SECURITY}/n", purpose=Purpose.ASSIGN))
    assert (
        message == f"{SECURITY}/n: step {SECURITY}/n#create has a purpose only an action may have"
    )
    reorder = next(c for c in plan.changes if c.action == Action.REORDER)
    assert "has a purpose only an action may have" in refused(
        edited(plan, reorder.address, purpose=None)
    )


def test_a_step_of_an_unknown_kind_is_refused():
    plan = every_kind_of_change()
    unknown = plan.model_copy(
        update={
            "changes": tuple(
                c.model_copy(update={"kind": "Nope"}) if c.address == f"{SECURITY}/a" else c
                for c in plan.changes
            )
        }
    )
    assert refused(unknown) == f"{SECURITY}/a: unknown kind 'Nope'"


@pytest.mark.parametrize(
    ("address", "path"),
    [
        (f"{SECURITY}/a", f"{POLICIES}/id-b"),  # another object
        (f"{SECURITY}/n", f"{POLICIES}/other"),  # a create posts to the collection only
        (f"{SECURITY}/id-x", f"{POLICIES}/id-a"),  # a delete of another object
        ("OfficeConfiguration/office", f"{POLICIES}/id-a"),
    ],
)
def test_a_step_that_writes_elsewhere_is_refused(address, path):
    plan = every_kind_of_change()
    step_id = next(c for c in plan.changes if c.address == address).steps[0].id
    assert (
        refused(edited(plan, address, path=path)) == f"{address}: step {step_id} writes to {path}"
    )


def test_a_reorder_must_write_its_collections_ordering_with_the_order_shown():
    plan = every_kind_of_change()
    reorder = next(c for c in plan.changes if c.action == Action.REORDER)
    step_id = reorder.steps[0].id
    assert refused(edited(plan, reorder.address, path=f"{POLICIES}/assign")) == (
        f"{reorder.address}: step {step_id} writes to {POLICIES}/assign"
    )
    assert refused(edited(plan, reorder.address, purpose=Purpose.ASSIGN)) == (
        f"{reorder.address}: step {step_id} writes to {POLICIES}/updatePriorities"
    )
    body: Any = reorder.steps[0].body
    swapped = {
        **body,
        "officeConfigurationPriorities": list(reversed(body["officeConfigurationPriorities"])),
    }
    assert refused(edited(plan, reorder.address, body=swapped)) == (
        f"{reorder.address}: step {step_id} does not carry the order the plan shows"
    )
    nowhere = plan.model_copy(
        update={
            "changes": tuple(
                c.model_copy(update={"collection": None}) if c is reorder else c
                for c in plan.changes
            )
        }
    )
    assert refused(nowhere) == f"{reorder.address}: no collection has no ordering to set"


def change_of(action: Action, object_id: str | None = "id-a") -> Change:
    return Change(
        address=f"{SECURITY}/a", kind=SECURITY, action=action, object_id=object_id, fingerprint="f"
    )


def test_allowed_writes_of_each_action():
    item = f"{POLICIES}/id-a"
    created = POLICIES + "/{id:" + SECURITY + "/a}"
    facets = lambda at: {  # noqa: E731
        (StepKind.PUT_STREAM, None, f"{at}/policyPayload"),
        (StepKind.PUT_STREAM, None, f"{at}/userPreferencePayload"),
        (StepKind.ACTION, Purpose.ASSIGN, f"{at}/assign"),
    }
    assert allowed_writes(change_of(Action.CREATE, None), OFFICE) == {
        (StepKind.CREATE, None, POLICIES)
    } | facets(created)
    assert allowed_writes(change_of(Action.UPDATE), OFFICE) == {
        (StepKind.PATCH, None, item)
    } | facets(item)
    assert allowed_writes(change_of(Action.UPDATE, None), OFFICE) == set()
    assert allowed_writes(change_of(Action.DELETE), OFFICE) == {(StepKind.DELETE, None, item)}
    assert allowed_writes(change_of(Action.DELETE, None), OFFICE) == set()
    assert allowed_writes(change_of(Action.REPLACE), OFFICE) == (
        {(StepKind.CREATE, None, POLICIES), (StepKind.DELETE, None, item)} | facets(created)
    )
    putting = dataclasses.replace(OFFICE, update="put")
    assert (StepKind.PUT, None, item) in allowed_writes(change_of(Action.UPDATE), putting)
    singleton = REGISTRY.by_kind("OfficeConfiguration")
    assert allowed_writes(change_of(Action.UPDATE, None), singleton) == {
        (StepKind.PATCH, None, "/officeConfiguration")
    }


def test_children_writes_are_allowed_by_their_write_style():
    from .test_kind_as_data import DELTA_RULE_SET, RULE_SET

    assert allowed_writes(change_of(Action.UPDATE, "r-1"), RULE_SET) >= {
        (StepKind.PUT, None, "/testing/ruleSets/r-1")
    }
    created = allowed_writes(change_of(Action.CREATE, None), RULE_SET)
    assert not any(w[0] == StepKind.PUT for w in created)  # children go inline in the POST
    assert (
        StepKind.ACTION,
        Purpose.CHILDREN,
        "/testing/deltaRuleSets/r-1/updateRules",
    ) in allowed_writes(change_of(Action.UPDATE, "r-1"), DELTA_RULE_SET)


# --- not a plan file -----------------------------------------------------------------------


def load_text(tmp_path: Path, content: bytes) -> PlanFileError:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanFileError) as caught:
        planfile.load(path)
    return caught.value


def test_what_is_not_a_plan_file_says_why(tmp_path):
    where = str(tmp_path / "plan.json")
    assert (
        str(load_text(tmp_path, b"{\n\n,")) == f"{where}: not a plan file (invalid JSON at line 3)"
    )
    assert str(load_text(tmp_path, b"[]")) == f"{where}: not a plan file (no 'plan' object)"
    assert (
        str(load_text(tmp_path, b'{"plan": []}')) == f"{where}: not a plan file (no 'plan' object)"
    )
    assert str(load_text(tmp_path, b"\xff\xfe")) == f"{where}: not a plan file (not UTF-8)"
    deep = b"[" * 100_000 + b"]" * 100_000
    assert "nested too deeply or a number too long" in str(load_text(tmp_path, deep))
    missing = tmp_path / "missing.json"
    with pytest.raises(
        PlanFileError, match=f"{missing}: cannot read plan file: No such file or directory"
    ):
        planfile.load(missing)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            FORMAT_VERSION - 1,
            f"plan format version {FORMAT_VERSION - 1} is not supported (made by an older reconciler)",
        ),
        (
            FORMAT_VERSION + 1,
            f"plan format version {FORMAT_VERSION + 1} is not supported (made by a newer reconciler)",
        ),
        (True, "plan format version 'True' is not supported"),
        ("2", "plan format version '2' is not supported"),
        (None, "plan format version 'None' is not supported"),
    ],
)
def test_another_format_version_is_refused_with_a_hint(version, message):
    document = json.loads(planfile.dumps(every_kind_of_change()))
    document["plan"]["format_version"] = version
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(json.dumps(document), source="p.json")
    assert str(caught.value) == f"p.json: {message}"
    assert caught.value.hint == "Run reconciler plan again."


def test_a_checksum_mismatch_is_refused_with_a_hint():
    document = json.loads(planfile.dumps(every_kind_of_change()))
    document["plan"]["manifest_hash"] = "0" * 64
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(json.dumps(document))
    assert str(caught.value) == "plan: checksum mismatch, the plan file was changed or truncated"
    assert caught.value.hint == "Run reconciler plan again."


def test_a_malformed_plan_says_what_is_wrong():
    from reconciler.values.canonical import sha256_json

    document = json.loads(planfile.dumps(every_kind_of_change()))
    del document["plan"]["cost"]
    document["checksum"] = sha256_json(document["plan"])
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(json.dumps(document))
    assert str(caught.value) == "plan: malformed plan: Field required"


def test_a_saved_plan_has_one_line_per_change_and_its_checksum(tmp_path):
    plan = every_kind_of_change()
    path = tmp_path / "deep" / "plan.json"
    planfile.save(plan, path)
    text = path.read_text()
    assert text.endswith("\n")
    lines = text.splitlines()
    change_lines = [line for line in lines if line.startswith(" " * 6 + "{")]
    assert len(change_lines) == len(plan.changes)
    assert all(
        json.loads(line.rstrip(",")) in plan.to_json_dict()["changes"] for line in change_lines
    )
    document = json.loads(text)
    assert document["plan"]["changes"] == plan.to_json_dict()["changes"]
    from reconciler.values.canonical import sha256_json

    assert document["checksum"] == sha256_json(plan.to_json_dict())
    empty = make_plan(desired(), live(), now=NOW)
    assert '"changes": []' in planfile.dumps(empty)
    assert planfile.loads(planfile.dumps(empty)) == empty


def test_the_kinds_given_decide_what_is_known():
    plan = every_kind_of_change()
    with pytest.raises(PlanFileError, match="unknown kind"):
        planfile.loads(
            planfile.dumps(plan), kinds=Registry([REGISTRY.by_kind("OfficeConfiguration")])
        )


def test_step_ids_are_checked_across_changes():
    plan = every_kind_of_change()
    a, b = plan.changes[0], plan.changes[1]
    stolen = b.model_copy(
        update={"steps": (b.steps[0].model_copy(update={"id": a.steps[0].id}), *b.steps[1:])}
    )
    again = plan.model_copy(update={"changes": (a, stolen, *plan.changes[2:])})
    assert refused(again) == f"step {a.steps[0].id} appears twice"


def test_a_plan_step_is_a_write_below_the_graph_url():
    with pytest.raises(ValueError):
        Step(id="s", kind=StepKind.PATCH, method="GET", path="/x")


def test_the_file_is_indented_by_two_with_sorted_keys_and_a_line_per_change(tmp_path):
    plan = every_kind_of_change()
    text = planfile.dumps(plan)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1].startswith('  "checksum": "') and lines[2] == '  "plan": {'
    assert lines[3] == '    "changes": ['

    def keys_in_order(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        assert [k for k, _ in pairs] == sorted(k for k, _ in pairs), [k for k, _ in pairs]
        return dict(pairs)

    json.loads(text, object_pairs_hook=keys_in_order)
    rows = [line for line in lines if line.startswith(" " * 6 + "{")]
    assert len(rows) == len(plan.changes)
    for row in rows:
        json.loads(row.rstrip(","), object_pairs_hook=keys_in_order)


def test_a_long_unsupported_version_is_cut_in_the_message():
    document = json.loads(planfile.dumps(every_kind_of_change()))
    document["plan"]["format_version"] = "v" * 30
    with pytest.raises(PlanFileError) as caught:
        planfile.loads(json.dumps(document))
    assert str(caught.value) == "plan: plan format version " + repr("v" * 20) + " is not supported"


def test_a_plan_file_of_a_kind_outside_the_default_registry_loads_with_its_kinds(tmp_path):
    from .test_kind_as_data import KINDS, live_rule_set, tenant
    from .test_kind_as_data import desired as rule_sets

    plan = make_plan(
        rule_sets(tmp_path), tenant(live_rule_set(description="edited")), now=NOW, kinds=KINDS
    )
    path = tmp_path / "plan.json"
    planfile.save(plan, path)
    assert planfile.load(path, kinds=KINDS) == plan
