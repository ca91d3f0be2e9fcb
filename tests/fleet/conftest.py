"""Fixtures for the fleet tests: the credential tests' clean environment (no host
credentials, a home of their own), their generated certificates, and `fleet_emulator`,
the multi-tenant emulator over https (azure-identity insists on an https authority)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.auth.conftest import clean_environment, pki  # noqa: F401 (fixtures)
from tests.auth.pki import Pki

from . import support


@pytest.fixture
def fleet_emulator(
    make_emulator: Callable[..., Emulator],
    pki: Pki,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Emulator]:
    def start(**options: Any) -> Emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_bundle))
        return support.start(make_emulator, pki.server_context(), **options)

    return start
