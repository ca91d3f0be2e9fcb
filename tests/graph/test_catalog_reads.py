"""The catalog reads against the emulator: an entry is its entity, or None on a 404; a
collection read over its pages is a list, and an answer without one is an error; reads that
keep asking for more stop after MAX_ROUNDS rounds with a hint."""

from __future__ import annotations

import pytest

from reconciler.errors import GraphResponseError
from reconciler.fetch.catalog import MAX_ROUNDS, read_catalog, read_entries
from reconciler.fetch.client import GraphClient
from reconciler.kinds.kind import CatalogRead
from tests.settings_catalog.samples import WORD_MACROS

from .conftest import BASE

SETTINGS = "/deviceManagement/configurationSettings"


def test_an_entry_is_its_entity_or_none_when_the_catalog_has_no_such_entry(emulator):
    client = GraphClient(emulator.base_url)
    known, unknown = f"{SETTINGS}/{WORD_MACROS}", f"{SETTINGS}/user_not_a_setting"
    found = read_entries(client, [CatalogRead(known), CatalogRead(unknown), CatalogRead(known)])
    assert set(found) == {known, unknown} and found[unknown] is None
    assert isinstance(found[known], dict) and found[known]["id"] == WORD_MACROS
    assert read_entries(client, []) == {}
    with pytest.raises(GraphResponseError) as caught:  # an entity is no collection
        read_entries(client, [CatalogRead(known, many=True)])
    assert str(caught.value) == f"GET {known}: the answer has no 'value' list"


def test_reads_that_never_settle_stop_with_a_hint(emulator):
    client = GraphClient(emulator.base_url)
    asked: list[int] = []

    def more(found):  # a kind that asks for one more entry each round
        asked.append(len(found))
        return [CatalogRead(f"{SETTINGS}/user_missing_{len(found)}")]

    with pytest.raises(GraphResponseError) as caught:
        read_catalog(client, more)
    assert str(caught.value) == f"the catalog reads did not settle in {MAX_ROUNDS} rounds"
    assert caught.value.hint == "Report it with the command you ran: a kind keeps asking for more."
    assert asked == list(range(MAX_ROUNDS))


def test_a_collection_read_follows_its_pages_to_the_end(emulator):
    client = GraphClient(emulator.base_url)
    everything = client.list_all(SETTINGS)
    paged = f"{SETTINGS}?$top=2"  # the catalog pages it: two entries and a nextLink each
    found = read_entries(client, [CatalogRead(paged, many=True)])
    assert [e["id"] for e in found[paged]] == [e["id"] for e in everything]
    assert len(everything) > 2


def test_an_entry_answered_with_something_other_than_an_object_is_none(client, mocked):
    # Graph answers an entity with an object; anything else is no entry to check against
    body = {"responses": [{"id": "0", "status": 200, "body": ["not", "an", "entry"]}]}
    mocked.post(f"{BASE}/$batch", json=body)
    url = f"{SETTINGS}/{WORD_MACROS}"
    assert read_entries(client, [CatalogRead(url)]) == {url: None}
