"""What a user sees of the requests: the User-Agent and correlation ids the emulator
receives, `-v` request lines with their ids, retries in the log, a quick failure naming
the host when nothing answers, and apply's progress lines without a terminal."""

from __future__ import annotations

import socket
import time

from reconciler import __version__
from tests.support.cli import run_process
from tests.support.manifests import policy_doc, write_set


def _set(tmp_path, count=1):
    docs = [policy_doc(f"p{i}", f"Policy {i}", i + 1) for i in range(count)]
    return write_set(tmp_path / "m", *docs)


def test_requests_carry_the_user_agent(emulator, tmp_path):
    result = run_process("plan", _set(tmp_path), "--graph-url", emulator.base_url)
    assert result.code == 0, result.err
    agents = emulator.stats()["user_agents"]
    assert set(agents) == {f"reconciler/{__version__}"}, agents


def test_verbose_logs_each_request_with_its_ids(make_emulator, tmp_path):
    emulator = make_emulator()
    result = run_process("plan", _set(tmp_path), "--graph-url", emulator.base_url, "-v")
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if " -> 200 in " in line]
    assert lines, result.err
    assert all("request-id=" in line and "client-request-id=" in line for line in lines)
    request_id = lines[0].split("request-id=", 1)[1].split()[0]
    assert len(request_id) == 36  # the emulator's request-id made it to the line
    quiet = run_process("plan", _set(tmp_path), "--graph-url", emulator.base_url)
    assert "request-id=" not in quiet.err


def test_a_retried_request_keeps_its_client_request_id(make_emulator, tmp_path):
    emulator = make_emulator(fail_rate=0.5, random_seed=7)
    result = run_process(
        "plan",
        _set(tmp_path, 3),
        "--graph-url",
        emulator.base_url,
        "-v",
        env={"RECONCILER_LOG": ""},
    )
    assert result.code == 0, result.err
    attempts = emulator.stats()["attempts"]
    retried = {a["client_request_id"] for a in attempts if a["retry_attempt"]}
    assert retried, "the seeded faults retried nothing"
    for cid in retried:
        tries = [a["retry_attempt"] for a in attempts if a["client_request_id"] == cid]
        assert tries == ["", *(str(n) for n in range(1, len(tries)))], tries
    assert "retrying in " in result.err


def test_nothing_answering_fails_in_seconds_and_names_the_host(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = run_process("plan", _set(tmp_path), "--graph-url", f"http://127.0.0.1:{port}/beta")
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert f"could not connect to http://127.0.0.1:{port}" in result.err, result.err
    assert "Traceback" not in result.err
    assert elapsed < 15, elapsed  # generous for a loaded CI machine; the budget is ~3 s


def test_a_paced_apply_prints_plain_progress_lines_without_a_terminal(emulator, tmp_path):
    result = run_process(
        "apply",
        _set(tmp_path, 30),  # more writes than a burst: the paced rest moves chunk by chunk
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--write-rate",
        "15",
        "--state-dir",
        tmp_path / "s",
        env={"RECONCILER_PROGRESS_INTERVAL": "0.2"},
    )
    assert result.code == 0, result.err
    progress = [line for line in result.err.splitlines() if " writes, " in line]
    assert progress, result.err
    assert progress[-1].endswith(tuple("0123456789s")) and "done in" in progress[-1]
    assert all("\r" not in line and "\033" not in line for line in progress)
    middle = [line for line in progress if " left" in line]
    assert middle and middle[0].split("/")[1].split()[0] == progress[-1].split("/")[1].split()[0]
