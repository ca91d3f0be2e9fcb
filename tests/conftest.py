"""Fixtures shared by every test package: a running Graph emulator.

- ``emulator``: a fresh emulator with default options for one test.
- ``make_emulator(**options)``: start more, or with options (the keyword arguments of
  ``reconciler.emulator.running_emulator``); all are stopped at teardown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from reconciler.emulator import Emulator, running_emulator


@pytest.fixture(autouse=True, scope="session")
def _apply_locks_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Apply locks live in this run's temporary folder, not the user's own lock folder;
    subprocesses inherit the setting. Tests of the lock choose their own folders."""
    previous = os.environ.get("RECONCILER_LOCK_DIR")
    os.environ["RECONCILER_LOCK_DIR"] = str(tmp_path_factory.mktemp("locks"))
    yield
    if previous is None:
        os.environ.pop("RECONCILER_LOCK_DIR", None)
    else:
        os.environ["RECONCILER_LOCK_DIR"] = previous


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with running_emulator() as emu:
        yield emu


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    with ExitStack() as stack:

        def start(**options: Any) -> Emulator:
            return stack.enter_context(running_emulator(**options))

        yield start
