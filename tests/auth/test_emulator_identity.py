"""Aspects of the emulator's identity endpoints that the client flows do not reach: OIDC
discovery, refusals of the managed-identity endpoints (missing Metadata header, wrong
X-IDENTITY-HEADER, unknown identity), certificate assertions that must fail (wrong key,
audience, issuer, expiry), configured token roles, and https serving."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .pki import PFX_PASSWORD
from .support import claims_of

CLIENT = "app-id"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def token_url(emulator) -> str:
    return f"{emulator.root_url}/contoso/oauth2/v2.0/token"


def test_discovery_points_at_the_token_endpoint(tls_emulator) -> None:
    emulator = tls_emulator(client_id=CLIENT, client_secret="s")
    doc = requests.get(
        f"{emulator.root_url}/contoso/v2.0/.well-known/openid-configuration", timeout=5
    ).json()
    assert doc["token_endpoint"] == token_url(emulator)
    assert doc["token_endpoint"].startswith("https://127.0.0.1:")
    assert emulator.stats()["token_requests"] == 0  # discovery is not a token request


def test_imds_needs_the_metadata_header_and_a_known_identity(make_emulator) -> None:
    emulator = make_emulator(managed_identity="mi")
    url = f"{emulator.root_url}/metadata/identity/oauth2/token"
    params = {"api-version": "2018-02-01", "resource": "https://graph.microsoft.com"}
    assert requests.get(url, params=params, timeout=5).status_code == 400
    other = requests.get(
        url, params=params | {"client_id": "x"}, headers={"Metadata": "true"}, timeout=5
    )
    assert other.status_code == 400 and "Identity not found" in other.text
    ok = requests.get(url, params=params, headers={"Metadata": "true"}, timeout=5).json()
    assert ok["resource"] == "https://graph.microsoft.com" and int(ok["expires_in"]) > 0


def test_app_service_endpoint_checks_the_identity_header(make_emulator) -> None:
    emulator = make_emulator(managed_identity="mi", identity_header="h3ader")
    url = f"{emulator.root_url}/msi/token"
    params = {"api-version": "2019-08-01", "resource": "https://graph.microsoft.com"}
    wrong = requests.get(url, params=params, headers={"X-IDENTITY-HEADER": "nope"}, timeout=5)
    assert wrong.status_code == 401 and "h3ader" not in wrong.text
    right = requests.get(url, params=params, headers={"X-IDENTITY-HEADER": "h3ader"}, timeout=5)
    assert right.status_code == 200 and int(right.json()["expires_on"]) > time.time()


def test_token_roles_and_audience_follow_configuration_and_scope(make_emulator) -> None:
    emulator = make_emulator(client_id=CLIENT, client_secret="s", token_roles=("A.Read.All",))
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT,
        "client_secret": "s",
        "scope": "https://graph.microsoft.us/.default",
    }
    token = requests.post(token_url(emulator), data=form, timeout=5).json()["access_token"]
    assert claims_of(token)["roles"] == ["A.Read.All"]
    assert claims_of(token)["aud"] == "https://graph.microsoft.us"


def app_key(pki):
    key, _, _ = pkcs12.load_key_and_certificates(pki.app_pfx.read_bytes(), PFX_PASSWORD.encode())
    return key


def assertion(key, *, aud: str, iss: str = CLIENT, exp_in: float = 600, alg="PS256") -> str:
    now = int(time.time())
    claims = {"aud": aud, "iss": iss, "sub": iss, "jti": "j", "nbf": now, "exp": now + exp_in}
    return jwt.encode(claims, key, algorithm=alg)


@pytest.mark.parametrize("case", ["ok-ps256", "ok-rs256", "other-key", "aud", "iss", "expired"])
def test_certificate_assertions(make_emulator, pki, case: str) -> None:
    emulator = make_emulator(client_id=CLIENT, client_certificate=pki.app_cert_pem)
    aud = token_url(emulator)
    key = app_key(pki)
    made = {
        "ok-ps256": lambda: assertion(key, aud=aud),
        "ok-rs256": lambda: assertion(key, aud=aud, alg="RS256"),
        "other-key": lambda: assertion(
            rsa.generate_private_key(public_exponent=65537, key_size=2048), aud=aud
        ),
        "aud": lambda: assertion(key, aud="https://login.microsoftonline.com/x"),
        "iss": lambda: assertion(key, aud=aud, iss="someone-else"),
        "expired": lambda: assertion(key, aud=aud, exp_in=-5),
    }[case]()
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT,
        "scope": "https://graph.microsoft.com/.default",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": made,
    }
    response = requests.post(aud, data=form, timeout=5)
    if case.startswith("ok"):
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"
