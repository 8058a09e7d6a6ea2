// Vehicle status (battery, network, sensors, health) and the emergency stop. Rendered once in the
// side panel (laptop) and summarised in the top bar (phone); both share the same data.

import { api, get, onConnectivity, post, supports } from './lib/api.js';
import { h, icon, poll, setText, toast } from './lib/dom.js';
import { driver } from './lib/drive.js';

// Community console thresholds: [warn, error].
export const HEALTH_LIMITS = {
  cpu_percent: [90, 99],
  cpu_temp: [75, 90],
  memory_usage: [85, 90],
  disk_used: [90, 95],
  latency_mean: [20, 30],
  latency_ratio: [1.35, 1.75],
  fps_ratio: [1.05, 1.1],
};

export function level(value, [warn, error]) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return 'unknown';
  if (value > error) return 'error';
  if (value > warn) return 'warn';
  return 'ok';
}

const SENSOR_LABELS = { camera_status: 'Camera', stereo_status: 'Stereo camera', lidar_status: 'LiDAR' };

function chip(text, state) {
  return h('span.chip', { class: state }, text);
}

export async function emergencyStop() {
  driver.stop('emergency stop');
  document.body.classList.add('estopped');
  setTimeout(() => document.body.classList.remove('estopped'), 1500);
  const errors = [];
  try {
    await api('/api/start_stop', { method: 'POST', json: { start_stop: 'stop' }, timeout: 3000 });
  } catch (err) { errors.push(err.message); }
  if (await supports('/api/emergency_stop')) {
    try {
      await post('/api/emergency_stop', {}, { timeout: 15000 });
    } catch (err) { errors.push(err.message); }
  }
  window.dispatchEvent(new CustomEvent('console:estop'));
  if (errors.length) toast(`Emergency stop: ${errors.join(' ')}`, 'error', 8000);
  else toast('Emergency stop: the car is stopped.', 'warn');
}

export async function stopCar() {
  driver.stop('stop key');
  try {
    await api('/api/start_stop', { method: 'POST', json: { start_stop: 'stop' }, timeout: 3000 });
    window.dispatchEvent(new CustomEvent('console:estop'));
    toast('Stopped (Esc).', 'warn', 2500);
  } catch (err) {
    toast(`Stop failed: ${err.message}`, 'error', 8000);
  }
}

function estopButton(extraClass = '') {
  return h('button.estop', {
    type: 'button', class: extraClass, title: 'Emergency stop (Esc stops the car too)',
    onclick: () => emergencyStop(),
  }, icon('stop', 'estop-icon'), h('span', 'Emergency stop'));
}

export function buildStatus(sidebar, topbar, nav) {
  // ---- side panel
  const batteryBar = h('span.meter-fill');
  const batteryText = h('span.value', '—');
  const battery = h('div.status-row#status-battery',
    h('span.label', 'Battery'), h('span.meter', batteryBar), batteryText);
  const ssid = h('span.value#status-ssid', '—');
  const ips = h('div.ip-list#status-ips');
  const network = h('div.status-block', h('div.status-row', h('span.label', 'Wi-Fi'), ssid), ips);
  const sensors = h('div.chips#status-sensors');
  const health = h('div.chips#status-health');
  const offline = h('div.offline-banner', { hidden: true, role: 'alert' }, 'Connection to the car lost — retrying…');

  sidebar.append(
    h('div.brand', h('img', { src: 'static/img/favicon.svg', alt: '', width: 32, height: 32 }),
      h('div', h('strong', 'DeepRacer'), h('span.muted.small', 'device console'))),
    nav.sidebar,
    h('div.status', battery, network,
      h('div.status-block', h('span.label', 'Sensors'), sensors),
      h('div.status-block', { id: 'status-health-block', hidden: true }, h('span.label', 'Health'), health)),
    h('div.sidebar-foot', estopButton('estop-side'),
      h('a.logout', { href: 'logout' }, 'Log out')),
  );

  // ---- top bar (phones)
  const topBattery = h('button.top-chip#top-battery', {
    type: 'button', 'aria-expanded': 'false', 'aria-controls': 'sidebar', title: 'Vehicle status',
  }, icon('battery'), h('span#top-battery-text', '—'));
  const topBatteryText = topBattery.querySelector('#top-battery-text');
  // Tapping the page closes the phone drawer.
  document.getElementById('content').addEventListener('click', () => {
    document.body.classList.remove('drawer-open');
    topBattery.setAttribute('aria-expanded', 'false');
  });
  topBattery.addEventListener('click', () => {
    const open = !document.body.classList.contains('drawer-open');
    document.body.classList.toggle('drawer-open', open);
    topBattery.setAttribute('aria-expanded', String(open));
  });
  topbar.append(
    h('div.topbar-row',
      h('a.brand-small', { href: '#/control', 'aria-label': 'DeepRacer: control vehicle' }, h('img', { src: 'static/img/favicon.svg', alt: '', width: 26, height: 26 }), h('span', 'DeepRacer')),
      topBattery,
      estopButton('estop-top')),
    nav.top,
  );
  document.body.append(offline);
  // The phone drawer opens below the top bar: keep its height in a CSS variable.
  const setTopbarHeight = () => document.documentElement.style.setProperty('--topbar-h', `${topbar.offsetHeight}px`);
  new ResizeObserver(setTopbarHeight).observe(topbar);
  setTopbarHeight();

  onConnectivity((isOnline) => {
    offline.hidden = isOnline;
    document.body.classList.toggle('offline', !isOnline);
  });

  // ---- data
  const refreshBattery = async () => {
    try {
      const d = await get('/api/get_battery_level');
      const lvl = Number(d.battery_level);
      if (!Number.isFinite(lvl) || lvl < 0) {
        setText(batteryText, 'not connected');
        batteryBar.style.width = '0%';
        battery.dataset.state = 'error';
        setText(topBatteryText, '?');
        topBattery.dataset.state = 'error';
        return;
      }
      const pct = Math.max(0, Math.min(100, Math.round(lvl * 10)));
      setText(batteryText, `${pct}%`);
      batteryBar.style.width = `${pct}%`;
      battery.dataset.state = lvl <= 2 ? 'error' : lvl <= 4 ? 'warn' : 'ok';
      setText(topBatteryText, `${pct}%`);
      topBattery.dataset.state = battery.dataset.state;
    } catch {
      setText(batteryText, '—');
    }
  };
  const refreshNetwork = async () => {
    try {
      const d = await get('/api/get_network_details');
      setText(ssid, d.SSID || 'not connected');
      ips.replaceChildren(...String(d.ip_address || '').split(',').map((s) => s.trim()).filter(Boolean)
        .map((ip) => h('span.ip', `IP: ${ip}`)));
      if (d.is_usb_connected) ips.append(h('span.ip', 'USB connected'));
    } catch { /* shown by the connection banner */ }
  };
  const refreshSensors = async () => {
    try {
      const d = await get('/api/get_sensor_status');
      sensors.replaceChildren(...Object.entries(SENSOR_LABELS).map(([key, label]) => {
        const value = d[key] || 'error';
        const state = value === 'connected' ? 'ok' : value === 'not_connected' ? 'off' : 'error';
        return chip(`${label}: ${value.replace('_', ' ')}`, state);
      }));
    } catch { /* banner */ }
  };
  let hasHealth = false;
  const refreshHealth = async () => {
    if (!hasHealth) return;
    try {
      const d = await get('/api/get_device_status');
      const items = [];
      if (d.cpu_percent !== undefined) items.push(chip(`CPU ${Math.round(d.cpu_percent)}%`, level(d.cpu_percent, HEALTH_LIMITS.cpu_percent)));
      if (Number(d.cpu_temp) > 0) items.push(chip(`${Math.round(d.cpu_temp)} °C`, level(d.cpu_temp, HEALTH_LIMITS.cpu_temp)));
      if (d.memory_usage !== undefined) items.push(chip(`RAM ${Math.round(d.memory_usage)}%`, level(d.memory_usage, HEALTH_LIMITS.memory_usage)));
      if (d.fps_mean) items.push(chip(`${Number(d.fps_mean).toFixed(0)} fps`, level(30 / d.fps_mean, HEALTH_LIMITS.fps_ratio)));
      if (d.latency_mean) items.push(chip(`${Number(d.latency_mean).toFixed(0)} ms`, level(d.latency_mean, HEALTH_LIMITS.latency_mean)));
      health.replaceChildren(...items);
    } catch { /* banner */ }
  };
  supports('/api/get_device_status').then((yes) => {
    hasHealth = yes;
    document.getElementById('status-health-block').hidden = !yes;
    if (yes) poll(refreshHealth, 4000);
  });

  poll(refreshBattery, 10000);
  poll(refreshNetwork, 30000);
  poll(refreshSensors, 15000);

  // Esc stops the car (start_stop "stop") without the heavier emergency-stop action.
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !document.querySelector('dialog[open]')) stopCar();
  });
}
