"""The Graph URL, word for word (each message is what a user reads when a flag is wrong), and
the counters the client keeps."""

from __future__ import annotations

import pytest

from reconciler.errors import ConfigError
from reconciler.fetch.client import BatchRequest
from reconciler.fetch.responses import ClientStats
from reconciler.fetch.urls import Origin, normalise_base_url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://[::1/beta",
            "The Graph URL must be an https:// URL with a host, e.g. https://graph.microsoft.com/beta (got 'https://[::1/beta').",
        ),
        (
            "graph.microsoft.com/beta",
            "The Graph URL must be an https:// URL with a host, e.g. https://graph.microsoft.com/beta (got 'graph.microsoft.com/beta').",
        ),
        ("https://user@graph.test/beta", "The Graph URL must not contain credentials."),
        ("https://:secret@graph.test/beta", "The Graph URL must not contain credentials."),
        ("https://graph.test/beta?x=1", "The Graph URL must not have a query or fragment."),
        ("https://graph.test/beta#top", "The Graph URL must not have a query or fragment."),
    ],
)
def test_an_unusable_graph_url_is_refused_saying_why(url, message):
    with pytest.raises(ConfigError) as caught:
        normalise_base_url(url)
    assert str(caught.value) == message


def test_a_long_url_is_cut_in_the_message():
    with pytest.raises(ConfigError) as caught:
        normalise_base_url("x" * 300)
    assert "(got '" + "x" * 99 + "…')." in str(caught.value)


def test_plain_http_is_refused_off_loopback_with_a_hint():
    with pytest.raises(ConfigError) as caught:
        normalise_base_url("http://graph.test/beta")
    assert (
        caught.value.hint
        == "Use https://, or http:// only for a local emulator (127.0.0.1, ::1, localhost)."
    )
    assert normalise_base_url("http://127.0.0.1:8765/beta/") == "http://127.0.0.1:8765/beta"
    assert normalise_base_url(" https://graph.test/beta// ") == "https://graph.test/beta"


def test_origins_take_the_default_port_of_their_scheme():
    assert Origin.of("http://a.test/x") == Origin("http", "a.test", 80)
    assert Origin.of("https://A.test/x") == Origin("https", "a.test", 443)
    assert Origin.of("http://a.test:8080/x") == Origin("http", "a.test", 8080)
    assert Origin.of("https://a.test:99999/x") is None and Origin.of("https://[::1") is None


def test_batches_add_up():
    stats = ClientStats()
    stats.add(method="POST", batches=1, batch_items=3)
    stats.add(method="POST", batches=1, batch_items=2)
    assert (stats.requests, stats.batches, stats.batch_items, stats.units) == (2, 2, 5, 5)


def test_a_batched_write_failing_with_exactly_500_may_have_landed(client, mocked):
    import json

    import responses

    mocked.add_callback(
        responses.POST,
        "https://graph.test/beta/$batch",
        callback=lambda request: (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "responses": [
                        {"id": "1", "status": 500, "body": {"error": {"code": "x", "message": "y"}}}
                    ]
                }
            ),
        ),
    )
    result = client.batch(
        [BatchRequest(id="1", method="POST", url="/items", body={}, idempotent=False)]
    )["1"]
    assert result.error is not None and result.error.maybe_applied is True
