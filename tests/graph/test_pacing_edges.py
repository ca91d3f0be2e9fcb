"""Edges of pacing and error details no other test held (each found by a deliberate
breakage that survived): the token bucket's zero and fractional cases, an exact wait budget,
Retry-After dates in other time zones, and Graph error JSON with odd shapes."""

from __future__ import annotations

import json
import os
import time
from typing import Any

import pytest
import responses
from requests.structures import CaseInsensitiveDict

from reconciler.errors import GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import RetryBudget, TokenBucket, parse_retry_after
from reconciler.fetch.translate import http_error

from .conftest import BASE


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_token_bucket_takes_nothing_for_nothing_and_never_waits_a_negative_time():
    clock, slept = Clock(), list[float]()
    bucket = TokenBucket(1.0, 3, clock=clock, sleep=slept.append)
    assert bucket.acquire(2) == 0.0
    clock.now += 0.5  # 1.5 tokens
    assert bucket.acquire(1) == 0.0  # 0.5 left: no wait, and no negative one either
    assert bucket.acquire(2) == 1.5 and slept == [1.5]  # in debt now
    assert bucket.acquire(0) == 0.0 and slept == [1.5]  # nothing taken, nothing waited


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_token_bucket_needs_a_rate_and_a_burst(rate, burst):
    with pytest.raises(ValueError, match=r"^rate must be > 0 and burst >= 1$"):
        TokenBucket(rate, burst)


def test_a_wait_that_exactly_uses_the_budget_is_allowed():
    budget = RetryBudget(max_attempts=5, max_total_wait=1.0)
    assert budget.next_delay(0.4) == 0.4 and budget.next_delay(0.6) == 0.6
    assert budget.next_delay(0.0) == 0.0
    assert budget.next_delay(0.01) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("Thu, 01 Jan 1970 00:01:40 GMT", 40.0),
        ("Thu, 01 Jan 1970 00:01:40 -0000", 40.0),  # no zone: UTC, whatever the local zone
        ("Thu, 01 Jan 1970 02:01:40 +0200", 40.0),
    ],
)
def test_retry_after_dates_count_from_now_in_any_zone(header, seconds):
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"  # a local zone that is not UTC
    time.tzset()
    try:
        assert parse_retry_after(header, now=lambda: 60.0) == seconds
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def translated(error: Any) -> Any:
    body = json.dumps({"error": error}).encode()
    return http_error(400, body, headers=CaseInsensitiveDict(), method="GET", url="/x")


def test_error_json_with_values_of_the_wrong_type_gives_empty_fields():
    error = translated({"code": 5, "message": 7})
    assert (error.code, error.graph_message) == ("", "")


def test_the_deepest_request_id_that_is_a_non_empty_string_wins():
    inner = {
        "request-id": "outer",
        "innerError": {"request-id": "", "innerError": {"requestId": 5}},
    }
    assert translated({"code": "c", "message": "m", "innerError": inner}).request_id == "outer"
    deeper = {"request-id": "outer", "innerError": {"requestid": "inner"}}
    assert translated({"code": "c", "message": "m", "innerError": deeper}).request_id == "inner"


def test_codes_and_request_ids_are_capped_at_a_hundred_characters():
    error = translated({"code": "c" * 150, "message": "m", "innerError": {"request-id": "r" * 150}})
    assert error.code == "c" * 99 + "…" and error.request_id == "r" * 99 + "…"


def test_urls_in_messages_are_relative_to_the_base_and_capped(
    client: GraphClient, mocked: responses.RequestsMock
):
    mocked.get(BASE, json=[])
    with pytest.raises(GraphResponseError, match=r"^GET /: expected an object"):
        client.get_entity(BASE)
    long_path = "/" + "p" * 300
    mocked.get(BASE + long_path, json=[])
    with pytest.raises(GraphResponseError) as caught:
        client.get_entity(long_path)
    shown = str(caught.value).split(": expected")[0].removeprefix("GET ")
    assert len(shown) == 160 and shown.endswith("…")
