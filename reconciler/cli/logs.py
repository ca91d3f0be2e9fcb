"""Logging for `-v` (INFO: requests, retries, throttle waits) and `--debug` (DEBUG, and
tracebacks of unexpected errors); `RECONCILER_LOG=info|debug` does the same from the
environment. Every record passes through the same redaction as error messages, so a token
that reaches a log line by any route is replaced."""

from __future__ import annotations

import logging
import os
import sys

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from reconciler.fetch.translate import redact

        return redact(super().format(record))


def configure(*, debug: bool, verbose: bool) -> bool:
    """Set up stderr logging; True when the run is in debug mode."""
    wanted = os.environ.get("RECONCILER_LOG", "").strip().lower()
    level = (
        logging.DEBUG
        if debug or wanted == "debug"
        else logging.INFO
        if verbose or wanted == "info"
        else None
    )
    root = logging.getLogger("reconciler")
    azure = logging.getLogger("azure.identity")
    for logger in (root, azure):  # an earlier run in this process (tests) may have set one
        for stale in [h for h in logger.handlers if getattr(h, "reconciler_cli", False)]:
            logger.removeHandler(stale)
    if level is None:
        root.setLevel(logging.NOTSET)
        root.propagate = True
        azure.setLevel(logging.NOTSET)
        return False
    handler = logging.StreamHandler(sys.stderr)
    handler.reconciler_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(_Redacting("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    if level == logging.DEBUG:
        # azure-identity says which credential it tried and why it failed; redacted above.
        azure.addHandler(handler)
        azure.setLevel(logging.DEBUG)
    return level == logging.DEBUG
