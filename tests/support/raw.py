"""The emulator reached with plain `requests` (never the project's own client), as an
out-of-band admin would; the Graph error shape; waiting for a dead process's requests."""

from __future__ import annotations

import time
from typing import Any

import requests

from reconciler.emulator import Emulator

from .tenant import CLIENT_TYPE, GROUP_TARGET, POLICIES


def group_target(group_id: str) -> dict[str, str]:
    return {"@odata.type": GROUP_TARGET, "groupId": group_id}


class Graph:
    """A `requests.Session` bound to one emulator's base URL."""

    def __init__(self, emulator: Emulator, token: str | None = None) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return self.emulator.base_url + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        url = path if path.startswith("http") else self.url(path)
        return self.session.request(method, url, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, priority: int, odata_type: str = CLIENT_TYPE, **fields: Any) -> dict[str, Any]:
        body = {"@odata.type": odata_type, "priority": priority, **fields}
        response = self.post(POLICIES, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def batch(self, *requests_: dict[str, Any]) -> requests.Response:
        return self.post("/$batch", json={"requests": list(requests_)})

    def close(self) -> None:
        self.session.close()


def assert_graph_error(response: requests.Response, status: int, code: str | None = None) -> str:
    """The Graph error JSON of graph-spec §3.1 with a request-id matching the header;
    returns the message."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    if code is not None:
        assert error["code"] == code
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    return str(error["message"])


def raw(emulator: Emulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    """Talk to the emulator directly, as an out-of-band admin would (not via our client)."""
    return requests.request(method, emulator.base_url + path, timeout=10, **kwargs)


def live_policies(emulator: Emulator) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = emulator.base_url + POLICIES
    while url:
        body = requests.get(url, timeout=10).json()
        items += body["value"]
        url = body.get("@odata.nextLink")
    return items


def by_name(emulator: Emulator) -> dict[str, dict[str, Any]]:
    policies = live_policies(emulator)
    names = [p["displayName"] for p in policies]
    assert len(names) == len(set(names)), f"duplicates in tenant: {names}"
    return {p["displayName"]: p for p in policies}


def writes(emulator: Emulator) -> int:
    return int(emulator.stats()["writes"])


def settle(emu: Emulator) -> None:
    """Wait until the emulator has finished the requests the dead process left in flight
    (each write is counted on arrival and logged when done), as Graph would."""
    quiet = 0
    deadline = time.monotonic() + 10
    while quiet < 3 and time.monotonic() < deadline:
        stats = emu.stats()
        quiet = quiet + 1 if stats["writes"] == len(stats["write_log"]) else 0
        time.sleep(0.01)
