"""Timestamps as Intune writes them (seven fractional digits and ``Z``, e.g.
``2025-09-09T06:25:04.3778917Z``), from a clock that never hands out the same moment twice,
so two writes in one microsecond still move ``lastModifiedDateTime`` forward; and the check
a seed's timestamps get."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.emulator.errors import bad_request


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


class Clock:
    def __init__(self) -> None:
        self._last = datetime.now(UTC)

    def now(self) -> str:
        """Now, but always later than the last time handed out."""
        moment = max(datetime.now(UTC), self._last + timedelta(microseconds=1))
        self._last = moment
        return timestamp(moment)


def check_timestamps(entry: Mapping[str, Any], names: Iterable[str], where: str) -> None:
    """A seed's timestamps are ISO 8601 strings when given (a 400 naming ``where`` if not)."""
    for name in names:
        if entry.get(name) is not None:
            try:
                datetime.fromisoformat(entry[name])
            except (TypeError, ValueError):
                raise bad_request(f"{where}: '{name}' is not a timestamp") from None
