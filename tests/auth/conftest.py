"""Fixtures for the credential tests.

- every test starts from an environment without credential, cloud or CA variables, so the
  host's own `az login` or AZURE_* settings cannot leak in;
- ``pki``: generated certificates (see ``pki.py``), once per session;
- ``tls_emulator(**options)``: an emulator served over https with the generated
  certificate, trusted through REQUESTS_CA_BUNDLE for the rest of the test.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.emulator import Emulator

from .pki import Pki, make_pki

_PREFIXES = ("AZURE_", "RECONCILER_", "IDENTITY_", "MSI_", "IMDS_")
_NAMES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)
    # No real `az` either: PATH keeps only the interpreter's directory and the basics.
    monkeypatch.setenv("PATH", os.pathsep.join(["/usr/bin", "/bin"]))


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_emulator(
    make_emulator: Callable[..., Emulator], pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Emulator]:
    def start(**options: object) -> Emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(pki.ca_bundle))
        return make_emulator(tls=pki.server_context(), **options)

    return start
