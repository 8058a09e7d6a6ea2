// @ts-check
// Calibration: overview + the steering wizard (ground, centre, max left, max right) and the speed
// wizard (raise, stopped, forward direction with reverse toggle, max forward, max backward), as in
// the Developer Guide. Values are the console's calibration units, defined by the car
// (GET /api/calibration_units: pwm ns = value * factor + offset). Every slider move previews live on
// the wheels through /api/adjust_calibrating_wheels; Done saves with /api/set_calibration. The page
// enters calibration mode (/api/set_calibration_mode) first.
//
// #/calibration: overview; #/calibration/steering and #/calibration/speed: the wizards.

import { h, spinner } from '../../lib/dom.js';
import { DriveChannel } from '../../lib/drive_channel.js';
import { calibrationUnits, getCalibration, setCalibrationMode, startStop } from '../../lib/endpoints.js';
import { fileBanner } from './file_banner.js';
import { overview, unavailable } from './overview.js';
import { Preview } from './preview.js';
import { speedWizard } from './speed.js';
import { steeringWizard } from './steering.js';
import { wholeUnits } from './units.js';

/** @typedef {import('./units.js').Calibrations} Calibrations */
/** @typedef {import('./units.js').CalibrationUnits} CalibrationUnits */
/** What the car answered on entering calibration mode. @typedef {{cal: Calibrations, units: CalibrationUnits}} Loaded */

/**
 * Stops the car, enters calibration mode and reads both calibrations and the units.
 * @returns {Promise<Loaded>}
 */
async function enterCalibrationMode() {
  await startStop('stop', { check: false });
  await setCalibrationMode();
  const [a, t, units] = await Promise.all([getCalibration('angle'), getCalibration('throttle'), calibrationUnits()]);
  return { cal: { angle: wholeUnits(a), throttle: wholeUnits(t) }, units };
}

/** The page's state across sub-routes. */
class CalibrationPage {
  /** @param {HTMLElement} view @param {() => void} checkFile */
  constructor(view, checkFile) {
    this.view = view;
    this.checkFile = checkFile;
    /** @type {Loaded | null} null: not read (see errorText) */
    this.loaded = null;
    this.errorText = '';
    this.steer = new Preview('angle');
    this.throttle = new Preview('throttle');
    /** @type {string[]} */
    this.sub = [];
  }

  async enter() {
    this.errorText = '';
    try {
      this.loaded = await enterCalibrationMode();
    } catch (err) {
      this.loaded = null;
      this.errorText = /** @type {Error} */ (err).message;
    }
  }

  /** The overview, or the wizard of the sub-route. */
  render() {
    const which = this.sub[0];
    const { loaded } = this;
    if (!loaded) {
      this.view.replaceChildren(unavailable(this.errorText, async () => { await this.enter(); this.render(); }));
      return;
    }
    const back = () => { window.location.hash = '#/calibration'; };
    const done = () => { this.checkFile(); back(); };
    if (which === 'steering') this.view.replaceChildren(steeringWizard({ ...loaded, preview: this.steer, done, back }));
    else if (which === 'speed') this.view.replaceChildren(speedWizard({ ...loaded, preview: this.throttle, done, back }));
    else this.view.replaceChildren(overview(loaded.cal, loaded.units));
  }

  /** The wheels back to the saved mids, the car stopped. */
  async leave() {
    if (this.loaded) {
      this.throttle.send(this.loaded.cal.throttle.mid);
      this.steer.send(this.loaded.cal.angle.mid);
      await Promise.all([this.throttle.settled(), this.steer.settled()]);
    }
    await startStop('stop', { check: false }).catch(() => null);
  }
}

/** @type {import('../page.js').Page} */
export default {
  title: 'Calibration',
  async mount(host, { sub }) {
    const view = h('div');
    const banner = fileBanner();
    host.append(h('h1.page-title', 'Calibration'), banner.element, view);
    const page = new CalibrationPage(view, banner.check);
    page.sub = sub;
    view.append(spinner('Entering calibration mode…'));
    banner.check();
    await page.enter();
    // The car holds a preview only while this page is there: heartbeats over the drive channel
    // (over HTTP where the socket cannot open) for as long as the page is shown.
    const channel = new DriveChannel();
    channel.open().then(() => channel.keep());
    page.render();
    return {
      onSubRoute: (s) => { page.sub = s; page.render(); },
      unmount: async () => {
        await page.leave();
        channel.close();
      },
    };
  },
};
