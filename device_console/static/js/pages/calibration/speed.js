// @ts-check
// The speed wizard of the Developer Guide: raise the car, stopped value, forward direction (with a
// reverse toggle), maximum forward speed, maximum backward speed.

import { h } from '../../lib/dom.js';
import { cancelWizard, saveCalibration } from './context.js';
import { carDiagram } from './diagram.js';
import { slider } from './slider.js';
import { pulseMs, reversed, sgn } from './units.js';
import { wizard } from './wizard.js';

/** @typedef {import('./context.js').WizardContext} WizardContext */
/** @typedef {import('./slider.js').Slider} Slider */
/** @typedef {import('./wizard.js').Step} Step */
/**
 * The values being set, raw console units, and the polarity `p` (forward = p * (value - mid) > 0).
 * @typedef {{p: 1 | -1, midRaw: number, fwdRaw: number, backRaw: number}} SpeedState
 */
/**
 * Conversions between the display convention (forward positive) and raw values.
 * @typedef {object} SpeedUnits
 * @property {(raw: number) => number} disp
 * @property {(shown: number) => number} raw
 * @property {(shown: number) => string} pulse "pulse 1.523 ms"
 */

// Names of the speed ranges above the stopped value, every 12 units (the original console's).
const ZONES = ['Slow', 'Normal', 'Fast', 'Turbo', 'Dangerous'];
const SPIN_MS = 3000;   // the wheels stop by themselves after this long

/** @param {number} offset from the stopped value */
function zoneName(offset) {
  return ZONES[Math.max(0, Math.min(ZONES.length - 1, Math.floor(offset / 12)))];
}

/**
 * Hold to spin the wheels gently forward (stops on release and after SPIN_MS).
 * @param {SpeedState} state @param {WizardContext} ctx @param {() => void} stopWheels
 */
function spinButton(state, ctx, stopWheels) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const spin = h('button.btn.hold#speed-spin', { type: 'button' }, 'Hold to spin the wheels forward');
  const stop = () => { clearTimeout(timer); timer = undefined; spin.classList.remove('active'); stopWheels(); };
  spin.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    spin.setPointerCapture(e.pointerId);
    const k = Math.max(6, Math.round(Math.abs(state.fwdRaw - state.midRaw) * 0.4));
    spin.classList.add('active');
    ctx.preview.send(state.midRaw + state.p * k, 'max');
    clearTimeout(timer);
    timer = setTimeout(stop, SPIN_MS);
  });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) spin.addEventListener(type, () => { if (timer) stop(); });
  spin.addEventListener('keydown', (e) => {
    if (e.key !== ' ' && e.key !== 'Enter') return;
    e.preventDefault();
    if (!timer) spin.dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1 }));
  });
  spin.addEventListener('keyup', () => { if (timer) stop(); });
  return { element: spin, stop: () => stop() };
}

/**
 * The reverse-direction switch: keeps the stopped point, mirrors the ranges onto the other side.
 * @param {SpeedState} state @param {WizardContext} ctx
 */
function reverseSwitch(state, ctx) {
  const reverse = h('input#speed-reverse', { type: 'checkbox', checked: reversed(ctx.units, state.p) });
  reverse.addEventListener('change', () => {
    const fwdOff = Math.abs(state.fwdRaw - state.midRaw);
    const backOff = Math.abs(state.backRaw - state.midRaw);
    state.p = state.p > 0 ? -1 : 1;
    state.fwdRaw = state.midRaw + state.p * fwdOff;
    state.backRaw = state.midRaw - state.p * backOff;
  });
  return h('label.switch', reverse, h('span', 'Reverse direction'));
}

/** @returns {Step} */
function raiseStep() {
  return {
    title: 'Raise your vehicle',
    body: () => h('div.step-content',
      h('p', 'Raise your vehicle so that the wheels do not touch the ground and can spin freely.'),
      h('p.warning', '⚠ Wheels spin at high speeds. Put the vehicle on a stable stand — do not hold it in your hands.'),
      carDiagram('raise')),
  };
}

/** @param {SpeedState} state @param {SpeedUnits} u @param {Slider} s @param {() => void} stopWheels @returns {Step} */
function stoppedStep(state, u, s, stopWheels) {
  return {
    title: 'Calibrate stopped speed',
    body: () => h('div.step-content',
      h('p', 'With the wheels free to spin, increase or decrease the Stopped value until the wheels stop spinning.'),
      h('p.hint', 'Tip: find the values on either side where the motor starts to whine; the ideal stopped value is halfway between them.'),
      s.element),
    enter: () => { s.set(u.disp(state.midRaw)); stopWheels(); },
  };
}

/** @param {SpeedState} state @param {WizardContext} ctx @param {() => void} stopWheels @returns {Step} */
function directionStep(state, ctx, stopWheels) {
  const spin = spinButton(state, ctx, stopWheels);
  const reverse = reverseSwitch(state, ctx);
  return {
    title: 'Set forward direction',
    body: () => h('div.step-content',
      h('p', 'Look at the vehicle from its left side, front to the right as in the drawing, and hold the button. If the wheels turn clockwise (the car would drive forward), the direction is set. If not, toggle Reverse direction and check again.'),
      carDiagram('spin'), h('div.row', spin.element),
      h('div.row', reverse)),
    leave: () => spin.stop(),
  };
}

/** @param {SpeedState} state @param {SpeedUnits} u @param {Slider} s @param {() => void} stopWheels @returns {Step} */
function forwardStep(state, u, s, stopWheels) {
  return {
    title: 'Calibrate maximum forward speed',
    body: () => h('div.step-content',
      h('p', 'Move the slider to set the maximum forward speed so that it matches (or is 20–30 % above) the maximum speed in your model\'s action space. Stay out of the dangerous range.'),
      s.element,
      h('button.btn#speed-stop-wheels', { type: 'button', onclick: stopWheels }, 'Stop wheels')),
    enter: () => {
      const lo = u.disp(state.midRaw) + 1;
      s.setRange(lo, Math.min(lo + 49, 60));
      s.set(Math.max(u.disp(state.fwdRaw), lo));
      state.fwdRaw = u.raw(s.value);
      stopWheels();
    },
    leave: () => stopWheels(),
  };
}

/** @param {SpeedState} state @param {SpeedUnits} u @param {Slider} s @param {() => void} stopWheels @returns {Step} */
function backwardStep(state, u, s, stopWheels) {
  return {
    title: 'Calibrate maximum backward speed',
    body: () => h('div.step-content',
      h('p', 'Move the slider to set the maximum backward speed. Autonomous driving never reverses; pick a value you are comfortable with for manual driving.'),
      s.element,
      h('button.btn#speed-stop-wheels-back', { type: 'button', onclick: stopWheels }, 'Stop wheels')),
    enter: () => {
      const hi = u.disp(state.midRaw) - 1;
      s.setRange(Math.max(hi - 49, -60), hi);
      s.set(Math.min(u.disp(state.backRaw), hi));
      state.backRaw = u.raw(s.value);
      stopWheels();
    },
    leave: () => stopWheels(),
  };
}

/** @param {SpeedState} state @param {SpeedUnits} u @param {WizardContext} ctx */
function speedSliders(state, u, ctx) {
  return {
    stopped: slider({ id: 'speed-stopped', label: 'Stopped value', min: -30, max: 30, value: u.disp(state.midRaw),
      describe: (v) => `optimal range −20 through 20 · ${u.pulse(v)}`,
      onInput: (v) => { state.midRaw = u.raw(v); ctx.preview.send(state.midRaw); } }),
    forward: slider({ id: 'speed-forward', label: 'Maximum forward speed value', min: -60, max: 60, value: u.disp(state.fwdRaw),
      describe: (v) => `${zoneName(v - u.disp(state.midRaw))} · ${u.pulse(v)}`,
      onInput: (v) => { state.fwdRaw = u.raw(v); ctx.preview.send(state.fwdRaw, 'max'); } }),
    backward: slider({ id: 'speed-backward', label: 'Maximum backward speed value', min: -60, max: 60, value: u.disp(state.backRaw),
      describe: u.pulse,
      onInput: (v) => { state.backRaw = u.raw(v); ctx.preview.send(state.backRaw, 'min'); } }),
  };
}

/** @param {WizardContext} ctx @returns {HTMLElement} */
export function speedWizard(ctx) {
  const t = ctx.cal.throttle;
  const p = sgn(t.polarity);
  /** @type {SpeedState} */
  const state = { p, midRaw: t.mid, fwdRaw: p > 0 ? t.max : t.min, backRaw: p > 0 ? t.min : t.max };
  /** @type {SpeedUnits} */
  const u = {
    disp: (r) => r * state.p,
    raw: (v) => v * state.p,
    pulse: (v) => `pulse ${pulseMs(ctx.units, 'throttle', v * state.p)} ms`,
  };
  const stopWheels = () => ctx.preview.send(state.midRaw);
  const sliders = speedSliders(state, u, ctx);
  return wizard({
    id: 'speed-wizard', title: 'Calibrate speed',
    steps: [raiseStep(), stoppedStep(state, u, sliders.stopped, stopWheels), directionStep(state, ctx, stopWheels),
      forwardStep(state, u, sliders.forward, stopWheels), backwardStep(state, u, sliders.backward, stopWheels)],
    onCancel: () => cancelWizard(ctx, t.mid),
    onFinish: () => saveCalibration(ctx, 'throttle', {
      mid: state.midRaw,
      min: Math.min(state.fwdRaw, state.backRaw),
      max: Math.max(state.fwdRaw, state.backRaw),
      polarity: state.p,
    }, 'Speed'),
  });
}
