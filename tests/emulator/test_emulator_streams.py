"""Aspects: the payload stream URLs (GET raw bytes, PUT raw bytes) in both stream modes,
inline base64 in entity JSON (inline mode), and what separate mode leaves out."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.raw import Graph
from tests.support.tenant import POLICIES

PAYLOAD = json.dumps({"settings": [{"name": "x", "value": 1}]}).encode()


@pytest.mark.parametrize("streams", ["inline", "separate"])
@pytest.mark.parametrize("name", ["policyPayload", "userPreferencePayload"])
def test_put_then_get_raw_bytes(make_emulator, streams: str, name: str) -> None:
    graph = Graph(make_emulator(streams=streams))
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/{name}"
    unset = graph.get(url)
    assert unset.status_code == 204 and unset.content == b""

    put = graph.put(url, data=PAYLOAD, headers={"Content-Type": "application/octet-stream"})
    assert put.status_code == 204 and put.content == b""
    got = graph.get(url)
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.content == PAYLOAD

    entity = graph.get(f"{POLICIES}/{policy['id']}").json()
    if streams == "inline":
        assert base64.b64decode(entity[name]) == PAYLOAD
    else:
        assert name not in entity


def test_inline_mode_accepts_and_echoes_base64(graph: Graph) -> None:
    encoded = base64.b64encode(PAYLOAD).decode()
    policy = graph.create(1, policyPayload=encoded, userPreferencePayload=None)
    assert policy["policyPayload"] == encoded and policy["userPreferencePayload"] is None
    assert graph.get(f"{POLICIES}/{policy['id']}/policyPayload").content == PAYLOAD
    cleared = graph.patch(f"{POLICIES}/{policy['id']}", json={"policyPayload": None})
    assert cleared.json()["policyPayload"] is None
    assert graph.get(f"{POLICIES}/{policy['id']}/policyPayload").status_code == 204


def test_url_safe_base64_without_padding_is_decoded(graph: Graph) -> None:
    data = b"\xfb\xff\xfe binary"
    encoded = base64.urlsafe_b64encode(data).decode().rstrip("=")
    policy = graph.create(1, policyPayload=encoded)
    assert policy["policyPayload"] == encoded  # echoed as sent
    assert graph.get(f"{POLICIES}/{policy['id']}/policyPayload").content == data


def test_separate_mode_stores_inline_values_but_hides_them(make_emulator) -> None:
    graph = Graph(make_emulator(streams="separate"))
    policy = graph.create(1, policyPayload=base64.b64encode(b"abc").decode())
    assert "policyPayload" not in policy and "userPreferencePayload" not in policy
    assert graph.get(f"{POLICIES}/{policy['id']}/policyPayload").content == b"abc"
    listed = graph.get(POLICIES).json()["value"][0]
    assert "policyPayload" not in listed


def test_empty_put_stores_empty_bytes(graph: Graph) -> None:
    policy = graph.create(1)
    url = f"{POLICIES}/{policy['id']}/policyPayload"
    assert graph.put(url, data=b"").status_code == 204
    got = graph.get(url)
    assert got.status_code == 200 and got.content == b""
    assert graph.get(f"{POLICIES}/{policy['id']}").json()["policyPayload"] == ""
