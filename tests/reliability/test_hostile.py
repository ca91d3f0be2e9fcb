"""Aspect: hostile input. Every case of the corpus (tests/reliability/corpus.py: bombs,
nesting, huge input, encodings, tabs, duplicate keys, type errors, unknown kinds and
fields, payload paths, devices and FIFOs, edited plan files, garbage from the server) ends
in a clear error: exit 1, every stderr line `error: ...` (or its `hint: ...`), no
traceback, and not one write reaches the server. Most run the CLI in-process; the cases
marked `process` also run as `python -m reconciler`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.support.cli import Run, cli_run, run_process
from tests.support.manifests import manifest, write_manifests

from .corpus import CASES, SEED, Case, Context
from .garbage import garbage_server
from .support import assert_clean_failure

VALID = [
    manifest("existing", "Existing", 7, description="managed"),
    manifest("fresh", "Fresh", 8, policyPayload={"a": 1}),
]
# The tenant singleton is read only when a manifest declares it: the server cases that
# corrupt its answer need one (declaring nothing, so it never changes).
SINGLETON = {"apiVersion": "reconciler/v1", "kind": "OfficeConfiguration", "spec": {}}


def make_plan(emu: Emulator, tmp: Path) -> Path:
    """A saved plan with an update and a create, made against `emu`."""
    root = write_manifests(tmp / "valid", VALID)
    path = tmp / f"plan-{emu.port}.json"
    result = cli_run("plan", root, "--graph-url", emu.base_url, "--out", path)
    assert result.code == 0, result.err
    return path


def run(argv: list[str], *, process: bool) -> Run:
    return run_process(*argv, timeout=60) if process else cli_run(*argv)


def run_case(case: Case, ctx: Context, *, process: bool) -> None:
    options = ["--state-dir", str(ctx.tmp / "state"), "--write-rate", "0"]
    if case.routes is not None:
        root = write_manifests(ctx.tmp / "valid", [*VALID, SINGLETON])
        with garbage_server(case.routes) as server:
            argv = ["apply", str(root), "--graph-url", server.base_url, "--auto-approve"]
            result = run(argv + options, process=process)
        assert server.writes() == [], "a write reached the server"
        assert all(s.path.startswith("/beta") for s in server.seen)
    else:
        if case.manifests is not None:
            argv = ["apply", *case.manifests(ctx), "--auto-approve"]
        else:
            assert case.plan is not None
            argv = ["apply", str(case.plan(ctx))]
        before = ctx.emu.stats()["writes"]
        result = run([*argv, "--graph-url", ctx.emu.base_url, *options], process=process)
        assert ctx.emu.stats()["writes"] == before, ctx.emu.stats()["write_log"]
    assert_clean_failure(result)


@pytest.fixture
def context(tmp_path, monkeypatch, make_emulator) -> Context:
    monkeypatch.chdir(tmp_path)
    return Context(
        tmp=tmp_path,
        emu=make_emulator(seed=SEED),
        make_emulator=make_emulator,
        make_plan=lambda emu: make_plan(emu, tmp_path),
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_fails_cleanly_and_writes_nothing(case, context):
    run_case(case, context, process=False)


PROCESS_CASES = [c for c in CASES if c.process]


@pytest.mark.parametrize("case", PROCESS_CASES, ids=[c.id for c in PROCESS_CASES])
def test_hostile_input_as_a_process(case, context):
    run_case(case, context, process=True)


def test_the_corpus_is_large_and_broad():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.category for c in CASES}) >= 12
