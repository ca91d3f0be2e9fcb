"""A `Graph` session on the default `emulator` fixture, and a `SettingsCatalog` one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from tests.support.raw import Graph

from .sc import SettingsCatalog


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[Graph]:
    session = Graph(emulator)
    yield session
    session.close()


@pytest.fixture
def sc(emulator: Emulator) -> Iterator[SettingsCatalog]:
    session = SettingsCatalog(emulator)
    yield session
    session.close()
