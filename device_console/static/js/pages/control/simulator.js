// @ts-check
// The simulator card (only while the simulated car runs): a top view of the track and the car, laps
// and lap times. 5 Hz while the simulator runs, a slow check otherwise.

import { card, formatSeconds, h, poll, setText } from '../../lib/dom.js';
import { hasSimulator, simStatus, simTrack } from '../../lib/endpoints.js';
import { SimView } from '../../lib/simview.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {import('../../lib/endpoints.js').SimStatus} SimStatus */

function statTiles() {
  const stats = {
    track: h('span#sim-track', '—'), laps: h('span#sim-laps', '0'), lap: h('span#sim-lap-time', '—'),
    last: h('span#sim-last-lap', '—'), off: h('span#sim-off-track', '0'), speed: h('span#sim-speed', '—'),
  };
  /** @type {[string, HTMLElement][]} */
  const tiles = [['Track', stats.track], ['Laps', stats.laps], ['Lap time', stats.lap], ['Last lap', stats.last],
    ['Off track', stats.off], ['Speed', stats.speed]];
  const element = h('dl.sim-stats', tiles.map(([k, v]) => h('div', h('dt', k), h('dd', v))));
  /** @param {SimStatus} s */
  const show = (s) => {
    setText(stats.track, s.track || '—');
    setText(stats.laps, String(s.laps ?? 0));
    setText(stats.lap, formatSeconds(s.lap_time_s));
    setText(stats.last, formatSeconds(s.last_lap_s));
    setText(stats.off, String(s.off_track ?? 0));
    setText(stats.speed, s.speed !== undefined && Number.isFinite(s.speed) ? `${s.speed.toFixed(2)} m/s` : '—');
  };
  return { element, show };
}

class SimCard {
  constructor() {
    this.canvas = h('canvas#sim-canvas', { width: 480, height: 320, 'aria-label': 'Simulated track, top view' });
    this.view = new SimView(this.canvas);
    this.stats = statTiles();
    this.element = card('Simulator', { id: 'sim-card', cls: 'sim-card' }, this.canvas, this.stats.element);
    this.element.hidden = true;
    /** @type {string | null | undefined} the track drawn */
    this.trackName = null;
    this.running = false;
  }

  async tick() {
    let s;
    try {
      s = await simStatus({ timeout: 3000 });
    } catch { s = null; }
    this.running = Boolean(s && s.success !== false);
    if (!s || !this.running) {
      this.element.hidden = true;
      return;
    }
    if (this.trackName !== s.track) await this.loadTrack(s.track);
    this.element.hidden = false;
    this.stats.show(s);
    this.view.update(s);
  }

  /** @param {string | undefined} name */
  async loadTrack(name) {
    try {
      const track = await simTrack();
      if (track && track.success !== false) { this.view.setTrack(track); this.trackName = name; }
    } catch { /* retry next tick */ }
  }
}

/** @param {Cleanup} cleanup @returns {HTMLElement} the card, hidden until the simulator answers */
export function simCard(cleanup) {
  const sim = new SimCard();
  hasSimulator().then((yes) => {
    if (!yes) return;
    cleanup.push(poll(() => sim.tick(), () => (sim.running ? 200 : 3000)));
  });
  cleanup.push(() => sim.view.destroy());
  return sim.element;
}
