"""Aspect: crash safety. An apply process is killed with SIGKILL at 24 points: as each
of the 16 top-level requests of an uninterrupted run arrives (reads of the plan, of the
stale check, the creates, the listing that checks them, the re-check before the second
round, the write batches, the verifying reads), and right after a write
landed but before its reply reached the process (the first, third and fifth create, the
first batched write, the last write). Then:
- a fresh apply of the same manifests converges: no duplicate, the tenant matches, and a
  new plan is empty;
- the backup the interrupted run wrote before its first write, applied as a manifest set,
  brings every object it holds back to the state before the interrupted run.

The killed process is a real OS process. Most are forked from a forkserver that has the
package imported already (a fresh interpreter takes over a second to import it); three are
`python -m reconciler` itself. The kill is sent from inside the emulator, synchronously, at
the exact request where the point lies, so the points do not depend on timing.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.support.cli import cli_run
from tests.support.raw import settle

from .scenario import seed, write_desired
from .support import assert_matches, assert_no_duplicates, tenant_view

ARRIVAL_POINTS = range(1, 17)  # kill as the n-th top-level request arrives (of 16)
WRITE_POINTS = (1, 3, 5, 6, 25)  # kill right after the k-th write landed (of 25)
PROCESS_POINTS = (("request", 4), ("request", 9), ("write", 2))  # `python -m reconciler`
KILL_POINTS = len(ARRIVAL_POINTS) + len(WRITE_POINTS) + len(PROCESS_POINTS)

_FORKSERVER = multiprocessing.get_context("forkserver")
_FORKSERVER.set_forkserver_preload(
    [
        "reconciler.cli",
        "reconciler.apply.executor",
        "reconciler.engine.planner",
        "reconciler.load.manifests",
    ]
)


def run_cli_in_child(argv: list[str], log: str) -> None:
    """The forked process: the CLI with its output in a file, exiting with its exit code."""
    from reconciler import cli

    with open(log, "w", encoding="utf-8") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        code = cli.main(argv)
    os._exit(code)


class Killer:
    """Sends SIGKILL to `pid` from the emulator's own thread when `when(kind, count)` says so;
    `kind` is "request" (a top-level request, on arrival) or "write" (a write, top-level or
    batched, once applied)."""

    def __init__(self, emu: Emulator, when: Callable[[str, int], bool]) -> None:
        self.pid: int | None = None
        self.fired = threading.Event()
        self._when = when
        self._counts = {"request": 0, "write": 0}
        self._lock = threading.Lock()
        stats = emu.app.stats
        request, log_write = stats.request, stats.log_write

        def on_request(*args: Any, **kwargs: Any) -> None:
            request(*args, **kwargs)
            if not kwargs["in_batch"]:
                self._tick("request")

        def on_write(*args: Any, **kwargs: Any) -> None:
            log_write(*args, **kwargs)
            self._tick("write")

        stats.request = on_request  # type: ignore[method-assign]
        stats.log_write = on_write  # type: ignore[method-assign]

    def _tick(self, kind: str) -> None:
        with self._lock:
            self._counts[kind] += 1
            if self.pid is None or self.fired.is_set() or not self._when(kind, self._counts[kind]):
                return
            self.fired.set()
            os.kill(self.pid, signal.SIGKILL)


def apply_argv(emu: Emulator, root: Path, state: Path) -> list[str]:
    return [
        "apply", str(root), "--graph-url", emu.base_url, "--auto-approve", "--prune", "--scope", "*/*",
        "--state-dir", str(state), "--write-rate", "0",
    ]  # fmt: skip


def run_killed(emu: Emulator, root: Path, work: Path, killer: Killer, *, real: bool) -> None:
    argv = apply_argv(emu, root, work / "killed")
    if real:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        killer.pid = proc.pid
        code: int | None = proc.wait(timeout=60)
    else:
        child = _FORKSERVER.Process(target=run_cli_in_child, args=(argv, str(work / "child.log")))
        child.start()
        killer.pid = child.pid
        child.join(timeout=60)
        code = child.exitcode
    assert killer.fired.is_set(), f"the apply ended (exit {code}) before its kill point"
    assert code == -signal.SIGKILL
    settle(emu)


def recover_and_restore(emu: Emulator, root: Path, work: Path, documents: list[Any]) -> None:
    converged = cli_run(*apply_argv(emu, root, work / "fresh"))
    assert converged.code == 0, converged.out + converged.err
    assert_no_duplicates(emu)
    assert_matches(emu, documents)
    again = cli_run(
        "plan",
        root,
        "--graph-url",
        emu.base_url,
        "--prune",
        "--scope",
        "*/*",
        "--detailed-exitcode",
    )
    assert again.code == 0, again.out


def assert_backup_restores(emu: Emulator, work: Path, earlier: dict[str, Any]) -> None:
    backups = sorted((work / "killed" / "backups").iterdir())
    assert len(backups) == 1, backups
    restored = cli_run(
        "apply", backups[0], "--graph-url", emu.base_url, "--auto-approve",
        "--state-dir", work / "restore", "--write-rate", "0",
    )  # fmt: skip
    assert restored.code == 0, restored.out + restored.err
    assert_no_duplicates(emu)
    now = tenant_view(emu)
    for name, state in earlier.items():
        assert name in now, f"{name!r} was not restored"
        # a deleted object comes back as a new object: compare everything but the id
        assert {**now[name], "id": None} == {**state, "id": None}, name


def crash_and_recover(
    emu: Emulator, tmp_path: Path, when: Callable[[str, int], bool], *, real: bool = False
) -> None:
    root, documents = write_desired(tmp_path / "m")
    earlier = tenant_view(emu)
    killer = Killer(emu, when)
    run_killed(emu, root, tmp_path, killer, real=real)
    wrote = emu.stats()["writes"] > 0
    if not wrote:
        assert tenant_view(emu) == earlier, "a run killed before writing changed the tenant"
    recover_and_restore(emu, root, tmp_path, documents)
    if wrote:
        assert_backup_restores(emu, tmp_path, earlier)


def point(kind: str, number: int) -> Callable[[str, int], bool]:
    return lambda seen_kind, count: seen_kind == kind and count == number


@pytest.mark.parametrize("n", ARRIVAL_POINTS)
def test_killed_as_the_nth_request_arrives(make_emulator, tmp_path, n):
    crash_and_recover(make_emulator(seed=seed()), tmp_path, point("request", n))


@pytest.mark.parametrize("k", WRITE_POINTS)
def test_killed_after_the_kth_write_landed(make_emulator, tmp_path, k):
    crash_and_recover(make_emulator(seed=seed()), tmp_path, point("write", k))


@pytest.mark.parametrize(("kind", "number"), PROCESS_POINTS)
def test_python_m_reconciler_killed(make_emulator, tmp_path, kind, number):
    crash_and_recover(make_emulator(seed=seed()), tmp_path, point(kind, number), real=True)


def test_at_least_twenty_kill_points():
    assert KILL_POINTS >= 20


def test_the_points_cover_a_whole_apply(make_emulator, tmp_path):
    """The points above are every top-level request and the last write of an uninterrupted
    run; when the executor's requests change, change ARRIVAL_POINTS and WRITE_POINTS."""
    emu = make_emulator(seed=seed())
    root, _ = write_desired(tmp_path / "m")
    result = cli_run(*apply_argv(emu, root, tmp_path / "s"))
    assert result.code == 0, result.err
    stats = emu.stats()
    assert (stats["total"], stats["writes"]) == (len(ARRIVAL_POINTS), max(WRITE_POINTS))
