"""Aspects: collection paging with an opaque absolute @odata.nextLink, $top as page size
(capped by --page-size), $count=true, and bad paging parameters."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import make_policy, make_tenant
from tests.support.raw import Graph, assert_graph_error, group_target
from tests.support.tenant import POLICIES


def walk(graph: Graph, url: str, **params: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a collection and the number of pages it took."""
    items: list[dict[str, Any]] = []
    pages = 0
    response = graph.get(url, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        pages += 1
        link = body.get("@odata.nextLink")
        if not link:
            return items, pages
        assert link.startswith(graph.emulator.base_url + "/")
        response = graph.get(link)


def seeded(make_emulator, count: int, **options: Any) -> Graph:
    policies = [make_policy(display_name=f"p{i}", priority=i) for i in range(count)]
    return Graph(make_emulator(seed=make_tenant(policies), **options))


def test_next_links_walk_the_whole_collection(make_emulator) -> None:
    graph = seeded(make_emulator, 7, page_size=3)
    items, pages = walk(graph, POLICIES)
    assert [p["displayName"] for p in items] == [f"p{i}" for i in range(7)]
    assert pages == 3


def test_top_sets_the_page_size_and_is_capped(make_emulator) -> None:
    graph = seeded(make_emulator, 7, page_size=3)
    first = graph.get(POLICIES, params={"$top": "2"}).json()
    assert len(first["value"]) == 2 and "@odata.nextLink" in first
    assert walk(graph, POLICIES, **{"$top": "2"})[1] == 4
    assert walk(graph, POLICIES, **{"$top": "500"})[1] == 3  # capped at --page-size
    empty = graph.get(POLICIES, params={"$top": "0"}).json()
    assert empty["value"] == [] and "@odata.nextLink" not in empty


def test_default_page_size_is_100(make_emulator) -> None:
    graph = seeded(make_emulator, 101)
    body = graph.get(POLICIES).json()
    assert len(body["value"]) == 100
    assert len(graph.get(body["@odata.nextLink"]).json()["value"]) == 1


def test_count_and_context(make_emulator) -> None:
    graph = seeded(make_emulator, 4, page_size=3)
    body = graph.get(POLICIES, params={"$count": "true"}).json()
    assert body["@odata.count"] == 4
    assert body["@odata.context"].endswith("$metadata#officeConfiguration/clientConfigurations")


def test_assignments_are_paged_too(make_emulator) -> None:
    policy = make_policy(display_name="a", priority=1, groups=[f"g{i}" for i in range(5)])
    graph = Graph(make_emulator(seed=make_tenant([policy]), page_size=2))
    items, pages = walk(graph, f"{POLICIES}/{policy['id']}/assignments")
    assert [a["target"] for a in items] == [group_target(f"g{i}") for i in range(5)]
    assert pages == 3


def test_bad_paging_parameters_are_400(graph: Graph) -> None:
    assert_graph_error(graph.get(POLICIES, params={"$top": "-1"}), 400)
    assert_graph_error(graph.get(POLICIES, params={"$top": "ten"}), 400)
    assert_graph_error(graph.get(POLICIES, params={"$skiptoken": "garbage!"}), 400)
