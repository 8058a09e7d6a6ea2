// Small DOM helpers. Text from the car (model names, SSIDs, logs) always goes in as text nodes.

/**
 * h('div.card#id', {onclick, class, ...attrs}, child, ...) -> Element
 * Children: strings, numbers, Elements, arrays, null/false (skipped).
 */
export function h(spec, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className += (el.className ? ' ' : '') + value;
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function setText(el, text) {
  if (el.textContent !== String(text)) el.textContent = String(text);
}

// ---------------------------------------------------------------- toasts
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
 */
export function poll(fn, ms, { immediate = true } = {}) {
  let timer = null;
  let stopped = false;
  let running = false;
  const run = async () => {
    timer = null;
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
      timer = null;
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
export function formatDate(epochSeconds) {
  const n = Number(epochSeconds);
  if (!Number.isFinite(n) || n <= 0) return '—';
  return new Date(n * 1000).toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

export function formatBytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i && n < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(Number(s))) return '—';
  const v = Number(s);
  const m = Math.floor(v / 60);
  const rest = v - m * 60;
  return m ? `${m}:${rest.toFixed(2).padStart(5, '0')}` : `${rest.toFixed(2)} s`;
}

/** A card with a header (title + optional actions) and a body. */
export function card(title, { actions = [], id, cls = '' } = {}, ...body) {
  return h('section.card', { id, class: cls },
    h('header.card-head', h('h2', title), actions.length ? h('div.card-actions', actions) : null),
    h('div.card-body', body));
}

/** Definition list rows: [[label, valueNode|text], ...] */
export function facts(rows) {
  return h('dl.facts', rows.map(([k, v]) => [h('dt', k), h('dd', v ?? '—')]));
}

export function spinner(label = 'Loading…') {
  return h('span.spinner-wrap', h('span.spinner', { 'aria-hidden': 'true' }), label);
}

/** Button that disables itself while its async handler runs. */
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
