"""Aspects: the assignments sub-collection (list, create, get, patch, delete), the `assign`
action (plain and qualified, full replacement) and `updatePriorities` (all three segments,
uniqueness across the whole collection, all-or-nothing)."""

from __future__ import annotations

import pytest

from tests.support.raw import Graph, assert_graph_error, group_target
from tests.support.tenant import POLICIES, SECURITY_TYPE

ASSIGNMENT_TYPE = "#microsoft.graph.officeClientConfigurationAssignment"


def test_assignment_crud(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/assignments"
    assert graph.get(url).json()["value"] == []

    created = graph.post(url, json={"target": group_target("g1")})
    assert created.status_code == 201
    body = created.json()
    assert body["@odata.type"] == ASSIGNMENT_TYPE and body["target"] == group_target("g1")
    item_url = f"{url}/{body['id']}"
    assert graph.get(item_url).json() == body
    assert graph.get(url).json()["value"] == [body]

    patched = graph.patch(item_url, json={"target": group_target("g2")})
    assert patched.status_code == 200 and patched.json()["target"]["groupId"] == "g2"

    assert graph.delete(item_url).status_code == 204
    assert_graph_error(graph.get(item_url), 404, "itemNotFound")
    assert graph.get(url).json()["value"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"target": {"@odata.type": "#microsoft.graph.officeConfigurationAssignmentTarget"}},
        {"target": {"groupId": "g1"}},
        {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
        {"target": None},
        {},
        {"target": group_target("g1") | {"extra": 1}},
        {"target": group_target("g1"), "intent": "apply"},
        {"target": {"@odata.type": group_target("g")["@odata.type"], "groupId": 7}},
    ],
)
def test_assignment_validation(graph: Graph, body: dict) -> None:
    policy = graph.create(1)
    assert_graph_error(graph.post(f"{POLICIES}/{policy['id']}/assignments", json=body), 400)


def test_same_group_twice_is_refused(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/assignments"
    assert graph.post(url, json={"target": group_target("g1")}).status_code == 201
    assert_graph_error(graph.post(url, json={"target": group_target("g1")}), 400)


@pytest.mark.parametrize("segment", ["assign", "microsoft.graph.assign"])
def test_assign_replaces_all_assignments(graph: Graph, segment: str) -> None:
    policy = graph.create(1)
    base = f"{POLICIES}/{policy['id']}"
    kept = graph.post(f"{base}/assignments", json={"target": group_target("keep")}).json()
    graph.post(f"{base}/assignments", json={"target": group_target("drop")})

    body = {
        "officeConfigurationAssignments": [
            {"target": group_target("keep")},
            {"target": group_target("new")},
        ]
    }
    response = graph.post(f"{base}/{segment}", json=body)
    assert response.status_code == 200
    value = response.json()["value"]
    assert [a["target"]["groupId"] for a in value] == ["keep", "new"]
    assert value[0]["id"] == kept["id"]  # an unchanged target keeps its id
    assert graph.get(f"{base}/assignments").json()["value"] == value

    cleared = graph.post(f"{base}/{segment}", json={"officeConfigurationAssignments": []})
    assert cleared.json() == {"value": []}


def test_assign_validation(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/assign"
    abstract = {"@odata.type": "#microsoft.graph.officeConfigurationAssignmentTarget"}
    for body in [
        {},
        {"officeConfigurationAssignments": {}},
        {"officeConfigurationAssignments": [{"target": abstract}]},
        {"officeConfigurationAssignments": [{"target": group_target("a")}] * 2},
        {"officeConfigurationAssignments": [], "other": 1},
    ]:
        assert_graph_error(graph.post(url, json=body), 400)
    assert_graph_error(graph.post(f"{POLICIES}/nope/assign", json={}), 404)


@pytest.mark.parametrize(
    "segment",
    [
        "updatePriorities",
        "microsoft.graph.updatePriorities",
        "microsoft.management.services.api.updatePriorities",
    ],
)
def test_update_priorities_swaps_in_one_call(graph: Graph, segment: str) -> None:
    a = graph.create(1)
    b = graph.create(2, SECURITY_TYPE)
    body = {
        "officeConfigurationPolicyIds": [a["id"], b["id"]],
        "officeConfigurationPriorities": [2, 1],
    }
    response = graph.post(f"{POLICIES}/{segment}", json=body)
    assert response.status_code == 204 and response.content == b""
    assert graph.get(f"{POLICIES}/{a['id']}").json()["priority"] == 2
    assert graph.get(f"{POLICIES}/{b['id']}").json()["priority"] == 1


def test_update_priorities_must_leave_the_collection_unique(graph: Graph) -> None:
    a = graph.create(1)
    b = graph.create(2)
    graph.create(3, SECURITY_TYPE)
    clash = {
        "officeConfigurationPolicyIds": [a["id"], b["id"]],
        "officeConfigurationPriorities": [3, 4],
    }
    assert "nothing was changed" in assert_graph_error(
        graph.post(f"{POLICIES}/updatePriorities", json=clash), 400
    )
    assert [p["priority"] for p in graph.get(POLICIES).json()["value"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"officeConfigurationPolicyIds": ["nope"], "officeConfigurationPriorities": [9]}, 404),
        ({"officeConfigurationPolicyIds": ["A"], "officeConfigurationPriorities": [9, 10]}, 400),
        (
            {"officeConfigurationPolicyIds": ["A", "A"], "officeConfigurationPriorities": [9, 10]},
            400,
        ),
        ({"officeConfigurationPolicyIds": ["A"], "officeConfigurationPriorities": ["9"]}, 400),
        ({"officeConfigurationPolicyIds": ["A"]}, 400),
        (
            {"officeConfigurationPolicyIds": ["A"], "officeConfigurationPriorities": [9], "x": 1},
            400,
        ),
    ],
)
def test_update_priorities_validation(graph: Graph, body: dict, status: int) -> None:
    a = graph.create(1)
    body = {
        k: [a["id"] if v == "A" else v for v in vs] if isinstance(vs, list) else vs
        for k, vs in body.items()
    }
    assert_graph_error(graph.post(f"{POLICIES}/updatePriorities", json=body), status)
    assert graph.get(f"{POLICIES}/{a['id']}").json()["priority"] == 1
