// @ts-check
// The tail light's colour, from the original console's palette.

import { card, facts, h, setText } from '../../lib/dom.js';
import { getLedColor, setCalibrationMode, setLedColor, startStop } from '../../lib/endpoints.js';
import { errorText, message, resultLine } from './fields.js';

/** @typedef {[number, number, number]} Rgb */
/** @typedef {{id: string, name: string, rgb: Rgb}} PaletteColour */

// The original console's palette names, with RGB (0..255) chosen for a saturated tail light.
/** @type {PaletteColour[]} */
export const LED_PALETTE = [
  { id: 'noColor', name: 'No color', rgb: [0, 0, 0] },
  { id: 'blue', name: 'Blue', rgb: [0, 0, 255] },
  { id: 'red', name: 'Red', rgb: [255, 0, 0] },
  { id: 'marigold', name: 'Marigold', rgb: [255, 130, 0] },
  { id: 'orchidpurple', name: 'Orchid purple', rgb: [200, 40, 220] },
  { id: 'skyblue', name: 'Sky blue', rgb: [30, 144, 255] },
  { id: 'green', name: 'Green', rgb: [0, 255, 0] },
  { id: 'violet', name: 'Violet', rgb: [128, 0, 255] },
  { id: 'lime', name: 'Lime', rgb: [170, 255, 0] },
];

/**
 * The car serves the tail light only in calibration mode (as the original): try, and if it refuses
 * (or, for a read, answers all zeros, which is also what a refusal looks like), enter calibration
 * mode (which stops the car), retry, and leave the car stopped.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {{refused?: (answer: T) => boolean}} [options]
 * @returns {Promise<T>}
 */
async function inCalibrationMode(fn, { refused = () => false } = {}) {
  try {
    const first = await fn();
    if (!refused(first)) return first;
  } catch (err) {
    if (/** @type {import('../../lib/api.js').ApiError} */ (err).status !== 200) throw err;    // only a {"success": false} answer is worth a retry
  }
  await setCalibrationMode();
  try {
    return await fn();
  } finally {
    await startStop('stop', { check: false }).catch(() => null);
  }
}

/** @param {Rgb} rgb @returns {PaletteColour | null} */
export function matchPalette(rgb) {
  return LED_PALETTE.find((c) => c.rgb.every((v, i) => v === rgb[i])) || null;
}

/** @param {Rgb} a @param {Rgb} b */
const sameRgb = (a, b) => a.every((v, i) => v === b[i]);

/** @returns {Promise<Rgb>} the tail light's colour now */
async function readColour() {
  const d = await inCalibrationMode(() => getLedColor(), {
    refused: (v) => !Number(v.red) && !Number(v.green) && !Number(v.blue),
  });
  return [Number(d.red), Number(d.green), Number(d.blue)];
}

/** @param {PaletteColour} c @param {(c: PaletteColour) => void} choose */
function swatch(c, choose) {
  const input = h('input', { type: 'radio', name: 'led', value: c.id, id: `led-${c.id}` });
  input.addEventListener('change', () => choose(c));
  return h('label.swatch', { for: `led-${c.id}` }, input,
    h('span.swatch-dot', { style: { background: c.id === 'noColor' ? 'transparent' : `rgb(${c.rgb.join(',')})` }, class: c.id === 'noColor' ? 'none' : '' }),
    h('span', c.name));
}

export function ledCard() {
  /** @type {Rgb | null} on the car */
  let current = null;
  /** @type {PaletteColour | null} */
  let chosen = null;
  const currentText = h('span#led-current', '—');
  const result = resultLine('led-result');
  const save = h('button.btn.primary#led-save', { type: 'button', disabled: true }, 'Save changes');
  const swatches = h('div.swatches#led-swatches', { role: 'radiogroup', 'aria-label': 'Select the color of the LEDs' },
    LED_PALETTE.map((c) => swatch(c, (picked) => { chosen = picked; save.disabled = !current || sameRgb(picked.rgb, current); })));
  /** @param {Rgb} rgb */
  const showCurrent = (rgb) => {
    current = rgb;
    const m = matchPalette(rgb);
    setText(currentText, m ? m.name : `Custom (${rgb.join(', ')})`);
    const input = m ? swatches.querySelector(`#led-${m.id}`) : null;
    if (input instanceof HTMLInputElement) input.checked = true;
  };
  const refresh = async () => {
    try {
      showCurrent(await readColour());
    } catch (err) {
      setText(currentText, errorText(err));
      current = [-1, -1, -1];
    }
  };
  save.addEventListener('click', async () => {
    if (!chosen) return;
    const colour = chosen;
    save.disabled = true;
    const [red, green, blue] = colour.rgb;
    try {
      await inCalibrationMode(() => setLedColor({ red, green, blue }));
      showCurrent([red, green, blue]);
      message(result, true, `Tail light set to ${colour.name}.`);
    } catch (err) {
      message(result, false, errorText(err));
      save.disabled = false;
    }
  });
  refresh();
  return card('LED color', { id: 'led-card' },
    facts([['Color', currentText]]),
    h('p.field-label', 'Select the color of the LEDs'),
    h('p.hint', 'Pick a colour that tells your vehicle apart from the others on the track.'),
    swatches, h('div.row', save), result);
}
