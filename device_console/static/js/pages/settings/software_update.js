// @ts-check
// Software update (ours): the running release, upload a bundle (deepracer-<version>.tar.gz, made by
// `make dist`), then the updater's progress and outcome, read every 2 s. While the car restarts its
// software this page loses the car for a moment; it keeps asking and shows the outcome ("updated" or
// "rolled back" with the reason) when the car answers again.

import { card, facts, formatBytes, h, setText } from '../../lib/dom.js';
import { softwareUpdate, uploadUpdate } from '../../lib/endpoints.js';
import { errorText, message, resultLine } from './fields.js';

/** @typedef {import('../../lib/endpoints.js').SoftwareUpdate} SoftwareUpdate */
/** @typedef {import('../../lib/endpoints.js').UpdateStatus} UpdateStatus */
/** @typedef {import('../page.js').Cleanup} Cleanup */

const RUNNING = ['beginning', 'downloading', 'installing'];

/** @param {UpdateStatus | undefined} s @returns {string} */
function describe(s) {
  if (!s || !s.state || (s.state === 'unknown' && !s.error)) return 'No update yet';
  if (RUNNING.includes(s.state)) return `${s.message || s.state} (${Math.round(s.pct || 0)} %)`;
  if (s.state === 'complete') return s.message || `Updated to ${s.version}`;
  return s.error || 'The last update did not finish';
}

/** @param {Cleanup} cleanup */
export function softwareUpdateCard(cleanup) {
  const running = h('span#update-running', '—');
  const releases = h('span#update-releases', '—');
  const state = h('span#update-state', '—');
  const bar = h('progress#update-progress', { max: 100, value: 0, hidden: true });
  const input = h('input#update-file', { type: 'file', accept: '.tar.gz,.tgz,application/gzip' });
  const force = h('input#update-force', { type: 'checkbox' });
  const send = h('button.btn.primary#update-upload', { type: 'button', disabled: true }, 'Upload and install');
  const result = resultLine('update-result');
  /** @param {SoftwareUpdate} d */
  const show = (d) => {
    setText(running, d.running || 'unknown');
    setText(releases, (d.releases || []).join(', ') || 'only the running one');
    const s = d.status;
    setText(state, describe(s));
    state.dataset.state = s && s.rolled_back ? 'rolled-back' : (s && s.state) || 'none';
    bar.hidden = !(s && s.state && RUNNING.includes(s.state));
    bar.value = s && s.pct ? s.pct : 0;
  };
  const refresh = async () => {
    try { show(await softwareUpdate()); } catch { setText(state, 'The car is restarting its software…'); }
  };
  input.addEventListener('change', () => { send.disabled = !(input.files && input.files.length); });
  send.addEventListener('click', async () => {
    const file = input.files ? input.files[0] : null;
    if (!file) return;
    send.disabled = true;
    message(result, true, `Uploading ${file.name} (${formatBytes(file.size)})…`);
    try {
      const answer = /** @type {import('../../lib/endpoints.js').Answer} */ (await uploadUpdate(file, force.checked, {
        onProgress: (loaded, total) => message(result, true, `Uploading ${file.name}: ${total ? Math.round((loaded / total) * 100) : 0} %`),
      }));
      message(result, Boolean(answer && answer.success), (answer && (answer.message || answer.reason)) || 'Upload failed.');
    } catch (err) { message(result, false, errorText(err)); }
    send.disabled = false;
    refresh();
  });
  const timer = setInterval(refresh, 2000);
  cleanup.push(() => clearInterval(timer));
  refresh();
  return card('Software update', { id: 'software-update-card' },
    h('p.hint', 'Install a release bundle (deepracer-<version>.tar.gz). The car installs it beside the running ',
      'release, restarts its software and goes back to the previous release by itself if the new one does not ',
      'start within a minute. A USB stick with the bundle in an ', h('code', 'updates'), ' folder works too.'),
    facts([['Running', running], ['Installed', releases], ['Last update', state]]),
    bar,
    h('div.field', h('label.field-label', { for: 'update-file' }, 'Bundle'), input),
    h('label.check', force, ' Allow a downgrade (an older release)'),
    h('div.row', send), result);
}
