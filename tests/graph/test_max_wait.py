"""`--max-wait` end to end: a plan that starts while the tenant's bucket is drained (by the
portal, another tool, a benchmark's seeding) waits it out and finishes, however many
429s that takes; a throttle that outlasts --max-wait fails the run in one clear line,
soon, instead of sleeping through a Retry-After it will not live to see."""

from __future__ import annotations

import time

from tests.settings_catalog.samples import macro_policies
from tests.support.cli import run


def _exported(capsys, make_emulator, tmp_path, count: int):
    emulator = make_emulator(seed=macro_policies(count, "w"))
    root = tmp_path / "m"
    exported = run(capsys, "export", "--graph-url", emulator.base_url, "--out", str(root))
    assert exported.code == 0, exported.err
    return emulator, root


def test_a_plan_started_on_a_drained_bucket_waits_it_out_and_finishes(
    capsys, make_emulator, tmp_path
):
    emulator, root = _exported(capsys, make_emulator, tmp_path, 24)
    # Slower than the client's own pacing (--budget 1 is 50/s), so the client keeps
    # running into the emulator's empty bucket: many 429s, each waited out.
    emulator.configure(throttle=True, request_limit="20/1")
    emulator.drain()
    result = run(
        capsys, "plan", str(root), "--graph-url", emulator.base_url, "--budget", "1",
        "--max-wait", "60s", "--format", "json",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert emulator.stats()["throttled"] > 8  # more 429s than a count of tries would allow


def test_a_throttle_longer_than_max_wait_fails_soon_in_one_line(capsys, make_emulator, tmp_path):
    emulator, root = _exported(capsys, make_emulator, tmp_path, 3)
    emulator.configure(throttle=True, request_limit="1/300")  # Retry-After: about 5 minutes
    emulator.drain()
    started = time.monotonic()
    result = run(
        capsys, "plan", str(root), "--graph-url", emulator.base_url, "--max-wait", "2s"
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.code == 1
    assert "Traceback" not in result.err
    error = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.err
    assert "429" in error[0] or "throttl" in error[0].lower(), result.err
    assert "longer than --max-wait" in result.err
    assert took < 60  # gave up at once, not after the 300 s Retry-After
    assert emulator.stats()["writes"] == 0
