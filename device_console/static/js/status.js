// @ts-check
// Vehicle status (battery, network, sensors, health) and the emergency stop. Rendered once in the
// side panel (laptop) and summarised in the top bar (phone); both share the same data.

import { onConnectivity } from './lib/api.js';
import { h, icon, poll, setText, toast } from './lib/dom.js';
import { driver } from './lib/drive.js';
import {
  PAGE, batteryLevel, deviceStatus, emergencyStop as emergencyStopRequest, hasDeviceStatus, hasEmergencyStop,
  networkDetails, sensorStatus, startStop,
} from './lib/endpoints.js';

/** @typedef {'ok' | 'warn' | 'error' | 'unknown'} Level */
/** @typedef {[number, number]} Limits [warn, error] */

// Community console thresholds: [warn, error].
/** @type {Record<'cpu_percent' | 'cpu_temp' | 'memory_usage' | 'disk_used' | 'latency_mean' | 'latency_ratio' | 'fps_ratio', Limits>} */
export const HEALTH_LIMITS = {
  cpu_percent: [90, 99],
  cpu_temp: [75, 90],
  memory_usage: [85, 90],
  disk_used: [90, 95],
  latency_mean: [20, 30],
  latency_ratio: [1.35, 1.75],
  fps_ratio: [1.05, 1.1],
};

/** @param {number | null | undefined} value @param {Limits} limits @returns {Level} */
export function level(value, [warn, error]) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return 'unknown';
  if (value > error) return 'error';
  if (value > warn) return 'warn';
  return 'ok';
}

/** @type {Record<'camera_status' | 'stereo_status' | 'lidar_status', string>} */
const SENSOR_LABELS = { camera_status: 'Camera', stereo_status: 'Stereo camera', lidar_status: 'LiDAR' };

/** @param {string} text @param {string} state */
function chip(text, state) {
  return h('span.chip', { class: state }, text);
}

export async function emergencyStop() {
  driver.stop('emergency stop');
  document.body.classList.add('estopped');
  setTimeout(() => document.body.classList.remove('estopped'), 1500);
  /** @type {string[]} */
  const errors = [];
  try {
    await startStop('stop', { timeout: 3000, check: false });
  } catch (err) { errors.push(/** @type {Error} */ (err).message); }
  if (await hasEmergencyStop()) {
    try {
      await emergencyStopRequest({ timeout: 15000 });
    } catch (err) { errors.push(/** @type {Error} */ (err).message); }
  }
  window.dispatchEvent(new CustomEvent('console:estop'));
  if (errors.length) toast(`Emergency stop: ${errors.join(' ')}`, 'error', 8000);
  else toast('Emergency stop: the car is stopped.', 'warn');
}

export async function stopCar() {
  driver.stop('stop key');
  try {
    await startStop('stop', { timeout: 3000, check: false });
    window.dispatchEvent(new CustomEvent('console:estop'));
    toast('Stopped (Esc).', 'warn', 2500);
  } catch (err) {
    toast(`Stop failed: ${/** @type {Error} */ (err).message}`, 'error', 8000);
  }
}

function estopButton(extraClass = '') {
  return h('button.estop', {
    type: 'button', class: extraClass, title: 'Emergency stop (Esc stops the car too)',
    onclick: () => emergencyStop(),
  }, icon('stop', 'estop-icon'), h('span', 'Emergency stop'));
}

/**
 * The side panel's battery, network, sensors and health rows, kept up to date.
 * @param {HTMLElement} topBattery the top bar's battery chip (phones), updated with the same data
 */
function statusRows(topBattery) {
  const topBatteryText = /** @type {HTMLElement} */ (topBattery.querySelector('#top-battery-text'));
  const battery = batteryRow(topBattery, topBatteryText);
  const network = networkRows();
  const sensors = h('div.chips#status-sensors');
  poll(() => refreshSensors(sensors), 15000);
  const health = h('div.chips#status-health');
  const healthBlock = h('div.status-block', { id: 'status-health-block', hidden: true }, h('span.label', 'Health'), health);
  hasDeviceStatus().then((yes) => {
    healthBlock.hidden = !yes;
    if (yes) poll(() => refreshHealth(health), 4000);
  });
  return h('div.status', battery, network, h('div.status-block', h('span.label', 'Sensors'), sensors), healthBlock);
}

/** @param {HTMLElement} topBattery @param {HTMLElement} topBatteryText */
function batteryRow(topBattery, topBatteryText) {
  const bar = h('span.meter-fill');
  const text = h('span.value', '—');
  const row = h('div.status-row#status-battery', h('span.label', 'Battery'), h('span.meter', bar), text);
  /** @param {string} shown @param {number} pct @param {string} state @param {string} top */
  const show = (shown, pct, state, top) => {
    setText(text, shown);
    bar.style.width = `${pct}%`;
    row.dataset.state = state;
    setText(topBatteryText, top);
    topBattery.dataset.state = state;
  };
  poll(async () => {
    try {
      const lvl = Number((await batteryLevel()).battery_level);
      if (!Number.isFinite(lvl) || lvl < 0) { show('not connected', 0, 'error', '?'); return; }
      const pct = Math.max(0, Math.min(100, Math.round(lvl * 10)));
      show(`${pct}%`, pct, lvl <= 2 ? 'error' : lvl <= 4 ? 'warn' : 'ok', `${pct}%`);
    } catch {
      setText(text, '—');
    }
  }, 10000);
  return row;
}

function networkRows() {
  const ssid = h('span.value#status-ssid', '—');
  const ips = h('div.ip-list#status-ips');
  poll(async () => {
    try {
      const d = await networkDetails();
      setText(ssid, d.SSID || 'not connected');
      ips.replaceChildren(...String(d.ip_address || '').split(',').map((s) => s.trim()).filter(Boolean)
        .map((ip) => h('span.ip', `IP: ${ip}`)));
      if (d.is_usb_connected) ips.append(h('span.ip', 'USB connected'));
    } catch { /* shown by the connection banner */ }
  }, 30000);
  return h('div.status-block', h('div.status-row', h('span.label', 'Wi-Fi'), ssid), ips);
}

/** @param {HTMLElement} sensors */
async function refreshSensors(sensors) {
  try {
    const d = await sensorStatus();
    sensors.replaceChildren(...Object.entries(SENSOR_LABELS).map(([key, label]) => {
      const value = d[/** @type {keyof typeof SENSOR_LABELS} */ (key)] || 'error';
      const state = value === 'connected' ? 'ok' : value === 'not_connected' ? 'off' : 'error';
      return chip(`${label}: ${value.replace('_', ' ')}`, state);
    }));
  } catch { /* banner */ }
}

/** @param {HTMLElement} health */
async function refreshHealth(health) {
  try {
    const d = await deviceStatus();
    const items = [];
    if (d.cpu_percent !== undefined) items.push(chip(`CPU ${Math.round(d.cpu_percent)}%`, level(d.cpu_percent, HEALTH_LIMITS.cpu_percent)));
    if (Number(d.cpu_temp) > 0) items.push(chip(`${Math.round(Number(d.cpu_temp))} °C`, level(d.cpu_temp, HEALTH_LIMITS.cpu_temp)));
    if (d.memory_usage !== undefined) items.push(chip(`RAM ${Math.round(d.memory_usage)}%`, level(d.memory_usage, HEALTH_LIMITS.memory_usage)));
    if (d.fps_mean) items.push(chip(`${Number(d.fps_mean).toFixed(0)} fps`, level(30 / d.fps_mean, HEALTH_LIMITS.fps_ratio)));
    if (d.latency_mean) items.push(chip(`${Number(d.latency_mean).toFixed(0)} ms`, level(d.latency_mean, HEALTH_LIMITS.latency_mean)));
    health.replaceChildren(...items);
  } catch { /* banner */ }
}

/** The phone's battery chip: opens the side panel as a drawer. */
function topBatteryChip() {
  const topBattery = h('button.top-chip#top-battery', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': 'sidebar', title: 'Vehicle status',
  }, icon('battery'), h('span#top-battery-text', '—'));
  // Tapping the page closes the phone drawer.
  document.getElementById('content')?.addEventListener('click', () => {
    document.body.classList.remove('drawer-open');
    topBattery.setAttribute('aria-expanded', 'false');
  });
  topBattery.addEventListener('click', () => {
    const open = !document.body.classList.contains('drawer-open');
    document.body.classList.toggle('drawer-open', open);
    topBattery.setAttribute('aria-expanded', String(open));
  });
  return topBattery;
}

/** The banner while the car does not answer. */
function offlineBanner() {
  const offline = h('div.offline-banner', { hidden: true, role: 'alert' }, 'Connection to the car lost — retrying…');
  document.body.append(offline);
  onConnectivity((isOnline) => {
    offline.hidden = isOnline;
    document.body.classList.toggle('offline', !isOnline);
  });
}

/**
 * @param {HTMLElement} sidebar
 * @param {HTMLElement} topbar
 * @param {{sidebar: HTMLElement, top: HTMLElement}} nav the page links of each
 */
export function buildStatus(sidebar, topbar, nav) {
  const topBattery = topBatteryChip();
  sidebar.append(
    h('div.brand', h('img', { src: 'static/img/favicon.svg', alt: '', width: 32, height: 32 }),
      h('div', h('strong', 'DeepRacer'), h('span.muted.small', 'device console'))),
    nav.sidebar,
    statusRows(topBattery),
    h('div.sidebar-foot', estopButton('estop-side'),
      h('a.logout', { href: PAGE.logout }, 'Log out')),
  );
  topbar.append(
    h('div.topbar-row',
      h('a.brand-small', { href: '#/control', 'aria-label': 'DeepRacer: control vehicle' }, h('img', { src: 'static/img/favicon.svg', alt: '', width: 26, height: 26 }), h('span', 'DeepRacer')),
      topBattery,
      estopButton('estop-top')),
    nav.top,
  );
  offlineBanner();
  // The phone drawer opens below the top bar: keep its height in a CSS variable.
  const setTopbarHeight = () => document.documentElement.style.setProperty('--topbar-h', `${topbar.offsetHeight}px`);
  new ResizeObserver(setTopbarHeight).observe(topbar);
  setTopbarHeight();

  // Esc stops the car (start_stop "stop") without the heavier emergency-stop action.
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !document.querySelector('dialog[open]')) stopCar();
  });
}
