"""Looking live objects up by a property: what name matching (planner, stale check) relies on."""

from tests.support.tenant import CLIENT

from .builders import live, obj


def test_having_finds_every_match_of_the_kind_in_read_order():
    tenant = live(
        obj("id-1", displayName="A"),
        obj("id-2", displayName="B"),
        obj("id-3", CLIENT, displayName="A"),  # another kind
        obj("id-4", displayName="A"),
    )
    assert [o.id for o in tenant.having(tenant.objects[1].kind, "displayName", "A")] == [
        "id-1",
        "id-4",
    ]
    assert [o.id for o in tenant.having(CLIENT, "displayName", "A")] == ["id-3"]
    assert tenant.having(CLIENT, "displayName", "missing") == []


def test_having_compares_list_and_object_values_too():
    tenant = live(obj("id-1", tags=["x"]), obj("id-2", tags={"x": 1}), obj("id-3", tags="x"))
    kind = tenant.objects[1].kind
    assert [o.id for o in tenant.having(kind, "tags", ["x"])] == ["id-1"]
    assert [o.id for o in tenant.having(kind, "tags", "x")] == ["id-3"]


def test_a_returned_list_does_not_change_the_index():
    tenant = live(obj("id-1", displayName="A"))
    kind = tenant.objects[1].kind
    tenant.having(kind, "displayName", "A").clear()
    assert [o.id for o in tenant.having(kind, "displayName", "A")] == ["id-1"]
