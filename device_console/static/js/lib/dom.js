// @ts-check
// Small DOM helpers. Text from the car (model names, SSIDs, logs) always goes in as text nodes.

/**
 * The tag of an h() spec: 'input#id.cls' -> 'input', '.cls' -> ''.
 * @template {string} S
 * @typedef {S extends `${infer T}.${string}` ? TagOf<T> : S extends `${infer T}#${string}` ? TagOf<T> : S} TagOf
 */
/**
 * The element h(spec) makes: h('input#x') is an HTMLInputElement, h('.x') an HTMLDivElement.
 * @template {string} S
 * @typedef {TagOf<S> extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[TagOf<S>]
 *   : TagOf<S> extends '' ? HTMLDivElement : HTMLElement} ElementOf
 */
/** @typedef {string | number | Node | null | undefined | false | Children} Child */
/** @typedef {Child[]} Children */
/**
 * Attributes and properties: `on<event>` handlers, `class` (added to the spec's), `style` and
 * `dataset` objects; any other value sets the property of that name when it is not a string, the
 * attribute otherwise (true: present; null, undefined, false: left out).
 * @typedef {{[key: string]: unknown}} Attrs
 */

/** @param {unknown} value @returns {value is Attrs} */
function isAttrs(value) {
  return value !== null && typeof value === 'object' && !(value instanceof Node) && !Array.isArray(value);
}

/** @param {HTMLElement} el @param {string} key @param {unknown} value */
function setAttr(el, key, value) {
  if (value === undefined || value === null || value === false) return;
  if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
  else if (key === 'class') el.className += (el.className ? ' ' : '') + value;
  else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
  else if (key === 'dataset' && typeof value === 'object') Object.assign(el.dataset, value);
  else if (key in el && typeof value !== 'string') /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[key] = value;
  else el.setAttribute(key, value === true ? '' : String(value));
}

/**
 * h('div.card#id', {onclick, class, ...attrs}, child, ...) -> Element
 * Children: strings, numbers, Elements, arrays, null/false (skipped).
 * @template {string} S
 * @param {S} spec tag, then .class and #id parts
 * @param {Attrs | Child} [attrs]
 * @param {...Child} children
 * @returns {ElementOf<S>}
 */
export function h(spec, attrs = {}, ...children) {
  if (!isAttrs(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || 'div');
  for (const part of (m && m[2] && m[2].match(/[.#][\w-]+/g)) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs)) setAttr(el, key, value);
  append(el, children);
  return /** @type {ElementOf<S>} */ (el);
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function append(el, children) {
  for (const child of children) {
    if (Array.isArray(child)) append(el, child);
    else if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

/** @template {Element} E @param {E} el @returns {E} */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** @param {Node} el @param {string | number} text */
export function setText(el, text) {
  if (el.textContent !== String(text)) el.textContent = String(text);
}

// ---------------------------------------------------------------- toasts
/** @typedef {'info' | 'ok' | 'warn' | 'error'} ToastKind */

/** @param {unknown} message @param {ToastKind} [kind] @param {number} [ms] 0: until dismissed */
export function toast(message, kind = 'info', ms = 4500) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div.toast', { class: kind, role: kind === 'error' ? 'alert' : 'status' }, String(message));
  const close = h('button.toast-close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×');
  item.append(close);
  box.append(item);
  if (ms) setTimeout(() => item.remove(), ms);
}

// ---------------------------------------------------------------- modal confirm
/**
 * @typedef {object} ConfirmOptions
 * @property {string} title
 * @property {string} [body]
 * @property {string} [ok]
 * @property {string} [cancel]
 * @property {boolean} [danger]
 */

/** @param {ConfirmOptions} options @returns {Promise<boolean>} true: confirmed */
export function confirmDialog({ title, body, ok = 'OK', cancel = 'Cancel', danger = false }) {
  return new Promise((resolve) => {
    const dialog = h('dialog.modal', { 'aria-labelledby': 'modal-title' },
      h('h2#modal-title', title),
      body ? h('p', body) : null,
      h('div.actions',
        h('button.btn', { type: 'button', value: 'cancel', onclick: () => dialog.close('cancel') }, cancel),
        h('button.btn', { type: 'button', class: danger ? 'danger' : 'primary', value: 'ok', onclick: () => dialog.close('ok') }, ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// ---------------------------------------------------------------- polling
/**
 * Calls fn every `ms` while the page is visible (and once at start). Returns stop().
 * A call never overlaps the previous one.
 * @param {() => unknown} fn
 * @param {number | (() => number)} ms the period, or a function giving the next one
 * @param {{immediate?: boolean}} [options]
 * @returns {() => void} stop
 */
export function poll(fn, ms, { immediate = true } = {}) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  let running = false;
  const run = async () => {
    timer = undefined;
    if (stopped) return;
    if (document.hidden) { schedule(); return; }
    running = true;
    try { await fn(); } catch { /* the callback reports its own errors */ }
    running = false;
    schedule();
  };
  const schedule = () => {
    if (!stopped && !timer) timer = setTimeout(run, typeof ms === 'function' ? ms() : ms);
  };
  const onVisible = () => {
    if (!document.hidden && !running && !stopped) {
      clearTimeout(timer);
      timer = undefined;
      run();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  if (immediate) run(); else schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

// ---------------------------------------------------------------- formatting
/** @param {unknown} epochSeconds @returns {string} */
export function formatDate(epochSeconds) {
  const n = Number(epochSeconds);
  if (!Number.isFinite(n) || n <= 0) return '—';
  return new Date(n * 1000).toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

/** @param {number} n bytes @returns {string} */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${units[i]}`;
}

/** @param {number | null | undefined} s seconds @returns {string} */
export function formatSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(Number(s))) return '—';
  const v = Number(s);
  const m = Math.floor(v / 60);
  const rest = v - m * 60;
  return m ? `${m}:${rest.toFixed(2).padStart(5, '0')}` : `${rest.toFixed(2)} s`;
}

/**
 * A card with a header (title + optional actions) and a body.
 * @param {string} title
 * @param {{actions?: Child[], id?: string, cls?: string}} [options]
 * @param {...Child} body
 */
export function card(title, { actions = [], id, cls = '' } = {}, ...body) {
  return h('section.card', { id, class: cls },
    h('header.card-head', h('h2', title), actions.length ? h('div.card-actions', actions) : null),
    h('div.card-body', body));
}

/**
 * Definition list rows: [[label, valueNode|text], ...]
 * @param {[string, Child][]} rows
 */
export function facts(rows) {
  return h('dl.facts', rows.map(([k, v]) => [h('dt', k), h('dd', v ?? '—')]));
}

/** @param {string} [label] */
export function spinner(label = 'Loading…') {
  return h('span.spinner-wrap', h('span.spinner', { 'aria-hidden': 'true' }), label);
}

/**
 * Button that disables itself while its async handler runs.
 * @param {string} label
 * @param {(event: MouseEvent) => unknown} handler
 * @param {{cls?: string, title?: string, type?: string, id?: string}} [options]
 */
export function actionButton(label, handler, { cls = '', title, type = 'button', id } = {}) {
  const btn = h('button.btn', { type, class: cls, title, id }, label);
  btn.addEventListener('click', async (event) => {
    if (btn.disabled) return;
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    try { await handler(event); } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
    }
  });
  return btn;
}

// ---------------------------------------------------------------- icons (inline SVG, no font needed)
const ICON_PATHS = {
  control: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 10a2 2 0 1 0 0 4a2 2 0 1 0 0-4M3.5 11h6.5M14 11h6.5M12 14v7',
  models: 'M12 2.5l8.5 4.75v9.5L12 21.5l-8.5-4.75v-9.5zM3.5 7.25L12 12l8.5-4.75M12 12v9.5',
  calibration: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 8a4 4 0 1 0 0 8a4 4 0 1 0 0-8M12 1v5M12 18v5M1 12h5M18 12h5',
  settings: 'M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M16 4v4M10 10v4M18 16v4',
  logs: 'M6 2.5h9l4 4v15H6zM15 2.5v4h4M9 11h7M9 14.5h7M9 18h5',
  battery: 'M3 7h15v10H3zM18 10h2.5v4H18',
  stop: 'M6 6h12v12H6z',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7',
};
/** @typedef {keyof typeof ICON_PATHS} IconName */

/** @param {IconName} name @param {string} [cls] @returns {SVGSVGElement} */
export function icon(name, cls = 'icon') {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICON_PATHS[name] || '');
  svg.append(path);
  return svg;
}
