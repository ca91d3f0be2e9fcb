"""The diff, pure: what counts as a change (JSON types, annotations, absent fields), and which
pointers the details name."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.engine.diff import compare, normalise, owned_fields, owned_view
from reconciler.kinds import REGISTRY
from reconciler.values.canonical import Payload
from tests.support.tenant import SECURITY

from .builders import obj, resource

KIND = REGISTRY.by_kind(SECURITY)
SUMMARY_TYPE = "#microsoft.graph.officeUserCheckinSummary"


def diff(spec: dict[str, Any], body: dict[str, Any] | None, ignore: tuple[str, ...] = ()):
    wanted = resource("a", displayName="A", ignore=ignore, **spec)
    return compare(KIND, wanted, None if body is None else obj("id-a", displayName="A", **body))


def details(before: Any, after: Any) -> tuple[str, ...]:
    (change,) = diff({"policyPayload": after}, {"policyPayload": before}).changes
    return change.details


def test_nested_odata_type_annotations_the_manifest_leaves_out_make_no_change():
    summary = {"succeededUserCount": 3, "failedUserCount": 0}
    live_summary = {"@odata.type": SUMMARY_TYPE, **summary}
    statuses = [{"userId": "u", "wasSuccessful": True, "checkinDateTime": "t"}]
    live_statuses = [{"@odata.type": "#microsoft.graph.officeClientCheckinStatus", **statuses[0]}]
    result = diff(
        {"userCheckinSummary": summary, "checkinStatuses": statuses},
        {"userCheckinSummary": live_summary, "checkinStatuses": live_statuses},
    )
    assert result.changes == ()
    assert result.patch == ()


def test_an_annotation_hides_no_real_difference_beside_it():
    result = diff(
        {"userCheckinSummary": {"succeededUserCount": 3, "failedUserCount": 0}},
        {
            "userCheckinSummary": {
                "@odata.type": SUMMARY_TYPE,
                "succeededUserCount": 4,
                "failedUserCount": 0,
            }
        },
    )
    (change,) = result.changes
    assert change.details == ("/spec/userCheckinSummary/succeededUserCount",)
    assert change.before == {"succeededUserCount": 4, "failedUserCount": 0}


def test_annotations_inside_a_payload_are_data():
    # a payload is a document of its own: an @odata.type key in it is compared like any key
    result = diff(
        {"policyPayload": Payload.of({"k": 1})},
        {"policyPayload": Payload.of({"k": 1, "@odata.type": "x"})},
    )
    assert [c.field for c in result.changes] == ["policyPayload"]


@pytest.mark.parametrize(
    ("live_value", "desired_value"),
    [
        (True, 1),
        (1, True),
        (False, 0),
        (1.0, 1),
        (1, 1.0),
        ("1", 1),
        (None, 0),
        (None, False),
        ([], {}),
    ],
)
def test_json_types_differ_even_when_python_calls_them_equal(live_value, desired_value):
    result = diff({"description": desired_value}, {"description": live_value})
    (change,) = result.changes
    assert (change.before, change.after) == (live_value, desired_value)
    assert type(change.before) is type(live_value) and type(change.after) is type(desired_value)
    assert result.patch == ({"op": "replace", "path": "/spec/description", "value": desired_value},)


@pytest.mark.parametrize(("live_value", "desired_value"), [(True, 1), (1.0, 1), (0, False)])
def test_json_types_differ_inside_documents(live_value, desired_value):
    assert details({"a": live_value, "b": 2}, {"a": desired_value, "b": 2}) == (
        "/spec/policyPayload/a",
    )
    (change,) = diff({"policyPayload": [desired_value]}, {"policyPayload": [live_value]}).changes
    assert change.details == ("/spec/policyPayload/0",)


def test_equal_values_of_the_same_type_are_no_change():
    assert (
        diff({"description": "x", "priority": 1}, {"description": "x", "priority": 1}).changes == ()
    )
    assert (
        diff(
            {"policyPayload": {"a": [1, {"b": 2.5}]}}, {"policyPayload": {"a": [1, {"b": 2.5}]}}
        ).changes
        == ()
    )


def test_the_details_name_the_key_of_a_one_key_dict():
    assert details({"only": 1}, {"only": 2}) == ("/spec/policyPayload/only",)
    assert details({}, {"only": 2}) == ("/spec/policyPayload/only",)
    assert details({"only": 2}, {}) == ("/spec/policyPayload/only",)
    assert details({"a": {"only": 1}}, {"a": {"only": 2}}) == ("/spec/policyPayload/a/only",)


def test_dicts_are_named_key_by_key_however_little_they_share():
    """The details are the paths of the field's own RFC 6902 operations, so a reviewer sees
    each key that goes and each that comes, even when nothing is shared."""
    assert details({"a": 1, "b": 2, "c": 3}, {"x": 1, "y": 2, "z": 3}) == tuple(
        f"/spec/policyPayload/{k}" for k in "abcxyz"
    )
    assert details({"a": 1, "b": 2}, {"a": 1, "c": 3}) == (
        "/spec/policyPayload/b",
        "/spec/policyPayload/c",
    )


def test_the_details_name_only_the_indexes_that_changed_in_a_list_of_plain_values():
    assert details([1, 2, 3, 4], [1, 9, 3, 8]) == ("/spec/policyPayload/1", "/spec/policyPayload/3")
    assert details({"l": ["a", "b", "c"]}, {"l": ["a", "b", "x"]}) == ("/spec/policyPayload/l/2",)
    assert details([1, 2, 3], [1, 2, 3, 4]) == ("/spec/policyPayload/3",)
    assert details([1, 2, 3], [2, 3]) == ("/spec/policyPayload/0",)
    assert details([1, 2], [True, 2, 3]) == ("/spec/policyPayload/0", "/spec/policyPayload/2")
    assert details(["a", 1.0], ["a", 1]) == ("/spec/policyPayload/1",)


def test_a_list_of_documents_of_the_same_length_is_walked_by_index():
    before = [{"a": 1, "b": 1}, {"a": 2, "b": 2}, {"a": 3, "b": 3}]
    after = [{"a": 1, "b": 1}, {"a": 2, "b": 5}, {"a": 3, "b": 3}]
    assert details(before, after) == ("/spec/policyPayload/1/b",)


def test_a_list_of_documents_that_changed_length_is_matched_by_deepdiff():
    assert details([{"a": 1}], [{"a": 1}, {"a": 2}]) == ("/spec/policyPayload/1",)


def test_a_changed_type_is_named_where_it_changed():
    assert details({"a": {"b": 1}}, {"a": [1]}) == ("/spec/policyPayload/a",)
    assert details({"a": 1, "b": 1}, {"a": "1", "b": 1}) == ("/spec/policyPayload/a",)


def test_keys_that_need_escaping_are_escaped_in_pointers():
    assert details({"a/b": 1, "c~d": 1}, {"a/b": 2, "c~d": 2}) == (
        "/spec/policyPayload/a~1b",
        "/spec/policyPayload/c~0d",
    )


def test_a_scalar_change_has_no_details():
    (change,) = diff({"description": "new"}, {"description": "old"}).changes
    assert change.details == ()
    (change,) = diff({"policyPayload": {"a": 1}}, {"policyPayload": None}).changes
    assert change.details == ()


def test_absent_live_equals_null_and_null_list_equals_empty():
    assert diff({"description": None}, {}).changes == ()
    assert diff({"assignments": []}, {"assignments": None}).changes == ()
    assert normalise(KIND, "assignments", None) == []
    assert normalise(KIND, "description", None) is None


def test_a_create_compares_against_nothing():
    result = diff({"description": "d", "priority": 4}, None)
    assert [(c.field, c.before, c.after) for c in result.changes] == [
        ("displayName", None, "A"),
        ("description", None, "d"),
        ("priority", None, 4),
    ]


def test_ignored_pointers_hide_differences_and_are_reported():
    result = diff(
        {"description": "mine", "policyPayload": {"a": 1, "b": 1}},
        {"description": "theirs", "policyPayload": {"a": 1, "b": 2}},
        ignore=("/description", "/policyPayload/b"),
    )
    assert result.changes == ()
    assert result.ignored == ("/description", "/policyPayload/b")


def test_a_field_ignored_whole_is_not_owned():
    wanted = resource(
        "a", displayName="A", description="x", ignore=("/description", "/policyPayload/b")
    )
    assert owned_fields(wanted) == ["displayName"]
    view = owned_view(
        KIND, {"policyPayload": {"a": 1, "b": 2}}, ["policyPayload"], ["/policyPayload/b"]
    )
    assert view == {"policyPayload": {"a": 1}}


def test_the_patch_turns_live_into_desired():
    import jsonpatch

    before = {"keep": 1, "gone": 2, "list": [1, 2], "deep": {"x": 1}, "grow": [1]}
    after = {"keep": 1, "new": 3, "list": [1, 5], "deep": {"x": 2}, "grow": [1, 2, 3]}
    result = diff({"policyPayload": after}, {"policyPayload": before})
    doc = {"spec": {"policyPayload": before}}
    assert jsonpatch.apply_patch(doc, list(result.patch)) == {"spec": {"policyPayload": after}}
    assert {"op": "remove", "path": "/spec/policyPayload/gone"} in result.patch
    assert {"op": "add", "path": "/spec/policyPayload/new", "value": 3} in result.patch
    assert {"op": "replace", "path": "/spec/policyPayload/list/1", "value": 5} in result.patch
