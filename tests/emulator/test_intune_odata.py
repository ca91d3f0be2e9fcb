"""Aspects: the shared Intune OData pieces on their own — the $filter parser's operators and
functions that no route enables yet (contains, startswith, ne, not), precedence, and the
option reader's optional ``$`` (surfaces/intune/odata.py, for other entity sets later)."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.errors import ApiError
from reconciler.emulator.surfaces.intune import odata

SPEC = odata.FilterSpec(
    "microsoft.graph.groupPolicyDefinition",
    {
        "displayName": odata.Field("string", lambda e: e.get("displayName")),
        "classType": odata.Field("enum", lambda e: e["classType"], ("user", "machine")),
    },
    operators=frozenset({"eq", "ne", "and", "or", "not"}),
    functions=frozenset({"contains", "startswith"}),
)
ITEMS: list[dict[str, Any]] = [
    {"displayName": "Block macros", "classType": "user"},
    {"displayName": "Online Repair", "classType": "machine"},
    {"displayName": None, "classType": "user"},
]


def matching(text: str) -> list[object]:
    predicate = odata.parse_filter(text, SPEC)
    return [item["displayName"] for item in ITEMS if predicate(item)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contains(displayName, 'MACRO')", ["Block macros"]),
        ("startswith(displayName,'Online') and classType eq 'machine'", ["Online Repair"]),
        ("classType ne 'user'", ["Online Repair"]),
        ("not (classType eq 'user')", ["Online Repair"]),
        ("displayName eq null", [None]),
        ("classType eq 'machine' or classType eq 'user' and displayName eq 'x'", ["Online Repair"]),
        ("(classType eq 'machine' or classType eq 'user') and displayName eq 'x'", []),
        ("displayName eq 'it''s'", []),
    ],
)
def test_filters(text: str, expected: list[object]) -> None:
    assert matching(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "endswith(displayName,'s')",
        "classType has 'user'",
        "classType eq 'both'",
        "nosuch eq 'x'",
        "contains(classType,'u')",
    ],
)
def test_refusals(text: str) -> None:
    with pytest.raises(ApiError) as refused:
        odata.parse_filter(text, SPEC)
    assert refused.value.status == 400


def test_options_take_the_dollar_or_not_and_refuse_the_rest() -> None:
    assert odata.options(
        {"top": "5", "$filter": "x", "foo": "1"}, ("top", "filter"), where="x"
    ) == {"top": "5", "filter": "x"}
    for query in ({"$orderby": "x"}, {"count": "true"}, {"top": "1", "$top": "2"}):
        with pytest.raises(ApiError):
            odata.options(query, ("top",), where="x")
