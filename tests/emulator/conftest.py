"""A `Graph` session on the default `emulator` fixture, and `SettingsCatalog` and
`AdminTemplates` ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from tests.support.raw import Graph

from .at import AdminTemplates, Office
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


@pytest.fixture
def at(emulator: Emulator) -> Iterator[AdminTemplates]:
    session = AdminTemplates(emulator)
    yield session
    session.close()


@pytest.fixture
def office(at: AdminTemplates) -> Office:
    """The catalog entries Administrative Templates value tests write."""
    return Office(at)
