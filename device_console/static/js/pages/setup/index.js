// @ts-check
// First set-up (#/setup): Wi-Fi → software update → "your car is at https://<IP>" with a QR code.
// Opens by itself on a car without Wi-Fi or reached as https://deepracer.aws (over the USB cable)
// until it is finished or skipped; Settings → Network → "First set-up wizard" opens it any time.
// One module per step.

import { actionButton, h, setText } from '../../lib/dom.js';
import { dismissSetupWizard } from '../../lib/endpoints.js';
import { addressStep } from './address.js';
import { updateStep } from './update.js';
import { wifiStep } from './wifi.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/**
 * One step of the wizard: its element, and what to do when it is shown.
 * @typedef {{title: string, element: HTMLElement, enter?: () => void}} Step
 */

/** Leaves the wizard for good (finished or skipped): it no longer opens by itself. */
async function leave() {
  try { await dismissSetupWizard(true); } catch { /* the next visit offers the wizard again */ }
  window.location.hash = '#/control';
}

/** @type {import('../page.js').Page} */
export default {
  title: 'First set-up',
  async mount(host) {
    /** @type {Cleanup} */
    const cleanup = [];
    /** @type {Step[]} */
    const steps = [wifiStep(cleanup), updateStep(cleanup), addressStep(leave)];
    const counter = h('p.setup-counter#setup-counter');
    const body = h('div.setup-body');
    const back = h('button.btn#setup-back', { type: 'button' }, 'Back');
    const next = h('button.btn.primary#setup-next', { type: 'button' }, 'Next');
    let index = 0;
    const show = (/** @type {number} */ at) => {
      index = Math.max(0, Math.min(steps.length - 1, at));
      const step = steps[index];
      setText(counter, `Step ${index + 1} of ${steps.length}: ${step.title}`);
      body.replaceChildren(step.element);
      back.hidden = index === 0;
      next.hidden = index === steps.length - 1;
      if (step.enter) step.enter();
    };
    back.addEventListener('click', () => show(index - 1));
    next.addEventListener('click', () => show(index + 1));
    host.append(
      h('div.setup', { id: 'setup-wizard' },
        h('div.row.between', h('h1.page-title', 'Set up your car'), actionButton('Skip set-up', leave, { id: 'setup-skip' })),
        counter, body, h('div.row.setup-nav', back, next)),
    );
    show(0);
    return () => { for (const fn of cleanup) fn(); };
  },
};
