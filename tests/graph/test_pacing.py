"""Aspects: the token buckets (burst, steady rate, thread safety), the client's buckets per
throttle class (budget, $batch items counted, writes in both buckets, a 429 holding a bucket
back), and Retry-After parsing."""

from __future__ import annotations

import json
import sys
import threading
from email.utils import formatdate
from typing import Any

import pytest
import responses

from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.fetch.pacing import Pacer, TokenBucket, parse_retry_after
from reconciler.kinds import REGISTRY

from .conftest import BASE, Sleeps


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)


def test_burst_is_free_then_the_rate_holds() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, 3, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)
    clock.now += 10  # idle time refills, but never past the burst
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire(2) > 0


def test_concurrent_callers_reserve_distinct_slots() -> None:
    # Switch threads as often as possible, so that without the bucket's lock two callers
    # would read the same token count and be given the same slot.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    clock = FakeClock()
    bucket = TokenBucket(10.0, 1, clock=clock, sleep=clock.sleep)
    barrier = threading.Barrier(21)

    def take() -> None:
        barrier.wait()
        for _ in range(100):
            bucket.acquire()

    threads = [threading.Thread(target=take) for _ in range(21)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)
    # one free token, then 2,099 callers queued 0.1 s apart
    expected = [round(0.1 * i, 6) for i in range(1, 21 * 100)]
    assert sorted(round(s, 6) for s in clock.slept) == expected


def test_invalid_bucket_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0, 5)
    with pytest.raises(ValueError):
        TokenBucket(1, 0)


def test_top_level_writes_are_paced_and_reads_are_not(
    mocked: responses.RequestsMock, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reconciler.fetch.pacing.time.monotonic", lambda: sum(sleeps))
    mocked.get(f"{BASE}/a", json={})
    mocked.patch(f"{BASE}/a", status=204)
    graph = GraphClient(BASE, sleep=sleeps, write_rate=1, write_burst=2)
    for _ in range(5):
        graph.get("/a")
    assert sleeps == []
    for _ in range(4):
        graph.send("PATCH", "/a", json={})
    assert sleeps == [1.0, 1.0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.128", 2.128),
        (" 3 ", 3.0),
        ("0", 0.0),
        ("-1", 0.0),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("1e400", None),
        (None, None),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_future() -> None:
    assert parse_retry_after(formatdate(1_000_060, usegmt=True), now=lambda: 1_000_000) == 60.0


# --- the client's buckets per throttle class --------------------------------------------


def _pacer(clock: FakeClock, budget: float = 0.5) -> Pacer:
    return Pacer.for_classes(REGISTRY.throttle_routes(), budget=budget, clock=clock)


SC = "/deviceManagement/configurationPolicies"


def test_every_kind_path_has_a_throttle_class_and_unknown_paths_none() -> None:
    pacer = _pacer(FakeClock())
    assert pacer.bucket_of(f"{SC}/abc?$expand=settings") == "intune"
    assert pacer.bucket_of(f"{SC}('abc')/assign") == "intune"
    assert pacer.bucket_of("/deviceManagement/configurationSettings/x") == "intune"
    assert pacer.bucket_of("/officeConfiguration/clientConfigurations") == "intune"
    assert pacer.bucket_of("/deviceManagement/configurationPoliciesX") is None
    assert pacer.bucket_of("/somewhere/else") is None


def test_budget_scales_the_documented_limits_and_counts_batch_items() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, budget=0.5)  # 500 requests per 20 s: 25/s, burst 500
    reads = [(f"{SC}/{i}", "GET") for i in range(20)]
    waits = [pacer.reserve(reads)[0] for _ in range(25)]
    assert waits[:25] == [0.0] * 25  # 500 units: the burst
    assert pacer.reserve(reads) == (pytest.approx(20 / 25), False)  # 20 units at 25/s


def test_writes_take_from_both_buckets_and_the_write_bucket_sets_their_pace() -> None:
    clock = FakeClock()
    pacer = _pacer(clock, budget=0.5)  # writes: 50 per 20 s = 2.5/s, burst 20
    writes = [(f"{SC}/{i}", "PUT") for i in range(20)]
    assert pacer.write_burst == 20
    assert pacer.reserve(writes) == (0.0, False)
    wait, for_writes = pacer.reserve(writes[:5])
    assert for_writes and wait == pytest.approx(5 / 2.5)


def test_an_explicit_write_rate_wins_over_the_budget() -> None:
    pacer = Pacer.for_classes(
        REGISTRY.throttle_routes(), budget=0.7, write_rate=10, clock=FakeClock()
    )
    writes = [(f"{SC}/{i}", "PATCH") for i in range(21)]
    assert pacer.reserve(writes) == (pytest.approx(0.1), True)


def test_a_429_holds_the_bucket_back_for_everyone_until_its_retry_after() -> None:
    clock = FakeClock()
    pacer = _pacer(clock)
    pacer.throttled([(f"{SC}/1", "GET")], 3.0)
    assert pacer.reserve([(f"{SC}/2", "GET")])[0] == pytest.approx(3.0)
    assert pacer.reserve([(f"{SC}/3", "GET")])[0] == pytest.approx(3.0 + 1 / 25)
    # another bucket, or a path of none, is not held back
    assert pacer.reserve([("/elsewhere", "GET")]) == (0.0, False)


def test_a_paced_client_waits_before_sending_a_batch_over_its_budget(
    mocked: responses.RequestsMock, sleeps: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reconciler.fetch.pacing.time.monotonic", lambda: sum(sleeps))

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        items = json.loads(request.body)["requests"]
        body = {"responses": [{"id": i["id"], "status": 200, "body": {}} for i in items]}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=answer)
    pacer = Pacer.for_classes(REGISTRY.throttle_routes(), budget=0.04)  # 2/s, burst 40
    graph = GraphClient(BASE, sleep=sleeps, pacer=pacer, concurrency=1)
    graph.batch([BatchRequest(id=str(i), method="GET", url=f"{SC}/{i}") for i in range(60)])
    assert sleeps == [pytest.approx(10.0)]  # 40 free, the last 20 at 2/s
