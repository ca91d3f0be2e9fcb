"""Which kinds an incremental read may skip (`fetch.tenant.incremental`): those with a change
marker whose assignments come with the list and whose facets need no read of their own; and
when an object's kept child items still stand (`_counts_agree`): each child segment kept as a
list, as many as the listed item's count says."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest

from reconciler.fetch.cache import ReadMemory
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import _counts_agree, _list_path, incremental, read_tenant
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import Children, ReplaceEntity, ResourceKind, Stream
from reconciler.kinds.registry import Registry
from tests.core.test_kind_as_data import ASSIGNMENTS

from .test_tenant_reader import BOX, COLLECTION, BoxSpec, Fake, box_kind

LISTED = dataclasses.replace(ASSIGNMENTS, list_expand=True)
ITEMS_READ = [{"itemId": "i1", "v": 1}, {"itemId": "i2", "v": 2}]
ITEMS = Children(segment="items", key="itemId", write=ReplaceEntity(), count_field="itemCount")


def kind(marker: str | None = "lastModifiedDateTime", **facets: Any) -> ResourceKind:
    return ResourceKind(
        kind="Box",
        collection=COLLECTION,
        identity="name",
        facets=facets,
        spec_model=BoxSpec,
        change_marker=marker,
    )


@pytest.mark.parametrize(
    ("box", "skippable"),
    [
        (kind(items=ITEMS, assignments=LISTED), True),
        (kind(items=ITEMS), True),
        (kind(None, items=ITEMS, assignments=LISTED), False),  # nothing tells a change
        (kind(items=ITEMS, assignments=dataclasses.replace(LISTED, list_expand=False)), False),
        (kind(items=ITEMS, blob=Stream(segment="blob")), False),  # a stream needs its read
        (kind(blob=Stream(segment="blob"), items=ITEMS), False),
    ],
)
def test_only_kinds_with_a_marker_and_nothing_to_read_apart_are_skippable(box, skippable):
    assert incremental(box) is skippable


def test_of_the_kinds_today_only_the_settings_catalog_is_skippable():
    # Office policies carry streams; Administrative Templates' values have no list expansion
    assert [k.kind for k in REGISTRY if incremental(k)] == ["SettingsCatalogPolicy"]


@pytest.mark.parametrize(
    ("listed", "kept", "agree"),
    [
        ({"itemCount": 2}, {"items": [{}, {}]}, True),
        ({"itemCount": 3}, {"items": [{}, {}]}, False),  # one added since: read it again
        ({"itemCount": 1}, {"items": [{}, {}]}, False),
        ({}, {"items": [{}, {}]}, True),  # no count listed: the marker decides alone
        ({"itemCount": "2"}, {"items": [{}]}, True),
        ({"itemCount": 0}, {"items": {}}, False),  # kept as no list: not trusted
        ({"itemCount": 0}, {}, False),
    ],
)
def test_kept_child_items_stand_when_their_count_is_the_listed_one(listed, kept, agree):
    assert _counts_agree(kind(items=ITEMS), listed, kept) is agree


def test_without_a_count_field_only_the_kept_list_is_needed():
    uncounted = dataclasses.replace(ITEMS, count_field=None)
    assert _counts_agree(kind(items=uncounted), {"itemCount": 5}, {"items": [{}]})


def test_an_object_of_a_kind_that_cannot_be_skipped_is_read_though_its_marker_is_kept():
    # a marker, but a stream to read apart: an incremental read reads such objects whole
    box = dataclasses.replace(box_kind(), change_marker="lastModifiedDateTime")
    listed = {**BOX, "lastModifiedDateTime": "m1"}
    memory = ReadMemory(
        incremental=True,
        known={"Box": {"b-1": {"marker": "m1", "children": {"items": [{"itemId": "old"}]}}}},
    )
    fake = Fake(
        [listed],
        {
            f"{COLLECTION}/b-1/items": (200, {"value": ITEMS_READ}),
            f"{COLLECTION}/b-1/blob": (200, b""),
        },
    )
    live = read_tenant(cast(GraphClient, fake), kinds=Registry([box]), memory=memory)
    (only,) = live.objects
    assert only.body["items"] == ITEMS_READ and memory.recalled == 0
    assert memory.found["Box"]["b-1"] == {"marker": "m1", "children": {"items": ITEMS_READ}}


@pytest.mark.parametrize(
    ("query", "expand", "path"),
    [
        ("$top=9", ["assignments"], f"{COLLECTION}?$top=9&$expand=assignments"),
        ("", ["assignments"], f"{COLLECTION}?$expand=assignments"),
        ("", ["a", "b"], f"{COLLECTION}?$expand=a,b"),
        ("$top=9", [], f"{COLLECTION}?$top=9"),
        ("", [], COLLECTION),
    ],
)
def test_an_incremental_listing_adds_its_expansions_to_the_kinds_query(query, expand, path):
    box = dataclasses.replace(kind(items=ITEMS), list_query=query)
    assert _list_path(Registry([box]), COLLECTION, expand) == path


class TwoCollections(Fake):
    """Lists each collection's own items."""

    def __init__(self, listed: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__([], {})
        self.by_collection = listed

    def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
        self.stats.add(method="GET")
        return self.by_collection[path.split("?", 1)[0]]


def test_objects_recalled_are_counted_across_every_collection():
    boxes = dataclasses.replace(kind(items=ITEMS), kind="Box")
    crates = dataclasses.replace(kind(items=ITEMS), kind="Crate", collection="/testing/crates")
    kept = {"marker": "m1", "children": {"items": []}}
    memory = ReadMemory(incremental=True, known={"Box": {"b-1": kept}, "Crate": {"c-1": kept}})
    listed: dict[str, list[dict[str, Any]]] = {
        COLLECTION: [{"id": "b-1", "name": "B", "lastModifiedDateTime": "m1", "itemCount": 0}],
        "/testing/crates": [{"id": "c-1", "name": "C", "lastModifiedDateTime": "m1"}],
    }
    fake = TwoCollections(listed)
    live = read_tenant(cast(GraphClient, fake), kinds=Registry([boxes, crates]), memory=memory)
    assert sorted(str(o.id) for o in live.objects) == ["b-1", "c-1"]
    assert memory.recalled == 2 and fake.batched == []  # nothing read again
