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
