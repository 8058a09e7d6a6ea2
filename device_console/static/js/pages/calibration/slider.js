// @ts-check
// A range slider with −/+ buttons, the value and a line describing it (the pulse width...).

import { h, setText } from '../../lib/dom.js';

/**
 * @typedef {object} SliderOptions
 * @property {string} id of the <input type="range">; the value is #<id>-value, the buttons #<id>-dec / -inc
 * @property {string} label
 * @property {number} min
 * @property {number} max
 * @property {number} value
 * @property {(value: number) => void} onInput on every change by the user
 * @property {string} [unit] after the value
 * @property {(value: number) => string} [describe] the line under the slider
 */
/**
 * @typedef {object} Slider
 * @property {HTMLElement} element
 * @property {number} value
 * @property {(value: number, fire?: boolean) => void} set `fire`: as if the user moved it
 * @property {(lo: number, hi: number) => void} setRange
 */

/**
 * @param {HTMLInputElement} input
 * @param {string} label
 * @param {1 | -1} d
 * @param {(fire: boolean) => void} update
 */
function stepButton(input, label, d, update) {
  return h('button.btn.step', {
    type: 'button', 'aria-label': `${label} ${d > 0 ? 'increase' : 'decrease'}`, id: `${input.id}-${d > 0 ? 'inc' : 'dec'}`,
    onclick: () => { input.value = String(Number(input.value) + d); update(true); },
  }, d > 0 ? '▶' : '◀');
}

/** @param {SliderOptions} options @returns {Slider} */
export function slider({ id, label, min, max, value, onInput, unit = '', describe }) {
  const input = h('input', { type: 'range', id, min, max, step: 1, value, 'aria-label': label });
  const out = h('output.slider-value', { for: id, id: `${id}-value` });
  const extra = h('span.slider-extra.muted.small');
  const low = h('span', String(min));
  const high = h('span', String(max));
  /** @param {boolean} fire */
  const update = (fire) => {
    const v = Number(input.value);
    setText(out, `${v}${unit}`);
    if (describe) setText(extra, describe(v));
    if (fire) onInput(v);
  };
  input.addEventListener('input', () => update(true));
  update(false);
  const element = h('div.slider',
    h('label.field-label', { for: id }, label),
    h('div.slider-row', stepButton(input, label, -1, update), input, stepButton(input, label, 1, update), out),
    h('div.slider-scale.muted.small', low, extra, high));
  return {
    element,
    get value() { return Number(input.value); },
    set(v, fire = false) { input.value = String(v); update(fire); },
    setRange(lo, hi) {
      input.min = String(lo);
      input.max = String(hi);
      low.textContent = String(lo);
      high.textContent = String(hi);
      update(false);
    },
  };
}
