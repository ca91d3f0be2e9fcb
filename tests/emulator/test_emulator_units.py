"""Aspects without HTTP: payload string decoding, rate parsing, token buckets on a fake clock,
Retry-After formatting, seed builders; and the store's invariants under concurrent writers."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

import pytest

from reconciler.emulator import make_policy, make_tenant
from reconciler.emulator.config import Config, parse_rate
from reconciler.emulator.faults import Throttler, retry_after
from reconciler.emulator.surfaces.office import payloads
from reconciler.emulator.surfaces.office.store import normalise
from tests.support.raw import Graph
from tests.support.tenant import CLIENT_TYPE, POLICIES


@pytest.mark.parametrize(
    ("stored", "data"),
    [
        (base64.b64encode(b"\x00\xffabc").decode(), b"\x00\xffabc"),
        (base64.urlsafe_b64encode(b"\xfb\xff").decode().rstrip("="), b"\xfb\xff"),
        ("Stream", b"Stream"),  # the seed placeholder is not canonical base64
        ("not base64!", b"not base64!"),
        ("", b""),
    ],
)
def test_payload_decoding(stored: str, data: bytes) -> None:
    assert payloads.decode(stored) == data


def test_rates() -> None:
    assert parse_rate("100/20") == (100, 20.0)
    assert parse_rate((5, 1)) == (5, 1.0)
    for bad in ("100", "0/20", "5/0", "x/y"):
        with pytest.raises(ValueError):
            parse_rate(bad)
    with pytest.raises(ValueError):
        Config(client_id="only-id")
    with pytest.raises(ValueError):
        Config(streams="both")  # type: ignore[arg-type]


def test_token_buckets_refill_continuously() -> None:
    now = [0.0]
    throttler = Throttler(Config(throttle=True, write_limit=(2, 1.0)), clock=lambda: now[0])
    assert throttler.admit("a", is_write=True) is None
    assert throttler.admit("a", is_write=True) is None
    wait = throttler.admit("a", is_write=True)
    assert wait == pytest.approx(0.5)
    now[0] += 0.25
    assert throttler.admit("a", is_write=True) == pytest.approx(0.25)
    now[0] += 0.25
    assert throttler.admit("a", is_write=True) is None
    # Another app has its own two writes; the tenant (four, refilled to four by now, one
    # taken by "a") has one left after them.
    assert throttler.admit("b", is_write=True) is None
    assert throttler.admit("b", is_write=True) is None
    assert throttler.admit("c", is_write=True) is None
    assert throttler.admit("c", is_write=True) == pytest.approx(0.25)  # the tenant's wait


def test_retry_after_is_fractional_and_never_early() -> None:
    assert retry_after(0.341) == "0.35"
    assert retry_after(2.128) == "2.13"
    assert retry_after(0.0001) == "0.01"


def test_seed_builders_round_trip() -> None:
    policy = make_policy(
        display_name="p",
        priority=2,
        security=True,
        policy_payload=b"\x01",
        user_preference_payload="text",
        groups=["g1", "g2"],
        policy_id="fixed",
    )
    tenant = normalise(make_tenant([policy]))
    stored = tenant["clientConfigurations"][0]
    assert stored["id"] == "fixed" and stored["priority"] == 2
    assert stored["@odata.type"].endswith("SecurityConfiguration")
    assert payloads.decode(stored["userPreferencePayload"]) == b"text"
    assert [a["target"]["groupId"] for a in stored["assignments"]] == ["g1", "g2"]


def test_store_helpers(make_emulator) -> None:
    policy = make_policy(display_name="p", priority=1)
    emulator = make_emulator(seed=make_tenant([policy]))
    store = emulator.store
    assert store.get_policy(policy["id"])["displayName"] == "p"
    assert store.get_policy("missing") is None
    copy = store.policies()[0]
    copy["displayName"] = "changed"  # callers get copies, never the live objects
    assert store.get_policy(policy["id"])["displayName"] == "p"


def test_concurrent_creates_keep_priorities_unique(emulator) -> None:
    def create(priority: int) -> int:
        graph = Graph(emulator)
        try:
            body = {"@odata.type": CLIENT_TYPE, "priority": priority}
            return graph.post(POLICIES, json=body).status_code
        finally:
            graph.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, [i % 10 for i in range(40)]))
    assert statuses.count(201) == 10 and statuses.count(400) == 30
    priorities = sorted(p["priority"] for p in emulator.store.policies())
    assert priorities == list(range(10))
