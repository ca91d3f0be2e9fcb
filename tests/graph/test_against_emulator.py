"""Aspects, over real HTTP against the project's Graph emulator: paging across pages, $batch
chunking and costs, per-item retries under throttling, 503s and dropped connections
retried, 401/404 translated with a request-id, stream bytes in both modes, and pacing that
keeps a large write burst (nearly) free of 429s."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reconciler.emulator import Emulator, make_policy, make_tenant
from reconciler.errors import GraphTransportError, NotFoundError, UnauthorizedError
from reconciler.fetch.auth.bearer import BearerTokenAuth
from reconciler.fetch.client import BatchRequest, GraphClient
from reconciler.fetch.pacing import Pacer, TokenBucket
from tests.support.tenant import POLICIES

from .conftest import Sleeps

LIST_ROUTE = f"GET {POLICIES}"
ASSIGNMENTS_ROUTE = f"GET {POLICIES}/{{id}}/assignments"
STREAMS = ("policyPayload", "userPreferencePayload")


def tenant(count: int) -> dict[str, Any]:
    return make_tenant(
        make_policy(display_name=f"P{i}", priority=i + 1, groups=[f"g{i}"]) for i in range(count)
    )


@pytest.fixture
def connect() -> Iterator[Callable[..., GraphClient]]:
    clients: list[GraphClient] = []

    def make(emu: Emulator, **options: Any) -> GraphClient:
        options.setdefault("timeout", 5.0)
        clients.append(GraphClient(emu.base_url, **options))
        return clients[-1]

    yield make
    for graph in clients:
        graph.close()


def test_list_all_pages_through_the_emulator(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(25), page_size=10)
    graph = connect(emu)
    items = graph.list_all(POLICIES)
    assert sorted(item["displayName"] for item in items) == sorted(f"P{i}" for i in range(25))
    assert emu.stats()["by_route"][LIST_ROUTE] == 3
    assert graph.stats.requests == 3


def test_45_batched_reads_cost_3_requests(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(45), page_size=100)
    graph = connect(emu)
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    emu.reset_stats()
    results = graph.batch(
        [BatchRequest(id=i, method="GET", url=f"{POLICIES}/{i}/assignments") for i in ids]
    )
    assert all(r.status == 200 and r.error is None for r in results.values())
    groups = {r.body["value"][0]["target"]["groupId"] for r in results.values()}
    assert groups == {f"g{i}" for i in range(45)}
    stats = emu.stats()
    assert stats["by_route"] == {"POST /$batch": 3}
    assert stats["batch_items_by_route"] == {ASSIGNMENTS_ROUTE: 45}


def test_throttled_batch_writes_are_retried_until_all_land(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(40), throttle=True, write_limit="20/1")
    graph = connect(emu)  # real sleeps: the emulator's buckets refill in real time
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    writes = [
        BatchRequest(id=i, method="PATCH", url=f"{POLICIES}/{i}", body={"description": "new"})
        for i in ids
    ]
    results = graph.batch(writes)
    assert all(r.error is None for r in results.values()), [
        str(r.error) for r in results.values() if r.error
    ]
    assert emu.stats()["throttled"] > 0
    assert graph.stats.throttled == emu.stats()["throttled"]
    assert {p["description"] for p in graph.list_all(POLICIES)} == {"new"}


def test_pacing_keeps_a_write_burst_free_of_429s(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(20), throttle=True, write_limit="10/1")
    graph = connect(emu, write_rate=8, write_burst=10)  # a margin for scheduling jitter
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    results = graph.batch(
        [
            BatchRequest(id=i, method="PATCH", url=f"{POLICIES}/{i}", body={"description": "x"})
            for i in ids
        ]
    )
    assert all(r.error is None for r in results.values())
    assert emu.stats()["throttled"] == 0


def _read_pacer(per_second: float) -> Pacer:
    bucket = TokenBucket(per_second, int(per_second))
    return Pacer(
        routes=[(POLICIES, "office")], requests={"office": bucket}, writes={}, default=None
    )


def test_paced_reads_stay_under_the_request_limit_without_a_429(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(80), throttle=True, request_limit="100/1")
    graph = connect(emu, pacer=_read_pacer(90))  # 90% of the limit
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    reads = [
        BatchRequest(id=f"{i}:{s}", method="GET", url=f"{POLICIES}/{i}/{s}")
        for i in ids
        for s in STREAMS
    ]
    results = graph.batch(reads)  # 160 units: 90 at once, the rest at 90/s
    assert all(r.error is None for r in results.values())
    assert emu.stats()["throttled"] == 0


def test_a_drained_tenant_is_waited_out_not_given_up(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(seed=tenant(60), throttle=True, request_limit="60/1")
    graph = connect(emu, pacer=_read_pacer(60), max_attempts=2)
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    emu.drain()  # as if another tool had just spent the whole limit
    reads = [
        BatchRequest(id=f"{i}:{s}", method="GET", url=f"{POLICIES}/{i}/{s}")
        for i in ids
        for s in STREAMS
    ]
    results = graph.batch(reads)  # 120 units from empty: about 2 s, many more than 2 tries
    assert all(r.error is None for r in results.values())
    throttled = emu.stats()["throttled"]
    assert 0 < throttled < len(reads)  # the client's bucket, held back, spares most of them


def test_injected_503s_are_retried_for_reads(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient], sleeps: Sleeps
) -> None:
    emu = make_emulator(seed=tenant(30), page_size=7, fail_rate=0.3, random_seed=7)
    graph = connect(emu, sleep=sleeps, max_attempts=30)
    ids = [item["id"] for item in graph.list_all(POLICIES)]
    assert len(ids) == 30
    results = graph.batch(
        [BatchRequest(id=i, method="GET", url=f"{POLICIES}/{i}/assignments") for i in ids]
    )
    assert all(r.error is None for r in results.values())
    assert emu.stats()["failed_injected"] > 0 and sleeps


def test_dropped_connections_are_retried_for_reads(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient], sleeps: Sleeps
) -> None:
    emu = make_emulator(seed=tenant(12), page_size=5, drop_rate=0.3, random_seed=3)
    graph = connect(emu, sleep=sleeps, max_attempts=30)
    for _ in range(3):
        assert len(graph.list_all(POLICIES)) == 12
    assert emu.stats()["dropped"] > 0


def test_a_dropped_create_is_reported_as_maybe_applied(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient], sleeps: Sleeps
) -> None:
    emu = make_emulator(drop_rate=0.5, random_seed=11)
    graph = connect(emu, sleep=sleeps)
    outcomes = []
    for i in range(20):
        try:
            graph.send(
                "POST",
                POLICIES,
                json={
                    "@odata.type": "#microsoft.graph.windowsOfficeClientConfiguration",
                    "displayName": f"C{i}",
                    "priority": i + 1,
                },
                idempotent=False,
            )
            outcomes.append("created")
        except GraphTransportError as error:
            assert error.maybe_applied is True
            outcomes.append("ambiguous")
    stats = emu.stats()
    assert outcomes.count("ambiguous") == stats["dropped"] > 0
    assert stats["by_route"][f"POST {POLICIES}"] == 20  # never resent
    emu.configure(drop_rate=0.0)
    landed = len(graph.list_all(POLICIES))
    assert landed == outcomes.count("created") + stats["dropped_after_apply"]


def test_401_and_404_are_translated_with_request_ids(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    emu = make_emulator(token="right-token")
    with pytest.raises(UnauthorizedError) as denied:
        connect(emu, auth=BearerTokenAuth("wrong-token")).get("/officeConfiguration")
    assert denied.value.request_id and denied.value.code
    assert "wrong-token" not in str(denied.value)
    graph = connect(emu, auth=BearerTokenAuth("right-token"))
    with pytest.raises(NotFoundError) as missing:
        graph.get_entity(f"{POLICIES}/00000000-0000-0000-0000-000000000000")
    assert missing.value.request_id
    assert isinstance(graph.get_entity("/officeConfiguration"), dict)


@pytest.mark.parametrize("streams", ["inline", "separate"])
def test_stream_bytes_round_trip_direct_and_batched(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient], streams: str
) -> None:
    emu = make_emulator(seed=tenant(2), streams=streams)
    graph = connect(emu)
    first, second = (item["id"] for item in graph.list_all(POLICIES))
    raw = b'{"settings":[{"name":"x","value":1}]}\n\xff'
    graph.send("PUT", f"{POLICIES}/{first}/policyPayload", data=raw)
    assert graph.get_bytes(f"{POLICIES}/{first}/policyPayload") == raw
    assert graph.get_bytes(f"{POLICIES}/{second}/userPreferencePayload") == b""

    put = BatchRequest(id="put", method="PUT", url=f"{POLICIES}/{second}/policyPayload", body=raw)
    get = BatchRequest(
        id="get", method="GET", url=f"{POLICIES}/{second}/policyPayload", depends_on="put"
    )
    results = graph.batch([put, get])
    assert results["put"].error is None and results["get"].body == raw


def test_writes_answer_as_the_contract_says(
    emulator: Emulator, connect: Callable[..., GraphClient]
) -> None:
    graph = connect(emulator)
    created = graph.send(
        "POST",
        POLICIES,
        json={
            "@odata.type": "#microsoft.graph.windowsOfficeClientSecurityConfiguration",
            "displayName": "New",
            "priority": 5,
        },
        idempotent=False,
    )
    assert created.status == 201 and created.request_id
    path = f"{POLICIES}/{created.body['id']}"
    patched = graph.send("PATCH", path, json={"description": "d"})
    assert patched.status in (200, 204)
    assert graph.get_entity(path)["description"] == "d"
    assert graph.send("DELETE", path).status in (200, 204)
    with pytest.raises(NotFoundError):
        graph.get(path)


def test_an_object_deleted_between_the_listing_and_its_reads_is_left_out(
    make_emulator: Callable[..., Emulator], connect: Callable[..., GraphClient]
) -> None:
    """The portal (or another apply's compensation) deletes a policy after the list page
    came back: its per-object reads answer 404, a definite "gone", so the read leaves it
    out instead of failing the whole plan; any other failed read still fails it."""
    from reconciler.fetch.tenant import read_tenant

    emu = make_emulator(seed=tenant(3))
    deleter = connect(emu)

    class DeletesAfterListing(GraphClient):
        def list_all(self, path: str, **kwargs: Any) -> list[dict[str, Any]]:
            items = super().list_all(path, **kwargs)
            if path.startswith(POLICIES) and items:
                deleter.send("DELETE", f"{POLICIES}/{items[0]['id']}")
            return items

    graph = DeletesAfterListing(emu.base_url, timeout=5.0)
    try:
        live = read_tenant(graph)
    finally:
        graph.close()
    names = sorted(o.body["displayName"] for o in live.objects if "displayName" in o.body)
    assert len(emu.store.policies()) == 2
    assert names == sorted(p["displayName"] for p in emu.store.policies())
