"""The console's self-signed HTTPS certificate (generated on first start, regenerable).

`python -m device_console.core.tls regenerate` makes a new key and certificate (e.g. after the car's
name or address changed); `ensure_certificate()` is what the console calls at start.
The certificate names `deepracer.io` (the original CN), `deepracer.aws` (the USB address),
`localhost`, the host name and every current IPv4 address.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from runtime.atomic import atomic_write_bytes

CERT_NAME = "console.crt"
KEY_NAME = "console.key"
VALID_DAYS = 3650


def cert_paths(certs_dir: Path) -> tuple[Path, Path]:
    return certs_dir / CERT_NAME, certs_dir / KEY_NAME


def _local_addresses() -> list[str]:
    addresses = {"127.0.0.1"}
    try:
        from drivers import network

        addresses.update(network.ip_addresses())
    except Exception:  # the network library is optional here; never fail certificate creation
        pass
    return sorted(addresses)


def generate_certificate(certs_dir: Path, hostnames: list[str] | None = None,
                         addresses: list[str] | None = None) -> tuple[Path, Path]:
    """Write a new key + self-signed certificate (atomically; the key is 0600)."""
    cert_path, key_path = cert_paths(certs_dir)
    key = ec.generate_private_key(ec.SECP256R1())
    names = ["deepracer.io", "deepracer.aws", "localhost"]
    host = socket.gethostname()
    for name in [host, *(hostnames or [])]:
        if name and name not in names:
            names.append(name)
    ips = []
    for value in addresses if addresses is not None else _local_addresses():
        try:
            ips.append(ipaddress.ip_address(value))
        except ValueError:
            continue
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "deepracer.io"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "DeepRacer open stack"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    san = [x509.DNSName(n) for n in names] + [x509.IPAddress(ip) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    atomic_write_bytes(key_path, key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()), mode=0o600)
    atomic_write_bytes(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert_path, key_path


def certificate_usable(cert_path: Path, key_path: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    return cert.not_valid_after_utc > dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)


def ensure_certificate(certs_dir: Path) -> tuple[Path, Path]:
    """The existing certificate if it is readable and valid, else a new one."""
    cert_path, key_path = cert_paths(certs_dir)
    if certificate_usable(cert_path, key_path):
        return cert_path, key_path
    return generate_certificate(certs_dir)


def main(argv: list[str] | None = None) -> int:
    from device_console.core.config import ConsoleSettings

    parser = argparse.ArgumentParser(prog="python -m device_console.core.tls",
                                     description="Manage the device console's HTTPS certificate.")
    parser.add_argument("command", choices=("regenerate", "show"))
    parser.add_argument("--certs-dir", type=Path, default=None, help="default: <state dir>/certs")
    opts = parser.parse_args(argv)
    certs_dir = opts.certs_dir or ConsoleSettings.from_env().certs_dir
    if opts.command == "regenerate":
        cert_path, key_path = generate_certificate(certs_dir)
        print(f"new certificate {cert_path} (key {key_path}); restart the console to use it")
        return 0
    cert_path, _ = cert_paths(certs_dir)
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        print(f"no certificate at {cert_path}")
        return 1
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    print(f"{cert_path}\n  valid until {cert.not_valid_after_utc:%Y-%m-%d}\n  names "
          + ", ".join(str(v.value) for v in san))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
