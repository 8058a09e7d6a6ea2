// @ts-check
// Keyboard (arrows / WASD) and game controller (browser Gamepad API) inputs for manual driving.
// Both report (angle, throttle) in the console's conventions: angle right +, throttle forward -.

/** @typedef {'up' | 'down' | 'left' | 'right'} Direction */
/** @type {Record<string, Direction>} */
const KEYMAP = {
  ArrowUp: 'up', KeyW: 'up',
  ArrowDown: 'down', KeyS: 'down',
  ArrowLeft: 'left', KeyA: 'left',
  ArrowRight: 'right', KeyD: 'right',
};

/** @param {EventTarget | null} target @returns {boolean} */
function typingInto(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return false;
}

/**
 * Keyboard driving. Shift = gentle (half). Returns detach().
 * @param {(angle: number, throttle: number, active: boolean) => void} onChange
 * @returns {() => void}
 */
export function keyboardDriving(onChange) {
  /** @type {Set<Direction>} */
  const held = new Set();
  let gentle = false;
  const emit = () => {
    const scale = gentle ? 0.5 : 1;
    const angle = ((held.has('right') ? 1 : 0) - (held.has('left') ? 1 : 0)) * scale;
    const throttle = ((held.has('down') ? 1 : 0) - (held.has('up') ? 1 : 0)) * scale;
    onChange(angle, throttle, held.size > 0);
  };
  /** @param {KeyboardEvent} event */
  const down = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInto(event.target)) return;
    const dir = KEYMAP[event.code];
    gentle = event.shiftKey;
    if (!dir) return;
    event.preventDefault();
    if (!held.has(dir)) { held.add(dir); emit(); }
  };
  /** @param {KeyboardEvent} event */
  const up = (event) => {
    const dir = KEYMAP[event.code];
    gentle = event.shiftKey;
    if (!dir) return;
    if (held.delete(dir)) emit();
  };
  const reset = () => { if (held.size) { held.clear(); emit(); } };
  window.addEventListener('keydown', down);
  window.addEventListener('keyup', up);
  window.addEventListener('blur', reset);
  return () => {
    window.removeEventListener('keydown', down);
    window.removeEventListener('keyup', up);
    window.removeEventListener('blur', reset);
    reset();
  };
}

const DEADZONE = 0.15;
/** @param {number} v @returns {number} */
function dz(v) {
  if (!Number.isFinite(v) || Math.abs(v) < DEADZONE) return 0;
  return Math.sign(v) * (Math.abs(v) - DEADZONE) / (1 - DEADZONE);
}

/**
 * @typedef {object} GamepadState
 * @property {boolean} connected
 * @property {string} name
 * @property {boolean} deadman the dead-man switch is held
 * @property {number} angle
 * @property {number} throttle
 */

/** @type {GamepadState} */
const NO_GAMEPAD = { connected: false, name: '', deadman: false, angle: 0, throttle: 0 };

/** @param {Gamepad} pad @returns {GamepadState} */
function readGamepad(pad) {
  /** @param {number} i */
  const btn = (i) => pad.buttons[i] || { pressed: false, value: 0 };
  const deadman = btn(0).pressed || btn(4).pressed;
  const stickY = dz(pad.axes[1] || 0);
  const triggers = (btn(6).value || 0) - (btn(7).value || 0);   // LT reverse (+), RT forward (-)
  const throttle = Math.abs(triggers) > Math.abs(stickY) ? triggers : stickY;
  const angle = dz(pad.axes[0] || 0);
  return {
    connected: true, name: pad.id, deadman,
    angle: deadman ? angle : 0, throttle: deadman ? throttle : 0,
  };
}

/**
 * Game controller driving (standard mapping). Hold A (button 0) or LB (button 4) as the dead-man
 * switch; left stick steers; left stick up/down or the triggers (RT forward, LT reverse) drive.
 * onState({connected, name, deadman, angle, throttle}). Returns detach().
 * @param {(state: GamepadState) => void} onState
 * @returns {() => void}
 */
export function gamepadDriving(onState) {
  let raf = 0;
  let last = '';
  const frame = () => {
    raf = 0;
    const pads = navigator.getGamepads ? navigator.getGamepads() : [];
    const pad = Array.from(pads).find((p) => p !== null && p.connected);
    const state = pad ? readGamepad(pad) : { ...NO_GAMEPAD };
    const key = JSON.stringify(state);
    if (key !== last) {
      last = key;
      onState(state);
    }
    // Poll only while a controller is connected; `gamepadconnected` restarts the loop.
    if (pad) raf = requestAnimationFrame(frame);
  };
  const kick = () => { if (!raf) frame(); };
  window.addEventListener('gamepadconnected', kick);
  frame();
  return () => {
    cancelAnimationFrame(raf);
    raf = 0;
    window.removeEventListener('gamepadconnected', kick);
    onState({ ...NO_GAMEPAD });
  };
}
