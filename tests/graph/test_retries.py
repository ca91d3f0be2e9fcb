"""Aspects: which failures are retried and how long the client waits (Retry-After as float
seconds or HTTP-date, else jittered backoff), the attempt and total-wait caps, fresh
connections after 503, and the non-idempotent rule: an ambiguous failure of a create is
raised at once with maybe_applied=True, while a 429 is always retried."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from reconciler import errors
from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import BACKOFF_CAP

from .conftest import BASE, Sleeps

THROTTLED = {
    "error": {
        "code": "TooManyRequests",
        "message": "Too many requests",
        "innerError": {"code": "TooManyRequests", "status": 429, "request-id": "rid-429"},
    }
}


def test_429_waits_the_fractional_retry_after(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.get(f"{BASE}/p", status=429, json=THROTTLED, headers={"Retry-After": "2.128"})
    mocked.get(f"{BASE}/p", json={"ok": True})
    assert client.get("/p").body == {"ok": True}
    assert sleeps == [2.128]
    assert client.stats.snapshot() == {
        "requests": 2,
        "batch_items": 0,
        "retries": 1,
        "throttled": 1,
        "by_method": {"GET": 2},
    }


def test_retry_after_as_http_date(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    later = formatdate(time.time() + 30, usegmt=True)
    mocked.get(f"{BASE}/p", status=503, headers={"Retry-After": later})
    mocked.get(f"{BASE}/p", status=503, headers={"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"})
    mocked.get(f"{BASE}/p", json={})
    client.get("/p")
    assert 25 < sleeps[0] <= 30
    assert sleeps[1] == 0.0


@pytest.mark.parametrize("retry_after", [None, "soon", "-3", "nan", "inf"])
def test_without_a_usable_retry_after_backoff_is_jittered_and_capped(
    mocked: responses.RequestsMock, sleeps: Sleeps, retry_after: str | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    mocked.get(f"{BASE}/p", status=504, headers=headers)
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=12, max_total_wait=10_000)
    with pytest.raises(errors.ServerError):
        graph.get("/p")
    assert len(sleeps) == 11
    assert all(0 <= s <= BACKOFF_CAP for s in sleeps)
    if retry_after == "-3":
        assert sleeps == [0.0] * 11  # a negative Retry-After means "now"
    else:
        assert all(s <= 0.5 * 2**i for i, s in enumerate(sleeps))
        assert len(set(sleeps)) > 1


def test_attempt_cap_raises_the_last_answer_translated(
    mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.get(f"{BASE}/p", status=429, json=THROTTLED, headers={"request-id": "r"})
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=3)
    with pytest.raises(errors.ThrottledError) as caught:
        graph.get("/p")
    assert len(mocked.calls) == 3 and len(sleeps) == 2  # no Retry-After: backoff, counted
    assert caught.value.code == "TooManyRequests" and caught.value.request_id == "r"
    assert graph.stats.throttled == 3


def test_a_429_with_retry_after_is_waited_out_up_to_the_wait_budget_not_the_tries(
    mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.get(f"{BASE}/p", status=429, json=THROTTLED, headers={"Retry-After": "1"})
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=3, max_total_wait=30)
    with pytest.raises(errors.ThrottledError):
        graph.get("/p")
    assert len(mocked.calls) == 31 and sleeps == [1.0] * 30


def test_a_zero_retry_after_still_spends_the_wait_budget(
    mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.get(f"{BASE}/p", status=429, json=THROTTLED, headers={"Retry-After": "0"})
    graph = GraphClient(BASE, sleep=sleeps, max_total_wait=2.05)
    with pytest.raises(errors.ThrottledError):
        graph.get("/p")
    assert len(sleeps) == 20  # MIN_COUNTED_WAIT (0.1 s) a try: not an endless loop


def test_total_wait_cap_gives_up_before_a_wait_that_would_pass_it(
    mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.get(f"{BASE}/p", status=429, headers={"Retry-After": "40"})
    graph = GraphClient(BASE, sleep=sleeps, max_total_wait=100)
    with pytest.raises(errors.ThrottledError):
        graph.get("/p")
    assert sleeps == [40.0, 40.0]
    assert len(mocked.calls) == 3


def test_500_and_502_are_not_retried(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/p", status=500)
    mocked.get(f"{BASE}/q", status=502)
    for path in ("/p", "/q"):
        with pytest.raises(errors.ServerError):
            client.get(path)
    assert len(mocked.calls) == 2


def test_503_is_retried_on_a_new_connection(
    client: GraphClient, mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[object] = []
    for adapter in client._session.adapters.values():
        monkeypatch.setattr(adapter, "close", lambda a=adapter: closed.append(a))
    mocked.get(f"{BASE}/p", status=503, headers={"Retry-After": "0.1"})
    mocked.get(f"{BASE}/p", json={})
    client.get("/p")
    assert closed, "pooled connections must be dropped after a 503"


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectionError("Connection aborted."),
        requests.ReadTimeout("read timed out"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
    ],
)
def test_transport_failures_of_reads_are_retried(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps, failure: Exception
) -> None:
    mocked.get(f"{BASE}/p", body=failure)
    mocked.get(f"{BASE}/p", json={"ok": 1})
    assert client.get("/p").body == {"ok": 1}
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (requests.ConnectionError("Connection aborted."), "connection dropped"),
        (requests.ReadTimeout("read timed out"), "no answer within 7s"),
        (requests.exceptions.ChunkedEncodingError("IncompleteRead"), "dropped mid-response"),
    ],
)
def test_ambiguous_failure_of_a_create_is_raised_at_once_with_maybe_applied(
    client: GraphClient, mocked: responses.RequestsMock, failure: Exception, words: str
) -> None:
    mocked.post(f"{BASE}/c", body=failure)
    with pytest.raises(errors.GraphTransportError, match=words) as caught:
        client.send("POST", "/c", json={"displayName": "x"}, idempotent=False)
    assert caught.value.maybe_applied is True
    assert isinstance(caught.value.__cause__, type(failure))
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [500, 503, 504])
def test_5xx_on_a_create_is_not_retried_and_may_have_applied(
    client: GraphClient, mocked: responses.RequestsMock, status: int
) -> None:
    mocked.post(f"{BASE}/c", status=status, headers={"Retry-After": "1"})
    with pytest.raises(errors.ServerError) as caught:
        client.send("POST", "/c", json={}, idempotent=False)
    assert caught.value.maybe_applied is True
    assert len(mocked.calls) == 1


def test_429_on_a_create_is_retried_because_nothing_happened(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.post(f"{BASE}/c", status=429, headers={"Retry-After": "0.5"})
    mocked.post(f"{BASE}/c", status=201, json={"id": "new"})
    response = client.send("POST", "/c", json={}, idempotent=False)
    assert (response.status, response.body) == (201, {"id": "new"})
    assert sleeps == [0.5]


def test_4xx_on_a_create_is_definite(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.post(f"{BASE}/c", status=400, json={"error": {"code": "BadRequest", "message": "no"}})
    with pytest.raises(errors.BadRequestError) as caught:
        client.send("POST", "/c", json={}, idempotent=False)
    assert caught.value.maybe_applied is False


def test_a_connection_never_opened_is_retried_even_for_a_create(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    refused = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    never_sent = requests.ConnectionError(MaxRetryError(None, f"{BASE}/c", refused))  # type: ignore[arg-type]
    mocked.post(f"{BASE}/c", body=never_sent)
    mocked.post(f"{BASE}/c", status=201, json={"id": "new"})
    assert client.send("POST", "/c", json={}, idempotent=False).body == {"id": "new"}
    assert len(sleeps) == 1


def test_unreachable_host_fails_cleanly_after_the_budget(sleeps: Sleeps) -> None:
    # port 9 on loopback: nothing listens, the connection is refused at once
    graph = GraphClient("http://127.0.0.1:9/beta", sleep=sleeps, max_attempts=3, timeout=2)
    with pytest.raises(errors.GraphTransportError, match="could not connect") as caught:
        graph.get("/p")
    assert caught.value.maybe_applied is False
    assert len(sleeps) == 2


@pytest.mark.parametrize(("max_attempts", "tries"), [(8, 3), (2, 2), (1, 1)])
def test_a_host_that_never_answered_gets_a_few_quick_tries_never_more_than_the_budget(
    sleeps: Sleeps, max_attempts: int, tries: int
) -> None:
    # port 9 on loopback: nothing listens; UNREACHABLE_ATTEMPTS tries a second apart at most
    graph = GraphClient("http://127.0.0.1:9/beta", sleep=sleeps, max_attempts=max_attempts)
    with pytest.raises(errors.GraphTransportError, match="could not connect"):
        graph.get("/p")
    assert len(sleeps) == tries - 1 and all(0 < s <= 1.0 for s in sleeps), sleeps


def test_a_host_that_answered_once_gets_the_whole_budget_when_a_connection_fails(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    refused = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    never_sent = requests.ConnectionError(MaxRetryError(None, f"{BASE}/p", refused))  # type: ignore[arg-type]
    mocked.get(f"{BASE}/ok", json={})
    client.get("/ok")
    for _ in range(4):  # more than a host that never answered is given
        mocked.get(f"{BASE}/p", body=never_sent)
    mocked.get(f"{BASE}/p", json={"id": "p"})
    assert client.get("/p").body == {"id": "p"}
    assert len(sleeps) == 4


def test_tls_failure_is_not_retried(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/p", body=requests.exceptions.SSLError("certificate verify failed"))
    with pytest.raises(errors.GraphTransportError, match="TLS"):
        client.get("/p")
    assert len(mocked.calls) == 1


def test_a_retry_repeats_the_client_request_id_and_counts_its_attempt(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    """graph-spec §3.8: one client-request-id per logical request; retries add Retry-Attempt."""
    mocked.get(f"{BASE}/p", status=429, headers={"Retry-After": "0"})
    mocked.get(f"{BASE}/p", status=503, headers={"Retry-After": "0"})
    mocked.get(f"{BASE}/p", json={})
    response = client.get("/p")
    ids = [call.request.headers["client-request-id"] for call in mocked.calls]
    attempts = [call.request.headers.get("Retry-Attempt") for call in mocked.calls]
    assert len(set(ids)) == 1 and response.client_request_id == ids[0]
    assert attempts == [None, "1", "2"]
    mocked.get(f"{BASE}/q", json={})
    assert client.get("/q").client_request_id != ids[0]  # the next logical request: a new id


@pytest.mark.parametrize(
    "cut",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: appl",  # cut inside the headers
        b'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{"id":',  # cut inside the body
        b"",  # nothing at all
    ],
)
def test_a_reply_cut_short_is_a_drop_never_a_success(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps, cut: bytes
) -> None:
    url, replies = raw_server
    whole = b'HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\n{"id":"1"} '
    replies.extend([cut, whole, cut])
    graph = GraphClient(url, sleep=sleeps, timeout=5)
    assert graph.send("PATCH", "/p", json={}).body == {"id": "1"}  # retried after the cut
    with pytest.raises(errors.GraphTransportError) as caught:
        graph.send("POST", "/p", json={}, idempotent=False)
    assert caught.value.maybe_applied is True
