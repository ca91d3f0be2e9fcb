"""The client's pacing against the emulator: a request is paced in the bucket of its path
below the base URL (a URL of the Graph host written another way too), a wait long enough
to notice is logged once at INFO (writes from 1 s, requests from 5 s) and shorter ones
are not, a 429 with a Retry-After is waited out even when no attempt is left, and
`--budget 0` runs unpaced."""

from __future__ import annotations

import logging

import pytest
import responses

from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import Pacer, TokenBucket
from reconciler.kinds import REGISTRY
from tests.settings_catalog.samples import macro_policies
from tests.support.cli import run

from .conftest import BASE, Sleeps

SC = "/deviceManagement/configurationPolicies"


def _clock(sleeps: Sleeps):
    """The pacer's clock: time passes only while the client sleeps."""
    return lambda: 100.0 + sum(sleeps)


def _pacing_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.getMessage().startswith("pacing")
    ]


@pytest.mark.parametrize(
    ("per_second", "wait", "line"),
    [
        (0.2, 5.0, "pacing requests: waited 5.0s for the request limit"),
        (0.25, 4.0, None),  # a few seconds of reads: not worth a line
        (0.5, 2.0, None),  # nor is it a wait for writes
    ],
)
def test_a_read_wait_of_five_seconds_or_more_is_logged(
    emulator, caplog, sleeps, per_second, wait, line
):
    caplog.set_level(logging.INFO, logger="reconciler.fetch")
    bucket = TokenBucket(per_second, 1, clock=_clock(sleeps))
    pacer = Pacer(routes=[], requests={"": bucket}, writes={}, default="")
    graph = GraphClient(emulator.base_url, pacer=pacer, sleep=sleeps)
    graph.list_all(SC)
    graph.list_all(SC)
    assert sleeps == [wait]
    assert _pacing_lines(caplog) == ([(logging.INFO, line)] if line else [])


@pytest.mark.parametrize(
    ("per_second", "wait", "line"),
    [
        (1.0, 1.0, "pacing writes: waited 1.0s for the write limit"),
        (2.0, 0.5, None),  # under a second: not worth a line
    ],
)
def test_a_write_wait_of_a_second_or_more_is_logged(
    make_emulator, caplog, sleeps, per_second, wait, line
):
    emulator = make_emulator(seed=macro_policies(2))
    caplog.set_level(logging.INFO, logger="reconciler.fetch")
    pacer = Pacer.writes_only(per_second, 1, clock=_clock(sleeps))
    graph = GraphClient(emulator.base_url, pacer=pacer, sleep=sleeps)
    for policy in graph.list_all(SC):
        graph.send("DELETE", f"{SC}/{policy['id']}")
    assert graph.list_all(SC) == []
    assert sleeps == [wait]
    assert _pacing_lines(caplog) == ([(logging.INFO, line)] if line else [])


def test_a_request_is_paced_in_the_bucket_of_its_path_below_the_base_url(emulator, sleeps):
    # No default bucket: only a path that names its route is paced at all.
    pacer = Pacer.for_classes(REGISTRY.throttle_routes(), budget=0.001, clock=_clock(sleeps))
    graph = GraphClient(emulator.base_url, pacer=pacer, sleep=sleeps)
    graph.list_all(SC)
    assert sleeps == []  # the burst: one request
    graph.list_all(SC)
    assert sleeps == [pytest.approx(20.0)]  # 0.001 of 1,000 per 20 s: one per 20 s


def test_a_url_of_the_graph_host_written_another_way_is_sent_and_paced(emulator, sleeps):
    bucket = TokenBucket(1.0, 1, clock=_clock(sleeps))
    pacer = Pacer(routes=[], requests={"": bucket}, writes={}, default="")
    graph = GraphClient(emulator.base_url, pacer=pacer, sleep=sleeps)
    url = "HTTP" + emulator.base_url.removeprefix("http") + SC  # the scheme in capitals
    assert graph.get(url).status == 200
    assert graph.get(url).status == 200
    assert sleeps == [1.0]


def test_a_route_of_every_path_paces_the_root_of_the_base_url_too(
    mocked: responses.RequestsMock, sleeps
):
    # The emulator serves no service document at the root; Graph does.
    mocked.get(BASE, json={"value": []})
    bucket = TokenBucket(1.0, 1, clock=_clock(sleeps))
    pacer = Pacer(routes=[("", "all")], requests={"all": bucket}, writes={}, default=None)
    graph = GraphClient(BASE, pacer=pacer, sleep=sleeps)
    graph.get(BASE)
    graph.get(BASE)
    assert sleeps == [1.0]


def test_a_429_with_a_retry_after_is_waited_out_with_no_attempt_left(emulator):
    emulator.configure(throttle=True, request_limit="10/1")
    emulator.drain()  # the next request gets a 429 with Retry-After 0.10
    graph = GraphClient(emulator.base_url, max_attempts=1)
    assert graph.list_all(SC) == []
    assert graph.stats.throttled >= 1


def test_budget_zero_runs_a_plan_unpaced(capsys, make_emulator, tmp_path):
    emulator = make_emulator(seed=macro_policies(2))
    root = tmp_path / "m"
    exported = run(capsys, "export", "--graph-url", emulator.base_url, "--out", str(root))
    assert exported.code == 0, exported.err
    result = run(capsys, "plan", str(root), "--graph-url", emulator.base_url, "--budget", "0")
    assert result.code == 0, result.err
    assert "No changes" in result.out, result.out
