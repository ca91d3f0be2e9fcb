"""Aspect: a Graph type is data. A kind defined here, in the test suite only (no stream, no
ordering, a keyed child collection written by PUT of the whole entity, Intune-style
assignments with exclusions and filters), is loaded from YAML, planned against hand-made
live values, saved and loaded as a plan file, and drifted, with nothing outside `kinds/`-style
data written for it. A second variant writes its children with one delta action."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field

from reconciler import planfile
from reconciler.engine import drift
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanFileError
from reconciler.kinds.fields import Assignment, NonEmpty, StrictModel
from reconciler.kinds.kind import (
    Assignments,
    Children,
    DeltaAction,
    ReplaceEntity,
    ResourceKind,
    Target,
)
from reconciler.kinds.registry import Registry
from reconciler.load import manifests
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Action, Purpose, StepKind
from tests.support.tenant import GROUP_A, GROUP_B

NOW = datetime(2026, 12, 1, tzinfo=UTC)
FILTER = "2b3c4d5e-6f70-4a8b-9c0d-1e2f3a4b5c6d"
COLLECTION = "/testing/ruleSets"


class RuleSetSpec(StrictModel):
    name: NonEmpty = Field(description="the rule set's name")
    description: str | None = None
    rules: list[dict[str, Any]] | None = None
    assignments: list[Assignment] | None = None


ASSIGNMENTS = Assignments(
    list_segment="assignments",
    action="assign",
    body_key="assignments",
    targets={
        Target.GROUP: "#microsoft.graph.groupAssignmentTarget",
        Target.EXCLUSION_GROUP: "#microsoft.graph.exclusionGroupAssignmentTarget",
        Target.ALL_DEVICES: "#microsoft.graph.allDevicesAssignmentTarget",
    },
    filters=True,
)
RULE_SET = ResourceKind(
    kind="RuleSet",
    collection=COLLECTION,
    identity="name",
    create_type="#microsoft.graph.ruleSet",
    server_managed=frozenset({"id", "createdDateTime"}),
    facets={
        "rules": Children(segment="rules", key="ruleId", write=ReplaceEntity()),
        "assignments": ASSIGNMENTS,
    },
    spec_model=RuleSetSpec,
)
DELTA_RULE_SET = ResourceKind(
    kind="DeltaRuleSet",
    collection="/testing/deltaRuleSets",
    identity="name",
    facets={
        "rules": Children(segment="rules", key="ruleId", write=DeltaAction(action="updateRules"))
    },
    spec_model=RuleSetSpec,
)
KINDS = Registry([RULE_SET, DELTA_RULE_SET])

MANIFEST = f"""\
apiVersion: reconciler/v1
kind: RuleSet
metadata:
  name: baseline
spec:
  name: Baseline
  description: managed
  rules:
    - {{ruleId: r1, level: 2}}
    - {{ruleId: r2, level: 5, tags: [a, b]}}
  assignments:
    - groupId: {GROUP_A}
      filter: {{id: {FILTER}, type: include}}
    - target: exclusionGroup
      groupId: {GROUP_B}
"""


def desired(tmp_path: Path, text: str = MANIFEST):
    (tmp_path / "m").mkdir(exist_ok=True)
    (tmp_path / "m" / "r.yaml").write_text(text, encoding="utf-8")
    return manifests.load([tmp_path / "m"], kinds=KINDS)


def live_rule_set(**changes: Any) -> LiveObject:
    """The live object the manifest describes, as the reader gives it: the rules in another
    order, with server ids and annotations; the assignments in their comparable form."""
    body: dict[str, Any] = {
        "id": "rs-1",
        "name": "Baseline",
        "description": "managed",
        "createdDateTime": "2026-01-01T00:00:00Z",
        "rules": [
            {
                "id": "7",
                "@odata.type": "#microsoft.graph.rule",
                "ruleId": "r2",
                "level": 5,
                "tags": ["a", "b"],
            },
            {"id": "8", "ruleId": "r1", "level": 2},
        ],
        "assignments": [
            {"target": "exclusionGroup", "groupId": GROUP_B},
            {"target": "group", "groupId": GROUP_A, "filter": {"id": FILTER, "type": "include"}},
        ],
    }
    body.update(changes)
    return LiveObject(kind="RuleSet", id="rs-1", body=body, identity="name")


def tenant(*objects: LiveObject) -> Live:
    return Live(graph_url="http://127.0.0.1:1/beta", objects=objects, read_requests=2)


def test_the_manifest_loads_by_the_kinds_own_model_and_facets(tmp_path):
    (resource,) = desired(tmp_path).resources
    assert resource.address == "RuleSet/baseline"
    assert resource.spec["assignments"] == [
        {"target": "exclusionGroup", "groupId": GROUP_B},
        {"target": "group", "groupId": GROUP_A, "filter": {"id": FILTER, "type": "include"}},
    ]
    assert [r["ruleId"] for r in resource.spec["rules"]] == ["r1", "r2"]


def test_a_tenant_that_matches_in_another_order_plans_nothing(tmp_path):
    plan = make_plan(desired(tmp_path), tenant(live_rule_set()), now=NOW, kinds=KINDS)
    assert plan.is_empty, [c.fields for c in plan.changes]


def test_a_changed_child_is_one_put_of_the_whole_entity_named_by_key(tmp_path):
    changed = live_rule_set(
        rules=[
            {"id": "8", "ruleId": "r1", "level": 3},
            {"ruleId": "r2", "level": 5, "tags": ["a", "b"]},
        ]
    )
    (change,) = make_plan(desired(tmp_path), tenant(changed), now=NOW, kinds=KINDS).changes
    (step,) = change.steps
    assert (step.kind, step.method, step.path) == (StepKind.PUT, "PUT", f"{COLLECTION}/rs-1")
    assert step.body == {
        "@odata.type": "#microsoft.graph.ruleSet",
        "name": "Baseline",
        "description": "managed",
        "rules": [{"ruleId": "r1", "level": 2}, {"ruleId": "r2", "level": 5, "tags": ["a", "b"]}],
    }
    (record,) = change.fields
    assert record.details == ("/spec/rules/r1/level",)


def test_a_plain_change_alone_is_a_patch(tmp_path):
    (change,) = make_plan(
        desired(tmp_path), tenant(live_rule_set(description="edited")), now=NOW, kinds=KINDS
    ).changes
    (step,) = change.steps
    assert (step.kind, step.body) == (
        StepKind.PATCH,
        {"@odata.type": "#microsoft.graph.ruleSet", "description": "managed"},
    )


def test_a_kind_that_updates_by_put_puts_a_plain_change_too(tmp_path):
    putting = Registry([dataclasses.replace(RULE_SET, update="put")])
    (change,) = make_plan(
        desired(tmp_path), tenant(live_rule_set(description="edited")), now=NOW, kinds=putting
    ).changes
    assert [s.kind for s in change.steps] == [StepKind.PUT]


def test_a_create_sends_the_children_inline_then_assigns_with_exclusion_and_filter(tmp_path):
    plan = make_plan(desired(tmp_path), tenant(), now=NOW, kinds=KINDS)
    (change,) = plan.changes
    create, assign = change.steps
    assert (create.kind, create.path) == (StepKind.CREATE, COLLECTION)
    assert create.body == {
        "@odata.type": "#microsoft.graph.ruleSet",
        "name": "Baseline",
        "description": "managed",
        "rules": [{"ruleId": "r1", "level": 2}, {"ruleId": "r2", "level": 5, "tags": ["a", "b"]}],
    }
    assert (assign.kind, assign.purpose, assign.path) == (
        StepKind.ACTION,
        Purpose.ASSIGN,
        f"{COLLECTION}/{{id:RuleSet/baseline}}/assign",
    )
    assert assign.body == {
        "assignments": [
            {
                "target": {
                    "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
                    "groupId": GROUP_B,
                    "deviceAndAppManagementAssignmentFilterId": None,
                    "deviceAndAppManagementAssignmentFilterType": "none",
                }
            },
            {
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": GROUP_A,
                    "deviceAndAppManagementAssignmentFilterId": FILTER,
                    "deviceAndAppManagementAssignmentFilterType": "include",
                }
            },
        ]
    }
    assert assign.after == (create.id,)


def test_an_exclusion_read_back_as_an_inclusion_would_be_a_change(tmp_path):
    inverted = live_rule_set(
        assignments=[
            {"target": "group", "groupId": GROUP_B},
            {"target": "group", "groupId": GROUP_A, "filter": {"id": FILTER, "type": "include"}},
        ]
    )
    (change,) = make_plan(desired(tmp_path), tenant(inverted), now=NOW, kinds=KINDS).changes
    assert [(s.kind, s.purpose) for s in change.steps] == [(StepKind.ACTION, Purpose.ASSIGN)]


def test_the_plan_survives_its_file_and_an_edited_step_does_not(tmp_path):
    changed = live_rule_set(description="edited")
    plan = make_plan(desired(tmp_path), tenant(changed), now=NOW, kinds=KINDS)
    assert planfile.loads(planfile.dumps(plan), kinds=KINDS) == plan
    step = plan.changes[0].steps[0]
    edited = plan.model_copy(
        update={
            "changes": (
                plan.changes[0].model_copy(
                    update={"steps": (step.model_copy(update={"path": f"{COLLECTION}/other"}),)}
                ),
            )
        }
    )
    with pytest.raises(PlanFileError, match="writes to /testing/ruleSets/other"):
        planfile.loads(planfile.dumps(edited), kinds=KINDS)


def test_drift_names_the_child_by_its_key(tmp_path):
    changed = live_rule_set(rules=[{"ruleId": "r1", "level": 2}])
    report = drift.detect(desired(tmp_path), tenant(changed), now=NOW, kinds=KINDS)
    (resource,) = report.resources
    (field,) = resource.fields
    assert field.pointer == "/spec/rules" and field.details == ("/spec/rules/r2",)


def test_a_delta_kind_sends_only_what_changed_with_live_ids(tmp_path):
    text = MANIFEST.replace("kind: RuleSet", "kind: DeltaRuleSet").split("  assignments:")[0]
    live = LiveObject(
        kind="DeltaRuleSet",
        id="d-1",
        identity="name",
        body={
            "id": "d-1",
            "name": "Baseline",
            "description": "managed",
            "rules": [
                {"id": "x1", "ruleId": "r1", "level": 9},
                {"id": "x3", "ruleId": "r3", "level": 1},
            ],
        },
    )
    (change,) = make_plan(desired(tmp_path, text), tenant(live), now=NOW, kinds=KINDS).changes
    assert change.action == Action.UPDATE
    (step,) = change.steps
    assert (step.kind, step.purpose, step.path) == (
        StepKind.ACTION,
        Purpose.CHILDREN,
        "/testing/deltaRuleSets/d-1/updateRules",
    )
    assert step.body == {
        "added": [{"ruleId": "r2", "level": 5, "tags": ["a", "b"]}],
        "updated": [{"ruleId": "r1", "level": 2, "id": "x1"}],
        "deletedIds": ["x3"],
    }
    saved = make_plan(desired(tmp_path, text), tenant(live), now=NOW, kinds=KINDS)
    assert planfile.loads(planfile.dumps(saved), kinds=KINDS) == saved
