"""Aspects: reading roles/scp from a JWT without verifying it, which permission satisfies
which (ReadWrite implies Read), opaque tokens skipped, and the message naming the missing
permission."""

from __future__ import annotations

import base64
import json

import pytest

from reconciler.errors import AuthError
from reconciler.fetch.auth.permissions import READ, WRITE, granted, jwt_claims, require


def jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_roles_and_scopes_are_both_read() -> None:
    claims = jwt_claims(jwt({"roles": ["A.Read.All"], "scp": "B.Read C.Write"}))
    assert claims is not None
    assert granted(claims) == {"A.Read.All", "B.Read", "C.Write"}


@pytest.mark.parametrize(
    "token",
    [
        "opaque-token-value",
        "a.b",
        "a.b.c.d.e",
        "a.!!!.c",
        f"x.{base64.b64encode(b'[1]').decode()}.y",
    ],
)
def test_opaque_or_odd_tokens_are_not_checked(token: str) -> None:
    assert jwt_claims(token) is None
    require(token, WRITE, outcome="stopped")  # no error: Graph will judge


@pytest.mark.parametrize(
    ("claims", "needed"),
    [
        ({"roles": [WRITE]}, WRITE),
        ({"roles": [WRITE]}, READ),
        ({"roles": [READ]}, READ),
        ({"scp": f"User.Read {WRITE}"}, WRITE),
        ({"scp": READ}, READ),
    ],
)
def test_sufficient_permissions_pass(claims: dict, needed: str) -> None:
    require(jwt(claims), needed, outcome="stopped")


def test_read_only_app_is_stopped_before_writing_with_the_permission_named() -> None:
    with pytest.raises(AuthError) as caught:
        require(jwt({"roles": [READ]}), WRITE, outcome="the apply stopped")
    message = str(caught.value)
    assert WRITE in message and f"it has {READ}" in message and "the apply stopped" in message
    assert "application permission" in caught.value.hint and "admin consent" in caught.value.hint


def test_delegated_token_without_the_scope_names_a_scope() -> None:
    with pytest.raises(AuthError) as caught:
        require(jwt({"scp": "User.Read"}), WRITE, outcome="stopped")
    assert "scope" in caught.value.hint


def test_token_with_no_permissions_at_all_is_stopped() -> None:
    with pytest.raises(AuthError, match=READ):
        require(jwt({"aud": "https://graph.microsoft.com"}), READ, outcome="stopped")
