// Logs: the last N lines of an allow-listed vehicle log (GET /api/logs/<type>/<n>), with filter,
// auto-refresh and copy. It opens on the stack's own logs (STACK: every process of the launcher)
// when the car has written them, as GET /api/logs says (`default`).

import { api, get } from '../../lib/api.js';
import { card, h, poll, setText, toast } from '../../lib/dom.js';

// Friendly names for the backend's allow-listed log types (GET /api/logs lists the ones present;
// the original console only knows SYS).
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

async function logTypes() {
  try {
    const d = await api('/api/logs');
    if (d && Array.isArray(d.log_types) && d.log_types.length) {
      return { types: d.log_types, first: d.log_types.includes(d.default) ? d.default : d.log_types[0] };
    }
  } catch { /* older backends: SYS only */ }
  return { types: ['SYS'], first: 'SYS' };
}

export default {
  title: 'Logs',
  async mount(host) {
    let text = '';
    let stopAuto = null;
    const { types, first } = await logTypes();
    const type = h('select#log-type', { 'aria-label': 'Log' },
      types.map((v) => h('option', { value: v, selected: v === first }, LOG_LABELS[v] || `${v.charAt(0)}${v.slice(1).toLowerCase()} log`)));
    const lines = h('select#log-lines', { 'aria-label': 'Lines' }, [100, 200, 500, 1000].map((n) => h('option', { value: n, selected: n === 200 }, `Last ${n} lines`)));
    const filter = h('input#log-filter', { type: 'search', placeholder: 'Filter lines', 'aria-label': 'Filter lines' });
    const auto = h('input#log-auto', { type: 'checkbox' });
    const pre = h('pre.log#log-output', { tabindex: '0' }, 'Loading…');
    const meta = h('span.muted.small#log-meta');

    const render = () => {
      const q = filter.value.trim().toLowerCase();
      const shown = q ? text.split('\n').filter((l) => l.toLowerCase().includes(q)).join('\n') : text;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 24;
      setText(pre, shown || (q ? 'No matching lines.' : 'The log is empty.'));
      if (atBottom || !pre.dataset.loaded) pre.scrollTop = pre.scrollHeight;
      pre.dataset.loaded = '1';
    };
    let latest = 0;
    const load = async () => {
      const ticket = ++latest;    // an older answer arriving late must not replace a newer one
      let data = '';
      let note = '';
      try {
        const d = await get(`/api/logs/${encodeURIComponent(type.value)}/${Number(lines.value)}`);
        data = typeof d.data === 'string' ? d.data : '';
        note = `Updated ${new Date().toLocaleTimeString()}`;
      } catch (err) {
        note = err.message;
      }
      if (ticket !== latest) return;
      text = data;
      setText(meta, note);
      render();
    };
    const setAuto = () => {
      if (stopAuto) { stopAuto(); stopAuto = null; }
      if (auto.checked) stopAuto = poll(load, 5000, { immediate: false });
    };
    type.addEventListener('change', () => { delete pre.dataset.loaded; load(); });
    lines.addEventListener('change', load);
    filter.addEventListener('input', render);
    auto.addEventListener('change', setAuto);
    const copy = async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        toast('Log copied to the clipboard.', 'ok', 2000);
      } catch {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        toast('Selected: press Ctrl+C (or long-press → Copy) to copy.', 'info');
      }
    };

    host.append(
      h('h1.page-title', 'Logs'),
      card('Vehicle logs', { id: 'logs-card', actions: [meta] },
        h('div.row.log-controls', type, lines, filter,
          h('label.check', auto, ' Auto-refresh'),
          h('button.btn#log-refresh', { type: 'button', onclick: load }, 'Refresh'),
          h('button.btn#log-copy', { type: 'button', onclick: copy }, 'Copy')),
        pre),
    );
    await load();
    return () => { if (stopAuto) stopAuto(); };
  },
};
