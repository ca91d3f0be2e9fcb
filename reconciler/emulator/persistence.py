"""Tenant files: read a seed or state document, and save state so a kill never corrupts it.

A save writes a temporary file in the target's directory, fsyncs it, renames it over
the target with ``os.replace`` (atomic on POSIX and Windows) and fsyncs the directory,
so at any instant the file holds either the previous or the next complete state.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.emulator.tenant import Document


def read_tenant(path: str | os.PathLike[str], normalise: Callable[[Any], Document]) -> Document:
    """Load a tenant document and validate it with `normalise`; raises ``ValueError``
    naming the file."""
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read tenant file {path}: {error}") from error
    try:
        return normalise(data)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error


def save_tenant(path: str | os.PathLike[str], tenant: Document) -> None:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(tenant, handle, indent=1, sort_keys=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, hence best effort.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
