"""Payloads compare by canonical JSON: key order and spacing do not matter, JSON types do."""

import json

from reconciler.values.canonical import Payload, canonical_json, plain, sha256_json


def test_key_order_and_spacing_do_not_matter():
    assert Payload.of(json.loads('{"b": [1, 2], "a": {"y": 1, "x": 2}}')) == Payload.of(
        {"a": {"x": 2, "y": 1}, "b": [1, 2]}
    )


def test_json_types_are_not_confused():
    # Python says True == 1 == 1.0; JSON says these are three different documents.
    assert len({Payload.of(True), Payload.of(1), Payload.of(1.0)}) == 3
    assert Payload.of([1, 2]) != Payload.of([2, 1])


def test_canonical_json_is_the_same_for_a_payload_and_its_value():
    value = {"settings": [{"id": "é", "on": True}], "n": 1.5}
    assert canonical_json(Payload.of(value)) == canonical_json(value)
    # Inside a larger value too (fingerprints hash whole objects holding payloads).
    assert sha256_json({"p": Payload.of(value)}) == sha256_json({"p": value})


def test_plain_gives_a_fresh_copy():
    payload = Payload.of({"a": [1]})
    first = plain(payload)
    first["a"].append(2)
    assert plain(payload) == {"a": [1]}
    assert plain({"a": 1}) == {"a": 1}  # anything else passes through


def test_payloads_as_text_identify_without_parsing():
    one, other = Payload.of({"a": 1}), Payload.of({"a": 2})
    assert canonical_json({"p": one}, payloads_as_text=True) == '{"p":"{\\"a\\":1}"}'
    assert canonical_json([one], payloads_as_text=True) != canonical_json(
        [other], payloads_as_text=True
    )
