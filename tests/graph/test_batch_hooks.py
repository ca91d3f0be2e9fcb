"""$batch hooks against the emulator: each item is announced as sent with its attempt (0 first) and
answered once, across concurrent chunks too; after a cancel, a partial batch answers each
item with the interruption instead of raising."""

from __future__ import annotations

import responses

from reconciler.errors import GraphHTTPError, NotSentError
from reconciler.fetch.batching import Hooks
from reconciler.fetch.client import BatchRequest, GraphClient

from .conftest import BASE

POLICIES = "/officeConfiguration/clientConfigurations"


def gets(count: int) -> list[BatchRequest]:
    return [BatchRequest(id=str(i), method="GET", url=f"{POLICIES}/p-{i}") for i in range(count)]


def test_every_item_of_concurrent_chunks_is_announced_and_answered(emulator):
    sent: list[tuple[str, int]] = []
    answered: list[str] = []
    hooks = Hooks(
        on_sent=lambda ids, attempt: sent.extend((i, attempt) for i in ids),
        on_result=lambda result: answered.append(result.id),
    )
    results = GraphClient(emulator.base_url, concurrency=4).batch(gets(45), hooks=hooks)
    assert sorted(sent) == sorted((str(i), 0) for i in range(45))  # three chunks, first try
    assert sorted(answered) == sorted(results) == sorted(str(i) for i in range(45))
    assert {r.status for r in results.values()} == {404}


def test_a_cancelled_partial_batch_answers_each_item_with_the_interruption(emulator):
    client = GraphClient(emulator.base_url)
    client.cancel()
    answered: list[str] = []
    hooks = Hooks(on_result=lambda result: answered.append(result.id), partial=True)
    results = client.batch(gets(3), hooks=hooks)
    assert sorted(answered) == ["0", "1", "2"]
    for result in results.values():
        assert isinstance(result.error, NotSentError)
        assert str(result.error) == "not sent: the run was interrupted"


def test_a_chunk_refused_as_a_whole_gives_its_items_no_answer_of_their_own(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    # the $batch endpoint itself answers 404: no item was looked at, so a DELETE among them
    # must not read as "already gone" (status 404); the error keeps the chunk's answer
    mocked.add(
        responses.POST,
        f"{BASE}/$batch",
        status=404,
        json={"error": {"code": "ResourceNotFound", "message": "no batch here"}},
        headers={"request-id": "rid-chunk"},
    )
    deletes = [BatchRequest(id=str(i), method="DELETE", url=f"{POLICIES}/p-{i}") for i in range(2)]
    results = client.batch(deletes, hooks=Hooks(partial=True))
    for result in results.values():
        assert (result.status, result.headers, result.request_id, result.body) == (0, {}, "", None)
        assert isinstance(result.error, GraphHTTPError)
        assert (result.error.status, result.error.request_id) == (404, "rid-chunk")
