"""Certificate client assertions (RFC 7523 ``private_key_jwt``) as Entra ID checks them.

The one emulator module that needs a third-party package: ``cryptography`` (installed with
azure-identity), imported only when a ``client_certificate`` is configured.
"""

from __future__ import annotations

import binascii
import json
import time
from typing import Any

from reconciler.emulator import b64url


def check_signed_assertion(
    assertion: str, *, certificate_pem: str, client_id: str, audience: str
) -> str | None:
    """None when ``assertion`` is a JWT signed (RS256 or PS256) by the certificate's key, with
    ``iss`` = ``sub`` = ``client_id``, ``aud`` = ``audience`` and an ``exp`` in the future;
    otherwise the AAD-style reason."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        head_b64, claims_b64, signature_b64 = assertion.split(".")
        header: dict[str, Any] = json.loads(b64url.decode(head_b64))
        claims: dict[str, Any] = json.loads(b64url.decode(claims_b64))
        signature = b64url.decode(signature_b64)
    except (ValueError, binascii.Error):
        return "The client assertion is not a well-formed JWT."
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return "The configured certificate has no RSA key."
    algorithm = header.get("alg")
    if algorithm == "PS256":
        pad: padding.AsymmetricPadding = padding.PSS(
            mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH
        )
    elif algorithm == "RS256":
        pad = padding.PKCS1v15()
    else:
        return f"Client assertion algorithm {algorithm!r} is not supported."
    try:
        key.verify(signature, f"{head_b64}.{claims_b64}".encode("ascii"), pad, hashes.SHA256())
    except InvalidSignature:
        return "Client assertion failed signature validation."
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        return "The client assertion's issuer and subject must be the client id."
    if claims.get("aud") != audience:
        return f"The client assertion's audience must be {audience}."
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= time.time():
        return "The client assertion has expired."
    return None
