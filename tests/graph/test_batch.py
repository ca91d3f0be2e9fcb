"""Aspects: $batch chunking (20 per request, dependency groups alone and in order), item
encoding (JSON and base64 binary bodies), answers matched by id in any order, per-item
retries of 429/503/504 only, 424 handling, the create rule inside batches, binary
sub-responses, garbage batch answers, bounded concurrency and write pacing."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import responses

from reconciler import errors
from reconciler.fetch.batching import plan_chunks
from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.fetch.pacing import Pacer
from reconciler.kinds import REGISTRY

from .conftest import BASE, Sleeps
from .test_pacing import FakeClock

Answer = tuple[int, dict[str, str], Any]


class FakeBatch:
    """A $batch endpoint: `answer(item, times_seen)` decides each sub-response."""

    def __init__(self, answer: Callable[[dict[str, Any], int], Answer] | None = None) -> None:
        self.answer = answer or (lambda item, n: (200, {}, {"echo": item["url"]}))
        self.calls: list[list[dict[str, Any]]] = []
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        self.reverse = True  # answer in reverse order: clients must match on id

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        items = json.loads(request.body)["requests"]
        out = []
        with self.lock:
            self.calls.append(items)
            for item in items:
                self.seen[item["id"]] = self.seen.get(item["id"], 0) + 1
                status, headers, body = self.answer(item, self.seen[item["id"]])
                entry: dict[str, Any] = {"id": item["id"], "status": status, "headers": headers}
                if body is not None:
                    entry["body"] = body
                out.append(entry)
        if self.reverse:
            out.reverse()
        return 200, {"Content-Type": "application/json"}, json.dumps({"responses": out})


@pytest.fixture
def fake(mocked: responses.RequestsMock) -> FakeBatch:
    handler = FakeBatch()
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=handler)
    return handler


def gets(n: int) -> list[BatchRequest]:
    return [BatchRequest(id=str(i), method="GET", url=f"/items/{i}") for i in range(n)]


def test_45_reads_take_3_batch_requests(client: GraphClient, fake: FakeBatch) -> None:
    results = client.batch(gets(45))
    assert sorted(len(c) for c in fake.calls) == [5, 20, 20]
    assert {r.id: r.body for r in results.values()} == {
        str(i): {"echo": f"/items/{i}"} for i in range(45)
    }
    assert all(r.status == 200 and r.error is None for r in results.values())
    assert client.stats.requests == 3 and client.stats.batch_items == 45


def test_empty_batch_sends_nothing(client: GraphClient, fake: FakeBatch) -> None:
    assert client.batch([]) == {}
    assert fake.calls == []


def test_dependency_groups_travel_alone_and_in_order() -> None:
    requests = [
        BatchRequest(id="c", method="PUT", url="/x/c", depends_on="b"),
        BatchRequest(id="free1", method="GET", url="/f1"),
        BatchRequest(id="b", method="PATCH", url="/x/b", depends_on="a"),
        BatchRequest(id="a", method="POST", url="/x"),
        BatchRequest(id="s2", method="GET", url="/s", depends_on="s"),
        BatchRequest(id="s", method="GET", url="/s"),
        BatchRequest(id="s1", method="GET", url="/s", depends_on="s"),
        BatchRequest(id="free2", method="GET", url="/f2"),
    ]
    chunks = [[r.id for r in chunk] for chunk in plan_chunks(requests)]
    assert chunks == [["free1", "free2"], ["a", "b", "c"], ["s", "s2", "s1"]]


def test_paced_chunks_hold_at_most_a_burst_of_writes() -> None:
    writes = [BatchRequest(id=f"w{i}", method="PATCH", url="/w", body={}) for i in range(12)]
    mixed = [r for pair in zip(writes, gets(12), strict=True) for r in pair]
    chunks = plan_chunks(mixed, max_writes=5)
    assert [sum(r.method == "PATCH" for r in c) for c in chunks] == [5, 5, 2]
    assert [len(c) for c in chunks] == [10, 10, 4]
    assert [len(c) for c in plan_chunks(gets(45), max_writes=5)] == [20, 20, 5]


@pytest.mark.parametrize(
    ("requests", "words"),
    [
        ([BatchRequest(id="a", method="GET", url="/a")] * 2, "duplicate"),
        ([BatchRequest(id="a", method="GET", url="/a", depends_on="zz")], "unknown"),
        (
            [
                BatchRequest(id="a", method="GET", url="/a", depends_on="b"),
                BatchRequest(id="b", method="GET", url="/b", depends_on="a"),
            ],
            "cycle",
        ),
        ([BatchRequest(id="a", method="GET", url="https://graph.test/beta/a")], "relative"),
        ([BatchRequest(id="a", method="GET", url="a")], "relative"),
        (
            [BatchRequest(id="0", method="GET", url="/a")]
            + [
                BatchRequest(id=str(i), method="GET", url="/a", depends_on=str(i - 1))
                for i in range(1, 21)
            ],
            "max 20",
        ),
    ],
)
def test_malformed_batches_are_caller_errors(requests: list[BatchRequest], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        plan_chunks(requests)


def test_item_encoding(client: GraphClient, fake: FakeBatch) -> None:
    client.batch(
        [
            BatchRequest(id="p", method="patch", url="/x/1", body={"displayName": "é"}),
            BatchRequest(
                id="s", method="PUT", url="/x/1/policyPayload", body=b"\x00{}", depends_on="p"
            ),
            BatchRequest(
                id="t",
                method="PUT",
                url="/x/1/userPreferencePayload",
                body=b"{}",
                content_type="application/json",
                depends_on="s",
            ),
            BatchRequest(id="d", method="DELETE", url="/x/2"),
        ]
    )
    sent = {item["id"]: item for call in fake.calls for item in call}
    assert sent["p"] == {
        "id": "p",
        "method": "PATCH",
        "url": "/x/1",
        "body": {"displayName": "é"},
        "headers": {"Content-Type": "application/json"},
    }
    assert sent["s"]["body"] == base64.b64encode(b"\x00{}").decode()
    assert sent["s"]["headers"] == {"Content-Type": "application/octet-stream"}
    assert sent["s"]["dependsOn"] == ["p"]
    assert sent["t"]["headers"] == {"Content-Type": "application/json"}
    assert sent["d"] == {"id": "d", "method": "DELETE", "url": "/x/2"}


def test_sub_response_bodies_are_decoded_by_content_type(
    client: GraphClient, fake: FakeBatch
) -> None:
    raw = b'{"a": 1}\xff'
    answers: dict[str, Answer] = {
        "bin": (200, {"Content-Type": "application/octet-stream"}, base64.b64encode(raw).decode()),
        "json": (200, {"content-type": "application/json; charset=utf-8"}, {"id": "1"}),
        "text": (200, {"Content-Type": "text/plain"}, "12"),
        "none": (204, {}, None),
        "empty": (204, {"Content-Type": "application/json"}, ""),
        "emptybin": (200, {"Content-Type": "application/octet-stream"}, ""),
    }
    fake.answer = lambda item, n: answers[item["id"]]
    results = client.batch([BatchRequest(id=k, method="GET", url=f"/{k}") for k in answers])
    assert results["bin"].body == raw
    assert results["json"].body == {"id": "1"}
    assert results["json"].headers["CONTENT-TYPE"].startswith("application/json")
    assert results["text"].body in (b"12", b"\xd7")  # plain text or base64 of it, both tolerated
    assert results["none"].body is None and results["empty"].body is None
    assert results["emptybin"].body == b""


def test_item_errors_are_translated_not_raised(client: GraphClient, fake: FakeBatch) -> None:
    intune = json.dumps({"_version": 3, "Message": "Intune says no"})
    answers: dict[str, Answer] = {
        "ok": (200, {}, {}),
        "missing": (
            404,
            {"request-id": "rid-404"},
            {"error": {"code": "itemNotFound", "message": "not here"}},
        ),
        "bad": (400, {}, {"error": {"code": "BadRequest", "message": intune}}),
        "html": (500, {"Content-Type": "text/html"}, base64.b64encode(b"<b>boom</b>").decode()),
    }
    fake.answer = lambda item, n: answers[item["id"]]
    results = client.batch([BatchRequest(id=k, method="GET", url=f"/{k}") for k in answers])
    assert results["ok"].error is None
    missing = results["missing"].error
    assert isinstance(missing, errors.NotFoundError)
    assert (missing.code, missing.request_id, missing.url) == (
        "itemNotFound",
        "rid-404",
        "/missing",
    )
    assert results["missing"].request_id == "rid-404"
    bad = results["bad"].error
    assert isinstance(bad, errors.BadRequestError) and bad.graph_message == "Intune says no"
    html = results["html"].error
    assert isinstance(html, errors.ServerError) and "boom" in html.graph_message


def test_only_throttled_items_are_resent_after_the_longest_retry_after(
    client: GraphClient, fake: FakeBatch, sleeps: Sleeps
) -> None:
    waits = {"1": "1.5", "3": "2.25"}

    def answer(item: dict[str, Any], n: int) -> Answer:
        if item["id"] in waits and n == 1:
            return 429, {"Retry-After": waits[item["id"]]}, {"error": {"code": "TooManyRequests"}}
        if item["id"] == "2" and n == 1:
            return 503, {}, None
        return 200, {}, {"n": n}

    fake.answer = answer
    results = client.batch(gets(5))
    assert [sorted(i["id"] for i in call) for call in fake.calls] == [
        ["0", "1", "2", "3", "4"],
        ["1", "2", "3"],
    ]
    assert sleeps == [2.25]
    assert {r.id: r.body["n"] for r in results.values()} == {"0": 1, "1": 2, "2": 2, "3": 2, "4": 1}
    assert client.stats.throttled == 2 and client.stats.batch_items == 8


def test_item_retries_give_up_with_the_translated_error(
    sleeps: Sleeps, mocked: responses.RequestsMock
) -> None:
    fake = FakeBatch(
        lambda item, n: (429, {"Retry-After": "1"}, None) if item["id"] == "0" else (200, {}, {})
    )
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=2, max_total_wait=3)
    results = graph.batch(gets(2))
    assert isinstance(results["0"].error, errors.ThrottledError)
    assert results["0"].status == 429 and results["1"].error is None
    # a 429 with Retry-After is waited out (no attempt used) until the wait budget is spent
    assert fake.seen == {"0": 4, "1": 1} and sleeps == [1.0, 1.0, 1.0]


def test_item_503s_without_retry_after_use_up_attempts(
    sleeps: Sleeps, mocked: responses.RequestsMock
) -> None:
    fake = FakeBatch(lambda item, n: (503, {}, None) if item["id"] == "0" else (200, {}, {}))
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=3)
    results = graph.batch(gets(2))
    assert isinstance(results["0"].error, errors.ServerError)
    # the first round settled item 1 (progress, not an attempt); then 3 futile attempts
    assert fake.seen == {"0": 4, "1": 1} and len(sleeps) == 3


def test_a_slowly_draining_chunk_is_not_given_up(
    sleeps: Sleeps, mocked: responses.RequestsMock
) -> None:
    fake = FakeBatch(lambda item, n: (200, {}, {}) if n > int(item["id"]) else (429, {}, None))
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=3)
    results = graph.batch(gets(20))  # item i gets through on its (i+1)th send
    assert all(r.error is None for r in results.values())
    assert len(fake.calls) == 20


def test_creates_in_a_batch_are_retried_on_429_only(client: GraphClient, fake: FakeBatch) -> None:
    def answer(item: dict[str, Any], n: int) -> Answer:
        if item["id"] == "throttled" and n == 1:
            return 429, {"Retry-After": "0"}, None
        if item["id"] == "unavailable":
            return 503, {}, None
        return 201, {}, {"id": item["id"]}

    fake.answer = answer
    results = client.batch(
        [
            BatchRequest(id=i, method="POST", url="/x", body={}, idempotent=False)
            for i in ("throttled", "unavailable")
        ]
    )
    assert results["throttled"].status == 201
    error = results["unavailable"].error
    assert isinstance(error, errors.ServerError) and error.maybe_applied is True
    assert fake.seen == {"throttled": 2, "unavailable": 1}


def test_424_after_a_throttled_prerequisite_is_resent_as_a_pair(
    client: GraphClient, fake: FakeBatch
) -> None:
    def answer(item: dict[str, Any], n: int) -> Answer:
        if n == 1 and item["id"] == "b":
            return 429, {"Retry-After": "0"}, None
        if n == 1 and item["id"] == "c":
            return 424, {}, {"error": {"code": "FailedDependency", "message": "b failed"}}
        return 200, {}, {}

    fake.answer = answer
    chain = [
        BatchRequest(id="a", method="PATCH", url="/a", body={}),
        BatchRequest(id="b", method="PATCH", url="/b", body={}, depends_on="a"),
        BatchRequest(id="c", method="PATCH", url="/c", body={}, depends_on="b"),
    ]
    results = client.batch(chain)
    assert all(r.error is None for r in results.values())
    resent = fake.calls[1]
    assert [i["id"] for i in resent] == ["b", "c"]
    assert "dependsOn" not in resent[0]  # a already succeeded
    assert resent[1]["dependsOn"] == ["b"]


def test_424_after_a_definite_failure_is_reported(client: GraphClient, fake: FakeBatch) -> None:
    def answer(item: dict[str, Any], n: int) -> Answer:
        if item["id"] == "a":
            return 400, {}, {"error": {"code": "BadRequest", "message": "no"}}
        return 424, {}, None

    fake.answer = answer
    results = client.batch(
        [
            BatchRequest(id="a", method="PATCH", url="/a", body={}),
            BatchRequest(id="b", method="PATCH", url="/b", body={}, depends_on="a"),
        ]
    )
    assert isinstance(results["a"].error, errors.BadRequestError)
    assert results["b"].status == 424 and isinstance(results["b"].error, errors.GraphHTTPError)
    assert len(fake.calls) == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"nothing": []},
        {"responses": [{"id": "0", "status": "200"}]},
        {"responses": [{"id": "0", "status": 99}]},
        {"responses": ["x"]},
        {"responses": []},
    ],
)
def test_garbage_batch_answers_raise(
    client: GraphClient, mocked: responses.RequestsMock, answer: object
) -> None:
    mocked.post(f"{BASE}/$batch", json=answer)
    with pytest.raises(errors.GraphResponseError, match=r"\$batch"):
        client.batch(gets(1))


def test_the_outer_batch_request_is_retried_like_any_request(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.post(f"{BASE}/$batch", status=429, headers={"Retry-After": "3"})
    mocked.post(f"{BASE}/$batch", json={"responses": [{"id": "0", "status": 200, "body": {}}]})
    assert client.batch(gets(1))["0"].status == 200
    assert sleeps == [3.0]


def test_an_outer_5xx_with_creates_inside_may_have_applied(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(f"{BASE}/$batch", status=504)
    with pytest.raises(errors.ServerError) as caught:
        client.batch([BatchRequest(id="0", method="POST", url="/x", body={}, idempotent=False)])
    assert caught.value.maybe_applied is True
    assert len(mocked.calls) == 1


def test_chunks_run_concurrently_but_bounded(mocked: responses.RequestsMock) -> None:
    active = peak = started = 0
    lock = threading.Lock()
    inner = FakeBatch()
    barrier = threading.Barrier(2, timeout=5)

    def slow(request: Any) -> tuple[int, dict[str, str], str]:
        nonlocal active, peak, started
        with lock:
            active += 1
            started += 1
            peak = max(peak, active)
            meet = started <= 2
        if meet:
            barrier.wait()  # the first two chunks meet here: both were in flight at once
        try:
            return inner(request)
        finally:
            with lock:
                active -= 1

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=slow)
    graph = GraphClient(BASE, concurrency=2)
    results = graph.batch(gets(100))
    assert len(results) == 100 and len(inner.calls) == 5
    assert peak == 2


def test_batch_writes_are_paced_per_item(
    mocked: responses.RequestsMock, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeBatch(lambda item, n: (204, {}, None))
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)
    # time passes only while the client sleeps
    monkeypatch.setattr("reconciler.fetch.pacing.time.monotonic", lambda: sum(sleeps))
    graph = GraphClient(BASE, sleep=sleeps, write_rate=5, write_burst=10, concurrency=1)
    writes = [BatchRequest(id=f"w{i}", method="PATCH", url=f"/x/{i}", body={}) for i in range(40)]
    graph.batch(writes + gets(30))
    # 40 writes at 5/s after a burst of 10: 6 s of waiting in total; the reads are free.
    assert sum(sleeps) == pytest.approx(6.0)


@pytest.mark.parametrize("retry_after", ["3", None])
def test_an_item_throttled_in_a_batch_holds_its_bucket_back_for_everyone(
    mocked: responses.RequestsMock, sleeps: Sleeps, retry_after: str | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    fake = FakeBatch(lambda item, n: (429, headers, None) if n == 1 else (200, {}, {}))
    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=fake)
    clock = FakeClock()  # stands still: what the bucket owes is what the 429 left in it
    pacer = Pacer.for_classes(REGISTRY.throttle_routes(), budget=0.5, clock=clock)
    graph = GraphClient(BASE, sleep=sleeps, pacer=pacer, concurrency=1)
    (result,) = graph.batch(
        [BatchRequest(id="0", method="GET", url="/deviceManagement/configurationPolicies/0")]
    ).values()
    assert result.status == 200
    owed, _ = pacer.reserve([("/deviceManagement/configurationPolicies/1", "GET")])
    if retry_after:  # another thread's read of that bucket waits out Graph's 3 s too
        assert owed == pytest.approx(3.0, abs=0.2)
    else:  # no Retry-After: backoff for the item, the bucket is not held back
        assert owed == 0.0
