"""The per-tenant apply lock: a second apply fails at once naming the holder, waits with
--lock-timeout, and force-unlock removes a lock by its id; plan and drift take none."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import lock
from reconciler.errors import ConfigError
from tests.support.cli import run, run_process
from tests.support.manifests import policy_doc, write_set


def test_a_held_lock_refuses_a_second_apply_naming_the_holder(
    capsys, emulator, tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "locks"))
    m = write_set(tmp_path / "m", policy_doc("a", "A", 1))
    with lock.tenant_lock(emulator.base_url, "") as holder:
        refused = run(
            capsys,
            "apply",
            str(m),
            "--graph-url",
            emulator.base_url,
            "--auto-approve",
            "--state-dir",
            str(tmp_path / "s"),
        )
        assert refused.code == 1
        assert (
            f"another apply holds the lock for {lock.lock_key(emulator.base_url, '')} "
            f"(lock {holder.lock_id}, pid {os.getpid()} on {socket.gethostname()} since "
        ) in refused.err
        assert (
            f"hint: Wait for it (--lock-timeout 5m), or if it is gone for good: reconciler force-unlock {holder.lock_id}"
            in refused.err
        )
        assert emulator.stats()["writes"] == 0
        # plan and drift take no lock
        assert run(capsys, "plan", str(m), "--graph-url", emulator.base_url).code == 0


def test_lock_timeout_waits_for_the_holder(capsys, emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "locks"))
    m = write_set(tmp_path / "m", policy_doc("a", "A", 1))
    held = threading.Event()

    def hold() -> None:
        with lock.tenant_lock(emulator.base_url, ""):
            held.set()
            time.sleep(1.0)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    started = time.monotonic()
    waited = run(
        capsys,
        "apply",
        str(m),
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--write-rate",
        "0",
        "--state-dir",
        str(tmp_path / "s"),
        "--lock-timeout",
        "10s",
    )
    holder.join()
    assert waited.code == 0, waited.err
    assert "Waiting for another apply to this tenant to finish" in waited.err
    assert time.monotonic() - started >= 0.5


def test_a_lock_is_released_when_its_process_dies(emulator, tmp_path):
    env = {"RECONCILER_LOCK_DIR": str(tmp_path / "locks")}
    code = (
        "import os,sys; from reconciler.apply import lock\n"
        f"with lock.tenant_lock({emulator.base_url!r}, ''):\n    os._exit(0)\n"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, check=True, timeout=60)
    m = write_set(tmp_path / "m", policy_doc("a", "A", 1))
    applied = run_process(
        "apply",
        m,
        "--graph-url",
        emulator.base_url,
        "--auto-approve",
        "--write-rate",
        "0",
        "--state-dir",
        tmp_path / "s",
        env=env,
    )
    assert applied.code == 0, applied.err


def test_force_unlock_removes_a_lock_by_its_id(capsys, emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "locks"))
    with lock.tenant_lock(emulator.base_url, "") as holder:
        unknown = run(capsys, "force-unlock", "deadbeef")
        assert unknown.code == 1 and "no apply lock with id deadbeef" in unknown.err
        removed = run(capsys, "force-unlock", holder.lock_id)
        assert removed.code == 0
        assert f"Removed the apply lock {holder.lock_id}" in removed.out
        assert f"warning: pid {os.getpid()} on {socket.gethostname()} still held it" in removed.err
        # A new apply no longer waits for the old holder.
        with lock.tenant_lock(emulator.base_url, "") as second:
            assert re.fullmatch(r"[0-9a-f]{8}", second.lock_id)


def test_lock_timeout_must_be_a_duration(capsys, tmp_path):
    result = run(capsys, "apply", str(tmp_path), "--lock-timeout", "soon")
    assert result.code == 1 and "--lock-timeout soon: not a duration" in result.err


def test_the_lock_folder_is_the_configured_one_else_the_user_state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "mine"))
    assert lock.lock_dir() == tmp_path / "mine"
    monkeypatch.delenv("RECONCILER_LOCK_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert lock.lock_dir() == tmp_path / "xdg" / "reconciler" / "locks"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert lock.lock_dir() == tmp_path / "home" / ".local" / "state" / "reconciler" / "locks"
    monkeypatch.setattr(lock.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert lock.lock_dir() == tmp_path / "local" / "reconciler" / "locks"
    monkeypatch.delenv("LOCALAPPDATA")
    home = tmp_path / "home" / "AppData" / "Local"
    assert lock.lock_dir() == home / "reconciler" / "locks"


def test_force_unlock_finds_its_lock_among_others_and_says_whether_it_was_held(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "locks"))
    with (
        lock.tenant_lock("https://a.test", "t-1") as first,
        lock.tenant_lock("https://b.test", "t-2") as second,
    ):
        pass  # both released: their files (and records) stay
    assert len(list((tmp_path / "locks").glob("apply-*.lock"))) == 2
    for held in sorted((first, second), key=lambda h: lock._file_name(h.key), reverse=True):
        holder, still_held = lock.force_unlock(held.lock_id.upper())
        assert (holder, still_held) == (held, False)
    assert list((tmp_path / "locks").glob("apply-*.lock")) == []
    with pytest.raises(ConfigError) as caught:
        lock.force_unlock(first.lock_id)
    assert str(caught.value) == f"no apply lock with id {first.lock_id} in {tmp_path / 'locks'}"
    assert caught.value.hint == (
        "The id is in the error of the apply that waited; the lock may be released already."
    )


def test_the_key_is_the_origin_and_the_tenant_in_lower_case_and_names_the_file():
    assert lock.lock_key("HTTPS://Graph.Example:8443/beta/x", "TID-1") == (
        "https://graph.example:8443 tid-1"
    )
    assert lock.lock_key("https://graph.example/v1.0", "") == "https://graph.example"
    assert re.fullmatch(r"apply-[0-9a-f]{16}\.lock", lock._file_name("https://g tid"))


class FakeLocks:
    """fcntl's or msvcrt's calls, recorded with where the file stood (the lock's offset)."""

    LOCK_EX, LOCK_NB, LOCK_UN = 2, 4, 8  # fcntl
    LK_NBLCK, LK_UNLCK = 2, 0  # msvcrt

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[tuple[int, ...]] = []
        self.refuse = refuse

    def flock(self, fd: int, operation: int) -> None:
        self.calls.append((operation,))
        if self.refuse:
            raise OSError("refused")

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        self.calls.append((mode, nbytes, os.lseek(fd, 0, os.SEEK_CUR)))
        if self.refuse:
            raise OSError("refused")


def lock_and_unlock(path: Path, monkeypatch: Any, fcntl: Any, msvcrt: Any) -> bool:
    """Whether a lock with these OS modules is taken; it is released (or that is tried)."""
    monkeypatch.setattr(lock, "_os_locks", lambda: (fcntl, msvcrt))
    with path.open("w+b") as handle:
        taken = lock._try_lock(handle)
        lock._unlock(handle)  # an unlock that fails is no error
    return taken


def test_windows_locks_one_byte_far_past_the_holder_record(tmp_path, monkeypatch):
    msvcrt = FakeLocks()
    assert lock_and_unlock(tmp_path / "f", monkeypatch, None, msvcrt)
    offset = 1 << 20
    assert msvcrt.calls == [(FakeLocks.LK_NBLCK, 1, offset), (FakeLocks.LK_UNLCK, 1, offset)]
    assert not lock_and_unlock(tmp_path / "f", monkeypatch, None, FakeLocks(refuse=True))


def test_unix_unlocks_with_flock_and_ignores_its_failure(tmp_path, monkeypatch):
    fcntl = FakeLocks()
    assert lock_and_unlock(tmp_path / "f", monkeypatch, fcntl, None)
    assert fcntl.calls == [(FakeLocks.LOCK_EX | FakeLocks.LOCK_NB,), (FakeLocks.LOCK_UN,)]
    assert not lock_and_unlock(tmp_path / "f", monkeypatch, FakeLocks(refuse=True), None)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("5m", 300), ("2M", 120), ("1h", 3600), (" 1.5H ", 5400), ("0", 0)],
)
def test_lock_timeout_durations(text, seconds):
    assert lock.parse_duration(text) == seconds


def test_the_lock_file_is_made_private_in_a_new_folder_or_the_error_says_where(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "new" / "deeper" / "locks"))
    with lock.tenant_lock("https://g.test", "t") as holder:
        path = lock.lock_dir() / lock._file_name(holder.key)
        assert path.stat().st_mode & 0o777 == 0o600
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("RECONCILER_LOCK_DIR", str(tmp_path / "file" / "locks"))
    with pytest.raises(ConfigError) as caught, lock.tenant_lock("https://g.test", "t"):
        pass
    assert str(caught.value) == (
        f"cannot create the apply lock in {tmp_path / 'file' / 'locks'}: Not a directory"
    )
    assert caught.value.hint == "Set RECONCILER_LOCK_DIR to a folder you can write."


@pytest.mark.parametrize("text", ["soon", "", "-5", "nan", "5x"])
def test_a_lock_timeout_that_is_no_duration_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(ConfigError) as caught:
        lock.parse_duration(text)
    assert str(caught.value) == f"--lock-timeout {text}: not a duration"
    assert caught.value.hint == "Use seconds or e.g. 30s, 5m, 1h."
