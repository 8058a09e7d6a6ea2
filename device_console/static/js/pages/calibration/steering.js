// @ts-check
// The steering wizard of the Developer Guide: ground, centre, maximum left, maximum right.

import { h } from '../../lib/dom.js';
import { cancelWizard, saveCalibration } from './context.js';
import { carDiagram } from './diagram.js';
import { slider } from './slider.js';
import { displays, pulseMs, sgn } from './units.js';
import { wizard } from './wizard.js';

/** @typedef {import('./context.js').WizardContext} WizardContext */
/** @typedef {import('./slider.js').Slider} Slider */
/** @typedef {import('./wizard.js').Step} Step */
/** The values being set, in the display convention (left positive). @typedef {{center: number, left: number, right: number}} SteeringState */

/** @returns {Step} */
function groundStep() {
  return {
    title: 'Set your vehicle on the ground',
    body: () => h('div.step-content',
      h('p', 'Place your vehicle on the ground or another hard surface within eyesight. You must be able to see the wheels during steering calibration.'),
      h('p.hint', 'Steering on a track needs much smaller angles than turning the wheels in the air, so measure with the wheels on the track surface.'),
      carDiagram('ground')),
  };
}

/** @param {SteeringState} state @param {Slider} s @param {(v: number) => void} show @returns {Step} */
function centerStep(state, s, show) {
  return {
    title: 'Calibrate center',
    body: () => h('div.step-content',
      h('p', 'Increase or decrease the Center value until at least one front wheel points straight forward, aligned with the rear wheel on the same side (use a ruler).'),
      h('p.hint', 'The front wheels may not be perfectly parallel: DeepRacer uses Ackermann steering. One front wheel facing forward is what matters.'),
      s.element),
    enter: () => { s.set(state.center); show(state.center); },
  };
}

/** @param {SteeringState} state @param {Slider} s @param {(v: number) => void} show @returns {Step} */
function leftStep(state, s, show) {
  return {
    title: 'Calibrate maximum left steering',
    body: () => h('div.step-content',
      h('p', 'Increase the value to turn the front wheels to the left until they stop turning. A quiet noise is normal; a loud noise means you have gone too far. If your action space limits the steering angle, match it here.'),
      s.element),
    enter: () => {
      s.setRange(state.center + 1, 50);
      state.left = Math.max(state.left, state.center + 1);
      s.set(state.left);
      show(state.left);
    },
  };
}

/** @param {SteeringState} state @param {Slider} s @param {(v: number) => void} show @returns {Step} */
function rightStep(state, s, show) {
  return {
    title: 'Calibrate maximum right steering',
    body: () => h('div.step-content',
      h('p', 'Decrease the value to turn the front wheels to the right until they stop turning. A quiet noise is normal; a loud noise means you have gone too far.'),
      s.element),
    enter: () => {
      s.setRange(-50, state.center - 1);
      state.right = Math.min(state.right, state.center - 1);
      s.set(state.right);
      show(state.right);
    },
  };
}

/** @param {WizardContext} ctx @returns {HTMLElement} */
export function steeringWizard(ctx) {
  const a = ctx.cal.angle;
  const s = sgn(a.polarity);
  const d = displays(ctx.cal, ctx.units);
  /** @type {SteeringState} */
  const state = { center: d.center, left: d.left, right: d.right };
  /** @param {number} v */
  const raw = (v) => v * s;
  /** @param {number} v */
  const describe = (v) => `pulse ${pulseMs(ctx.units, 'angle', raw(v))} ms`;
  const centre = (/** @type {number} */ v) => ctx.preview.send(raw(v));
  const left = (/** @type {number} */ v) => ctx.preview.send(raw(v), 'max');
  const right = (/** @type {number} */ v) => ctx.preview.send(raw(v), 'min');

  const centerS = slider({ id: 'steer-center', label: 'Center value', min: -30, max: 30, value: state.center, describe,
    onInput: (v) => { state.center = v; centre(v); } });
  const leftS = slider({ id: 'steer-left', label: 'Maximum left steering value', min: -50, max: 50, value: state.left, describe,
    onInput: (v) => { state.left = v; left(v); } });
  const rightS = slider({ id: 'steer-right', label: 'Maximum right steering value', min: -50, max: 50, value: state.right, describe,
    onInput: (v) => { state.right = v; right(v); } });

  return wizard({
    id: 'steering-wizard', title: 'Calibrate steering angle',
    steps: [groundStep(), centerStep(state, centerS, centre), leftStep(state, leftS, left), rightStep(state, rightS, right)],
    onCancel: () => cancelWizard(ctx, a.mid),
    onFinish: () => {
      const l = raw(state.left); const r = raw(state.right);
      const values = { mid: raw(state.center), min: Math.min(l, r), max: Math.max(l, r), polarity: a.polarity };
      return saveCalibration(ctx, 'angle', values, 'Steering');
    },
  });
}
