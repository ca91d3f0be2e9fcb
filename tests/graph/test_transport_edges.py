"""Transport failures named for what they are (and retried or not by what they prove), the
backoff ceiling per attempt, and the details of a translated error: request ids from the
header, the body or the $batch envelope; Intune's JSON-in-message."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import requests
import responses
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import NewConnectionError

from reconciler import errors
from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import BACKOFF_CAP, RetryBudget
from reconciler.fetch.translate import http_error

from .conftest import BASE, Sleeps


@pytest.mark.parametrize(
    ("failure", "what", "retried"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "no answer within 7s", True),
        (requests.exceptions.ChunkedEncodingError("cut"), "connection dropped mid-response", True),
        (requests.exceptions.ConnectionError("reset"), "connection dropped", True),
        (requests.exceptions.ConnectionError(), "connection dropped", True),
        (
            requests.exceptions.SSLError("bad certificate"),
            "TLS handshake failed (certificate not trusted?)",
            False,
        ),
    ],
)
def test_a_transport_failure_is_named_and_retried_only_when_it_may_heal(
    client: GraphClient,
    mocked: responses.RequestsMock,
    sleeps: Sleeps,
    failure: Exception,
    what: str,
    retried: bool,
) -> None:
    mocked.get(f"{BASE}/p", body=failure)
    client.max_attempts = 2
    with pytest.raises(errors.GraphTransportError) as caught:
        client.get("/p")
    assert str(caught.value) == f"GET /p: {what}"
    assert caught.value.hint == "Check the network and the Graph URL."
    assert caught.value.maybe_applied is False
    assert len(sleeps) == (1 if retried else 0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_connection_never_opened_is_retried_even_for_a_create(sleeps: Sleeps) -> None:
    port = free_port()
    graph = GraphClient(f"http://127.0.0.1:{port}/beta", sleep=sleeps, max_attempts=3, timeout=2)
    with pytest.raises(errors.GraphTransportError) as caught:
        graph.send("POST", "/things", json={}, idempotent=False)
    # the host's origin, not the whole URL again
    assert str(caught.value) == f"POST /things: could not connect to http://127.0.0.1:{port}"
    assert caught.value.maybe_applied is False  # nothing left: it never connected
    assert len(sleeps) == 2


def test_a_connect_timeout_proves_the_create_never_left(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    mocked.post(f"{BASE}/things", body=requests.exceptions.ConnectTimeout("connect timed out"))
    mocked.post(f"{BASE}/things", status=201, json={"id": "1"})
    assert client.send("POST", "/things", json={}, idempotent=False).body == {"id": "1"}
    assert len(sleeps) == 1


def test_a_create_dropped_after_connecting_is_not_retried_and_may_have_landed(
    client: GraphClient, mocked: responses.RequestsMock, sleeps: Sleeps
) -> None:
    reason = NewConnectionError(None, "refused")  # type: ignore[arg-type]
    mocked.post(f"{BASE}/a", body=requests.exceptions.ConnectionError(reason))
    mocked.post(f"{BASE}/b", body=requests.exceptions.ConnectionError("reset by peer"))
    mocked.post(f"{BASE}/a", status=201, json={"id": "1"})
    assert client.send("POST", "/a", json={}, idempotent=False).body == {"id": "1"}
    with pytest.raises(errors.GraphTransportError) as caught:
        client.send("POST", "/b", json={}, idempotent=False)
    assert caught.value.maybe_applied is True
    assert len(sleeps) == 1


class Ceiling:
    """An rng whose uniform(a, b) is b: the backoff's ceiling."""

    def uniform(self, low: float, high: float) -> float:
        return high


def test_backoff_doubles_from_half_a_second_up_to_its_cap():
    budget = RetryBudget(max_attempts=10, max_total_wait=1e9, rng=Ceiling())  # type: ignore[arg-type]
    ceilings = []
    for _ in range(8):
        ceilings.append(budget.next_delay(None))
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, BACKOFF_CAP, BACKOFF_CAP]


def translated(
    body: Any, headers: dict[str, str] | None = None, **kwargs: Any
) -> errors.GraphHTTPError:
    return http_error(
        400, body, headers=CaseInsensitiveDict(headers or {}), method="GET", url="/x", **kwargs
    )


def test_request_ids_come_from_the_header_else_the_body_else_the_envelope():
    body = b'{"error": {"code": "c", "message": "m", "innerError": {"request-id": "from-body"}}}'
    assert (
        translated(body, {"request-id": "from-header"}, fallback_request_id="env").request_id
        == "from-header"
    )
    assert translated(body, fallback_request_id="env").request_id == "from-body"
    assert translated(b"garbage", fallback_request_id="env").request_id == "env"
    assert translated(b"garbage").request_id == ""
    assert translated(b'{"error": {"code": "c", "message": "m"}}').request_id == ""
    long_id = "r" * 150
    assert translated(b"x", {"request-id": long_id}).request_id == "r" * 99 + "…"


def test_a_translated_error_is_not_maybe_applied_unless_told_and_keeps_no_raw_for_garbage():
    error = translated(b"<html>down</html>")
    assert error.maybe_applied is False and error.raw_message == "" and error.code == ""
    assert translated(b"", maybe_applied=True).maybe_applied is True
    assert translated("text body").graph_message == "non-Graph error body: text body"


HUMAN = '  {"Message": "the human part", "CustomApiErrorPhrase": ""}'


@pytest.mark.parametrize(
    ("message", "shown", "raw"),
    [
        (HUMAN, "the human part", HUMAN),
        ('{"message": "lower case too"}', "lower case too", '{"message": "lower case too"}'),
        ('{"Message": "   "}', '{"Message": " "}', ""),
        ("[1, 2]", "[1, 2]", ""),
        ("{not json", "{not json", ""),
        ("plain words", "plain words", ""),
    ],
)
def test_intune_json_inside_the_message_shows_its_human_part(message: str, shown: str, raw: str):
    import json

    error = translated(json.dumps({"error": {"code": "BadRequest", "message": message}}).encode())
    assert (error.graph_message, error.raw_message) == (shown, raw)
