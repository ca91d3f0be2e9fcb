"""The cyclic garbage collector paused while a large, long-lived value is built.

Loading 5,000 manifests, or planning against 5,000 policies, makes millions of small
containers and keeps nearly all of them (or frees them by reference counting): the
collector's scans, triggered by the allocation count alone, found nothing to free and took
a fifth of the load and of `make_plan`. Reference counting still frees what is dropped; a
cycle made meanwhile waits for the next collection after the pause.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
