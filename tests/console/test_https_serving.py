"""HTTPS with the self-signed device certificate, and the HTTP → HTTPS redirect of the car."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
from cryptography import x509
from fastapi.testclient import TestClient

from device_console.core.server import ServeOptions, build_servers, https_redirect_app
from device_console.core.tls import ensure_certificate, generate_certificate, main
from device_console.main import create_app
from tests.console.conftest import make_settings
from tests.console.fake_car import FakeCar
from tests.console.live_server import LiveServer


def test_certificate_is_created_once_and_regenerated_on_request(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    cert_path, key_path = ensure_certificate(certs)
    assert key_path.stat().st_mode & 0o777 == 0o600
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "deepracer.aws" in names.get_values_for_type(x509.DNSName)
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    first = cert_path.read_bytes()
    assert ensure_certificate(certs)[0].read_bytes() == first  # reused
    assert main(["regenerate", "--certs-dir", str(certs)]) == 0
    assert cert_path.read_bytes() != first
    key_path.write_text("garbage")
    ensure_certificate(certs)  # unusable: replaced
    assert b"PRIVATE KEY" in key_path.read_bytes()


def test_console_over_https(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    certs = generate_certificate(settings.certs_dir, addresses=["127.0.0.1"])
    with LiveServer(create_app(settings, FakeCar()), certs=certs) as server:
        assert server.url.startswith("https://")
        # the certificate verifies against itself for 127.0.0.1
        with httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(certs[0]))) as strict:
            assert strict.get("/login").status_code == 200
        client, _csrf = server.logged_in_client()
        login_cookie = client.get("/auth").headers["set-cookie"]
        # Secure over HTTPS; readable by JavaScript like the original's (test_session_cookie)
        assert "Secure" in login_cookie and "HttpOnly" not in login_cookie
        assert client.get("/api/server_ready").json() == {"success": True, "status": True}
        client.close()


def test_http_redirects_to_https_on_the_car() -> None:
    with TestClient(https_redirect_app(443)) as http:
        response = http.get("/home?x=1", headers={"Host": "192.168.1.5"}, follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"] == "https://192.168.1.5/home?x=1"
    with TestClient(https_redirect_app(8443)) as http:
        response = http.get("/api/models", headers={"Host": "car.local:8080"}, follow_redirects=False)
        assert response.headers["location"] == "https://car.local:8443/api/models"


def test_server_layouts(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), FakeCar())
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    car_layout = build_servers(app, ServeOptions(http_port=80, https_port=443, http_redirects=True,
                                                 certfile=cert, keyfile=key))
    assert [(s.config.port, s.config.app is app, s.config.lifespan) for s in car_layout] == [
        (443, True, "on"), (80, False, "off")]
    sim_layout = build_servers(app, ServeOptions(http_port=8080, https_port=8443, certfile=cert, keyfile=key))
    assert [(s.config.port, s.config.app is app, s.config.lifespan) for s in sim_layout] == [
        (8443, True, "on"), (8080, True, "off")]
