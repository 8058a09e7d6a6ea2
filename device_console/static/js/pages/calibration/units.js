// @ts-check
// The console's calibration units, as the car defines them (GET /api/calibration_units, from its
// calibration maths): a value v of a kind is a pulse of v * factor_ns + pwm_offset_ns nanoseconds.
//
// Display convention: left steering and forward speed are shown as positive numbers whatever the
// polarity, so display = raw * sign(polarity).

/** @typedef {import('../../lib/endpoints.js').CalibrationKind} CalibrationKind */
/** @typedef {import('../../lib/endpoints.js').CalibrationUnits} CalibrationUnits */
/** @typedef {import('../../lib/endpoints.js').CalibrationValues} CalibrationValues */
/** Both calibrations in raw console units. @typedef {Record<CalibrationKind, CalibrationValues>} Calibrations */

/** @param {number} polarity @returns {1 | -1} */
export const sgn = (polarity) => (Number(polarity) < 0 ? -1 : 1);

/**
 * The pulse width of a raw value, in ms with 3 decimals.
 * @param {CalibrationUnits} units @param {CalibrationKind} kind @param {number} raw
 * @returns {string}
 */
export function pulseMs(units, kind, raw) {
  return ((raw * units.kinds[kind].factor_ns + units.pwm_offset_ns) / 1e6).toFixed(3);
}

/**
 * Whether the speed controller turns the other way than the car's default.
 * @param {CalibrationUnits} units @param {number} polarity of the throttle
 */
export function reversed(units, polarity) {
  return sgn(polarity) !== units.kinds.throttle.default_polarity;
}

/**
 * What the overview shows, in the display convention.
 * @param {Calibrations} cal @param {CalibrationUnits} units
 */
export function displays(cal, units) {
  const a = cal.angle; const t = cal.throttle;
  const sa = sgn(a.polarity); const st = sgn(t.polarity);
  return {
    center: a.mid * sa,
    left: (sa > 0 ? a.max : a.min) * sa,
    right: (sa > 0 ? a.min : a.max) * sa,
    stopped: t.mid * st,
    forward: (st > 0 ? t.max : t.min) * st,
    backward: (st > 0 ? t.min : t.max) * st,
    reversed: reversed(units, t.polarity),
  };
}

/** Whole console units of a GET /api/get_calibration answer. @param {CalibrationValues} d @returns {CalibrationValues} */
export function wholeUnits(d) {
  return { mid: Math.round(d.mid), min: Math.round(d.min), max: Math.round(d.max), polarity: Number(d.polarity) };
}
