// @ts-check
// A step-by-step wizard card: the list of steps, the current step's content, Cancel / Previous /
// Next (Done on the last step).

import { h, setText } from '../../lib/dom.js';

/**
 * @typedef {object} Step
 * @property {string} title
 * @property {() => Node} body the step's content, built when it is shown
 * @property {() => unknown} [enter] after it is shown (may be async)
 * @property {() => unknown} [leave] before another step, Cancel or Done (may be async)
 */
/**
 * @typedef {object} WizardOptions
 * @property {string} id of the card
 * @property {string} title
 * @property {Step[]} steps
 * @property {() => Promise<void>} onCancel
 * @property {() => Promise<void>} onFinish Done on the last step
 */

class Wizard {
  /** @param {WizardOptions} options */
  constructor({ id, title, steps, onCancel, onFinish }) {
    this.steps = steps;
    this.onCancel = onCancel;
    this.onFinish = onFinish;
    this.index = 0;
    this.busy = false;
    this.list = h('ol.wizard-steps', steps.map((s, i) => h('li', { dataset: { step: i } }, h('span.step-no', `Step ${i + 1}`), h('span', s.title))));
    this.body = h('div.wizard-body');
    this.counter = h('p.wizard-counter.muted.small');
    this.prev = h('button.btn#wizard-prev', { type: 'button', onclick: () => this.show(Math.max(0, this.index - 1)) }, 'Previous');
    this.next = h('button.btn.primary#wizard-next', { type: 'button', onclick: () => this.forward() }, 'Next');
    const cancel = h('button.btn#wizard-cancel', { type: 'button', onclick: () => this.cancel() }, 'Cancel');
    this.element = h('section.card.wizard', { id },
      h('header.card-head', h('h2', title)),
      h('div.wizard-grid', this.list, h('div.wizard-main', this.counter, this.body,
        h('div.wizard-actions', cancel, h('span.spacer'), this.prev, this.next))));
  }

  get step() { return this.steps[this.index]; }

  /** @param {number} i */
  async show(i) {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.step && this.step.leave && i !== this.index) await this.step.leave();
      this.index = i;
      this.render();
      if (this.step.enter) await this.step.enter();
    } finally { this.busy = false; }
  }

  render() {
    const { step, index, steps } = this;
    this.body.replaceChildren(h('h3', step.title), step.body());
    this.list.querySelectorAll('li').forEach((li, n) => {
      li.classList.toggle('current', n === index);
      li.classList.toggle('done', n < index);
      if (n === index) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
    });
    setText(this.counter, `Step ${index + 1} of ${steps.length}`);
    this.prev.hidden = index === 0;
    setText(this.next, index === steps.length - 1 ? 'Done' : 'Next');
  }

  /** Next, or Done on the last step. */
  async forward() {
    if (this.index < this.steps.length - 1) { this.show(this.index + 1); return; }
    if (this.busy) return;
    this.busy = true;
    this.next.disabled = true;
    try {
      if (this.step.leave) await this.step.leave();
      await this.onFinish();
    } finally { this.busy = false; this.next.disabled = false; }
  }

  async cancel() {
    if (this.step.leave) await this.step.leave();
    await this.onCancel();
  }
}

/** @param {WizardOptions} options @returns {HTMLElement} the card, showing the first step */
export function wizard(options) {
  const w = new Wizard(options);
  w.show(0);
  return w.element;
}
