// @ts-check
// Drive recording: when the car records its autonomous runs (never, only onto a USB stick with a
// logs/ folder, always) and the bag storage (mcap or sqlite3); written to logging.conf, applied by the
// recorder within a second. Shows what the recorder is doing (e.g. stopped at the free-space floor).

import { actionButton, card, h, setText } from '../../lib/dom.js';
import { loggingSettings, saveLoggingSettings } from '../../lib/endpoints.js';
import { recorderText } from '../logs/recordings.js';
import { errorText, message, resultLine } from './fields.js';

/** @type {Record<string, string>} */
const MODE_LABELS = { Never: 'Never', USBOnly: 'Only onto a USB stick (logs/ folder)', Always: 'Always' };

export function recordingCard() {
  const mode = /** @type {HTMLSelectElement} */ (h('select#logging-mode', { 'aria-label': 'Recording' }));
  const provider = /** @type {HTMLSelectElement} */ (h('select#logging-provider', { 'aria-label': 'Storage' }));
  const status = h('p.muted#logging-status', '—');
  const result = resultLine('logging-result');
  const refresh = async () => {
    try {
      const d = await loggingSettings();
      mode.replaceChildren(...(d.modes || ['Never', 'USBOnly', 'Always']).map((m) => h('option', { value: m, selected: m === d.mode }, MODE_LABELS[m] || m)));
      provider.replaceChildren(...(d.providers || ['mcap', 'sqlite3']).map((p) => h('option', { value: p, selected: p === d.provider }, p)));
      setText(status, recorderText(d.recorder || {}));
      status.dataset.state = d.recorder && d.recorder.status === 'disk_low' ? 'warn' : 'ok';
    } catch (err) { setText(status, errorText(err)); }
  };
  const save = actionButton('Save', async () => {
    try {
      const d = await saveLoggingSettings(mode.value, provider.value);
      message(result, true, `Saved: ${MODE_LABELS[d.mode] || d.mode}, ${d.provider}.`);
      await refresh();
      window.setTimeout(refresh, 2000);   // the recorder applies it within a second: show what it does then
    } catch (err) { message(result, false, errorText(err)); }
  }, { id: 'logging-save' });
  refresh();
  return card('Drive recording', { id: 'logging-card' },
    h('div.field', h('label.field-label', { for: 'logging-mode' }, 'Record autonomous runs'), mode),
    h('div.field', h('label.field-label', { for: 'logging-provider' }, 'Storage'), provider),
    status, h('div.row', save), result);
}
