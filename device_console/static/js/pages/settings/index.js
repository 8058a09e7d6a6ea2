// Settings: network (SSID, IPs, available networks, connect), console password, SSH, tail-light
// colour (the original palette), the console UI the car serves (built-in or installed), about
// (versions, CPU, memory, disk, live health).

import { api, get, post, supports } from '../../lib/api.js';
import { actionButton, card, facts, h, poll, setText } from '../../lib/dom.js';
import { HEALTH_LIMITS, level } from '../../status.js';

// The original console's palette names, with RGB (0..255) chosen for a saturated tail light.
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

function passwordField(id, label, autocomplete = 'new-password') {
  const input = h('input', { id, type: 'password', autocomplete, autocapitalize: 'off', spellcheck: 'false' });
  return { input, element: h('div.field', h('label.field-label', { for: id }, label), input) };
}

function showPasswords(fields) {
  const box = h('input', { type: 'checkbox' });
  box.addEventListener('change', () => { for (const f of fields) f.input.type = box.checked ? 'text' : 'password'; });
  return h('label.check', box, ' Show passwords');
}

function message(el, ok, text) {
  el.hidden = !text;
  el.dataset.state = ok ? 'ok' : 'error';
  setText(el, text);
}

// ------------------------------------------------------------------ network
function networkCard() {
  const ssid = h('span#net-ssid', '—');
  const ips = h('span#net-ips', '—');
  const usb = h('span#net-usb', '—');
  const list = h('ul.wifi-list#wifi-list', h('li.muted', 'Press Scan to list the networks the car can see.'));
  const name = h('input#wifi-name', { type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', placeholder: 'Network name (SSID)' });
  const pw = passwordField('wifi-password', 'Wi-Fi password', 'off');
  const result = h('p.result#wifi-result', { hidden: true, role: 'status' });

  const refresh = async () => {
    try {
      const d = await get('/api/get_network_details');
      setText(ssid, d.SSID || 'Not connected');
      setText(ips, d.ip_address || '—');
      setText(usb, d.is_usb_connected ? 'Connected' : 'Not connected');
    } catch (err) { setText(ssid, err.message); }
  };
  const scan = async () => {
    list.replaceChildren(h('li.muted', 'Scanning…'));
    try {
      const nets = await api('/api/available_wifi_info', { timeout: 30000 });
      const items = Array.isArray(nets) ? nets : [];
      if (!items.length) { list.replaceChildren(h('li.muted', 'No networks found.')); return; }
      list.replaceChildren(...items.map((n) => {
        const bars = Math.max(0, Math.min(4, Number(n.strength) || 0));
        return h('li', h('button.wifi-item', {
          type: 'button',
          onclick: () => { name.value = n.ssid; pw.input.focus(); },
        }, h('span.wifi-bars', { 'aria-label': `signal ${bars} of 4`, dataset: { bars } }, '▂▄▆█'.slice(0, bars) || '·'),
        h('span.wifi-ssid', n.ssid), h('span.muted.small', n.security_info || 'open')));
      }));
    } catch (err) { list.replaceChildren(h('li.form-error', err.message)); }
  };
  const connect = async () => {
    if (!name.value.trim()) { message(result, false, 'Choose or type a network name.'); return; }
    message(result, true, `Connecting to ${name.value.trim()}…`);
    try {
      const d = await post('/api/wifi_reset', { wifi_name: name.value.trim(), wifi_password: pw.input.value }, { timeout: 60000 });
      message(result, true, `Connected. Vehicle IP address: ${d.ip_address || '—'}`);
      pw.input.value = '';
      refresh();
    } catch (err) { message(result, false, err.message); }
  };
  refresh();
  return card('Network settings', { id: 'network-card' },
    facts([['Wi-Fi network SSID', ssid], ['Vehicle IP address', ips], ['USB connection', usb]]),
    h('div.subsection',
      h('div.row.between', h('h3', 'Available networks'), actionButton('Scan', scan, { id: 'wifi-scan' })),
      list,
      h('label.field-label', { for: 'wifi-name' }, 'Wi-Fi network name (SSID)'), name,
      pw.element, showPasswords([pw]),
      h('div.row', actionButton('Connect', connect, { cls: 'primary', id: 'wifi-connect' })),
      h('p.hint', 'The car may get a new IP address: reconnect to it at that address afterwards.'),
      result));
}

// ------------------------------------------------------------------ console password
function passwordCard() {
  const oldF = passwordField('pw-old', 'Old password', 'current-password');
  const newF = passwordField('pw-new', 'New password');
  const confirmF = passwordField('pw-confirm', 'Confirm password');
  const result = h('p.result#pw-result', { hidden: true, role: 'status' });
  const btn = h('button.btn.primary#pw-change', { type: 'button', disabled: true }, 'Change password');
  const validate = () => {
    const ok = oldF.input.value && newF.input.value.length >= 1 && newF.input.value === confirmF.input.value;
    btn.disabled = !ok;
    if (confirmF.input.value && newF.input.value !== confirmF.input.value) message(result, false, 'The new passwords do not match.');
    else if (result.dataset.state === 'error' && result.textContent.startsWith('The new passwords')) message(result, true, '');
  };
  for (const f of [oldF, newF, confirmF]) f.input.addEventListener('input', validate);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await post('/api/password', { old_password: oldF.input.value, new_password: newF.input.value });
      message(result, true, 'Password changed. Use the new password next time you sign in.');
      for (const f of [oldF, newF, confirmF]) f.input.value = '';
    } catch (err) { message(result, false, err.message); }
    validate();
  });
  return card('Device console password', { id: 'password-card' },
    h('p.hint', 'Protects access to this console. If you forget it, reset it to the default printed on the bottom of the vehicle.'),
    oldF.element, newF.element, confirmF.element, showPasswords([oldF, newF, confirmF]),
    h('div.row', btn), result);
}

// ------------------------------------------------------------------ SSH
function sshCard() {
  const state = h('span#ssh-state', '—');
  const pwState = h('span#ssh-password-state', '—');
  const result = h('p.result#ssh-result', { hidden: true, role: 'status' });
  const enable = h('button.btn#ssh-enable', { type: 'button' }, 'Enable');
  const disable = h('button.btn#ssh-disable', { type: 'button' }, 'Disable');
  const show = (d) => {
    const on = Boolean(d && d.isSshEnabled);
    setText(state, on ? 'Enabled' : 'Disabled');
    state.dataset.state = on ? 'ok' : 'off';
    enable.disabled = on;
    disable.disabled = !on;
  };
  const call = async (path) => {
    enable.disabled = true; disable.disabled = true;
    try {
      const d = await get(path, { timeout: 30000 });
      show(d);
      message(result, true, '');
    } catch (err) {
      message(result, false, err.message);
      refresh();
    }
  };
  enable.addEventListener('click', () => call('/api/enableSsh'));
  disable.addEventListener('click', () => call('/api/disableSsh'));
  const refresh = async () => {
    try { show(await get('/api/isSshEnabled')); } catch (err) { setText(state, err.message); }
    try {
      const d = await get('/api/isSshDefaultPasswordChanged');
      const changed = Boolean(d.isDefaultSshPasswordChanged);
      setText(pwState, changed ? 'Changed from the default' : 'Still the default — change it before enabling SSH');
      pwState.dataset.state = changed ? 'ok' : 'warn';
    } catch { setText(pwState, '—'); }
  };
  const oldF = passwordField('ssh-old', 'Current SSH password', 'current-password');
  const newF = passwordField('ssh-new', 'New SSH password');
  const confirmF = passwordField('ssh-confirm', 'Confirm new SSH password');
  const change = actionButton('Change SSH password', async () => {
    if (!newF.input.value || newF.input.value !== confirmF.input.value) {
      message(result, false, 'The new SSH passwords do not match.');
      return;
    }
    try {
      await post('/api/resetSshPassword', { oldPassword: oldF.input.value, newPassword: newF.input.value }, { timeout: 30000 });
      message(result, true, 'SSH password changed.');
      for (const f of [oldF, newF, confirmF]) f.input.value = '';
      refresh();
    } catch (err) { message(result, false, err.message); }
  }, { id: 'ssh-change' });
  refresh();
  return card('Device SSH', { id: 'ssh-card' },
    facts([['SSH server', state], ['Password', pwState]]),
    h('div.row', enable, disable),
    h('details.subsection', h('summary', 'Change the SSH password (user deepracer)'),
      oldF.element, newF.element, confirmF.element, showPasswords([oldF, newF, confirmF]), h('div.row', change)),
    result);
}

// ------------------------------------------------------------------ LED
/**
 * The car serves the tail light only in calibration mode (as the original): try, and if it refuses
 * (or, for a read, answers all zeros, which is also what a refusal looks like), enter calibration
 * mode (which stops the car), retry, and leave the car stopped.
 */
async function inCalibrationMode(fn, { refused = () => false } = {}) {
  try {
    const first = await fn();
    if (!refused(first)) return first;
  } catch (err) {
    if (err.status !== 200) throw err;    // only a {"success": false} answer is worth a retry
  }
  await get('/api/set_calibration_mode');
  try {
    return await fn();
  } finally {
    await api('/api/start_stop', { method: 'POST', json: { start_stop: 'stop' } }).catch(() => null);
  }
}

export function matchPalette(rgb) {
  return LED_PALETTE.find((c) => c.rgb.every((v, i) => v === rgb[i])) || null;
}

function ledCard() {
  let current = null;    // [r, g, b] on the car
  let chosen = null;
  const currentText = h('span#led-current', '—');
  const result = h('p.result#led-result', { hidden: true, role: 'status' });
  const save = h('button.btn.primary#led-save', { type: 'button', disabled: true }, 'Save changes');
  const swatches = h('div.swatches#led-swatches', { role: 'radiogroup', 'aria-label': 'Select the color of the LEDs' },
    LED_PALETTE.map((c) => {
      const input = h('input', { type: 'radio', name: 'led', value: c.id, id: `led-${c.id}` });
      input.addEventListener('change', () => { chosen = c; save.disabled = !current || c.rgb.every((v, i) => v === current[i]); });
      return h('label.swatch', { for: `led-${c.id}` }, input,
        h('span.swatch-dot', { style: { background: c.id === 'noColor' ? 'transparent' : `rgb(${c.rgb.join(',')})` }, class: c.id === 'noColor' ? 'none' : '' }),
        h('span', c.name));
    }));
  const showCurrent = () => {
    const m = matchPalette(current);
    setText(currentText, m ? m.name : `Custom (${current.join(', ')})`);
    if (m) swatches.querySelector(`#led-${m.id}`).checked = true;
  };
  const refresh = async () => {
    try {
      const d = await inCalibrationMode(() => get('/api/get_led_color'), {
        refused: (v) => !Number(v.red) && !Number(v.green) && !Number(v.blue),
      });
      current = [Number(d.red), Number(d.green), Number(d.blue)];
    } catch (err) {
      setText(currentText, err.message);
      current = [-1, -1, -1];
      return;
    }
    showCurrent();
  };
  save.addEventListener('click', async () => {
    if (!chosen) return;
    save.disabled = true;
    const [red, green, blue] = chosen.rgb;
    try {
      await inCalibrationMode(() => post('/api/set_led_color', { red, green, blue }));
      current = chosen.rgb.slice();
      showCurrent();
      message(result, true, `Tail light set to ${chosen.name}.`);
    } catch (err) {
      message(result, false, err.message);
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

// ------------------------------------------------------------------ manual driving
function drivingCard() {
  const input = h('input#drive-hold', { type: 'number', min: 0.5, max: 60, step: 0.5, inputmode: 'decimal' });
  const result = h('p.result#drive-hold-result', { hidden: true, role: 'status' });
  const save = async () => {
    try {
      const d = await post('/api/drive_settings', { legacy_drive_hold_s: Number(input.value) });
      input.value = String(d.legacy_drive_hold_s);
      message(result, true, `Saved: ${d.legacy_drive_hold_s} s.`);
    } catch (err) { message(result, false, err.message); }
  };
  (async () => {
    try {
      const d = await get('/api/drive_settings');
      input.value = String(d.legacy_drive_hold_s);
    } catch (err) { message(result, false, err.message); }
  })();
  return card('Manual driving', { id: 'driving-card' },
    h('p.hint', 'This console stops the car 0.5 s after its page goes quiet. Other apps and scripts written for the original car send a command only when the stick moves: the car keeps their last command while they are connected, and stops when their video stream closes, on Stop, or when they send nothing for this long.'),
    h('label.field-label', { for: 'drive-hold' }, 'Hold a command of other apps for (seconds, 0.5 to 60)'),
    h('div.row', input, actionButton('Save', save, { cls: 'primary', id: 'drive-hold-save' })),
    result);
}

// ------------------------------------------------------------------ about
function aboutCard(cleanup) {
  const rows = {
    software_version: h('span#about-software', '—'), hardware_version: h('span#about-hardware', '—'),
    cpu_model: h('span#about-cpu', '—'), os_version: h('span#about-os', '—'), ros_distro: h('span#about-ros', '—'),
    ram_amount: h('span#about-ram', '—'), disk_amount: h('span#about-disk', '—'),
  };
  const live = {
    cpu: h('span#about-cpu-usage', '—'), temp: h('span#about-temp', '—'), mem: h('span#about-mem', '—'),
    disk: h('span#about-free-disk', '—'), latency: h('span#about-latency', '—'), fps: h('span#about-fps', '—'),
  };
  const timeRow = h('span#about-time', '—');
  const liveBox = h('div.subsection#about-live', { hidden: true }, h('h3', 'Live status'),
    facts([['CPU usage', live.cpu], ['CPU temperature', live.temp], ['Memory used', live.mem], ['Free disk', live.disk],
      ['Inference latency', live.latency], ['Camera frame rate', live.fps]]));
  const mark = (el, text, state) => { setText(el, text); el.dataset.state = state; };
  (async () => {
    try {
      const d = await get('/api/get_device_info');
      for (const [key, el] of Object.entries(rows)) setText(el, d[key] !== undefined && d[key] !== '' ? String(d[key]) : '—');
    } catch (err) { setText(rows.software_version, err.message); }
    if (await supports('/api/get_time')) {
      const stop = poll(async () => {
        try {
          const t = await get('/api/get_time');
          const zone = t.timezone || 'UTC';
          setText(timeRow, `${t.time} ${t.timezone_abbr && t.timezone_abbr !== zone ? `${t.timezone_abbr} (${zone})` : zone}`);
        } catch { /* ignore */ }
      }, 30000);
      cleanup.push(stop);
    }
    if (await supports('/api/get_device_status')) {
      liveBox.hidden = false;
      const stop = poll(async () => {
        try {
          const s = await get('/api/get_device_status');
          const num = (v) => Number.isFinite(Number(v)) && v !== null;
          mark(live.cpu, num(s.cpu_percent) ? `${Number(s.cpu_percent).toFixed(0)} %${s.cpu_freq ? ` at ${Math.round(s.cpu_freq)} MHz` : ''}` : '—', level(s.cpu_percent, HEALTH_LIMITS.cpu_percent));
          mark(live.temp, Number(s.cpu_temp) > 0 ? `${Number(s.cpu_temp).toFixed(0)} °C` : 'no sensor', Number(s.cpu_temp) > 0 ? level(s.cpu_temp, HEALTH_LIMITS.cpu_temp) : 'unknown');
          mark(live.mem, num(s.memory_usage) ? `${Number(s.memory_usage).toFixed(0)} %` : '—', level(s.memory_usage, HEALTH_LIMITS.memory_usage));
          mark(live.disk, num(s.free_disk) ? `${Number(s.free_disk).toFixed(0)} % free` : '—', num(s.free_disk) ? level(100 - s.free_disk, HEALTH_LIMITS.disk_used) : 'unknown');
          mark(live.latency, num(s.latency_mean) && s.latency_mean ? `${Number(s.latency_mean).toFixed(1)} ms mean, ${Number(s.latency_p95 || 0).toFixed(1)} ms p95` : '—', num(s.latency_mean) && s.latency_mean ? level(s.latency_mean, HEALTH_LIMITS.latency_mean) : 'unknown');
          mark(live.fps, num(s.fps_mean) && s.fps_mean ? `${Number(s.fps_mean).toFixed(1)} fps` : '—', num(s.fps_mean) && s.fps_mean ? level(30 / s.fps_mean, HEALTH_LIMITS.fps_ratio) : 'unknown');
        } catch { /* banner */ }
      }, 4000);
      cleanup.push(stop);
    }
  })();
  return card('About', { id: 'about-card' },
    h('p', 'Open DeepRacer-compatible vehicle software: ROS 2, OpenVINO inference, this device console.'),
    facts([['Software version', rows.software_version], ['Hardware version', rows.hardware_version],
      ['Processor', rows.cpu_model], ['Memory', rows.ram_amount], ['Storage', rows.disk_amount],
      ['Operating system', rows.os_version], ['ROS distribution', rows.ros_distro], ['Vehicle time', timeRow]]),
    liveBox);
}

// ------------------------------------------------------------------ console UI
/**
 * Which browser console the car serves at / (GET /api/console_ui): this built-in one, or a UI
 * installed with `deepracer console-ui install`. Switching takes effect at the next page load; this
 * built-in console stays reachable at /builtin/ whichever is active.
 */
function consoleUiCard() {
  const active = h('span#ui-active', '—');
  const installedName = h('span#ui-installed', '—');
  const builtinUrl = h('a#ui-builtin-url', { href: '/builtin/' }, '/builtin/');
  const result = h('p.result#ui-result', { hidden: true, role: 'status' });
  const toBuiltin = h('button.btn#ui-use-builtin', { type: 'button', hidden: true }, 'Use the built-in console');
  const toInstalled = h('button.btn#ui-use-installed', { type: 'button', hidden: true }, 'Use the installed console');
  const describe = (ui) => `${ui.name}${ui.installed_at ? ` (${new Date(ui.installed_at * 1000).toLocaleString()})` : ''}`;
  const show = (d) => {
    const installed = d.active === 'installed' && d.installed;
    const kept = installed || d.inactive;
    setText(active, installed ? 'The installed console' : 'This built-in console');
    active.dataset.state = installed ? 'installed' : 'builtin';
    setText(installedName, kept ? `${describe(kept)}${installed ? '' : ', not in use'}` : 'None');
    toBuiltin.hidden = !installed;
    toInstalled.hidden = Boolean(installed) || !d.inactive;
    if (d.builtin_url) { builtinUrl.href = d.builtin_url; setText(builtinUrl, d.builtin_url); }
  };
  const refresh = async () => {
    try { show(await get('/api/console_ui')); } catch (err) { setText(active, err.message); }
  };
  const choose = async (ui) => {
    toBuiltin.disabled = true; toInstalled.disabled = true;
    try {
      const d = await post('/api/console_ui', { ui });
      show(d);
      message(result, true, ui === 'builtin'
        ? 'The car now serves the built-in console at /.'
        : 'The car now serves the installed console at / (this built-in one stays at /builtin/).');
    } catch (err) { message(result, false, err.message); }
    toBuiltin.disabled = false; toInstalled.disabled = false;
  };
  toBuiltin.addEventListener('click', () => choose('builtin'));
  toInstalled.addEventListener('click', () => choose('installed'));
  refresh();
  return card('Console UI', { id: 'console-ui-card' },
    h('p.hint', 'Another browser console (for example the community console) can be installed on the car with ',
      h('code', 'deepracer console-ui install'), '. This built-in console stays available at ', builtinUrl, '.'),
    facts([['Served at /', active], ['Installed UI', installedName]]),
    h('div.row', toBuiltin, toInstalled), result);
}

export default {
  title: 'Settings',
  async mount(host) {
    const cleanup = [];
    host.append(
      h('h1.page-title', 'Settings'),
      h('div.settings-grid', networkCard(), passwordCard(), sshCard(), ledCard(), drivingCard(), consoleUiCard(), aboutCard(cleanup)),
    );
    return () => { for (const fn of cleanup) fn(); };
  },
};
