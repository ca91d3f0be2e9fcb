"""The re-checks' judgements, pure: which field of a re-read object someone else changed
(this apply's own planned values and unchanged fields aside, a new field counted), and which
member of an ordered collection joined, left or moved (this apply's creates and planned
values aside)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconciler.apply import recheck
from reconciler.engine.planner import make_plan
from reconciler.kinds import REGISTRY
from reconciler.values.live import LiveObject
from tests.core.builders import desired, live, obj, resource
from tests.support.tenant import SECURITY

NOW = datetime(2026, 1, 1, tzinfo=UTC)
OFFICE = REGISTRY.by_kind(SECURITY)


def update():
    """A's description and payload planned; as found: description "old", payload {k: 1}."""
    found = obj("id-a", displayName="A", priority=1, description="old", policyPayload={"k": 1})
    wanted = resource("a", displayName="A", priority=1, description="new", policyPayload={"k": 2})
    (change,) = make_plan(desired(wanted), live(found), now=NOW).changes
    return found, change, recheck.Expected.of(OFFICE, found, change)


def fresh(body: dict[str, Any]) -> LiveObject:
    return LiveObject(kind=SECURITY, id="id-a", body=body)


def test_this_apply_own_writes_are_not_someone_else_changes():
    found, change, expected = update()
    body = {**found.body, "description": "new", "policyPayload": {"k": 2}}
    assert recheck.changed_field(expected, fresh(body), change) is None


def test_a_field_after_one_this_apply_wrote_is_still_checked():
    found, change, expected = update()
    body = {**found.body, "description": "new", "displayName": "Renamed"}
    assert recheck.changed_field(expected, fresh(body), change) == "displayName"
    body = {**found.body, "description": "theirs"}  # a third value in a planned field
    assert recheck.changed_field(expected, fresh(body), change) == "description"


def test_a_field_that_appeared_is_a_change():
    found, change, expected = update()
    grown = fresh({**found.body, "zNewProperty": 1})
    assert recheck.changed_field(expected, grown, change) == "zNewProperty"


def test_a_member_moved_by_someone_else_is_named_but_not_one_this_apply_made_or_planned():
    start = {"id-a": 1, "id-b": 2}
    ours = {"0-new"}  # sorts first: it must not end the search
    assert recheck.moved_member(start, {**start, "0-new": 9, "id-b": 4}, ours, {}) == "id-b"
    # someone made the planned move already (another apply of the same plan): not a change
    assert recheck.moved_member(start, {"id-a": 3, "id-b": 2}, ours, {"id-a": 3}) is None
    assert recheck.moved_member(start, {"id-a": 1}, ours, {"id-b": 2}) == "id-b"  # left
    # one the plan does not order that is gone (this apply's own prune, in round 0) is none
    assert recheck.moved_member(start, {"id-a": 1}, ours, {"id-a": 1}) is None
    assert recheck.ordering_values([{"id": "ID-A", "priority": 1}, {"x": 2}], "priority") == {
        "id-a": 1
    }
