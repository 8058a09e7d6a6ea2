// @ts-check
// The Manual driving panel: the touch / mouse pad, keyboard and game controller (lib/drive.js sends
// the commands and keeps the car's dead-man watchdog fed), the maximum speed, Start and Stop.

import { h, setText, toast } from '../../lib/dom.js';
import { driver } from '../../lib/drive.js';
import { gamepadDriving, keyboardDriving } from '../../lib/inputs.js';
import { joystick } from '../../lib/joystick.js';
import { store } from './store.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {import('../../lib/inputs.js').GamepadState} GamepadState */

const GAMEPAD_HINT = 'Game controller: press any button on it to connect.';

/** The maximum speed slider (percent), kept in the browser. */
function speedSlider() {
  const range = h('input#manual-speed', { type: 'range', min: 0, max: 100, step: 5, value: Math.round(driver.maxSpeed * 100) });
  const out = h('output#manual-speed-value', `${range.value} %`);
  driver.setMaxSpeed(store.get('manualSpeed', 50) / 100);
  range.value = String(Math.round(driver.maxSpeed * 100));
  setText(out, `${range.value} %`);
  range.addEventListener('input', () => {
    driver.setMaxSpeed(Number(range.value) / 100);
    setText(out, `${range.value} %`);
    store.set('manualSpeed', Number(range.value));
  });
  return h('div.row', range, out);
}

/** The readout of the command being sent, and the driving state; kept up to date from the driver. */
function readout() {
  const angle = h('output#manual-angle', '0.00');
  const throttle = h('output#manual-throttle', '0.00');
  const source = h('span#manual-source', '—');
  const state = h('span.run-state#manual-run-state', 'Stopped');
  const errorLine = h('p.form-error#manual-error', { hidden: true, role: 'alert' });
  const render = () => {
    const cmd = driver.command();
    setText(angle, cmd.angle.toFixed(2));
    setText(throttle, cmd.throttle.toFixed(2));
    setText(source, cmd.source || '—');
    setText(state, driver.started ? 'Manual driving' : driver.stopReason ? `Stopped (${driver.stopReason})` : 'Stopped');
    state.dataset.state = driver.started ? 'running' : 'stopped';
    errorLine.hidden = !driver.lastError;
    setText(errorLine, driver.lastError);
  };
  const values = h('div.readout', h('span', 'Steering ', angle), h('span', 'Throttle ', throttle), h('span', 'Input ', source));
  return { values, state, errorLine, render };
}

/** @param {HTMLElement} info @param {() => boolean} shown whether the panel is shown */
function gamepadInput(info, shown) {
  /** @param {GamepadState} g */
  return (g) => {
    if (!g.connected) {
      setText(info, GAMEPAD_HINT);
      driver.releaseInput('gamepad');
      return;
    }
    setText(info, `Game controller: ${g.name.slice(0, 60)} — ${g.deadman ? 'dead-man held, driving' : 'hold A or LB to drive'}`);
    if (shown() && g.deadman) driver.setInput('gamepad', g.angle, g.throttle);
    else driver.releaseInput('gamepad');
  };
}

function help() {
  const gamepadInfo = h('p.hint#gamepad-info', GAMEPAD_HINT);
  const element = h('details.hint',
    h('summary', 'Keyboard and game controller'),
    h('p', 'Arrow keys or W A S D drive while held; hold Shift for half input. Esc stops the car.'),
    h('p', 'Game controller: hold A or LB (dead-man switch), steer with the left stick, drive with the left stick or the triggers (RT forward, LT reverse). Releasing the dead-man switch stops the car.'),
    gamepadInfo);
  return { element, gamepadInfo };
}

function startStopButtons() {
  const start = h('button.btn.go#manual-start', {
    type: 'button',
    onclick: async () => {
      try { await driver.start(); } catch (err) { toast(`Start failed: ${/** @type {Error} */ (err).message}`, 'error'); }
    },
  }, 'Start vehicle');
  const stop = h('button.btn.stop#manual-stop', { type: 'button', onclick: () => driver.stop('stop button') }, 'Stop vehicle');
  return { start, stop };
}

/**
 * @param {Cleanup} cleanup
 * @returns {{panel: HTMLElement, stop: () => Promise<unknown>}}
 */
export function manualPanel(cleanup) {
  const pad = joystick({
    onChange: (x, y, active) => (active ? driver.setInput('pad', x, y) : driver.releaseInput('pad')),
  });
  const buttons = startStopButtons();
  const out = readout();
  const hint = help();
  const panel = h('div.mode-panel#manual-panel',
    h('p.field-label', 'Click or touch to drive'),
    pad.element,
    out.values,
    h('label.field-label', { for: 'manual-speed' }, 'Maximum speed'),
    speedSlider(),
    h('div.row.start-stop', buttons.start, buttons.stop, out.state),
    out.errorLine,
    hint.element,
  );
  const render = () => {
    out.render();
    pad.element.classList.toggle('disabled', !driver.started);
    buttons.start.disabled = driver.started;
  };
  driver.addEventListener('change', render);
  const detachKeys = keyboardDriving((angle, throttle, active) => {
    if (panel.hidden) return;
    if (active) driver.setInput('keys', angle, throttle); else driver.releaseInput('keys');
  });
  const detachPad = gamepadDriving(gamepadInput(hint.gamepadInfo, () => !panel.hidden));
  cleanup.push(() => driver.removeEventListener('change', render), detachKeys, detachPad);
  render();
  return { panel, stop: () => driver.stop('switched mode') };
}
