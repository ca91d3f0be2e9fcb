"""Fixtures for the credential tests.

- every test starts from an environment without credential, cloud, CI or CA variables and
  with a HOME of its own, so the host's own `az login`, AZURE_* settings or token caches
  cannot leak in, and sign-ins are never saved in the real home;
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

_PREFIXES = (
    *("AZURE_", "RECONCILER_", "IDENTITY_", "MSI_", "IMDS_"),
    *("ACTIONS_", "SYSTEM_", "AZURESUBSCRIPTION_"),
)
_NAMES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "BROWSER", "XDG_CONFIG_HOME", "APPDATA")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)
    # A home of its own: sign-in caches and records never touch the real one.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
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
