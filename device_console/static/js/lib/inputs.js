// Keyboard (arrows / WASD) and game controller (browser Gamepad API) inputs for manual driving.
// Both report (angle, throttle) in the console's conventions: angle right +, throttle forward -.

const KEYMAP = {
  ArrowUp: 'up', KeyW: 'up',
  ArrowDown: 'down', KeyS: 'down',
  ArrowLeft: 'left', KeyA: 'left',
  ArrowRight: 'right', KeyD: 'right',
};

function typingInto(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return false;
}

/** Keyboard driving. Shift = gentle (half). Returns detach(). */
export function keyboardDriving(onChange) {
  const held = new Set();
  let gentle = false;
  const emit = () => {
    const scale = gentle ? 0.5 : 1;
    const angle = ((held.has('right') ? 1 : 0) - (held.has('left') ? 1 : 0)) * scale;
    const throttle = ((held.has('down') ? 1 : 0) - (held.has('up') ? 1 : 0)) * scale;
    onChange(angle, throttle, held.size > 0);
  };
  const down = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInto(event.target)) return;
    const dir = KEYMAP[event.code];
    gentle = event.shiftKey;
    if (!dir) return;
    event.preventDefault();
    if (!held.has(dir)) { held.add(dir); emit(); }
  };
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
function dz(v) {
  if (!Number.isFinite(v) || Math.abs(v) < DEADZONE) return 0;
  return Math.sign(v) * (Math.abs(v) - DEADZONE) / (1 - DEADZONE);
}

/**
 * Game controller driving (standard mapping). Hold A (button 0) or LB (button 4) as the dead-man
 * switch; left stick steers; left stick up/down or the triggers (RT forward, LT reverse) drive.
 * onState({connected, name, deadman, angle, throttle}). Returns detach().
 */
export function gamepadDriving(onState) {
  let raf = 0;
  let last = '';
  const frame = () => {
    raf = 0;
    const pads = navigator.getGamepads ? Array.from(navigator.getGamepads()).filter(Boolean) : [];
    const pad = pads.find((p) => p.connected);
    let state;
    if (!pad) {
      state = { connected: false, name: '', deadman: false, angle: 0, throttle: 0 };
    } else {
      const btn = (i) => pad.buttons[i] || { pressed: false, value: 0 };
      const deadman = btn(0).pressed || btn(4).pressed;
      const stickY = dz(pad.axes[1] || 0);
      const triggers = (btn(6).value || 0) - (btn(7).value || 0);   // LT reverse (+), RT forward (-)
      const throttle = Math.abs(triggers) > Math.abs(stickY) ? triggers : stickY;
      const angle = dz(pad.axes[0] || 0);
      state = {
        connected: true, name: pad.id, deadman,
        angle: deadman ? angle : 0, throttle: deadman ? throttle : 0,
      };
    }
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
    onState({ connected: false, name: '', deadman: false, angle: 0, throttle: 0 });
  };
}
