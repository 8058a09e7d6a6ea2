// @ts-check
// Form pieces the Settings cards share: password fields, "Show passwords", the result line.

import { h, setText } from '../../lib/dom.js';

/** @typedef {{input: HTMLInputElement, element: HTMLElement}} Field */

/** @param {string} id @param {string} label @param {string} [autocomplete] @returns {Field} */
export function passwordField(id, label, autocomplete = 'new-password') {
  const input = h('input', { id, type: 'password', autocomplete, autocapitalize: 'off', spellcheck: 'false' });
  return { input, element: h('div.field', h('label.field-label', { for: id }, label), input) };
}

/** A checkbox that shows the passwords of `fields` as text. @param {Field[]} fields */
export function showPasswords(fields) {
  const box = h('input', { type: 'checkbox' });
  box.addEventListener('change', () => { for (const f of fields) f.input.type = box.checked ? 'text' : 'password'; });
  return h('label.check', box, ' Show passwords');
}

/** A card's result line: hidden when empty. @param {HTMLElement} el @param {boolean} ok @param {string} text */
export function message(el, ok, text) {
  el.hidden = !text;
  el.dataset.state = ok ? 'ok' : 'error';
  setText(el, text);
}

/** @param {string} id */
export function resultLine(id) {
  return h('p.result', { id, hidden: true, role: 'status' });
}

/** @param {unknown} err @returns {string} */
export const errorText = (err) => /** @type {Error} */ (err).message;
