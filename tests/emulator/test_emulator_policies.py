"""Aspects: the singleton and policy CRUD routes, their status codes and shapes, request
validation (400 variants), 404, 405, unknown paths, and the correlation headers."""

from __future__ import annotations

import pytest

from tests.support.raw import Graph, assert_graph_error
from tests.support.tenant import CLIENT_TYPE, POLICIES, SECURITY_TYPE


def test_singleton_get_and_patch(graph: Graph) -> None:
    first = graph.get("/officeConfiguration")
    assert first.status_code == 200
    assert first.json()["@odata.type"] == "#microsoft.graph.officeConfiguration"
    summary = {"succeededUserCount": 1, "failedUserCount": 0}
    patched = graph.patch("/officeConfiguration", json={"tenantUserCheckinSummary": summary})
    assert patched.status_code == 200
    assert patched.json()["tenantUserCheckinSummary"] == summary
    assert patched.json()["id"] == first.json()["id"]


def test_singleton_expands_client_configurations(graph: Graph) -> None:
    graph.create(1, displayName="a")
    body = graph.get("/officeConfiguration", params={"$expand": "clientConfigurations"}).json()
    assert [p["displayName"] for p in body["clientConfigurations"]] == ["a"]


def test_create_get_patch_delete_policy(graph: Graph) -> None:
    created = graph.create(3, displayName="Baseline", description="d")
    assert created["@odata.type"] == CLIENT_TYPE
    assert len(created["id"]) == 36
    assert created["priority"] == 3 and created["displayName"] == "Baseline"
    url = f"{POLICIES}/{created['id']}"
    assert graph.get(url).json() == created

    patched = graph.patch(url, json={"description": None, "displayName": "New"})
    assert patched.status_code == 200
    assert patched.json() == created | {"description": None, "displayName": "New"}

    assert graph.delete(url).status_code == 204
    assert_graph_error(graph.get(url), 404, "itemNotFound")
    assert_graph_error(graph.delete(url), 404, "itemNotFound")


def test_create_answers_location_and_both_concrete_types(graph: Graph) -> None:
    response = graph.post(POLICIES, json={"@odata.type": SECURITY_TYPE, "priority": 1})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"{POLICIES}/{response.json()['id']}")
    # Without the leading '#', as the docs samples write nested types.
    bare = graph.post(POLICIES, json={"@odata.type": CLIENT_TYPE[1:], "priority": 2})
    assert bare.json()["@odata.type"] == CLIENT_TYPE


def test_count_segment(graph: Graph) -> None:
    graph.create(1)
    graph.create(2)
    response = graph.get(f"{POLICIES}/$count")
    assert response.status_code == 200 and response.text == "2"


def test_create_ignores_a_client_id_and_tolerates_annotations(graph: Graph) -> None:
    body = {
        "@odata.type": CLIENT_TYPE,
        "@odata.context": "whatever",
        "id": "my-own-id",
        "priority": 1,
        "policyPayload@odata.mediaContentType": "application/json",
    }
    response = graph.post(POLICIES, json=body)
    assert response.status_code == 201
    assert response.json()["id"] != "my-own-id"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"priority": 1}, "@odata.type is required"),
        ({"@odata.type": "#microsoft.graph.officeClientConfiguration", "priority": 1}, "abstract"),
        (
            {"@odata.type": "#microsoft.graph.windowsOfficeclientConfiguration", "priority": 1},
            "Unknown",
        ),
        ({"@odata.type": CLIENT_TYPE}, "'priority' is required"),
        ({"@odata.type": CLIENT_TYPE, "priority": "1"}, "priority"),
        ({"@odata.type": CLIENT_TYPE, "priority": 1.0}, "priority"),
        ({"@odata.type": CLIENT_TYPE, "priority": True}, "priority"),
        ({"@odata.type": CLIENT_TYPE, "priority": None}, "priority"),
        ({"@odata.type": CLIENT_TYPE, "priority": 2**31}, "Int32"),
        ({"@odata.type": CLIENT_TYPE, "priority": 1, "displayName": 5}, "displayName"),
        ({"@odata.type": CLIENT_TYPE, "priority": 1, "policyPayload": {"a": 1}}, "policyPayload"),
        (
            {"@odata.type": CLIENT_TYPE, "priority": 1, "lastModifiedDateTime": "x"},
            "does not exist",
        ),
        ({"@odata.type": CLIENT_TYPE, "priority": 1, "assignments": []}, "Navigation"),
        (
            {
                "@odata.type": CLIENT_TYPE,
                "priority": 1,
                "userCheckinSummary": {"failedUserCount": "2"},
            },
            "failedUserCount",
        ),
        (
            {"@odata.type": CLIENT_TYPE, "priority": 1, "checkinStatuses": [{"bogus": 1}]},
            "checkinStatuses[0].bogus",
        ),
        (
            {
                "@odata.type": CLIENT_TYPE,
                "priority": 1,
                "checkinStatuses": [{"checkinDateTime": "soon"}],
            },
            "DateTimeOffset",
        ),
        ([1, 2], "JSON object"),
    ],
)
def test_create_rejects_invalid_bodies(graph: Graph, body: object, fragment: str) -> None:
    message = assert_graph_error(graph.post(POLICIES, json=body), 400, "BadRequest")
    assert fragment in message
    assert graph.get(POLICIES).json()["value"] == []


@pytest.mark.parametrize("raw", [b"", b"{not json", b'{"priority": NaN}', b"\xff\xfe"])
def test_malformed_json_is_a_400(graph: Graph, raw: bytes) -> None:
    response = graph.post(POLICIES, data=raw, headers={"Content-Type": "application/json"})
    assert_graph_error(response, 400, "BadRequest")


def test_duplicate_priority_is_refused_on_create_and_patch(graph: Graph) -> None:
    first = graph.create(1)
    other = graph.create(2, SECURITY_TYPE)
    body = {"@odata.type": SECURITY_TYPE, "priority": 1}
    assert "Priority 1" in assert_graph_error(graph.post(POLICIES, json=body), 400)
    url = f"{POLICIES}/{other['id']}"
    assert_graph_error(graph.patch(url, json={"priority": 1}), 400, "BadRequest")
    # Patching a policy to its own priority is no conflict.
    assert graph.patch(f"{POLICIES}/{first['id']}", json={"priority": 1}).status_code == 200
    assert graph.get(url).json()["priority"] == 2


def test_patch_cannot_change_type_or_id_or_clear_priority(graph: Graph) -> None:
    created = graph.create(1)
    url = f"{POLICIES}/{created['id']}"
    assert "cannot change" in assert_graph_error(
        graph.patch(url, json={"@odata.type": SECURITY_TYPE}), 400
    )
    assert_graph_error(graph.patch(url, json={"id": "other"}), 400)
    assert_graph_error(graph.patch(url, json={"priority": None}), 400)
    assert_graph_error(graph.patch(url, json={"unknownThing": 1}), 400)
    same = graph.patch(url, json={"@odata.type": CLIENT_TYPE, "id": created["id"]})
    assert same.status_code == 200
    assert graph.get(url).json() == created


def test_singleton_rejects_bad_bodies(graph: Graph) -> None:
    assert_graph_error(graph.patch("/officeConfiguration", json={"displayName": "x"}), 400)
    wrong_type = {"@odata.type": "#microsoft.graph.officeClientConfiguration"}
    assert_graph_error(graph.patch("/officeConfiguration", json=wrong_type), 400)
    assert_graph_error(graph.patch("/officeConfiguration", json={"clientConfigurations": []}), 400)
    assert_graph_error(graph.patch("/officeConfiguration", json={"tenantCheckinStatuses": {}}), 400)


def test_unknown_policy_is_404_on_every_sub_route(graph: Graph) -> None:
    for method, suffix in [
        ("GET", ""),
        ("PATCH", ""),
        ("GET", "/policyPayload"),
        ("PUT", "/userPreferencePayload"),
        ("GET", "/assignments"),
        ("GET", "/assignments/x"),
    ]:
        kwargs = {"json": {"displayName": "x"}} if method == "PATCH" else {}
        response = graph.request(method, f"{POLICIES}/nope{suffix}", **kwargs)
        assert_graph_error(response, 404, "itemNotFound")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/officeConfiguration"),
        ("DELETE", "/officeConfiguration"),
        ("POST", "/officeConfiguration"),
        ("DELETE", POLICIES),
        ("PUT", POLICIES + "/some-id"),
        ("POST", POLICIES + "/some-id"),
        ("GET", POLICIES + "/updatePriorities"),
        ("GET", POLICIES + "/some-id/assign"),
        ("DELETE", POLICIES + "/some-id/policyPayload"),
        ("GET", "/$batch"),
    ],
)
def test_unsupported_methods_are_405(graph: Graph, method: str, path: str) -> None:
    response = graph.request(method, path)
    assert_graph_error(response, 405)
    assert method not in response.headers["Allow"]


def test_unknown_paths(graph: Graph) -> None:
    message = assert_graph_error(graph.get("/deviceManagement"), 400, "BadRequest")
    assert "deviceManagement" in message
    outside = graph.session.get(graph.emulator.root_url + "/v1.0/officeConfiguration", timeout=5)
    assert_graph_error(outside, 404, "itemNotFound")


def test_every_reply_carries_correlation_headers(graph: Graph) -> None:
    mine = graph.get("/officeConfiguration", headers={"client-request-id": "abc-123"})
    assert mine.headers["client-request-id"] == "abc-123"
    assert mine.headers["request-id"]
    error = graph.get(f"{POLICIES}/missing", headers={"client-request-id": "abc-456"})
    assert error.headers["client-request-id"] == "abc-456"
    assert error.json()["error"]["innerError"]["client-request-id"] == "abc-456"
    assert error.json()["error"]["innerError"]["date"]
    anonymous = graph.get("/officeConfiguration")
    assert anonymous.headers["request-id"] != mine.headers["request-id"]
    assert anonymous.headers["client-request-id"]
