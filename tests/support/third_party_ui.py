"""A small third-party console UI, built the way the community console is, for the installable-UI
tests: a Flask-style `templates/{index,login}.html` with `{{ csrf_token() }}` in a meta tag, and
`static/` with `manifest.json` and one script. The script is a hash-router single-page app that
decides whether it is logged in by reading `document.cookie`, sends `X-CSRF-Token` on every
request, logs in with a multipart `POST /login`, lists `/api/models` and drives with
`/api/manual_drive` (a command every 100 ms while "Drive" is on, as a joystick held still would
with a client that repeats; zeros and `start_stop: stop` on "Stop").
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="csrf-token" content="{{ csrf_token() }}">
<link rel="manifest" href="/static/manifest.json">
<title>Third-party console</title>
<script src="/static/tp-app.js" defer></script>
</head><body><div id="tp-root">Loading</div></body></html>
"""

APP_JS = r"""
(function () {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const root = document.getElementById('tp-root');
  const loggedIn = () => document.cookie.split(';').some((c) => c.trim().startsWith('deepracer_token='));
  window.tpRequests = [];
  async function call(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: { 'X-CSRF-Token': token } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    window.tpRequests.push({ method, path, csrf: init.headers['X-CSRF-Token'] });
    const res = await fetch(path, init);
    if (res.status === 401) { location.hash = '#/login'; throw new Error('logged out'); }
    const text = await res.text();
    try { return JSON.parse(text); } catch (e) { return text; }
  }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.assign(e, attrs || {});
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function login() {
    const form = el('form', { id: 'tp-login' });
    const pw = el('input', { id: 'tp-password', type: 'password' });
    const error = el('p', { id: 'tp-error' });
    form.append(pw, el('button', { id: 'tp-submit', type: 'submit' }, 'Log in'), error);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData();
      data.append('password', pw.value);
      const answer = await call('POST', '/login', data);
      if (answer && answer.redirect && loggedIn()) location.hash = '#/home';
      else error.textContent = 'Login failed';
    });
    root.replaceChildren(el('h1', { id: 'tp-login-title' }, 'Third-party login'), form);
  }
  let timer = null;
  async function home() {
    const list = el('ul', { id: 'tp-models' });
    const state = el('span', { id: 'tp-state' }, 'stopped');
    const drive = el('button', { id: 'tp-drive', type: 'button' }, 'Drive');
    const stop = el('button', { id: 'tp-stop', type: 'button' }, 'Stop');
    drive.addEventListener('click', async () => {
      await call('POST', '/api/drive_mode', { drive_mode: 'manual' });
      await call('POST', '/api/start_stop', { start_stop: 'start' });
      const send = () => call('PUT', '/api/manual_drive', { angle: 0, throttle: -0.5, max_speed: 0.5 });
      await send();
      timer = setInterval(send, 100);
      state.textContent = 'driving';
    });
    stop.addEventListener('click', async () => {
      clearInterval(timer);
      await call('PUT', '/api/manual_drive', { angle: 0, throttle: 0, max_speed: 0.5 });
      await call('POST', '/api/start_stop', { start_stop: 'stop' });
      state.textContent = 'stopped';
    });
    root.replaceChildren(el('h1', { id: 'tp-home' }, 'Third-party home'), list, drive, stop, state);
    const answer = await call('GET', '/api/models');
    for (const m of answer.models) list.append(el('li', { className: 'tp-model' }, m.model_folder_name));
    list.dataset.loaded = '1';
  }
  function route() {
    const page = location.hash.replace(/^#\/?/, '') || 'home';
    if (page !== 'login' && !loggedIn()) { location.hash = '#/login'; return; }
    if (page === 'login') login(); else home();
  }
  window.addEventListener('hashchange', route);
  route();
})();
"""

MANIFEST = {"name": "Third-party console", "start_url": "/", "display": "standalone"}


def bundle_files(with_login: bool = True, marker: str = "tp") -> dict[str, bytes]:
    """Relative path -> bytes, in the installed layout (templates/ + static/)."""
    page = PAGE.replace("Third-party console", f"Third-party console {marker}").encode()
    files = {
        "templates/index.html": page,
        "static/manifest.json": json.dumps(MANIFEST).encode(),
        "static/tp-app.js": APP_JS.encode(),
    }
    if with_login:
        files["templates/login.html"] = page
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def write_bundle(root: Path, **kw: object) -> Path:
    """The bundle as a folder."""
    return write_tree(root, bundle_files(**kw))  # type: ignore[arg-type]


def tar_gz(path: Path, files: dict[str, bytes], prefix: str = "", compresslevel: int = 9) -> Path:
    with tarfile.open(path, "w:gz", compresslevel=compresslevel) as tar:
        for rel, data in files.items():
            info = tarfile.TarInfo(prefix + rel)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def zip_file(path: Path, files: dict[str, bytes], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for rel, data in files.items():
            archive.writestr(prefix + rel, data)
    return path
