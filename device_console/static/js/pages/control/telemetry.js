// @ts-check
// The driving telemetry card of the Control page: camera-to-servo latency (mean and 95th percentile,
// ms) and the command rate (fps) of autonomous driving, live, as a small chart of the last minutes
// and the newest numbers. The values are device_status_node's (GET /api/get_device_status): the
// servo node measures each autonomous command from its camera frame's capture to the PWM write.
// Shown only when the car has that route.

import { card, h, poll, setText } from '../../lib/dom.js';
import { deviceStatus, hasDeviceStatus } from '../../lib/endpoints.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {import('../../lib/endpoints.js').DeviceStatus} DeviceStatus */
/** @typedef {{mean: number, p95: number, fps: number}} Sample */

const PERIOD_MS = 2500;   // device_status_node publishes every 2.5 s
const SAMPLES = 48;       // two minutes of history
// the same colours as .telemetry-swatch.mean / .p95 / .fps in console.css (the legend)
const COLOURS = { mean: '#2a7de1', p95: '#e1812a', fps: '#3a9a4a' };

/** @param {unknown} v */
const finite = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A chart of the samples: latency lines on the left scale (ms), fps on the right scale. */
export class TelemetryChart {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    /** @type {Sample[]} */
    this.samples = [];
  }

  /** @param {Sample} sample */
  add(sample) {
    this.samples.push(sample);
    if (this.samples.length > SAMPLES) this.samples.shift();
    this.draw();
  }

  draw() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.canvas;
    const pad = { left: 34, right: 34, top: 8, bottom: 8 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    ctx.clearRect(0, 0, width, height);
    const msMax = niceMax(Math.max(10, ...this.samples.map((s) => s.p95)));
    const fpsMax = niceMax(Math.max(15, ...this.samples.map((s) => s.fps)));
    ctx.strokeStyle = '#d0d4da';
    ctx.fillStyle = '#6b7280';
    ctx.font = '10px sans-serif';
    ctx.lineWidth = 1;
    for (const f of [0, 0.5, 1]) {
      const y = pad.top + plotH * (1 - f);
      ctx.beginPath(); ctx.moveTo(pad.left, y); ctx.lineTo(width - pad.right, y); ctx.stroke();
      ctx.textAlign = 'right'; ctx.fillText(`${Math.round(msMax * f)}`, pad.left - 4, y + 3);
      ctx.textAlign = 'left'; ctx.fillText(`${Math.round(fpsMax * f)}`, width - pad.right + 4, y + 3);
    }
    /** @param {(s: Sample) => number} value @param {number} max @param {string} colour */
    const line = (value, max, colour) => {
      if (this.samples.length === 0) return;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.beginPath();
      this.samples.forEach((s, i) => {
        const x = pad.left + (plotW * (SAMPLES - this.samples.length + i)) / (SAMPLES - 1);
        const y = pad.top + plotH * (1 - Math.min(1, value(s) / max));
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    };
    line((s) => s.fps, fpsMax, COLOURS.fps);
    line((s) => s.p95, msMax, COLOURS.p95);
    line((s) => s.mean, msMax, COLOURS.mean);
  }
}

/** @param {number} v the largest value -> a round top of the scale */
function niceMax(v) {
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / step) * step;
}

/** @param {keyof typeof COLOURS} line @param {string} label @param {HTMLElement} value */
const legendItem = (line, label, value) => h('span.telemetry-item',
  h(`span.telemetry-swatch.${line}`), `${label} `, value);

/** @param {Cleanup} cleanup @returns {HTMLElement} the card, hidden when the car has no device status */
export function telemetryCard(cleanup) {
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas#telemetry-chart', {
    width: 480, height: 120, 'aria-label': 'Camera-to-servo latency and frame rate, last two minutes',
  }));
  const chart = new TelemetryChart(canvas);
  const values = { mean: h('b#telemetry-latency', '—'), p95: h('b#telemetry-p95', '—'), fps: h('b#telemetry-fps', '—') };
  const element = card('Driving latency', { id: 'telemetry-card', cls: 'telemetry-card' }, canvas,
    h('p.telemetry-legend',
      legendItem('mean', 'mean', values.mean), legendItem('p95', 'p95', values.p95),
      legendItem('fps', 'rate', values.fps)),
    h('p.hint', 'Camera capture to servo command, while driving autonomously.'));
  element.hidden = true;
  const tick = async () => {
    /** @type {DeviceStatus} */
    let s;
    try { s = await deviceStatus(); } catch { return; }
    const sample = { mean: finite(s.latency_mean), p95: finite(s.latency_p95), fps: finite(s.fps_mean) };
    chart.add(sample);
    setText(values.mean, sample.fps ? `${sample.mean.toFixed(1)} ms` : '—');
    setText(values.p95, sample.fps ? `${sample.p95.toFixed(1)} ms` : '—');
    setText(values.fps, sample.fps ? `${sample.fps.toFixed(1)} fps` : '—');
  };
  hasDeviceStatus().then((yes) => {
    if (!yes) return;
    element.hidden = false;
    chart.draw();
    cleanup.push(poll(tick, PERIOD_MS));
  });
  return element;
}
