"""Append-only audit log: a `sent` line before each write goes out and an `outcome` line
when its answer arrives, each with its own time, flushed at once. Holds no headers, bodies
or secrets: the step, its method and resolved path, the status and Graph's request-id.

Outcomes: `applied`, `failed`, `unknown` (the answer never came: a dropped connection,
a timeout, an abort; the write may have landed), `compensated` (apply removed an object it
had just created because another apply created the same one at the same time).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.errors import FileWriteError


class AuditLog:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        return self._path

    def check(self) -> None:
        """Create the log (and its folder) now and make sure it can be appended to: before
        the tenant is read, so no write can land without its line."""
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8"):
                pass
        except OSError as error:
            raise FileWriteError(
                f"{self._path}: cannot write the audit log: {error.strerror or error}",
                hint="Choose another --audit-log or --state-dir; nothing was read or written.",
            ) from None

    def record(self, **fields: Any) -> None:
        if self._path is None:
            return
        line = json.dumps({"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **fields})
        with self._lock, self._path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            # Flushed to the OS: a killed process loses nothing written. No fsync per line:
            # thousands of writes would each wait for the disk, for a power-cut guarantee.
            handle.flush()
