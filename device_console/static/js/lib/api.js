// @ts-check
// Thin HTTP client for the car's API (the routes themselves are in endpoints.js). Every
// state-changing request carries the CSRF token from the page's <meta name="csrf-token">; a 401 sends
// the browser to the login page.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * @typedef {object} RequestOptions
 * @property {string} [method] HTTP method (GET)
 * @property {unknown} [json] a body sent as JSON
 * @property {BodyInit} [body] any other body
 * @property {Record<string, string>} [headers]
 * @property {number} [timeout] ms before the request is given up (10 s)
 * @property {boolean} [keepalive] the request survives the page being unloaded
 */

/** @returns {string} */
export function csrfToken() {
  const meta = /** @type {HTMLMetaElement | null} */ (document.querySelector('meta[name="csrf-token"]'));
  return meta ? meta.content : '';
}

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} [status] HTTP status; 0: no answer; 200: a {"success": false} answer
   * @param {unknown} [data] the parsed answer
   */
  constructor(message, status = 0, data = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.data = data;
  }
}

let redirecting = false;
export function goToLogin() {
  if (redirecting) return;
  redirecting = true;
  window.dispatchEvent(new CustomEvent('console:logged-out'));
  window.location.assign('login');    // relative: /login, or /builtin/login for the built-in UI at /builtin/
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null;
}

/** One FastAPI validation error as "field: message". @param {unknown} d @returns {string} */
function validationText(d) {
  if (!isObject(d)) return '';
  const where = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
  if (where) return `${where}: ${d.msg}`;
  return d.msg === undefined || d.msg === null ? '' : String(d.msg);
}

/**
 * Text a human can read from a failure body: {"reason"}, {"message"}, FastAPI {"detail"}.
 * @param {unknown} data
 * @returns {string}
 */
export function reasonOf(data) {
  if (!data) return '';
  if (typeof data === 'string') return data.length < 300 ? data : '';
  if (!isObject(data)) return '';
  if (typeof data.reason === 'string' && data.reason) return data.reason;
  if (typeof data.message === 'string' && data.message) return data.message;
  if (typeof data.detail === 'string') return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map(validationText).join('; ');
  return '';
}

// Listeners for connectivity (status panel shows a banner when the car stops answering).
const connectivity = new EventTarget();
/** @param {(online: boolean) => void} fn */
export function onConnectivity(fn) {
  connectivity.addEventListener('change', (e) => fn(/** @type {CustomEvent<boolean>} */ (e).detail));
}
let online = true;
/** @param {boolean} value */
function setOnline(value) {
  if (value === online) return;
  online = value;
  connectivity.dispatchEvent(new CustomEvent('change', { detail: value }));
}

/** @param {RequestOptions} options @returns {RequestInit} */
function requestInit({ method = 'GET', json, body, headers = {}, keepalive = false }) {
  /** @type {Record<string, string>} */
  const all = { Accept: 'application/json', ...headers };
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: all, keepalive };
  if (UNSAFE.has(method)) all['X-CSRFToken'] = csrfToken();
  if (json !== undefined) {
    all['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  return init;
}

/** @param {string} text @returns {unknown} the parsed JSON, or the text itself */
function parseBody(text) {
  try { return text ? JSON.parse(text) : null; } catch { return text; }
}

/**
 * api(path, {method, json, body, timeout, keepalive}) -> parsed JSON (or text).
 * Throws ApiError for network errors, timeouts and HTTP errors.
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<unknown>}
 */
export async function api(path, options = {}) {
  const init = requestInit(options);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeout ?? 10000);
  init.signal = abort.signal;
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    setOnline(false);
    const timedOut = err instanceof Error && err.name === 'AbortError';
    throw new ApiError(timedOut ? 'The car did not answer in time.' : 'Cannot reach the car.', 0);
  } finally {
    clearTimeout(timer);
  }
  setOnline(true);
  if (res.status === 401) {
    goToLogin();
    throw new ApiError('Your session ended. Sign in again.', 401);
  }
  const data = parseBody(await res.text());
  if (!res.ok) {
    throw new ApiError(reasonOf(data) || `The car answered HTTP ${res.status}.`, res.status, data);
  }
  return data;
}

/**
 * Like api(), but a {"success": false, ...} answer is an error too.
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<unknown>}
 */
export async function apiOk(path, options) {
  const data = await api(path, options);
  if (isObject(data) && data.success === false) {
    throw new ApiError(reasonOf(data) || 'The car refused the request.', 200, data);
  }
  return data;
}

/**
 * A request that must leave even while the page unloads (`keepalive`), with no timeout, no
 * connectivity banner and no login redirect: its answer does not matter. Never rejects.
 * @param {string} method
 * @param {string} path
 * @param {unknown} json
 * @param {boolean} keepalive
 * @returns {Promise<Response | null>}
 */
export function beacon(method, path, json, keepalive) {
  return fetch(path, {
    method,
    credentials: 'same-origin',
    keepalive,
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(json),
  }).catch(() => null);
}

/**
 * @typedef {object} UploadHandlers
 * @property {string} [method] POST
 * @property {(loaded: number, total: number) => void} [onProgress]
 * @property {() => void} [onSent] the whole file is sent (the car is still checking it)
 */

/** @param {XMLHttpRequest} xhr @param {unknown} data @returns {ApiError} */
function uploadError(xhr, data) {
  if (xhr.status === 413 && !reasonOf(data)) return new ApiError('The file is too large for the car (limit 200 MB).', 413, data);
  return new ApiError(reasonOf(data) || `The car answered HTTP ${xhr.status}.`, xhr.status, data);
}

/**
 * Upload with progress through XMLHttpRequest (fetch has no upload progress).
 * onProgress(loaded, total). Resolves with the parsed JSON body whatever "success" says.
 * @param {string} path
 * @param {string} field the form field of the file
 * @param {File} file
 * @param {UploadHandlers} [handlers]
 * @returns {Promise<unknown>}
 */
export function uploadFile(path, field, file, { method = 'POST', onProgress, onSent } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    xhr.setRequestHeader('X-CSRFToken', csrfToken());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (onProgress) onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    });
    xhr.upload.addEventListener('load', () => { if (onSent) onSent(); });
    xhr.addEventListener('load', () => {
      if (xhr.status === 401) { goToLogin(); reject(new ApiError('Your session ended. Sign in again.', 401)); return; }
      const data = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(uploadError(xhr, data));
    });
    xhr.addEventListener('error', () => reject(new ApiError('The upload failed: cannot reach the car.', 0)));
    xhr.addEventListener('abort', () => reject(new ApiError('Upload cancelled.', 0)));
    const form = new FormData();
    form.append(field, file, file.name);
    xhr.send(form);
  });
}
