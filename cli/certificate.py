"""`deepracer reset-certificate`: a new HTTPS certificate for the console, and the default password.

What the original's `nginx_install_certs.sh` does for a car handed to someone else or whose name
changed: a new key and self-signed certificate (naming deepracer.aws, the host name, `<host>.local`
and the car's addresses), the console password back to the default printed under the car, and every
browser logged out.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("reset-certificate",
                            help="new HTTPS certificate for the console; console password back to the default")
    parser.set_defaults(func=reset_certificate)


def reset_certificate(args: argparse.Namespace) -> int:
    from device_console.core.config import ConsoleSettings
    from device_console.core.security import PasswordStore
    from device_console.core.tls import certificate_names, generate_certificate
    from runtime.atomic import atomic_write_json
    from runtime.paths import dmi_dir

    settings = ConsoleSettings.from_env()
    try:
        cert_path, _key = generate_certificate(settings.certs_dir)
        PasswordStore(settings.password_file, dmi_dir()).reset_to_default()
        atomic_write_json(settings.token_file, {"tokens": []}, indent=None)
        settings.token_file.chmod(0o600)
    except OSError as exc:
        print(f"error: {exc} (run as root on a car: sudo deepracer reset-certificate)")
        return 1
    from cryptography import x509

    names = certificate_names(x509.load_pem_x509_certificate(cert_path.read_bytes()))
    print(f"New certificate {cert_path} for {', '.join(names)}.")
    print("The console password is the default again (printed on the sticker under the car); every browser "
          "must log in again.")
    print("Restart the stack to serve the new certificate: sudo systemctl restart deepracer-core")
    return 0
