"""Console authentication, wire-compatible with the original and hardened.

- `PasswordStore`: `password.txt` holds the SHA-224 hex digest of the console password; the
  default password is the first line of `<dmi>/chassis_asset_tag` (printed under the car), else
  "deepracer".
- `TokenStore`: the `deepracer_token` cookie values. Several browsers at once (a token list kept in
  `token.txt` in the community format `{"tokens": [{"token", "expires_at"}]}`), sliding expiry.
- `LoginThrottle`: after a few failed logins from one client, each further attempt must wait
  1, 2, 4 ... seconds (capped), so guessing is slow; a success resets the client.
- `CsrfTokens`: signed, time-limited tokens for the `<meta name="csrf-token">` tag; every
  POST/PUT/PATCH/DELETE must echo one in `X-CSRFToken` or `X-CSRF-Token` (as Flask-WTF accepts).
  As with Flask-WTF, a token is bound to the browser it was issued to: the page that carries it also
  sets the HttpOnly `deepracer_csrf` cookie (a random id, kept across login and logout), and a token
  is only valid together with that cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runtime.atomic import atomic_write_bytes, atomic_write_json, atomic_write_text

DEFAULT_PASSWORD = "deepracer"
TOKEN_COOKIE = "deepracer_token"
CSRF_COOKIE = "deepracer_csrf"
CSRF_HEADERS = ("x-csrftoken", "x-csrf-token")
CSRF_MISSING = "The CSRF token is missing."
CSRF_INVALID = "The CSRF token is invalid."
CSRF_NO_SESSION = "The CSRF session token is missing."
CSRF_OTHER_SESSION = "The CSRF tokens do not match."


def hash_password(password: str) -> str:
    return hashlib.sha224(password.encode("utf-8")).hexdigest()


class PasswordStore:
    def __init__(self, password_file: Path, dmi_dir: Path) -> None:
        self.password_file = password_file
        self.dmi_dir = dmi_dir
        self._lock = threading.Lock()

    def default_password(self) -> str:
        try:
            text = (self.dmi_dir / "chassis_asset_tag").read_text(errors="replace")
        except OSError:
            return DEFAULT_PASSWORD
        first = text.splitlines()[0].strip() if text.strip() else ""
        return first or DEFAULT_PASSWORD

    def reset_to_default(self) -> None:
        with self._lock:
            atomic_write_text(self.password_file, hash_password(self.default_password()), mode=0o600)

    def ensure(self) -> bool:
        """Create password.txt with the default password if it is missing; True if created."""
        if self.password_file.is_file():
            return False
        self.reset_to_default()
        return True

    def _stored_digest(self) -> str | None:
        try:
            lines = self.password_file.read_text(errors="replace").splitlines()
        except OSError:
            return None
        return lines[0].strip().lower() if lines else ""

    def verify(self, password: str) -> bool:
        """Check a password; a missing password.txt is reset to the default and fails (as the original)."""
        stored = self._stored_digest()
        if stored is None:
            self.reset_to_default()
            return False
        return hmac.compare_digest(hash_password(password), stored)

    def is_default(self) -> bool:
        stored = self._stored_digest()
        return stored is not None and hmac.compare_digest(hash_password(self.default_password()), stored)

    def change(self, old_password: str, new_password: str) -> tuple[bool, str]:
        """(ok, reason) with the original reasons."""
        stored = self._stored_digest()
        if stored is None:
            return False, "Password.txt not found."
        if not hmac.compare_digest(hash_password(old_password), stored):
            return False, "The password is incorrect. Provide your current password."
        if not new_password or len(new_password) > 256 or new_password != new_password.strip():
            return False, "The new password must be 1 to 256 characters without leading or trailing spaces."
        with self._lock:
            atomic_write_text(self.password_file, hash_password(new_password), mode=0o600)
        return True, ""


class TokenStore:
    """Login tokens with a sliding expiry, persisted so a console restart keeps people logged in."""

    def __init__(self, token_file: Path, ttl_s: float, max_tokens: int = 32,
                 clock: Callable[[], float] = time.time) -> None:
        self.token_file = token_file
        self.ttl_s = ttl_s
        self.max_tokens = max_tokens
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: OrderedDict[str, float] = OrderedDict()
        self._persisted: dict[str, float] = {}
        self._cookie_at: dict[str, float] = {}  # when each token's cookie was last (re)sent
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.token_file.read_text())
            entries = data.get("tokens", []) if isinstance(data, dict) else []
        except (OSError, ValueError):
            return  # missing, or the original single-token format: nobody stays logged in
        now = self._clock()
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            token, expires = entry.get("token"), entry.get("expires_at")
            if isinstance(token, str) and isinstance(expires, int | float) and expires > now:
                self._tokens[token] = float(expires)
        self._persisted = dict(self._tokens)

    def _save_locked(self) -> None:
        body = {"tokens": [{"token": t, "expires_at": e} for t, e in self._tokens.items()]}
        atomic_write_json(self.token_file, body, indent=None)
        self.token_file.chmod(0o600)
        self._persisted = dict(self._tokens)

    def _purge_locked(self, now: float) -> bool:
        dead = [t for t, e in self._tokens.items() if e <= now]
        for token in dead:
            del self._tokens[token]
        return bool(dead)

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = self._clock()
            self._purge_locked(now)
            self._tokens[token] = now + self.ttl_s
            while len(self._tokens) > self.max_tokens:
                self._tokens.popitem(last=False)
            self._save_locked()
            self._cookie_at[token] = now
        return token

    def cookie_due(self, token: str) -> bool:
        """True (and noted) when this token's cookie should be sent again to slide its expiry: at
        most every ttl/10, so answers do not all carry Set-Cookie, and an answer still in flight when
        the browser logs out hardly ever puts the cleared cookie back."""
        with self._lock:
            now = self._clock()
            if now - self._cookie_at.get(token, float("-inf")) <= self.ttl_s / 10:
                return False
            self._cookie_at[token] = now
            if len(self._cookie_at) > 4 * self.max_tokens:
                for old in [t for t in self._cookie_at if t not in self._tokens]:
                    del self._cookie_at[old]
            return True

    def validate(self, token: str | None, slide: bool = True) -> bool:
        """True if the token is current; extends its expiry (persisted at most every ttl/10)."""
        if not token:
            return False
        with self._lock:
            now = self._clock()
            expires = self._tokens.get(token)
            if expires is None:
                return False
            if expires <= now:
                del self._tokens[token]
                self._save_locked()
                return False
            if slide:
                self._tokens[token] = now + self.ttl_s
                self._tokens.move_to_end(token)
                if now + self.ttl_s - self._persisted.get(token, 0.0) > self.ttl_s / 10:
                    self._save_locked()
            return True

    def revoke(self, token: str | None) -> None:
        with self._lock:
            if token and self._tokens.pop(token, None) is not None:
                self._save_locked()

    def revoke_all_except(self, keep: str | None) -> None:
        with self._lock:
            for token in [t for t in self._tokens if t != keep]:
                del self._tokens[token]
            self._save_locked()

    def __len__(self) -> int:
        with self._lock:
            self._purge_locked(self._clock())
            return len(self._tokens)


@dataclass
class _ClientRecord:
    failures: int = 0
    next_allowed: float = 0.0


class LoginThrottle:
    """Per-client slow-down of password guessing."""

    def __init__(self, free_attempts: int = 5, base_delay_s: float = 1.0, max_delay_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 4096) -> None:
        self.free_attempts = free_attempts
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self._clock = clock
        self._max_clients = max_clients
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, _ClientRecord] = OrderedDict()

    def wait_time(self, client: str) -> float:
        """Seconds this client must still wait before its next attempt (0 = go ahead)."""
        with self._lock:
            record = self._clients.get(client)
            if record is None:
                return 0.0
            return max(0.0, record.next_allowed - self._clock())

    def failure(self, client: str) -> float:
        """Record a failed attempt; returns the delay now imposed."""
        with self._lock:
            record = self._clients.pop(client, None) or _ClientRecord()
            record.failures += 1
            delay = 0.0
            excess = record.failures - self.free_attempts
            if excess >= 0:
                delay = min(self.base_delay_s * (2 ** min(excess, 30)), self.max_delay_s)
            record.next_allowed = self._clock() + delay
            self._clients[client] = record
            while len(self._clients) > self._max_clients:
                self._clients.popitem(last=False)
            return delay

    def success(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)


class CsrfTokens:
    """Signed tokens bound to a browser: `<issued>.<nonce>.<hmac(issued.nonce.binding)>`.

    `binding` is the value of the browser's `deepracer_csrf` cookie (`new_binding()`); the secret
    survives restarts, so pages already open stay usable after the console restarts.
    """

    def __init__(self, secret_file: Path, ttl_s: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._secret = self._load_secret(secret_file)

    @staticmethod
    def _load_secret(path: Path) -> bytes:
        try:
            data = path.read_bytes()
            if len(data) >= 32:
                return data
        except OSError:
            pass
        data = secrets.token_bytes(32)
        atomic_write_bytes(path, data, mode=0o600)
        return data

    @staticmethod
    def new_binding() -> str:
        return secrets.token_urlsafe(24)

    @staticmethod
    def usable_binding(value: str | None) -> bool:
        """A cookie value that `new_binding()` could have made (anything else is ignored)."""
        return bool(value) and 16 <= len(value or "") <= 64 and all(
            c.isascii() and (c.isalnum() or c in "-_") for c in value or "")

    def _mac(self, text: str) -> bytes:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).digest()[:12]

    def _sign(self, payload: str, binding: str) -> str:
        """Two MACs: of the token alone (forged or not) and of the token with its browser binding."""
        digest = self._mac(payload) + self._mac(f"{payload}.{binding}")
        return base64.urlsafe_b64encode(digest).decode()

    def issue(self, binding: str) -> str:
        payload = f"{int(self._clock())}.{secrets.token_urlsafe(12)}"
        return f"{payload}.{self._sign(payload, binding)}"

    def problem(self, token: str | None, binding: str | None) -> str | None:
        """Why `token` is refused for the browser with cookie `binding` (Flask-WTF's reasons), or None."""
        if not token:
            return CSRF_MISSING
        if len(token) > 200:
            return CSRF_INVALID
        issued, sep, rest = token.partition(".")
        nonce, sep2, signature = rest.partition(".")
        if not (sep and sep2 and issued.isdigit() and len(issued) <= 12 and nonce):
            return CSRF_INVALID
        payload = f"{issued}.{nonce}"
        try:
            digest = base64.urlsafe_b64decode(signature.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return CSRF_INVALID
        if len(digest) != 24 or not hmac.compare_digest(self._mac(payload), digest[:12]):
            return CSRF_INVALID
        age = self._clock() - int(issued)
        if not -60.0 <= age <= self.ttl_s:
            return "The CSRF token has expired."
        if binding is None or not self.usable_binding(binding):
            return CSRF_NO_SESSION
        if not hmac.compare_digest(self._mac(f"{payload}.{binding}"), digest[12:]):
            return CSRF_OTHER_SESSION
        return None

    def valid(self, token: str | None, binding: str | None) -> bool:
        return self.problem(token, binding) is None
