"""minidyno's own certificate authority, as mkcert makes one: created once per home,
its key readable by the owner only, and a leaf certificate issued from it for each
name the platform serves over TLS (every app hostname and custom domain at the router,
the dashboard, and each Postgres add-on).

Leaves name their hosts exactly: browsers refuse a wildcard directly under a
single-label name such as `*.localhost`, so a wildcard would not do. Keys are ECDSA
P-256, which every client here accepts and which costs under a millisecond to make,
so a new app or domain never waits on key generation.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "minidyno local CA"
#: mkcert's leaf lifetime, under the 825 days Apple's clients accept.
LEAF_DAYS = 825
#: Re-issue a leaf this long before it expires.
RENEW_BEFORE = datetime.timedelta(days=30)


@dataclass(frozen=True)
class Leaf:
    cert: Path
    key: Path


def _private_file(path: Path, data: bytes) -> None:
    """Write `data` so that no other user can read it at any moment (0600 from the
    first byte, then moved into place)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    tmp.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


class CertificateAuthority:
    """The CA under `<home>/ca`: `ca.crt` (public, what users trust) and `ca.key` (0600)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cert_path = directory / "minidyno-ca.crt"
        self.key_path = directory / "minidyno-ca.key"
        self._lock = threading.Lock()
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._cert: x509.Certificate | None = None

    def ensure(self) -> None:
        """Load the CA, making it the first time."""
        with self._lock:
            if self._cert is not None:
                return
            if self.cert_path.is_file() and self.key_path.is_file():
                self._cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
                key = serialization.load_pem_private_key(self.key_path.read_bytes(), None)
                assert isinstance(key, ec.EllipticCurvePrivateKey)
                self._key = key
                return
            self._key, self._cert = self._create()

    def _create(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "minidyno"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{CA_NAME} {os.urandom(4).hex()}"),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_cert_sign=True,
                    crl_sign=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private_file(self.key_path, _key_pem(key))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return key, cert

    @property
    def pem(self) -> bytes:
        self.ensure()
        assert self._cert is not None
        return self._cert.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the CA certificate, as browsers show it."""
        self.ensure()
        assert self._cert is not None
        return self._cert.fingerprint(hashes.SHA256()).hex(":").upper()

    def issue(self, names: tuple[str, ...]) -> tuple[bytes, bytes]:
        """A leaf certificate (PEM, with the CA after it) and its key (PEM) for
        `names`; IP addresses become IP SANs."""
        self.ensure()
        assert self._key is not None and self._cert is not None
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "minidyno"),
                        x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64]),
                    ]
                )
            )
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
            .add_extension(_san(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    key_encipherment=False,
                    content_commitment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        chain = cert.public_bytes(serialization.Encoding.PEM) + self.pem
        return chain, _key_pem(key)

    def leaf(self, directory: Path, label: str, names: tuple[str, ...]) -> Leaf:
        """The leaf for `names` kept as `<directory>/<label>.{crt,key}`, issued again
        only when the names change or it nears its end, so nginx reloads stay cheap."""
        leaf = Leaf(directory / f"{label}.crt", directory / f"{label}.key")
        digest = hashlib.sha256("\n".join(names).encode() + self.pem).hexdigest()
        stamp = directory / f"{label}.names"
        if (
            leaf.cert.is_file()
            and leaf.key.is_file()
            and stamp.is_file()
            and stamp.read_text() == digest
            and not _expiring(leaf.cert)
        ):
            return leaf
        chain, key = self.issue(names)
        _private_file(leaf.key, key)
        _private_file(leaf.cert, chain)
        stamp.write_text(digest)
        return leaf


def _expiring(path: Path) -> bool:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) < RENEW_BEFORE
