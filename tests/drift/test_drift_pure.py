"""Drift detection, pure: drifted fields with both values and positions, missing resources,
unmanaged objects, ignore pointers (counted, and whether they hid a difference), identity
shared with the planner, and the JSON form against its documented schema."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest

from reconciler.engine.drift import Status, detect, drift_json
from reconciler.engine.planner import make_plan
from reconciler.errors import PlanError
from reconciler.report.drift_schema import DRIFT_JSON_SCHEMA
from tests.core.builders import desired, in_sync, live, obj, resource
from tests.support.tenant import GROUP_A, GROUP_B

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def check(d, tenant):
    body = drift_json(detect(d, tenant, now=NOW))
    jsonschema.Draft202012Validator(DRIFT_JSON_SCHEMA).validate(body)
    return body


def test_matching_tenant_has_no_drift_and_agrees_with_an_empty_plan():
    d, tenant = in_sync()
    body = check(d, tenant)
    assert body["drift"] is False
    assert body["summary"] == {
        "resources": 1,
        "in_sync": 1,
        "drifted_resources": 0,
        "drifted_fields": 0,
        "missing": 0,
        "unmanaged": 0,
        "outside_scope": 0,
        "ignored_pointers": 0,
        "ignored_differences": 0,
    }
    (res,) = body["resources"]
    assert res["status"] == "in_sync" and res["object_id"] == "id-a" and res["fields"] == []
    assert make_plan(d, tenant, now=NOW).is_empty


def test_drifted_field_carries_desired_live_pointer_and_manifest_position():
    d = desired(resource("a", displayName="A", priority=1, description="managed"))
    tenant = live(obj("id-a", displayName="A", priority=1, description="x"), reads=7)
    body = check(d, tenant)
    assert body["drift"] is True
    assert body["read_requests"] == 7
    assert body["checked_at"] == "2026-01-02T03:04:05+00:00"
    (res,) = body["resources"]
    assert res["status"] == "drifted"
    assert res["source"] == {"file": "a.yaml", "line": 1, "column": 1}
    (field,) = res["fields"]
    # builders put the spec keys at lines 5, 6, 7: description is the third.
    assert field == {
        "field": "description",
        "pointer": "/spec/description",
        "desired": "managed",
        "live": "x",
        "details": [],
        "source": {"file": "a.yaml", "line": 7, "column": 3},
    }


def test_document_drift_names_the_nested_pointers():
    d = desired(resource("a", displayName="A", priority=1, policyPayload={"k": 1, "z": [1, 2]}))
    tenant = live(obj("id-a", displayName="A", priority=1, policyPayload={"k": 2, "z": [1, 2]}))
    (field,) = check(d, tenant)["resources"][0]["fields"]
    assert field["pointer"] == "/spec/policyPayload"
    assert field["details"] == ["/spec/policyPayload/k"]
    assert field["desired"] == {"k": 1, "z": [1, 2]} and field["live"]["k"] == 2


def test_assignments_compare_as_sets_of_lowercase_ids():
    d = desired(resource("a", displayName="A", priority=1, assignments=[GROUP_B, GROUP_A.upper()]))
    tenant = live(obj("id-a", displayName="A", priority=1, assignments=[GROUP_A, GROUP_B]))
    assert check(d, tenant)["drift"] is False


def test_undeclared_fields_never_drift():
    d = desired(resource("a", displayName="A", priority=1))
    tenant = live(
        obj("id-a", displayName="A", priority=1, description="anything", policyPayload={"x": 1})
    )
    assert check(d, tenant)["drift"] is False


def test_missing_resource_is_drift_without_field_records():
    d = desired(resource("a", displayName="A", priority=1, id="gone-id"))
    body = check(d, live())
    assert body["drift"] is True
    (res,) = body["resources"]
    assert res["status"] == "missing" and res["fields"] == []
    assert res["object_id"] == "gone-id" and res["display_name"] == "A"
    assert body["summary"]["missing"] == 1 and body["summary"]["drifted_fields"] == 0


def test_unmanaged_objects_of_managed_kinds_are_listed_sorted():
    d = desired(resource("a", displayName="A", priority=1), scope=("*/Stray *",))
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-z", displayName="Stray Z", priority=9),
        obj("id-b", displayName="Stray B", priority=8),
    )
    body = check(d, tenant)
    assert body["drift"] is True
    assert body["summary"]["unmanaged"] == 2
    assert [u["id"] for u in body["unmanaged"]] == ["id-b", "id-z"]
    assert body["unmanaged"][0] == {
        "kind": d.resources[0].kind,
        "id": "id-b",
        "display_name": "Stray B",
    }
    assert body["resources"][0]["status"] == "in_sync"


def test_unmanaged_objects_outside_the_scope_are_information_not_drift():
    objects = (
        obj("id-a", displayName="A", priority=1),
        obj("id-s", displayName="Stray", priority=9),
        obj("id-o", displayName="Other team's", priority=8),
    )
    scoped = check(
        desired(resource("a", displayName="A", priority=1), scope=("*/stray",)), live(*objects)
    )
    assert [u["id"] for u in scoped["unmanaged"]] == ["id-s"]  # the glob ignores case
    assert [u["id"] for u in scoped["outside_scope"]] == ["id-o"]
    assert scoped["drift"] is True and scoped["summary"]["outside_scope"] == 1
    unscoped = check(desired(resource("a", displayName="A", priority=1)), live(*objects))
    assert unscoped["unmanaged"] == [] and len(unscoped["outside_scope"]) == 2
    assert unscoped["drift"] is False


def test_ignored_pointers_are_counted_and_say_whether_they_hid_a_difference():
    d = desired(
        resource(
            "a",
            displayName="A",
            priority=1,
            description="managed",
            policyPayload={"k": 1, "volatile": "a"},
            ignore=("/description", "/policyPayload/volatile", "/userPreferencePayload"),
        )
    )
    tenant = live(
        obj(
            "id-a",
            displayName="A",
            priority=1,
            description="changed",
            policyPayload={"k": 1, "volatile": "b"},
        )
    )
    body = check(d, tenant)
    assert body["drift"] is False
    assert body["resources"][0]["ignored"] == [
        {"pointer": "/spec/description", "differs": True},
        {"pointer": "/spec/policyPayload/volatile", "differs": True},
        # not declared in the spec, so there was nothing to hide
        {"pointer": "/spec/userPreferencePayload", "differs": False},
    ]
    assert body["summary"]["ignored_pointers"] == 3
    assert body["summary"]["ignored_differences"] == 2


def test_ignore_below_a_field_still_reports_other_differences_in_it():
    d = desired(
        resource(
            "a",
            displayName="A",
            priority=1,
            policyPayload={"k": 1, "volatile": "a"},
            ignore=("/policyPayload/volatile",),
        )
    )
    tenant = live(obj("id-a", displayName="A", priority=1, policyPayload={"k": 2, "volatile": "b"}))
    (field,) = check(d, tenant)["resources"][0]["fields"]
    assert field["details"] == ["/spec/policyPayload/k"]
    assert "volatile" not in field["desired"] and "volatile" not in field["live"]


def test_identity_is_the_planners_pinned_id_wins_over_display_name():
    d = desired(resource("a", displayName="A", priority=1, id="id-2", description="d"))
    tenant = live(
        obj("id-1", displayName="A", priority=1, description="d"),
        obj("id-2", displayName="Renamed", priority=2, description="d"),
    )
    body = check(d, tenant)
    res = body["resources"][0]
    assert res["object_id"] == "id-2"
    assert [f["pointer"] for f in res["fields"]] == ["/spec/displayName", "/spec/priority"]
    assert [u["id"] for u in body["outside_scope"]] == ["id-1"]  # no scope: information


def test_ambiguous_display_name_is_an_error_not_a_report():
    d = desired(resource("a", displayName="A", priority=1))
    tenant = live(
        obj("id-1", displayName="A", priority=1), obj("id-2", displayName="A", priority=2)
    )
    with pytest.raises(PlanError, match="2 live objects"):
        detect(d, tenant, now=NOW)


def test_status_values_are_the_documented_enum():
    assert {s.value for s in Status} == set(
        DRIFT_JSON_SCHEMA["properties"]["resources"]["items"]["properties"]["status"]["enum"]
    )
