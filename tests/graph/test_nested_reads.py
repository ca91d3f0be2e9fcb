"""The second level of a read (`Children.nested`, Administrative Templates' presentation
values), with the tenant reader's fake client: each child's own collection is read by the
child's id (escaped), into the child, for every object and after facets that have none; a 404
there shows the object deleted meanwhile (left out, the others kept); an answer without a list,
or a child without an id, fails the read naming where."""

from __future__ import annotations

from typing import Any, cast

import pytest

from reconciler.errors import GraphHTTPError, GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_tenant
from reconciler.kinds.kind import Children, Nested, ReplaceEntity, ResourceKind
from reconciler.kinds.registry import Registry

from .test_tenant_reader import COLLECTION, BoxSpec, Fake

LABELS = [{"labelId": "l1"}]
PARTS = [{"partId": "p1"}, {"partId": "p2"}]


def shelf_kind(query: str = "$top=9") -> ResourceKind:
    return ResourceKind(
        kind="Shelf",
        collection=COLLECTION,
        identity="name",
        facets={  # a facet without a nested read comes first: the nested one is still read
            "labels": Children(segment="labels", key="labelId", write=ReplaceEntity()),
            "values": Children(
                segment="values",
                key="valueId",
                write=ReplaceEntity(),
                nested=Nested(segment="parts", query=query),
            ),
        },
        spec_model=BoxSpec,
    )


def shelves(*values: tuple[str, list[Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Listed shelves (s-1, s-2, ...) and the answers to their first-level reads."""
    listed, answers = [], {}
    for n, (_, children) in enumerate(values, start=1):
        listed.append({"id": f"s-{n}", "name": f"S{n}"})
        answers[f"{COLLECTION}/s-{n}/labels"] = (200, {"value": LABELS})
        answers[f"{COLLECTION}/s-{n}/values"] = (200, {"value": children})
    return listed, answers


def read_all(kind: ResourceKind, fake: Fake) -> dict[str, dict[str, Any]]:
    live = read_tenant(cast(GraphClient, fake), kinds=Registry([kind]))
    return {str(o.id): dict(o.body) for o in live.objects}


@pytest.mark.parametrize(("query", "suffix"), [("$top=9", "?$top=9"), ("", "")])
def test_each_childs_own_collection_is_read_by_its_escaped_id_into_the_child(query, suffix):
    listed, answers = shelves(("s-1", [{"valueId": "v1", "id": "a/b c"}]), ("s-2", []))
    answers[f"{COLLECTION}/s-1/values/a%2Fb%20c/parts{suffix}"] = (200, {"value": PARTS})
    fake = Fake(listed, answers)
    found = read_all(shelf_kind(query), fake)
    assert found["s-1"]["values"] == [{"valueId": "v1", "id": "a/b c", "parts": PARTS}]
    assert found["s-1"]["labels"] == LABELS and found["s-2"]["values"] == []
    assert fake.batched[-1] == f"{COLLECTION}/s-1/values/a%2Fb%20c/parts{suffix}"


def test_a_404_on_a_nested_read_leaves_that_object_out_and_keeps_the_others():
    listed, answers = shelves(("s-1", [{"id": "v1"}]), ("s-2", [{"id": "v2"}]))
    answers[f"{COLLECTION}/s-1/values/v1/parts?$top=9"] = (404, None)
    answers[f"{COLLECTION}/s-2/values/v2/parts?$top=9"] = (200, {"value": PARTS})
    found = read_all(shelf_kind(), Fake(listed, answers))
    assert list(found) == ["s-2"]
    assert found["s-2"]["values"] == [{"id": "v2", "parts": PARTS}]


def test_a_nested_page_is_followed_to_its_end():
    listed, answers = shelves(("s-1", [{"id": "v1"}]))
    answers[f"{COLLECTION}/s-1/values/v1/parts?$top=9"] = (
        200,
        {"value": PARTS[:1], "@odata.nextLink": "next-parts"},
    )
    found = read_all(shelf_kind(), Fake(listed, answers, pages={"next-parts": PARTS[1:]}))
    assert found["s-1"]["values"] == [{"id": "v1", "parts": PARTS}]


@pytest.mark.parametrize("status", [403, 500])
def test_a_failed_nested_read_raises_never_absent(status):
    listed, answers = shelves(("s-1", [{"id": "v1"}]))
    answers[f"{COLLECTION}/s-1/values/v1/parts?$top=9"] = (status, None)
    with pytest.raises(GraphHTTPError) as raised:
        read_all(shelf_kind(), Fake(listed, answers))
    assert raised.value.status == status


def test_a_nested_answer_without_a_list_names_where_it_was_read():
    listed, answers = shelves(("s-1", [{"id": "v1"}]))
    answers[f"{COLLECTION}/s-1/values/v1/parts?$top=9"] = (200, {"parts": PARTS})
    with pytest.raises(GraphResponseError) as raised:
        read_all(shelf_kind(), Fake(listed, answers))
    assert (
        str(raised.value) == f"GET {COLLECTION}/s-1/values/v1/parts: the answer has no 'value' list"
    )


@pytest.mark.parametrize("child", [{"valueId": "v1"}, {"id": 7}, "v1"])
def test_a_child_without_an_id_fails_the_read_naming_its_collection(child):
    listed, answers = shelves(("s-1", [child]))
    with pytest.raises(GraphResponseError) as raised:
        read_all(shelf_kind(), Fake(listed, answers))
    assert str(raised.value) == f"GET {COLLECTION}/s-1/values: an item has no id"
