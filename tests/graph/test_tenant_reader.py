"""The tenant reader (fetch/tenant.py) for facet shapes the Office kinds do not have, with a
fake client: child collections read inline ($expand) or paged, checked against a count; streams
read apart from the list (bytes or JSON); reads that fail or answer garbage."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, cast

import pytest
from pydantic import Field

from reconciler.errors import GraphError, GraphResponseError
from reconciler.fetch.client import BatchRequest, BatchResult, ClientStats, GraphClient
from reconciler.fetch.tenant import read_tenant
from reconciler.kinds.fields import NonEmpty, StrictModel
from reconciler.kinds.kind import Children, Discriminator, ReplaceEntity, ResourceKind, Stream
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import Payload
from reconciler.values.live import NON_JSON_KEY
from tests.apply.fake import graph_error

COLLECTION = "/testing/boxes"


class BoxSpec(StrictModel):
    name: NonEmpty = Field(description="the box's name")


def box_kind(**children: Any) -> ResourceKind:
    return ResourceKind(
        kind="Box",
        collection=COLLECTION,
        identity="name",
        facets={
            "items": Children(segment="items", key="itemId", write=ReplaceEntity(), **children),
            "blob": Stream(segment="blob"),
        },
        spec_model=BoxSpec,
    )


class Fake:
    """Lists `listed`, answers each $batch GET from `answers` (url -> (status, body)) and each
    list_all of another path from `pages` (path -> items)."""

    base_url = "https://graph.test/beta"

    def __init__(
        self,
        listed: list[dict[str, Any]],
        answers: dict[str, tuple[int, Any]],
        pages: dict[str, list[Any]] | None = None,
    ):
        self.listed = listed
        self.answers = answers
        self.pages = pages or {}
        self.stats = ClientStats()
        self.paths: list[str] = []
        self.batched: list[str] = []

    def get_entity(self, path: str) -> dict[str, Any]:
        self.paths.append(path)
        self.stats.add(method="GET")
        return {"id": "s-1", "@odata.context": "x", "setting": 1}

    def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
        self.paths.append(path)
        self.stats.add(method="GET")
        return (
            self.listed
            if path.startswith(COLLECTION) and path.count("/") == 2
            else self.pages[path]
        )

    def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResult]:
        self.stats.add(method="POST", batches=1, batch_items=len(requests))
        results = {}
        for request in requests:
            assert request.method == "GET", request.method
            self.batched.append(request.url)
            status, body = self.answers[request.url]
            error = graph_error(status, "GET") if status >= 400 else None
            results[request.id] = BatchResult(
                id=request.id, status=status, headers={}, body=body, request_id="r", error=error
            )
        return results


def read(kind: ResourceKind, fake: Fake) -> dict[str, Any]:
    live = read_tenant(cast(GraphClient, fake), kinds=Registry([kind]))
    (box,) = live.objects
    assert (live.read_requests, live.read_units) == (fake.stats.requests, fake.stats.units)
    return dict(box.body)


BOX = {"id": "b-1", "name": "B", "@odata.etag": "x", "items@odata.count": 2}
ITEMS = [{"itemId": "i1", "v": 1}, {"itemId": "i2", "v": 2}]


def test_paged_children_and_a_stream_read_apart():
    fake = Fake(
        [BOX],
        {
            f"{COLLECTION}/b-1/items?$top=50": (
                200,
                {"value": ITEMS[:1], "@odata.nextLink": "next-1"},
            ),
            f"{COLLECTION}/b-1/blob": (200, b'{"k": 1}'),
        },
        pages={"next-1": ITEMS[1:]},
    )
    body = read(box_kind(query="$top=50"), fake)
    assert body["items"] == ITEMS
    assert body["blob"] == Payload.of({"k": 1})
    assert "@odata.etag" not in body and "items@odata.count" not in body
    assert sorted(fake.batched) == [f"{COLLECTION}/b-1/blob", f"{COLLECTION}/b-1/items?$top=50"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"", None),
        (None, None),
        (b"not json", {NON_JSON_KEY: "bm90IGpzb24="}),
        ({"served": "as json"}, {"served": "as json"}),
    ],
)
def test_a_stream_read_apart_is_decoded_by_what_came_back(answer, expected):
    fake = Fake(
        [BOX],
        {
            f"{COLLECTION}/b-1/items": (200, {"value": ITEMS}),
            f"{COLLECTION}/b-1/blob": (200, answer),
        },
    )
    blob = read(box_kind(), fake)["blob"]
    assert blob == (None if expected is None else Payload.of(expected))


def test_expanded_children_come_with_one_get_of_the_item_and_their_next_page():
    expanded = {"items": ITEMS[:1], "items@odata.nextLink": "more", "extra": "from expand"}
    fake = Fake(
        [{**BOX, "blob": None}],
        {f"{COLLECTION}/b-1?$expand=items": (200, expanded)},
        pages={"more": ITEMS[1:]},
    )
    body = read(box_kind(expand=True, count_field="items@odata.count"), fake)
    assert body["items"] == ITEMS and body["extra"] == "from expand"
    assert fake.batched == [f"{COLLECTION}/b-1?$expand=items"]  # the stream came inline
    assert body["blob"] is None


def test_a_short_expanded_read_falls_back_to_the_paged_collection():
    fake = Fake(
        [{**BOX, "blob": None}],
        {f"{COLLECTION}/b-1?$expand=items": (200, {"items": ITEMS[:1]})},
        pages={f"{COLLECTION}/b-1/items?$select=itemId": ITEMS},
    )
    body = read(
        box_kind(expand=True, count_field="items@odata.count", query="$select=itemId"), fake
    )
    assert body["items"] == ITEMS
    assert f"{COLLECTION}/b-1/items?$select=itemId" in fake.paths


def test_children_still_short_of_their_count_fail_the_read():
    fake = Fake(
        [{**BOX, "blob": None, "items@odata.count": 3}],
        {f"{COLLECTION}/b-1?$expand=items": (200, {"items": ITEMS[:1]})},
        pages={f"{COLLECTION}/b-1/items": ITEMS},
    )
    with pytest.raises(GraphResponseError) as caught:
        read(box_kind(expand=True, count_field="items@odata.count"), fake)
    assert str(caught.value) == (
        f"GET {COLLECTION}/b-1/items: 2 of 3 items came back (items@odata.count says 3); "
        "not taken to mean any were removed"
    )
    assert (
        caught.value.hint
        == "Run the command again; if it persists, report it with the request ids."
    )


def test_paged_children_short_of_their_count_fail_without_a_second_read():
    fake = Fake(
        [{**BOX, "items@odata.count": 3}],
        {f"{COLLECTION}/b-1/items": (200, {"value": ITEMS}), f"{COLLECTION}/b-1/blob": (200, b"")},
    )
    with pytest.raises(GraphResponseError, match="2 of 3 items came back"):
        read(box_kind(count_field="items@odata.count"), fake)
    assert fake.paths == [COLLECTION]


def test_children_as_many_as_their_count_or_with_no_count_are_complete():
    for count in (2, None, "2"):
        fake = Fake(
            [{**BOX, "blob": None, "items@odata.count": count}],
            {f"{COLLECTION}/b-1?$expand=items": (200, {"items": ITEMS})},
        )
        assert read(box_kind(expand=True, count_field="items@odata.count"), fake)["items"] == ITEMS
        assert fake.paths == [COLLECTION]


@pytest.mark.parametrize("got", [{"other": []}, {"items": "nope"}, {"items": [1]}])
def test_an_expand_without_the_list_is_an_error(got):
    fake = Fake([{**BOX, "blob": None}], {f"{COLLECTION}/b-1?$expand=items": (200, got)})
    with pytest.raises(GraphResponseError) as caught:
        read(box_kind(expand=True), fake)
    assert str(caught.value) == f"GET {COLLECTION}/b-1?$expand=items: no 'items' list came back"


def test_an_expand_that_is_not_an_object_is_an_error():
    fake = Fake([{**BOX, "blob": None}], {f"{COLLECTION}/b-1?$expand=items": (200, [1])})
    with pytest.raises(
        GraphResponseError, match=f"GET {COLLECTION}/b-1: the answer is not an object"
    ):
        read(box_kind(expand=True), fake)


def test_a_paged_answer_without_a_value_list_is_an_error():
    fake = Fake(
        [BOX],
        {f"{COLLECTION}/b-1/items": (200, {"items": []}), f"{COLLECTION}/b-1/blob": (200, b"")},
    )
    with pytest.raises(
        GraphResponseError, match=f"GET {COLLECTION}/b-1/items: the answer has no 'value' list"
    ):
        read(box_kind(), fake)


def test_a_failed_read_raises_its_error_never_absent():
    fake = Fake(
        [BOX], {f"{COLLECTION}/b-1/items": (403, None), f"{COLLECTION}/b-1/blob": (200, b"")}
    )
    with pytest.raises(GraphError) as caught:
        read(box_kind(), fake)
    assert getattr(caught.value, "status", None) == 403


TYPED_BOX = ResourceKind(
    kind="Box",
    collection=COLLECTION,
    identity="name",
    discriminator=Discriminator(pointer="@odata.type", value="#box"),
    spec_model=BoxSpec,
)


def test_a_listed_item_without_an_id_is_an_error_and_an_unknown_type_is_skipped():
    typed = TYPED_BOX
    fake = Fake(
        [{"id": "b-1", "@odata.type": "#box", "name": "B"}, {"id": "c-1", "@odata.type": "#crate"}],
        {},
    )
    live = read_tenant(cast(GraphClient, fake), kinds=Registry([typed]))
    assert [o.id for o in live.objects] == ["b-1"]
    fake = Fake([{"@odata.type": "#box", "name": "B"}], {})
    with pytest.raises(GraphResponseError, match=f"GET {COLLECTION}: an item has no id"):
        read_tenant(cast(GraphClient, fake), kinds=Registry([typed]))


GROUP = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
TARGET = {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP}}


def assigned_kind(expand: bool) -> ResourceKind:
    from tests.core.test_kind_as_data import ASSIGNMENTS

    return ResourceKind(
        kind="Box",
        collection=COLLECTION,
        identity="name",
        facets={
            "items": Children(segment="items", key="itemId", write=ReplaceEntity(), expand=expand),
            "assignments": dataclasses.replace(ASSIGNMENTS, expand=expand),
        },
        spec_model=BoxSpec,
    )


def test_expanded_assignments_and_children_come_in_one_get_with_their_next_pages():
    expanded = {"items": ITEMS, "assignments": [], "assignments@odata.nextLink": "more"}
    fake = Fake(
        [BOX],
        {f"{COLLECTION}/b-1?$expand=items,assignments": (200, expanded)},
        pages={"more": [TARGET]},
    )
    body = read(assigned_kind(expand=True), fake)
    assert body["assignments"] == [{"target": "group", "groupId": GROUP}]
    assert body["items"] == ITEMS


def test_paged_assignments_follow_their_next_link():
    fake = Fake(
        [BOX],
        {
            f"{COLLECTION}/b-1/items": (200, {"value": ITEMS}),
            f"{COLLECTION}/b-1/assignments": (200, {"value": [], "@odata.nextLink": "more"}),
        },
        pages={"more": [TARGET]},
    )
    assert read(assigned_kind(expand=False), fake)["assignments"] == [
        {"target": "group", "groupId": GROUP}
    ]


@pytest.mark.parametrize(
    ("inline", "expected"),
    [
        (None, None),
        ("", None),
        ("eyJrIjoxfQ", {"k": 1}),  # base64 of {"k":1} without its padding
        ("eyJrIjoxfQ==", {"k": 1}),
        # base64url: plain base64 refuses it, so the url-safe decoder reads it
        ("eyJhIjogIj8_PyJ9", {"a": "???"}),
        ("%%%not base64%%%", {NON_JSON_KEY: "%%%not base64%%%"}),
        ({"already": "json"}, {"already": "json"}),
    ],
)
def test_an_inline_stream_is_decoded(inline, expected):
    fake = Fake([{**BOX, "blob": inline}], {f"{COLLECTION}/b-1/items": (200, {"value": ITEMS})})
    blob = read(box_kind(), fake)["blob"]
    assert blob == (None if expected is None else Payload.of(expected))


def test_only_the_kinds_in_use_are_read_and_the_singleton_keeps_its_id():
    singleton = ResourceKind(
        kind="Settings", collection="/settings", singleton=True, spec_model=BoxSpec
    )
    other = ResourceKind(
        kind="Crate", collection="/testing/crates", identity="name", spec_model=BoxSpec
    )
    kinds = Registry([box_kind(), singleton, other])
    fake = Fake([], {})
    fake.stats.add(method="GET")  # requests made before this read are not its cost
    live = read_tenant(cast(GraphClient, fake), kinds=kinds, using=["Settings"])
    (settings,) = live.objects
    assert (settings.kind, settings.id, settings.body) == (
        "Settings",
        "s-1",
        {"id": "s-1", "setting": 1},
    )
    assert fake.paths == ["/settings"] and live.tenant_id == "unknown"
    assert (live.read_requests, live.read_units) == (1, 1)
    read_tenant(cast(GraphClient, fake), kinds=kinds, using=["Box"])
    assert fake.paths[1:] == [COLLECTION]


def test_kinds_sharing_a_collection_with_different_queries_list_it_plainly():
    one = dataclasses.replace(box_kind(), list_query="$select=a")
    two = ResourceKind(
        kind="Crate",
        collection=COLLECTION,
        identity="name",
        list_query="$select=b",
        spec_model=BoxSpec,
    )
    fake = Fake([], {})
    read_tenant(cast(GraphClient, fake), kinds=Registry([one, two]))
    assert fake.paths == [COLLECTION]
    fake = Fake([], {})
    read_tenant(cast(GraphClient, fake), kinds=Registry([one]))
    assert fake.paths == [f"{COLLECTION}?$select=a"]


def test_an_unknown_type_listed_first_does_not_hide_the_known_ones():
    typed = TYPED_BOX
    fake = Fake(
        [{"id": "c-1", "@odata.type": "#crate"}, {"id": "b-1", "@odata.type": "#box", "name": "B"}],
        {},
    )
    assert [
        o.id for o in read_tenant(cast(GraphClient, fake), kinds=Registry([typed])).objects
    ] == ["b-1"]
