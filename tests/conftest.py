"""Fixtures shared by every test package: a running Graph emulator.

- ``emulator``: a fresh emulator with default options for one test.
- ``make_emulator(**options)``: start more, or with options (the keyword arguments of
  ``reconciler.emulator.running_emulator``); all are stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from reconciler.emulator import Emulator, running_emulator


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
