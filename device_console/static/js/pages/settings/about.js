// @ts-check
// About: versions, processor, memory, storage, the vehicle's time and, where the car has it, its
// live health (CPU, temperature, memory, disk, inference latency, camera frame rate).

import { card, facts, h, poll, setText } from '../../lib/dom.js';
import { deviceInfo, deviceStatus, hasDeviceStatus, hasVehicleTime, vehicleTime } from '../../lib/endpoints.js';
import { HEALTH_LIMITS, level } from '../../status.js';
import { errorText } from './fields.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {import('../../lib/endpoints.js').DeviceStatus} DeviceStatus */
/** @typedef {import('../../lib/endpoints.js').DeviceInfoField} DeviceInfoField */
/** @typedef {import('../../status.js').Level} Level */

/** @param {unknown} v @returns {v is number} */
const num = (v) => Number.isFinite(Number(v)) && v !== null;

/** @param {HTMLElement} el @param {string} text @param {Level} state */
function mark(el, text, state) {
  setText(el, text);
  el.dataset.state = state;
}

/**
 * A device-info value as shown: the car reports RAM in MiB as a bare number (the community's
 * `free -m` form), shown in GB; other values as they are.
 * @param {DeviceInfoField} key @param {string | number | undefined} value
 */
function factText(key, value) {
  if (value === undefined || value === '') return '—';
  if (key === 'ram_amount' && /^\d+$/.test(String(value))) return `${(Number(value) / 1024).toFixed(1)} GB`;
  return String(value);
}

/** The versions and hardware (read once). */
function staticFacts() {
  /** @type {Record<DeviceInfoField, HTMLElement>} */
  const rows = {
    software_version: h('span#about-software', '—'), hardware_version: h('span#about-hardware', '—'),
    cpu_model: h('span#about-cpu', '—'), os_version: h('span#about-os', '—'), ros_distro: h('span#about-ros', '—'),
    ram_amount: h('span#about-ram', '—'), disk_amount: h('span#about-disk', '—'),
  };
  const load = async () => {
    try {
      const d = await deviceInfo();
      for (const [key, el] of Object.entries(rows)) {
        const field = /** @type {DeviceInfoField} */ (key);
        setText(el, factText(field, d[field]));
      }
    } catch (err) { setText(rows.software_version, errorText(err)); }
  };
  return { rows, load };
}

/** @param {DeviceStatus} s */
function cpuText(s) {
  return num(s.cpu_percent) ? `${Number(s.cpu_percent).toFixed(0)} %${s.cpu_freq ? ` at ${Math.round(s.cpu_freq)} MHz` : ''}` : '—';
}

/** The live health rows. */
function liveStatus() {
  const live = {
    cpu: h('span#about-cpu-usage', '—'), temp: h('span#about-temp', '—'), mem: h('span#about-mem', '—'),
    disk: h('span#about-free-disk', '—'), latency: h('span#about-latency', '—'), fps: h('span#about-fps', '—'),
  };
  const element = h('div.subsection#about-live', { hidden: true }, h('h3', 'Live status'),
    facts([['CPU usage', live.cpu], ['CPU temperature', live.temp], ['Memory used', live.mem], ['Free disk', live.disk],
      ['Inference latency', live.latency], ['Camera frame rate', live.fps]]));
  /** @param {DeviceStatus} s */
  const show = (s) => {
    const temp = Number(s.cpu_temp);
    const latency = num(s.latency_mean) && s.latency_mean ? s.latency_mean : 0;
    const fps = num(s.fps_mean) && s.fps_mean ? s.fps_mean : 0;
    mark(live.cpu, cpuText(s), level(s.cpu_percent, HEALTH_LIMITS.cpu_percent));
    mark(live.temp, temp > 0 ? `${temp.toFixed(0)} °C` : 'no sensor', temp > 0 ? level(temp, HEALTH_LIMITS.cpu_temp) : 'unknown');
    mark(live.mem, num(s.memory_usage) ? `${Number(s.memory_usage).toFixed(0)} %` : '—', level(s.memory_usage, HEALTH_LIMITS.memory_usage));
    mark(live.disk, num(s.free_disk) ? `${Number(s.free_disk).toFixed(0)} % free` : '—', num(s.free_disk) ? level(100 - s.free_disk, HEALTH_LIMITS.disk_used) : 'unknown');
    mark(live.latency, latency ? `${Number(latency).toFixed(1)} ms mean, ${Number(s.latency_p95 || 0).toFixed(1)} ms p95` : '—', latency ? level(latency, HEALTH_LIMITS.latency_mean) : 'unknown');
    mark(live.fps, fps ? `${Number(fps).toFixed(1)} fps` : '—', fps ? level(30 / fps, HEALTH_LIMITS.fps_ratio) : 'unknown');
  };
  const refresh = async () => {
    try { show(await deviceStatus()); } catch { /* banner */ }
  };
  return { element, refresh };
}

/** @param {HTMLElement} timeRow */
async function refreshTime(timeRow) {
  try {
    const t = await vehicleTime();
    const zone = t.timezone || 'UTC';
    setText(timeRow, `${t.time} ${t.timezone_abbr && t.timezone_abbr !== zone ? `${t.timezone_abbr} (${zone})` : zone}`);
  } catch { /* ignore */ }
}

/** @param {Cleanup} cleanup */
export function aboutCard(cleanup) {
  const info = staticFacts();
  const live = liveStatus();
  const timeRow = h('span#about-time', '—');
  (async () => {
    await info.load();
    if (await hasVehicleTime()) cleanup.push(poll(() => refreshTime(timeRow), 30000));
    if (await hasDeviceStatus()) {
      live.element.hidden = false;
      cleanup.push(poll(live.refresh, 4000));
    }
  })();
  const { rows } = info;
  return card('About', { id: 'about-card' },
    h('p', 'Open DeepRacer-compatible vehicle software: ROS 2, OpenVINO inference, this device console.'),
    facts([['Software version', rows.software_version], ['Hardware version', rows.hardware_version],
      ['Processor', rows.cpu_model], ['Memory', rows.ram_amount], ['Storage', rows.disk_amount],
      ['Operating system', rows.os_version], ['ROS distribution', rows.ros_distro], ['Vehicle time', timeRow]]),
    live.element);
}
