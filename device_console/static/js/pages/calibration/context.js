// @ts-check
// What a calibration wizard works with, and how it saves or cancels.

import { toast } from '../../lib/dom.js';
import { setCalibration } from '../../lib/endpoints.js';

/** @typedef {import('./units.js').Calibrations} Calibrations */
/** @typedef {import('./units.js').CalibrationKind} CalibrationKind */
/** @typedef {import('./units.js').CalibrationUnits} CalibrationUnits */
/** @typedef {import('./units.js').CalibrationValues} CalibrationValues */
/** @typedef {import('./preview.js').Preview} Preview */

/**
 * @typedef {object} WizardContext
 * @property {Calibrations} cal the car's calibrations (raw console units), updated when one is saved
 * @property {CalibrationUnits} units
 * @property {Preview} preview the live preview of the wizard's actuator
 * @property {() => void} done back to the overview after a save (the file's status is checked again)
 * @property {() => void} back back to the overview
 */

/**
 * Saves a calibration and puts its mid on the wheels; a failure is told and changes nothing here.
 * @param {WizardContext} ctx
 * @param {CalibrationKind} kind
 * @param {CalibrationValues} values
 * @param {string} what 'Steering' or 'Speed'
 */
export async function saveCalibration(ctx, kind, values, what) {
  try {
    await setCalibration(kind, values);
    ctx.cal[kind] = { ...values };
    ctx.preview.send(values.mid);
    await ctx.preview.settled();
    toast(`${what} calibration saved.`, 'ok');
    ctx.done();
  } catch (err) {
    toast(`Saving the ${what.toLowerCase()} calibration failed: ${/** @type {Error} */ (err).message}`, 'error', 8000);
  }
}

/**
 * Cancel: the wheels back to the saved mid, then the overview.
 * @param {WizardContext} ctx @param {number} mid raw console units
 */
export async function cancelWizard(ctx, mid) {
  ctx.preview.send(mid);
  await ctx.preview.settled();
  ctx.back();
}
