// @ts-check
// Touch / mouse / pen driving pad. Reports x (right +) and y (down +) in [-1, 1]; springs back to
// the centre (0, 0) when released, cancelled or when the pointer is lost.

import { h } from './dom.js';

/** @param {number} v */
const clampUnit = (v) => Math.max(-1, Math.min(1, v));

/** Where a pointer is on the pad, each axis in [-1, 1]. @param {HTMLElement} pad @param {PointerEvent} event @returns {[number, number]} */
function padPosition(pad, event) {
  const r = pad.getBoundingClientRect();
  const nx = ((event.clientX - r.left) / r.width) * 2 - 1;
  const ny = ((event.clientY - r.top) / r.height) * 2 - 1;
  return [clampUnit(nx), clampUnit(ny)];
}

/** @param {string} label @param {HTMLElement} knob */
function padElement(label, knob) {
  return h('div.joy-pad', {
    role: 'application', 'aria-label': label, tabindex: '0',
  },
  h('div.joy-cross', { 'aria-hidden': 'true' }),
  h('span.joy-hint.joy-up', 'Forward'),
  h('span.joy-hint.joy-down', 'Reverse'),
  h('span.joy-hint.joy-left', 'Left'),
  h('span.joy-hint.joy-right', 'Right'),
  knob);
}

/**
 * One pointer at a time drives: down and move report it, up / cancel / lost capture release it.
 * @param {HTMLElement} pad
 * @param {(x: number, y: number, active: boolean) => void} update
 * @returns {() => void} forget the pointer (reset)
 */
function followPointer(pad, update) {
  /** @type {number | null} */
  let pointerId = null;
  pad.addEventListener('pointerdown', (event) => {
    if (pointerId !== null) return;
    pointerId = event.pointerId;
    pad.setPointerCapture(pointerId);
    event.preventDefault();
    update(...padPosition(pad, event), true);
  });
  pad.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointerId) return;
    event.preventDefault();
    update(...padPosition(pad, event), true);
  });
  /** @param {PointerEvent} event */
  const release = (event) => {
    if (event.pointerId !== pointerId) return;
    pointerId = null;
    update(0, 0, false);
  };
  pad.addEventListener('pointerup', release);
  pad.addEventListener('pointercancel', release);
  pad.addEventListener('lostpointercapture', release);
  pad.addEventListener('contextmenu', (event) => event.preventDefault());
  return () => { pointerId = null; };
}

/**
 * @param {{onChange: (x: number, y: number, active: boolean) => void, label?: string}} options
 * @returns {{element: HTMLDivElement, readonly value: {x: number, y: number}, reset: () => void}}
 */
export function joystick({ onChange, label = 'Touch or click and drag to drive' }) {
  const knob = h('div.joy-knob', { 'aria-hidden': 'true' });
  const pad = padElement(label, knob);
  let state = { x: 0, y: 0 };
  /** @param {number} x @param {number} y */
  const place = (x, y) => {
    knob.style.left = `${50 + x * 50}%`;
    knob.style.top = `${50 + y * 50}%`;
  };
  /** @param {number} x @param {number} y @param {boolean} active */
  const update = (x, y, active) => {
    state = { x, y };
    place(x, y);
    pad.classList.toggle('active', active);
    onChange(x, y, active);
  };
  const forget = followPointer(pad, update);
  place(0, 0);
  return {
    element: pad,
    get value() { return state; },
    reset() { forget(); update(0, 0, false); },
  };
}
