"""A `Graph` session on the default `emulator` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from tests.support.raw import Graph


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[Graph]:
    session = Graph(emulator)
    yield session
    session.close()
