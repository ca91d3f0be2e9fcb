"""Plain-`requests` access to an emulator (never the project's own client), and assertions
on the Graph error shape."""

from __future__ import annotations

from typing import Any

import requests

from reconciler.emulator import Emulator

POLICIES = "/officeConfiguration/clientConfigurations"
CLIENT_TYPE = "#microsoft.graph.windowsOfficeClientConfiguration"
SECURITY_TYPE = "#microsoft.graph.windowsOfficeClientSecurityConfiguration"
GROUP_TARGET = "#microsoft.graph.officeConfigurationGroupAssignmentTarget"


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
