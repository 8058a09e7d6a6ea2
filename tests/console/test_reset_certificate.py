"""`deepracer reset-certificate`, and the console certificate's names (deepracer.aws, the host name,
`<host>.local`, the USB cable addresses); a certificate that no longer names the car is replaced."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from cryptography import x509

from cli.deepracer import build_parser
from device_console.core.security import PasswordStore, TokenStore
from device_console.core.tls import certificate_names, ensure_certificate


def _names(cert_path: Path) -> list[str]:
    return certificate_names(x509.load_pem_x509_certificate(cert_path.read_bytes()))


def test_reset_certificate_makes_a_new_one_and_resets_the_password(
        state_dir: Path, sysfs_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "amss-1234")
    dmi = sysfs_root / "class/dmi/id"
    dmi.mkdir(parents=True)
    (dmi / "chassis_asset_tag").write_text("Wq9xEbKp\n")                  # the password under the car
    passwords = PasswordStore(state_dir / "password.txt", dmi)
    passwords.ensure()
    assert passwords.change("Wq9xEbKp", "my own secret")[0]
    tokens = TokenStore(state_dir / "token.txt", ttl_s=3600)
    token = tokens.issue()
    old_cert, _ = ensure_certificate(state_dir / "certs")
    old = old_cert.read_bytes()

    args = build_parser().parse_args(["reset-certificate"])
    assert args.func(args) == 0
    assert old_cert.read_bytes() != old
    names = _names(old_cert)
    for name in ("deepracer.aws", "amss-1234", "amss-1234.local", "10.0.0.1", "10.0.1.1"):
        assert name in names
    assert passwords.verify("Wq9xEbKp") and not passwords.verify("my own secret")
    assert not TokenStore(state_dir / "token.txt", ttl_s=3600).validate(token)   # every browser logged out
    assert "password is the default again" in capsys.readouterr().out


def test_certificate_follows_a_renamed_car(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "deepracer")
    cert_path, _ = ensure_certificate(tmp_path)
    first = cert_path.read_bytes()
    assert "deepracer.local" in _names(cert_path)
    assert ensure_certificate(tmp_path)[0].read_bytes() == first              # same name: kept
    monkeypatch.setattr(socket, "gethostname", lambda: "amss-77")            # renamed on the first boot
    assert "amss-77.local" in _names(ensure_certificate(tmp_path)[0])
