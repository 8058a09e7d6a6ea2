// @ts-check
// Login page: posts the form field `password` to /login with the CSRF header and follows
// {"redirect": "/home"} (relative to the page, so the built-in UI at /builtin/ stays there). `?epwd=<password>` in the address signs in automatically (DREM and
// event tools rely on it); the password is removed from the address bar straight away.

import { afterLogin, logIn } from './lib/endpoints.js';

/**
 * @template {HTMLElement} E
 * @param {string} id @param {new () => E} type what the login template has there
 * @returns {E}
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`The login page has no ${type.name} #${id}.`);
  return el;
}

const form = byId('login-form', HTMLFormElement);
const input = byId('password', HTMLInputElement);
const show = byId('show-password', HTMLInputElement);
const error = byId('login-error', HTMLElement);
const submit = byId('login-submit', HTMLButtonElement);

/** @param {string} text */
function showError(text) {
  error.textContent = text;
  error.hidden = !text;
}

/** @typedef {{redirect?: string, reason?: unknown, detail?: unknown}} LoginAnswer */

/** Why the login failed, for the user. @param {Response} res @param {LoginAnswer | string | null} data @returns {string} */
function failure(res, data) {
  if (res.status === 429) {
    const wait = res.headers.get('Retry-After');
    return `Too many attempts. Try again${wait ? ` in ${wait} s` : ' in a moment'}.`;
  }
  if (res.status === 400 || res.status === 403) return 'The login page expired. Reload the page and try again.';
  if (!res.ok) {
    const reason = data && typeof data === 'object' ? (data.reason || data.detail) : '';
    return typeof reason === 'string' && reason ? reason : `The car answered HTTP ${res.status}.`;
  }
  return 'The password is incorrect. Use the password printed on the bottom of your vehicle, or the one you set.';
}

/** @param {string} password */
async function login(password) {
  showError('');
  submit.disabled = true;
  submit.textContent = 'Unlocking…';
  try {
    const res = await logIn(password);
    const text = await res.text();
    /** @type {LoginAnswer | string | null} */
    let data = null;
    try { data = JSON.parse(text); } catch { data = text; }
    if (res.ok && data && typeof data === 'object' && data.redirect) {
      // relative to this page: /home, or /builtin/home when the built-in UI is opened at /builtin/
      window.location.assign(afterLogin(data.redirect));
      return;
    }
    showError(failure(res, data));
    if (res.ok) input.select();
  } catch {
    showError('Cannot reach the car. Check that you are on the same network.');
  } finally {
    submit.disabled = false;
    submit.textContent = 'Access vehicle';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (input.value) login(input.value);
});

show.addEventListener('change', () => {
  input.type = show.checked ? 'text' : 'password';
});

const params = new URLSearchParams(window.location.search);
const epwd = params.get('epwd');
if (epwd !== null) {
  params.delete('epwd');
  const rest = params.toString();
  window.history.replaceState(null, '', window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash);
  if (epwd) {
    input.value = epwd;
    login(epwd);
  }
}
