"""Which live object is whose, pure: pinned ids (any case), names, singletons, and what
is left unmanaged."""

from __future__ import annotations

import pytest

from reconciler.engine.identity import claimed_ids, match_resources, unmanaged_objects
from reconciler.errors import PlanError
from reconciler.values.live import Live, LiveObject
from tests.support.tenant import CLIENT, SECURITY

from .builders import GRAPH, desired, live, obj, resource


def test_a_pinned_id_matches_in_any_case_and_takes_the_object_from_the_name_match():
    wanted = desired(resource("a", id="ID-1", displayName="B"), resource("b", displayName="B"))
    tenant = live(obj("id-1", displayName="B"), obj("id-2", displayName="B"))
    matches = match_resources(wanted, tenant)
    assert matches[f"{SECURITY}/a"].id == "id-1"  # type: ignore[union-attr]
    assert matches[f"{SECURITY}/b"].id == "id-2"  # type: ignore[union-attr]
    assert claimed_ids(matches) == {"id-1", "id-2"}


def test_a_pinned_id_of_another_kind_is_an_error_with_a_hint():
    wanted = desired(resource("a", id="id-c", displayName="C"))
    with pytest.raises(PlanError) as caught:
        match_resources(wanted, live(obj("id-c", CLIENT, displayName="C")))
    assert str(caught.value) == (  # located at the manifest (the builder's a.yaml:1:1)
        f"a.yaml:1:1: {SECURITY}/a: metadata.id id-c is a {CLIENT}, not a {SECURITY}; "
        "Graph cannot change a policy's type"
    )
    assert caught.value.hint == "Delete and recreate it, or fix the manifest's kind."


def test_one_id_pinned_twice_is_an_error_naming_both():
    wanted = desired(
        resource("a", id="id-1", displayName="A"), resource("b", id="ID-1", displayName="B")
    )
    with pytest.raises(PlanError) as caught:
        match_resources(wanted, live(obj("id-1", displayName="A")))
    assert (
        str(caught.value)
        == f"b.yaml:1:1: {SECURITY}/b: metadata.id ID-1 is also claimed by {SECURITY}/a"
    )


def test_a_pinned_id_not_found_falls_back_to_the_name():
    """A pinned object deleted in the portal, or a set promoted to another tenant: the name
    finds the object apply created for it, so it is not created again on every run."""
    wanted = desired(resource("a", id="id-9", displayName="A"))
    (found,) = match_resources(wanted, live(obj("id-1", displayName="A"))).values()
    assert found is not None and found.id == "id-1"
    assert match_resources(wanted, live(obj("id-1", displayName="B"))) == {f"{SECURITY}/a": None}


def test_two_live_objects_of_the_name_are_an_error_with_both_ids_and_a_hint():
    wanted = desired(resource("a", displayName="A"))
    tenant = live(
        obj("id-2", displayName="A"),
        obj("id-1", displayName="A"),
        obj("id-3", CLIENT, displayName="A"),
    )
    with pytest.raises(PlanError) as caught:
        match_resources(wanted, tenant)
    assert (
        str(caught.value)
        == f"a.yaml:1:1: {SECURITY}/a: 2 live objects have displayName 'A': id-1, id-2"
    )
    assert caught.value.hint == "Pin one with metadata.id (and delete or rename the other)."


def test_an_object_pinned_elsewhere_is_not_matched_by_name_again():
    wanted = desired(resource("a", displayName="A"), resource("p", id="ID-1", displayName="P"))
    tenant = live(obj("id-1", displayName="A"), obj("id-2", displayName="A"))
    matches = match_resources(wanted, tenant)
    assert matches[f"{SECURITY}/a"].id == "id-2"  # type: ignore[union-attr]


def test_an_object_matched_by_name_is_not_matched_by_a_second_resource():
    wanted = desired(resource("a", displayName="A"), resource("b", CLIENT, displayName="A"))
    tenant = live(obj("id-1", displayName="A"))
    matches = match_resources(wanted, tenant)
    assert matches[f"{SECURITY}/a"].id == "id-1"  # type: ignore[union-attr]
    assert matches[f"{CLIENT}/b"] is None


def test_the_singleton_is_the_one_live_object_of_its_kind():
    singleton = "OfficeConfiguration"
    wanted = desired(resource("office", singleton))
    tenant = live()
    assert match_resources(wanted, tenant)[f"{singleton}/office"] is tenant.objects[0]
    empty = Live(graph_url=GRAPH, objects=())
    assert match_resources(wanted, empty)[f"{singleton}/office"] is None


def test_unmanaged_objects_are_of_managed_kinds_with_unclaimed_ids():
    wanted = desired(resource("a", displayName="A"))
    tenant = live(
        obj("ID-1", displayName="A"),
        obj("id-2", displayName="X"),
        obj("id-3", CLIENT, displayName="C"),
        LiveObject(kind=SECURITY, id=None, body={}),
    )
    claimed = claimed_ids(match_resources(wanted, tenant))
    assert claimed == {"id-1"}
    assert [o.id for o in unmanaged_objects(wanted, tenant, claimed)] == ["id-2"]
    assert [o.id for o in unmanaged_objects(wanted, tenant, {"id-2", "id-1"})] == []


def test_an_object_matched_by_name_is_not_matched_again_by_the_same_name():
    wanted = desired(resource("a", displayName="A"), resource("b", displayName="A"))
    matches = match_resources(wanted, live(obj("ID-1", displayName="A")))
    assert matches[f"{SECURITY}/a"].id == "ID-1"  # type: ignore[union-attr]
    assert matches[f"{SECURITY}/b"] is None
