"""Certificates generated for the tests: a TLS certificate for the emulator on 127.0.0.1
(its own trust anchor, for REQUESTS_CA_BUNDLE) and an app certificate in every form
`--auth certificate` accepts (PEM, PEM with an encrypted key, PFX with a password)."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PFX_PASSWORD = "pfx-pass-Zq81LmX0"  # distinctive, so a leak is easy to find


@dataclass(frozen=True)
class Pki:
    ca_bundle: Path  # the emulator's certificate, to trust via REQUESTS_CA_BUNDLE
    server_key: Path
    app_cert_pem: str  # the app certificate alone (what the emulator is configured with)
    app_pem: Path  # certificate + unencrypted private key
    app_pem_encrypted: Path  # certificate + private key encrypted with PFX_PASSWORD
    app_pfx: Path  # PKCS#12 protected by PFX_PASSWORD
    key_body: str  # a slice of the private key's base64 text, to grep for

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_bundle, self.server_key)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _self_signed(key, common_name: str, *, server: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if server:
        san = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    return builder.sign(key, hashes.SHA256())


def make_pki(root: Path) -> Pki:
    pem = serialization.Encoding.PEM
    pkcs8 = serialization.PrivateFormat.PKCS8
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _self_signed(server_key, "reconciler test emulator", server=True)
    (root / "ca.pem").write_bytes(server_cert.public_bytes(pem))
    (root / "server-key.pem").write_bytes(
        server_key.private_bytes(pem, pkcs8, serialization.NoEncryption())
    )

    app_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    app_cert = _self_signed(app_key, "reconciler test app", server=False)
    cert_pem = app_cert.public_bytes(pem)
    plain_key = app_key.private_bytes(pem, pkcs8, serialization.NoEncryption())
    encrypted_key = app_key.private_bytes(
        pem, pkcs8, serialization.BestAvailableEncryption(PFX_PASSWORD.encode())
    )
    (root / "app.pem").write_bytes(plain_key + cert_pem)
    (root / "app-encrypted.pem").write_bytes(encrypted_key + cert_pem)
    pfx = pkcs12.serialize_key_and_certificates(
        b"app",
        app_key,
        app_cert,
        None,
        serialization.BestAvailableEncryption(PFX_PASSWORD.encode()),
    )
    (root / "app.pfx").write_bytes(pfx)
    key_lines = plain_key.decode().splitlines()
    return Pki(
        ca_bundle=root / "ca.pem",
        server_key=root / "server-key.pem",
        app_cert_pem=cert_pem.decode(),
        app_pem=root / "app.pem",
        app_pem_encrypted=root / "app-encrypted.pem",
        app_pfx=root / "app.pfx",
        key_body=key_lines[5],
    )
