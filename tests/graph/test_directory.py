"""Groups named by displayName (`fetch.directory.group_ids`), against the emulator: names
match ignoring case and surrounding spaces, one read per name, every group of a name listed;
a failed read or a body that is no collection raises instead of meaning "no such group"."""

from __future__ import annotations

from typing import Any

import pytest
import responses

from reconciler.errors import GraphError, GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.directory import group_ids

from .conftest import BASE
from .test_batch import FakeBatch

HELPDESK = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
HELPDESK_TOO = "1a2b3c4d-4b5a-4978-8695-a4b3c2d1e0f9"
FINANCE = "2b3c4d5e-4b5a-4978-8695-a4b3c2d1e0f9"
QUOTED = "3c4d5e6f-4b5a-4978-8695-a4b3c2d1e0f9"


def test_names_resolve_ignoring_case_and_spaces_with_every_group_of_a_name(make_emulator):
    emulator = make_emulator(
        seed={
            "groups": [
                {"id": HELPDESK_TOO.upper(), "displayName": "HELPDESK"},
                {"id": HELPDESK, "displayName": "Helpdesk"},
                {"id": FINANCE, "displayName": "Finance"},
                {"id": QUOTED, "displayName": "O'Brien team"},
            ]
        }
    )
    client = GraphClient(emulator.base_url)
    emulator.reset_stats()
    found = group_ids(client, [" helpdesk ", "Helpdesk", "o'brien TEAM", "Nobody"])
    # keys are the casefolded names; ids lower-case and sorted; a name of no group is []
    assert found == {
        "helpdesk": sorted([HELPDESK, HELPDESK_TOO]),
        "o'brien team": [QUOTED],
        "nobody": [],
    }
    # the same name twice is read once: one $batch of three reads
    stats = emulator.stats()
    assert stats["by_route"] == {"POST /$batch": 1}
    assert stats["batch_items_by_route"] == {"GET /groups": 3}


def _batch(mocked: responses.RequestsMock, status: int, body: Any) -> None:
    fake = FakeBatch(lambda item, n: (status, {"Content-Type": "application/json"}, body))
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)


def test_a_failed_read_raises_instead_of_meaning_no_group(client: GraphClient, mocked) -> None:
    _batch(mocked, 403, {"error": {"code": "Authorization_RequestDenied", "message": "no"}})
    with pytest.raises(GraphError) as raised:
        group_ids(client, ["Helpdesk"])
    assert "403" in str(raised.value)


@pytest.mark.parametrize("body", [{"value": {"id": HELPDESK}}, {"values": []}, ["x"]])
def test_a_body_that_is_no_collection_raises(client: GraphClient, mocked, body: Any) -> None:
    _batch(mocked, 200, body)
    with pytest.raises(GraphResponseError, match=r"expected a collection of groups"):
        group_ids(client, ["Helpdesk"])


def test_entries_of_another_name_or_without_a_string_id_are_not_taken(
    client: GraphClient, mocked
) -> None:
    # Graph's filter decides who is listed; the reader still checks each entry's name
    _batch(
        mocked,
        200,
        {
            "value": [
                {"id": HELPDESK, "displayName": " HelpDesk "},
                {"id": FINANCE, "displayName": "Finance"},
                {"id": 7, "displayName": "Helpdesk"},
                {"displayName": "Helpdesk"},
                "Helpdesk",
            ]
        },
    )
    assert group_ids(client, ["Helpdesk"]) == {"helpdesk": [HELPDESK]}


@pytest.mark.parametrize("name", ["None", "XXXX", " "])
def test_a_group_without_a_name_matches_no_name(client: GraphClient, mocked, name: str) -> None:
    _batch(mocked, 200, {"value": [{"id": HELPDESK}, {"id": FINANCE, "displayName": None}]})
    assert group_ids(client, [name]) == {name.strip().casefold(): []}
