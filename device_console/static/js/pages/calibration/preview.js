// @ts-check
// Live preview of a calibration value on the wheels (/api/adjust_calibrating_wheels): only the
// latest value is sent, never more than one request in flight.

import { toast } from '../../lib/dom.js';
import { adjustCalibratingWheels } from '../../lib/endpoints.js';

/** @typedef {import('../../lib/endpoints.js').CalibrationKind} CalibrationKind */
/** @typedef {import('../../lib/endpoints.js').PreviewSetting} PreviewSetting */

export class Preview {
  /** @param {CalibrationKind} kind */
  constructor(kind) {
    this.kind = kind;
    /** @type {{value: number, setting: PreviewSetting} | null} */
    this.pending = null;
    this.busy = false;
    this.lastError = '';
  }

  /**
   * Shows `value` (raw console units) on the wheels; `setting` says which value is being set.
   * @param {number} value @param {PreviewSetting} [setting]
   */
  send(value, setting = 'mid') {
    this.pending = { value, setting };
    this._flush();
  }

  /** Resolves once every value sent has been answered. */
  async settled() {
    while (this.busy || this.pending !== null) await new Promise((r) => setTimeout(r, 20));
  }

  async _flush() {
    if (this.busy || this.pending === null) return;
    const { value, setting } = this.pending;
    this.pending = null;
    this.busy = true;
    try {
      await adjustCalibratingWheels(this.kind, { pwm: Math.round(value), setting }, { timeout: 3000 });
      this.lastError = '';
    } catch (err) {
      const message = /** @type {Error} */ (err).message;
      if (message !== this.lastError) toast(`Live preview: ${message}`, 'error');
      this.lastError = message;
    } finally {
      this.busy = false;
      if (this.pending !== null) this._flush();
    }
  }
}
