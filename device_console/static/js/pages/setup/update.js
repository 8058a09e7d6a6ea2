// @ts-check
// Wizard step 2: software update, through the console's software-update routes (the original's):
// is an update available, begin it, follow its progress (server-sent events).

import { actionButton, h, setText } from '../../lib/dom.js';
import { beginSoftwareUpdate, softwareUpdateAvailable, updateStatusEvents } from '../../lib/endpoints.js';
import { errorText } from '../settings/fields.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */

/**
 * One progress event: `status:<state>|update_pct:<n> <i>`.
 * @param {string} data @returns {{status: string, pct: number}}
 */
export function parseProgress(data) {
  const m = /status:([\w-]+)\|update_pct:(\d+)/.exec(data);
  return m ? { status: m[1], pct: Number(m[2]) } : { status: 'unknown', pct: 0 };
}

/** @param {Cleanup} cleanup @returns {import('./index.js').Step} */
export function updateStep(cleanup) {
  const status = h('p.setup-status#setup-update-status', 'Checking for a software update…');
  const bar = h('progress#setup-update-progress', { max: 100, value: 0, hidden: true });
  const actions = h('div.row');
  /** @type {EventSource | null} */
  let events = null;
  const closeEvents = () => { if (events) { events.close(); events = null; } };
  cleanup.push(closeEvents);

  const follow = () => {
    closeEvents();
    bar.hidden = false;
    events = updateStatusEvents();
    events.onmessage = (event) => {
      const { status: state, pct } = parseProgress(String(event.data));
      bar.value = pct;
      setText(status, state === 'complete' ? 'Update installed. The car restarts its software.' : `Updating: ${state} (${pct} %)`);
      if (state === 'complete') closeEvents();
    };
  };
  const install = async () => {
    try {
      await beginSoftwareUpdate();
      setText(status, 'Update started…');
      actions.replaceChildren();
      follow();
    } catch (err) { setText(status, `The update could not start: ${errorText(err)}`); }
  };
  const check = async () => {
    setText(status, 'Checking for a software update…');
    actions.replaceChildren();
    try {
      const d = await softwareUpdateAvailable({ timeout: 190000 });
      if (d.status) {
        setText(status, 'A software update is available.');
        actions.replaceChildren(actionButton('Install the update', install, { cls: 'primary', id: 'setup-update-install' }));
      } else setText(status, 'The car\'s software is up to date.');
    } catch (err) {
      setText(status, `Could not check for an update: ${errorText(err)}`);
      actions.replaceChildren(actionButton('Check again', check, { id: 'setup-update-check' }));
    }
  };
  const element = h('section.card.setup-step#setup-step-update',
    h('div.card-body',
      h('h2', 'Software update'),
      h('p.hint', 'Keep the car\'s software up to date. You can also update later from the console.'),
      status, bar, actions));
  return { title: 'Software update', element, enter: () => { if (!events) check(); } };
}
