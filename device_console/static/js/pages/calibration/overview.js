// @ts-check
// The calibration overview: both calibrations in the display convention, a Calibrate button each;
// or why the calibration could not be read, with Try again.

import { card, facts, h } from '../../lib/dom.js';
import { displays } from './units.js';

/** @typedef {import('./units.js').Calibrations} Calibrations */
/** @typedef {import('./units.js').CalibrationUnits} CalibrationUnits */

/** @param {string} errorText @param {() => unknown} retry */
export function unavailable(errorText, retry) {
  return card('Calibration unavailable', { id: 'calibration-error' },
    h('p.form-error', errorText || 'The vehicle did not answer.'),
    h('button.btn.primary', { type: 'button', onclick: retry }, 'Try again'));
}

/** @param {Calibrations} cal @param {CalibrationUnits} units */
export function overview(cal, units) {
  const d = displays(cal, units);
  return h('div.cal-overview',
    h('p.hint', 'Calibrate so that the vehicle\'s maximum steering angles and speed match the action space you trained with in the simulator.'),
    card('Steering', { id: 'cal-steering', actions: [h('a.btn.primary#cal-steering-start', { href: '#/calibration/steering' }, 'Calibrate')] },
      facts([['Center', h('span#cal-center', d.center)], ['Maximum left steering', h('span#cal-left', d.left)],
        ['Maximum right steering', h('span#cal-right', d.right)]])),
    card('Speed', { id: 'cal-speed', actions: [h('a.btn.primary#cal-speed-start', { href: '#/calibration/speed' }, 'Calibrate')] },
      facts([['Stopped', h('span#cal-stopped', d.stopped)], ['Maximum forward speed', h('span#cal-forward', d.forward)],
        ['Maximum backward speed', h('span#cal-backward', d.backward)],
        ['Direction', h('span#cal-direction', d.reversed ? 'Reversed' : 'Normal')]])),
  );
}
