"""Microsoft's generated SDK pointed at an emulator: ``run(scenario)`` runs one coroutine
``scenario(client, adapter)`` against a fresh emulator that requires a static bearer token
(a kiota access-token provider), with the request adapter's base URL set to the emulator's
``/beta``; ``run.emulator`` is that emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph_beta import GraphRequestAdapter, GraphServiceClient

from reconciler.emulator import Emulator

TOKEN = "sdk-static-token"
Scenario = Callable[[GraphServiceClient, GraphRequestAdapter], Awaitable[Any]]


class StaticToken(AccessTokenProvider):
    """A kiota access-token provider that hands out one token, for the emulator's host only."""

    def __init__(self, host: str) -> None:
        self._hosts = AllowedHostsValidator([host])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: Any = None
    ) -> str:
        return TOKEN if self._hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


def client_for(emulator: Emulator) -> tuple[GraphServiceClient, GraphRequestAdapter]:
    host = urlparse(emulator.base_url).hostname or ""
    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(host)))
    adapter.base_url = emulator.base_url
    return GraphServiceClient(request_adapter=adapter), adapter


@pytest.fixture
def run(make_emulator) -> Callable[[Scenario], Any]:
    """Run one coroutine against a fresh emulator that requires the static token."""
    emulator: Emulator = make_emulator(token=TOKEN)

    def runner(scenario: Scenario) -> Any:
        async def main() -> Any:
            client, adapter = client_for(emulator)
            return await scenario(client, adapter)

        return asyncio.run(main())

    runner.emulator = emulator  # type: ignore[attr-defined]
    return runner
