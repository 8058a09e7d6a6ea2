// @ts-check
// Logs: the last N lines of an allow-listed vehicle log (GET /api/logs/<type>/<n>), with filter,
// auto-refresh and copy. It opens on the stack's own logs (STACK: every process of the launcher)
// when the car has written them, as GET /api/logs says (`default`).

import { card, h, poll, setText, toast } from '../../lib/dom.js';
import { logLines, logTypes } from '../../lib/endpoints.js';

// Friendly names for the backend's allow-listed log types (GET /api/logs lists the ones present;
// the original console only knows SYS).
/** @type {Record<string, string>} */
export const LOG_LABELS = {
  STACK: 'Vehicle software: all processes',
  CORE: 'Control, servo, LEDs, battery (core)',
  SENSORS: 'Camera, LiDAR and sensor fusion (sensors)',
  INFERENCE: 'Inference and navigation (inference)',
  CONSOLE: 'Device console (console)',
  SIM: 'Simulated car (sim)',
  SYS: 'System event log',
  JOURNAL: 'System journal',
};

/** @returns {Promise<{types: string[], first: string}>} the log types, and the one to open */
async function availableLogs() {
  try {
    const d = await logTypes();
    if (d && Array.isArray(d.log_types) && d.log_types.length) {
      return { types: d.log_types, first: d.default && d.log_types.includes(d.default) ? d.default : d.log_types[0] };
    }
  } catch { /* older backends: SYS only */ }
  return { types: ['SYS'], first: 'SYS' };
}

/** @param {string} type */
const logLabel = (type) => LOG_LABELS[type] || `${type.charAt(0)}${type.slice(1).toLowerCase()} log`;

/** The log's text in `pre`, filtered; kept scrolled to the end when it was there. */
class LogView {
  constructor() {
    this.text = '';
    this.pre = h('pre.log#log-output', { tabindex: '0' }, 'Loading…');
    this.filter = h('input#log-filter', { type: 'search', placeholder: 'Filter lines', 'aria-label': 'Filter lines' });
    this.filter.addEventListener('input', () => this.render());
  }

  render() {
    const { pre, text } = this;
    const q = this.filter.value.trim().toLowerCase();
    const shown = q ? text.split('\n').filter((l) => l.toLowerCase().includes(q)).join('\n') : text;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 24;
    setText(pre, shown || (q ? 'No matching lines.' : 'The log is empty.'));
    if (atBottom || !pre.dataset.loaded) pre.scrollTop = pre.scrollHeight;
    pre.dataset.loaded = '1';
  }

  /** A new log: scrolled to its end. */
  reset() { delete this.pre.dataset.loaded; }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.pre.textContent || '');
      toast('Log copied to the clipboard.', 'ok', 2000);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(this.pre);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      toast('Selected: press Ctrl+C (or long-press → Copy) to copy.', 'info');
    }
  }
}

/** @param {string[]} types @param {string} first */
function logControls(types, first) {
  const type = h('select#log-type', { 'aria-label': 'Log' },
    types.map((v) => h('option', { value: v, selected: v === first }, logLabel(v))));
  const lines = h('select#log-lines', { 'aria-label': 'Lines' }, [100, 200, 500, 1000].map((n) => h('option', { value: n, selected: n === 200 }, `Last ${n} lines`)));
  const auto = h('input#log-auto', { type: 'checkbox' });
  return { type, lines, auto };
}

/** @type {import('../page.js').Page} */
export default {
  title: 'Logs',
  async mount(host) {
    const { types, first } = await availableLogs();
    const { type, lines, auto } = logControls(types, first);
    const view = new LogView();
    const meta = h('span.muted.small#log-meta');
    /** @type {(() => void) | null} */
    let stopAuto = null;
    let latest = 0;
    const load = async () => {
      const ticket = ++latest;    // an older answer arriving late must not replace a newer one
      let data = '';
      let note = '';
      try {
        const d = await logLines(type.value, Number(lines.value));
        data = typeof d.data === 'string' ? d.data : '';
        note = `Updated ${new Date().toLocaleTimeString()}`;
      } catch (err) {
        note = /** @type {Error} */ (err).message;
      }
      if (ticket !== latest) return;
      view.text = data;
      setText(meta, note);
      view.render();
    };
    type.addEventListener('change', () => { view.reset(); load(); });
    lines.addEventListener('change', load);
    auto.addEventListener('change', () => {
      if (stopAuto) { stopAuto(); stopAuto = null; }
      if (auto.checked) stopAuto = poll(load, 5000, { immediate: false });
    });

    host.append(
      h('h1.page-title', 'Logs'),
      card('Vehicle logs', { id: 'logs-card', actions: [meta] },
        h('div.row.log-controls', type, lines, view.filter,
          h('label.check', auto, ' Auto-refresh'),
          h('button.btn#log-refresh', { type: 'button', onclick: load }, 'Refresh'),
          h('button.btn#log-copy', { type: 'button', onclick: () => view.copy() }, 'Copy')),
        view.pre),
    );
    await load();
    return () => { if (stopAuto) stopAuto(); };
  },
};
