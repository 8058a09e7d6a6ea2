// Thin client for the car's HTTP API. Every state-changing request carries the CSRF token from
// the page's <meta name="csrf-token">; a 401 sends the browser to the login page.

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

export class ApiError extends Error {
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

/** Text a human can read from a failure body: {"reason"}, {"message"}, FastAPI {"detail"}. */
export function reasonOf(data) {
  if (!data) return '';
  if (typeof data === 'string') return data.length < 300 ? data : '';
  if (typeof data.reason === 'string' && data.reason) return data.reason;
  if (typeof data.message === 'string' && data.message) return data.message;
  if (typeof data.detail === 'string') return data.detail;
  if (Array.isArray(data.detail)) {
    return data.detail.map((d) => {
      const where = Array.isArray(d.loc) ? d.loc.filter((p) => p !== 'body').join('.') : '';
      return where ? `${where}: ${d.msg}` : d.msg;
    }).join('; ');
  }
  return '';
}

// Listeners for connectivity (status panel shows a banner when the car stops answering).
const connectivity = new EventTarget();
export function onConnectivity(fn) {
  connectivity.addEventListener('change', (e) => fn(e.detail));
}
let online = true;
function setOnline(value) {
  if (value === online) return;
  online = value;
  connectivity.dispatchEvent(new CustomEvent('change', { detail: value }));
}

/**
 * api(path, {method, json, body, timeout, keepalive}) -> parsed JSON (or text).
 * Throws ApiError for network errors, timeouts and HTTP errors.
 */
export async function api(path, { method = 'GET', json, body, headers = {}, timeout = 10000, keepalive = false } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, keepalive };
  if (UNSAFE.has(method)) init.headers['X-CSRFToken'] = csrfToken();
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  init.signal = abort.signal;
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    setOnline(false);
    throw new ApiError(err && err.name === 'AbortError' ? 'The car did not answer in time.' : 'Cannot reach the car.', 0);
  } finally {
    clearTimeout(timer);
  }
  setOnline(true);
  if (res.status === 401) {
    goToLogin();
    throw new ApiError('Your session ended. Sign in again.', 401);
  }
  const text = await res.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch { /* plain text body */ }
  if (!res.ok) {
    throw new ApiError(reasonOf(data) || `The car answered HTTP ${res.status}.`, res.status, data);
  }
  return data;
}

/** Like api(), but a {"success": false, ...} answer is an error too. */
export async function apiOk(path, options) {
  const data = await api(path, options);
  if (data && typeof data === 'object' && data.success === false) {
    throw new ApiError(reasonOf(data) || 'The car refused the request.', 200, data);
  }
  return data;
}

export const get = (path, options = {}) => apiOk(path, { ...options, method: 'GET' });
export const post = (path, json, options = {}) => apiOk(path, { ...options, method: 'POST', json });
export const put = (path, json, options = {}) => apiOk(path, { ...options, method: 'PUT', json });

// /api/supported_apis, fetched once: lets the UI hide features the backend does not have.
let supported = null;
export function supportedApis() {
  if (!supported) {
    supported = api('/api/supported_apis').then((d) => new Set((d && d.apis_supported) || []))
      .catch(() => { supported = null; return new Set(); });
  }
  return supported;
}
export async function supports(route) {
  return (await supportedApis()).has(route);
}

/**
 * Upload with progress through XMLHttpRequest (fetch has no upload progress).
 * onProgress(loaded, total). Resolves with the parsed JSON body whatever "success" says.
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
      let data = xhr.responseText;
      try { data = JSON.parse(xhr.responseText); } catch { /* text */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else if (xhr.status === 413 && !reasonOf(data)) reject(new ApiError('The file is too large for the car (limit 200 MB).', 413, data));
      else reject(new ApiError(reasonOf(data) || `The car answered HTTP ${xhr.status}.`, xhr.status, data));
    });
    xhr.addEventListener('error', () => reject(new ApiError('The upload failed: cannot reach the car.', 0)));
    xhr.addEventListener('abort', () => reject(new ApiError('Upload cancelled.', 0)));
    const form = new FormData();
    form.append(field, file, file.name);
    xhr.send(form);
  });
}
