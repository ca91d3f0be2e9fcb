"""Aspects: the write token bucket (burst, steady rate, thread safety, reads unpaced) and
Retry-After parsing."""

from __future__ import annotations

import sys
import threading
from email.utils import formatdate

import pytest
import responses

from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import TokenBucket, parse_retry_after

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
