// @ts-check
// Control vehicle: autonomous (model picker + load progress, max speed %, start/stop) and manual
// (joystick pad, keyboard, game controller) driving, camera / LiDAR-overlay stream and, when the
// simulated car runs, a top-down track view.

import { card, h, toast } from '../../lib/dom.js';
import { driver } from '../../lib/drive.js';
import { setDriveMode } from '../../lib/endpoints.js';
import { AutonomousPanel } from './autonomous.js';
import { cameraCard } from './camera.js';
import { manualPanel } from './manual.js';
import { simCard } from './simulator.js';
import { telemetryCard } from './telemetry.js';
import { store } from './store.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {'auto' | 'manual'} Mode */

/** @type {Mode[]} */
const MODES = ['auto', 'manual'];

/**
 * The Autonomous / Manual tabs. Changing mode (by the user) always stops the car first.
 * @param {AutonomousPanel} auto @param {{panel: HTMLElement, stop: () => Promise<unknown>}} manual
 */
function modeTabs(auto, manual) {
  let mode = store.get('driveTab', 'auto');
  /** @param {Mode} m @param {boolean} userAction */
  const select = async (m, userAction) => {
    if (userAction && m === mode) return;
    if (userAction) {
      if (mode === 'manual') await manual.stop();
      else if (auto.isRunning()) await auto.stop();
      try { await setDriveMode(m); } catch (err) { toast(/** @type {Error} */ (err).message, 'error'); }
    }
    mode = m;
    store.set('driveTab', m);
    for (const t of tabs) t.setAttribute('aria-selected', String(t.id === `tab-${m}`));
    auto.panel.hidden = m !== 'auto';
    manual.panel.hidden = m !== 'manual';
  };
  const tabs = MODES.map((m) => h('button.tab', {
    type: 'button', role: 'tab', id: `tab-${m}`, 'aria-controls': `${m}-panel`,
    onclick: () => select(m, true),
  }, m === 'auto' ? 'Autonomous driving' : 'Manual driving'));
  return { tabs, showStored: () => select(mode, false) };
}

/** @type {import('../page.js').Page} */
export default {
  title: 'Control vehicle',
  async mount(host) {
    /** @type {Cleanup} */
    const cleanup = [];
    const auto = new AutonomousPanel(cleanup);
    const manual = manualPanel(cleanup);
    const { tabs, showStored } = modeTabs(auto, manual);
    await showStored();

    host.append(
      h('h1.page-title', 'Control vehicle'),
      h('div.control-grid',
        card('Controls', { id: 'controls-card' }, h('div.tabs', { role: 'tablist' }, tabs), auto.panel, manual.panel),
        h('div.control-side', cameraCard(cleanup), telemetryCard(cleanup), simCard(cleanup))),
    );

    return async () => {
      for (const fn of cleanup.splice(0)) {
        try { fn(); } catch (err) { console.error(err); }
      }
      if (driver.started) await driver.stop('left the page');
    };
  },
};
