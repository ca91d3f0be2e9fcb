"""Which bucket a request is paced in and what a bucket lets out: the longest route wins,
a query string (even one holding a '?') does not change the route, a default class of its
own paces the paths of no route, the smallest budget still lets one request out, no
budget leaves everything unpaced, and a 429 holds back the buckets of exactly the items
it answered (a read's 429 leaves the write bucket alone)."""

from __future__ import annotations

import pytest

from reconciler.fetch.pacing import Pacer
from reconciler.kinds import REGISTRY, throttling
from reconciler.kinds.throttling import ThrottleClass

SC = "/deviceManagement/configurationPolicies"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _kinds_pacer(clock: Clock, **options) -> Pacer:
    options.setdefault("budget", 0.5)
    return Pacer.for_classes(REGISTRY.throttle_routes(), clock=clock, **options)


def test_the_longest_route_names_the_bucket_whatever_order_the_routes_come_in():
    outer = ThrottleClass(name="outer", bucket="outer")
    inner = ThrottleClass(name="inner", bucket="inner")
    for routes in ([("/a", outer), ("/a/b", inner)], [("/a/b", inner), ("/a", outer)]):
        pacer = Pacer.for_classes(routes, budget=0.5, clock=Clock())
        assert pacer.bucket_of("/a/b") == "inner"
        assert pacer.bucket_of("/a/b/1?$expand=x") == "inner"
        assert pacer.bucket_of("/a/b('1')/assign") == "inner"
        assert pacer.bucket_of("/a/c") == "outer"
        assert pacer.bucket_of("/a") == "outer"


@pytest.mark.parametrize(
    "path",
    [
        f"{SC}?$select=id",
        f"{SC}?$filter=name eq 'why?'&$top=5",  # a '?' inside the query is the query's
        f"{SC}/abc?$expand=settings",
    ],
)
def test_a_query_string_does_not_change_the_bucket(path):
    pacer = _kinds_pacer(Clock())  # no default: a path of no route would be None
    assert pacer.bucket_of(path) == "intune"


def test_a_default_class_of_its_own_paces_the_paths_of_no_route():
    clock = Clock()
    other = ThrottleClass(name="other service", requests=(10, 1.0), bucket="other")
    pacer = Pacer.for_classes(REGISTRY.throttle_routes(), budget=1.0, default=other, clock=clock)
    assert pacer.bucket_of("/elsewhere") == "other"
    assert pacer.reserve([("/elsewhere", "GET")] * 10) == (0.0, False)  # its burst: 10
    assert pacer.reserve([("/elsewhere", "GET")]) == (pytest.approx(0.1), False)  # 10/s
    assert pacer.reserve([(SC, "GET")] * 10) == (0.0, False)  # intune's bucket is apart


def test_a_budget_below_one_request_per_window_lets_one_request_out_at_once():
    clock = Clock()
    pacer = _kinds_pacer(clock, budget=0.0005)  # 0.5 of 1,000 per 20 s: 0.025/s
    assert pacer.reserve([(SC, "GET")]) == (0.0, False)
    assert pacer.reserve([(SC, "GET")]) == (pytest.approx(40.0), False)


def test_no_budget_and_no_write_rate_leave_every_request_unpaced():
    pacer = _kinds_pacer(Clock(), budget=None, default=throttling.DEFAULT)
    items = [(f"{SC}/{i}", "GET") for i in range(3000)] + [(SC, "POST")] * 500
    assert pacer.reserve(items) == (0.0, False)
    assert pacer.write_burst is None


def test_a_429_holds_back_the_bucket_of_an_item_after_one_of_no_bucket():
    clock = Clock()
    pacer = _kinds_pacer(clock)  # no default: /elsewhere has no bucket
    pacer.throttled([("/elsewhere", "GET"), (f"{SC}/1", "GET")], 3.0)
    assert pacer.reserve([(f"{SC}/2", "GET")])[0] == pytest.approx(3.0)


def test_a_reads_429_leaves_the_write_bucket_alone_and_a_writes_429_holds_it():
    clock = Clock()
    pacer = Pacer.writes_only(10.0, 5, clock=clock)
    pacer.throttled([("/x", "GET")], 3.0)
    assert pacer.reserve([("/x", "PATCH")]) == (0.0, False)
    pacer.throttled([("/x", "PATCH")], 3.0)
    assert pacer.reserve([("/x", "PATCH")]) == (pytest.approx(3.0), True)


def test_writes_only_refills_on_the_clock_it_is_given():
    clock = Clock()
    pacer = Pacer.writes_only(1.0, 1, clock=clock)
    assert pacer.reserve([("/x", "DELETE")]) == (0.0, False)
    assert pacer.reserve([("/x", "DELETE")]) == (1.0, True)  # exactly: no time passed
    clock.now += 2.0  # the debt paid and the burst back
    assert pacer.reserve([("/x", "DELETE")]) == (0.0, False)
