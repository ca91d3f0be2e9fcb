"""One apply per tenant at a time, on this machine: an OS file lock per Graph origin and tenant.

The lock is the operating system's (`fcntl.flock` on Unix, `msvcrt.locking` on Windows), so
it is released when the holding process ends however it ends: a crash leaves no stale lock.
A Python with neither applies unlocked, with a warning (`has_os_lock`).
The file also records its holder (lock id, pid, host, start time, command) for the message
another apply prints while it waits or gives up.

Where: `RECONCILER_LOCK_DIR`, else a per-user folder (`%LOCALAPPDATA%\\reconciler\\locks`
on Windows, `$XDG_STATE_HOME/reconciler/locks` or `~/.local/state/reconciler/locks`
elsewhere); never the state folder, so two state folders on one machine still collide.
Two machines never see each other's lock: the apply's per-round re-check covers them.

Key: the Graph origin and the tenant id (the token's `tid`, else `AZURE_TENANT_ID`, else the
origin alone).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from reconciler.errors import ConfigError

POLL_SECONDS = 0.2
# Windows locks byte ranges and a locked range cannot be read; the lock sits far past the
# holder's record so that another process can read who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 20


class LockHeldError(ConfigError):
    """Another apply holds the tenant's lock (after `--lock-timeout`)."""


@dataclass(frozen=True)
class Holder:
    lock_id: str
    pid: int
    host: str
    started: str
    command: str
    key: str

    def describe(self) -> str:
        return f"lock {self.lock_id}, pid {self.pid} on {self.host} since {self.started}"


def lock_dir() -> Path:
    configured = os.environ.get("RECONCILER_LOCK_DIR")
    if configured:
        return Path(configured)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "reconciler" / "locks"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "reconciler" / "locks"


def lock_key(graph_url: str, tenant_id: str) -> str:
    parts = urlsplit(graph_url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return f"{origin} {tenant_id.lower()}".strip()


def _file_name(key: str) -> str:
    return "apply-" + hashlib.sha256(key.encode()).hexdigest()[:16] + ".lock"


def _os_locks() -> tuple[Any, Any]:
    """(fcntl, msvcrt), whichever this platform has; (None, None) where neither is."""
    try:
        import fcntl

        return fcntl, None
    except ImportError:
        pass
    try:
        import msvcrt

        return None, msvcrt
    except ImportError:
        return None, None


def has_os_lock() -> bool:
    return any(_os_locks())


def _try_lock(handle: IO[bytes]) -> bool:
    fcntl, msvcrt = _os_locks()
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:
            handle.seek(_WINDOWS_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    fcntl, msvcrt = _os_locks()
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        elif msvcrt is not None:
            handle.seek(_WINDOWS_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def _read_holder(path: Path) -> Holder | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(4096)
        data: dict[str, Any] = json.loads(raw.split(b"\n", 1)[0])
        return Holder(**{k: data[k] for k in Holder.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(handle: IO[bytes], holder: Holder) -> None:
    handle.seek(0)
    handle.truncate()
    handle.write(json.dumps(holder.__dict__, sort_keys=True).encode() + b"\n")
    handle.flush()


def _open(path: Path) -> IO[bytes]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise ConfigError(
            f"cannot create the apply lock in {path.parent}: {error.strerror or error}",
            hint="Set RECONCILER_LOCK_DIR to a folder you can write.",
        ) from None
    return os.fdopen(fd, "r+b")


def parse_duration(text: str, option: str = "--lock-timeout") -> float:
    """`--lock-timeout` (or `option`): seconds as `90`, `90s`, `5m`, `1h`, or `0`."""
    value = text.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(value[-1:])
    number = value[:-1] if scale else value
    try:
        seconds = float(number) * (scale or 1)
    except ValueError:
        seconds = -1
    if not value or seconds < 0 or seconds != seconds:
        raise ConfigError(
            f"{option} {text}: not a duration", hint="Use seconds or e.g. 30s, 5m, 1h."
        )
    return seconds


@contextlib.contextmanager
def tenant_lock(
    graph_url: str,
    tenant_id: str,
    *,
    timeout: float = 0,
    command: str = "apply",
    on_wait: Callable[[Holder | None], None] | None = None,
) -> Iterator[Holder]:
    """Hold the tenant's apply lock for the block; raise LockHeldError after `timeout` s."""
    key = lock_key(graph_url, tenant_id)
    path = lock_dir() / _file_name(key)
    deadline = time.monotonic() + timeout
    waited = False
    while True:
        handle = _open(path)
        if _try_lock(handle):
            # force-unlock may have removed the file while we waited on the old one.
            if path.exists() and os.path.samestat(os.fstat(handle.fileno()), path.stat()):
                break
            _unlock(handle)
        handle.close()
        holder = _read_holder(path)
        if time.monotonic() >= deadline:
            who = holder.describe() if holder else "a process whose record is unreadable"
            raise LockHeldError(
                f"another apply holds the lock for {key} ({who})",
                hint="Wait for it (--lock-timeout 5m), or if it is gone for good: "
                f"reconciler force-unlock {holder.lock_id if holder else 'LOCK_ID'}",
            )
        if not waited and on_wait is not None:
            on_wait(holder)
        waited = True
        time.sleep(POLL_SECONDS)
    holder = Holder(
        lock_id=secrets.token_hex(4),
        pid=os.getpid(),
        host=socket.gethostname(),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
        key=key,
    )
    try:
        _write_holder(handle, holder)
        yield holder
    finally:
        _unlock(handle)
        handle.close()


def force_unlock(lock_id: str) -> tuple[Holder, bool]:
    """Remove the lock file recorded with `lock_id`; (its holder, whether a process still
    held it). A holder still running keeps working, but new applies stop waiting for it."""
    folder = lock_dir()
    for path in sorted(folder.glob("apply-*.lock")) if folder.is_dir() else []:
        holder = _read_holder(path)
        if holder is None or holder.lock_id != lock_id.strip().lower():
            continue
        with path.open("r+b") as handle:
            free = _try_lock(handle)
            if free:
                _unlock(handle)
        path.unlink(missing_ok=True)
        return holder, not free
    raise ConfigError(
        f"no apply lock with id {lock_id} in {folder}",
        hint="The id is in the error of the apply that waited; the lock may be released already.",
    )
