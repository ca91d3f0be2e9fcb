"""Edges of the client that no other test held, each found by a deliberate breakage that
survived (docs/mutation/report.md): defaults, the request's headers and JSON, query strings,
messages, body caps across chunks, redirects, and $batch envelopes and their pacing."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from reconciler.errors import GraphResponseError, ServerError
from reconciler.fetch import client as client_module
from reconciler.fetch.batching import plan_chunks
from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.fetch.translate import is_json_type, media_type, one_line

from .conftest import BASE, Sleeps


def test_the_defaults_are_the_documented_ones():
    graph = GraphClient(BASE)
    assert (graph.timeout, graph.max_attempts, graph.max_total_wait, graph.concurrency) == (
        30.0,
        8,
        600.0,  # --max-wait's 10 minutes: while Graph throttles, waiting is progress
        4,
    )


def test_the_session_takes_the_ca_bundle_but_not_the_environment_per_request(monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/custom-bundle.pem")
    graph = GraphClient(BASE)
    assert graph._session.verify == "/etc/ssl/custom-bundle.pem"
    assert graph._session.trust_env is False


def test_requests_accept_json_and_send_compact_utf8_json(client, mocked):
    mocked.post(f"{BASE}/x", status=201, json={"id": "1"})
    client.send("POST", "/x", json={"name": "é", "n": [1, 2]})
    sent = mocked.calls[0].request
    assert sent.headers["Accept"] == "application/json, */*"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.body == '{"name":"é","n":[1,2]}'.encode()


def test_top_joins_an_existing_query_with_an_ampersand(client, mocked):
    mocked.get(f"{BASE}/x?$filter=a&$top=5", json={"value": []})
    assert client.list_all("/x?$filter=a", top=5) == []
    assert mocked.calls[0].request.url == f"{BASE}/x?$filter=a&$top=5"
    assert client.stats.by_method == {"GET": 1}


@pytest.mark.parametrize(
    ("call", "method", "url"), [("list", "GET", "/x"), ("batch", "POST", "/$batch")]
)
def test_a_reply_that_is_not_json_is_named_by_its_request(client, mocked, call, method, url):
    mocked.add(
        responses.Response(method, BASE + url, body=b"{nope", content_type="application/json")
    )
    with pytest.raises(GraphResponseError) as caught:
        if call == "list":
            client.list_all("/x")
        else:
            client.batch([BatchRequest(id="1", method="GET", url="/y")])
    assert (
        str(caught.value) == f"{method} {url}: HTTP 200 with a body that is not valid JSON: {{nope"
    )


def test_the_batch_envelope_is_json(client, mocked):
    mocked.post(f"{BASE}/$batch", json={"responses": [{"id": "1", "status": 200}]})
    client.batch([BatchRequest(id="1", method="GET", url="/y")])
    assert mocked.calls[0].request.headers["Content-Type"] == "application/json"
    assert (client.stats.batches, client.stats.batch_items, client.stats.units) == (1, 1, 1)
    assert client.stats.by_method == {"POST": 1}


def test_a_request_to_another_host_is_refused_naming_both(client):
    with pytest.raises(GraphResponseError) as caught:
        client.get("https://evil.test/beta/x")
    assert str(caught.value) == (
        "Refusing to send a request to https://evil.test:443: it is not the Graph host https://graph.test:443."
    )


@pytest.mark.parametrize("status", [300, 301, 399])
def test_a_redirect_is_refused_never_followed(client, mocked, status):
    mocked.get(f"{BASE}/x", status=status, headers={"Location": f"{BASE}/y"})
    with pytest.raises(GraphResponseError) as caught:
        client.get("/x")
    assert (
        str(caught.value)
        == f"GET /x: unexpected redirect (HTTP {status}); redirects are not followed."
    )
    assert len(mocked.calls) == 1


def test_a_success_without_a_request_id_has_none_and_a_long_one_is_capped(client, mocked):
    mocked.get(f"{BASE}/a", json={})
    mocked.get(f"{BASE}/b", json={}, headers={"request-id": "r" * 150})
    assert client.get("/a").request_id == ""
    assert client.get("/b").request_id == "r" * 99 + "…"


def test_a_body_is_capped_across_its_chunks_and_kept_whole_under_the_cap(
    client, mocked, monkeypatch
):
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 100_000)
    whole = bytes(range(256)) * 390  # 99,840 bytes: two chunks of the reader
    mocked.get(f"{BASE}/ok", body=whole)
    mocked.get(f"{BASE}/exact", body=b"x" * 100_000)
    mocked.get(f"{BASE}/big", body=b"x" * 100_001)
    assert client.get_bytes("/ok") == whole
    assert len(client.get_bytes("/exact")) == 100_000
    with pytest.raises(GraphResponseError, match="response body larger than 100000 bytes"):
        client.get_bytes("/big")


def test_a_retry_after_a_drop_waits_a_real_delay(client, mocked, sleeps: Sleeps):
    import requests

    mocked.get(f"{BASE}/p", body=requests.exceptions.ConnectionError("reset"))
    mocked.get(f"{BASE}/p", json={})
    client.get("/p")
    assert len(sleeps) == 1 and isinstance(sleeps[0], float) and 0 <= sleeps[0] <= 0.5


def test_batch_urls_must_stay_below_the_base_url():
    with pytest.raises(ValueError, match="relative to the base URL"):
        plan_chunks([BatchRequest(id="1", method="GET", url="/go?to=https://evil.test/")])
    with pytest.raises(ValueError, match="relative to the base URL"):
        plan_chunks([BatchRequest(id="1", method="GET", url="x")])


def test_a_dependency_group_of_twenty_is_one_chunk_and_of_twenty_one_refused():
    def group(n: int) -> list[BatchRequest]:
        return [
            BatchRequest(id=str(i), method="GET", url=f"/{i}", depends_on=str(i - 1) if i else None)
            for i in range(n)
        ]

    (chunk,) = plan_chunks(group(20))
    assert [r.id for r in chunk] == [str(i) for i in range(20)]
    with pytest.raises(ValueError, match="a depends_on group has 21 requests"):
        plan_chunks(group(21))


def test_a_cycle_that_does_not_return_to_its_start_is_found():
    requests_ = [
        BatchRequest(id="a", method="GET", url="/a", depends_on="b"),
        BatchRequest(id="b", method="GET", url="/b", depends_on="c"),
        BatchRequest(id="c", method="GET", url="/c", depends_on="b"),
    ]
    with pytest.raises(ValueError, match="cycle"):
        plan_chunks(requests_)


def test_a_write_burst_of_one_sends_one_write_per_chunk():
    writes = [BatchRequest(id=str(i), method="PATCH", url=f"/{i}", body={}) for i in range(3)]
    assert [len(c) for c in plan_chunks(writes, max_writes=1)] == [1, 1, 1]
    assert [len(c) for c in plan_chunks(writes, max_writes=0)] == [1, 1, 1]


def batch_answer(mocked: responses.RequestsMock, body: Any) -> None:
    mocked.post(f"{BASE}/$batch", body=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1, 2], "$batch answer has no 'responses' list"),
        ({"responses": [1]}, "$batch answer holds a non-object entry"),
        ({"responses": [{"id": "1", "status": 600}]}, "$batch answer has an invalid status '600'"),
        ({"responses": [{"id": "1", "status": 99}]}, "$batch answer has an invalid status '99'"),
        (
            {"responses": [{"id": "1", "status": "200"}]},
            "$batch answer has an invalid status '200'",
        ),
        (  # a long garbage status is cut to 20 characters
            {"responses": [{"id": "1", "status": "0123456789" * 5}]},
            "$batch answer has an invalid status '01234567890123456789'",
        ),
        ({"responses": []}, "$batch answer lacks request(s) 0, 1, 2, 3, 4"),
    ],
)
def test_a_garbage_batch_answer_says_what_is_wrong(client, mocked, body, message):
    batch_answer(mocked, body)
    with pytest.raises(GraphResponseError) as caught:
        client.batch([BatchRequest(id=str(i), method="GET", url=f"/{i}") for i in range(6)])
    assert str(caught.value) == message


@pytest.mark.parametrize("status", [100, 599])
def test_the_statuses_at_the_edges_are_answers(client, mocked, status):
    batch_answer(mocked, {"responses": [{"id": "1", "status": status}]})
    result = client.batch([BatchRequest(id="1", method="GET", url="/1")])["1"]
    assert result.status == status
    assert isinstance(result.error, ServerError) if status == 599 else result.error is None


def test_an_item_retry_after_of_zero_waits_zero(client, mocked, sleeps: Sleeps):
    answers = iter(
        [
            {"responses": [{"id": "1", "status": 429, "headers": {"Retry-After": "0"}}]},
            {"responses": [{"id": "1", "status": 200}]},
        ]
    )
    mocked.add_callback(
        responses.POST,
        f"{BASE}/$batch",
        callback=lambda request: (
            200,
            {"Content-Type": "application/json"},
            json.dumps(next(answers)),
        ),
    )
    assert client.batch([BatchRequest(id="1", method="GET", url="/1")])["1"].status == 200
    assert sleeps == [0.0]


def test_text_helpers_keep_what_fits_and_read_media_types():
    assert one_line("x" * 10, 10) == "x" * 10 and one_line("x" * 11, 10) == "x" * 9 + "…"
    assert media_type("Application/JSON; charset=utf-8; q=1") == "application/json"
    assert is_json_type("application/problem+json") and is_json_type("text/json")
    assert is_json_type("application/json; odata.metadata=minimal")
    assert not is_json_type("text/plain") and not is_json_type(None)


def test_a_client_keeps_at_least_one_attempt_and_thread_and_pools_for_its_threads():
    graph = GraphClient(BASE, max_attempts=1, concurrency=1)
    assert (graph.max_attempts, graph.concurrency) == (1, 1)
    assert GraphClient(BASE, max_attempts=0, concurrency=0).max_attempts == 1
    wide = GraphClient(BASE, concurrency=16)
    for prefix in ("https://", "http://"):
        assert wide._session.adapters[prefix]._pool_maxsize == 16  # type: ignore[attr-defined]
    assert GraphClient(BASE)._session.adapters["https://"]._pool_maxsize == 10  # type: ignore[attr-defined]


def test_writes_are_paced_with_a_burst_of_twenty_by_default():
    paced = GraphClient(BASE, write_rate=5)
    pacer = paced._pacer
    assert pacer is not None and pacer.write_burst == 20
    (bucket,) = pacer._writes.values()
    assert (bucket.rate, bucket.burst) == (5, 20)
    assert GraphClient(BASE)._pacer is None


def test_a_session_without_tls_verification_is_refused():
    import requests

    session = requests.Session()
    session.verify = False
    from reconciler.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        GraphClient(BASE, session=session)
    assert str(caught.value) == "TLS verification cannot be turned off."


def test_a_client_closes_its_own_session_and_never_one_it_was_given():
    import requests

    class Counting(requests.Session):
        closed = 0

        def close(self) -> None:
            type(self).closed += 1
            super().close()

    given = Counting()
    GraphClient(BASE, session=given).close()
    assert Counting.closed == 0
    own = GraphClient(BASE)
    own._session = Counting()
    own.close()
    assert Counting.closed == 1
