// Touch / mouse / pen driving pad. Reports x (right +) and y (down +) in [-1, 1]; springs back to
// the centre (0, 0) when released, cancelled or when the pointer is lost.

import { h } from './dom.js';

export function joystick({ onChange, label = 'Touch or click and drag to drive' }) {
  const knob = h('div.joy-knob', { 'aria-hidden': 'true' });
  const pad = h('div.joy-pad', {
    role: 'application', 'aria-label': label, tabindex: '0',
  },
  h('div.joy-cross', { 'aria-hidden': 'true' }),
  h('span.joy-hint.joy-up', 'Forward'),
  h('span.joy-hint.joy-down', 'Reverse'),
  h('span.joy-hint.joy-left', 'Left'),
  h('span.joy-hint.joy-right', 'Right'),
  knob);

  let pointerId = null;
  let state = { x: 0, y: 0 };

  const place = (x, y) => {
    knob.style.left = `${50 + x * 50}%`;
    knob.style.top = `${50 + y * 50}%`;
  };

  const update = (x, y, active) => {
    state = { x, y };
    place(x, y);
    pad.classList.toggle('active', active);
    onChange(x, y, active);
  };

  const fromEvent = (event) => {
    const r = pad.getBoundingClientRect();
    const nx = ((event.clientX - r.left) / r.width) * 2 - 1;
    const ny = ((event.clientY - r.top) / r.height) * 2 - 1;
    const clampUnit = (v) => Math.max(-1, Math.min(1, v));
    return [clampUnit(nx), clampUnit(ny)];
  };

  pad.addEventListener('pointerdown', (event) => {
    if (pointerId !== null) return;
    pointerId = event.pointerId;
    pad.setPointerCapture(pointerId);
    event.preventDefault();
    const [x, y] = fromEvent(event);
    update(x, y, true);
  });
  pad.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointerId) return;
    event.preventDefault();
    const [x, y] = fromEvent(event);
    update(x, y, true);
  });
  const release = (event) => {
    if (event.pointerId !== pointerId) return;
    pointerId = null;
    update(0, 0, false);
  };
  pad.addEventListener('pointerup', release);
  pad.addEventListener('pointercancel', release);
  pad.addEventListener('lostpointercapture', release);
  pad.addEventListener('contextmenu', (event) => event.preventDefault());

  place(0, 0);
  return {
    element: pad,
    get value() { return state; },
    reset() { pointerId = null; update(0, 0, false); },
  };
}
