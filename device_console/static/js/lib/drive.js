// @ts-check
// Manual driving: one place that owns "is the car enabled for manual driving" and keeps the car's
// dead-man watchdog fed. Commands and heartbeats go over the drive WebSocket (lib/drive_channel.js):
// the car stops at once when the page goes away and within 0.5 s when it goes quiet. While started,
// every HEARTBEAT_MS it either sends the changed command or, when nothing changed, a heartbeat (the
// car repeats a held command for its servo watchdog). Where the socket cannot open, the same over
// HTTP: PUT /api/manual_drive and POST /api/manual_drive/heartbeat (a repeated PUT on backends
// without that route). The page also stops explicitly on blur, visibilitychange and pagehide.
//
// Axis conventions are the original console's: `angle` > 0 = joystick right, `throttle` < 0 =
// joystick pushed up (screen y), both in [-1, 1]; `max_speed` in [0, 1].

import { DriveChannel, HEARTBEAT_MS } from './drive_channel.js';
import { beacons, hasDriveHeartbeat, manualDrive, manualDriveHeartbeat, setDriveMode, startStop } from './endpoints.js';

export { HEARTBEAT_MS };

/** @typedef {'pad' | 'gamepad' | 'keys'} InputSource */
/** @typedef {{angle: number, throttle: number}} Input */
/** @typedef {{angle: number, throttle: number, maxSpeed: number}} SentCommand */
/** @typedef {import('./drive_channel.js').ChannelMessage} ChannelMessage */

/** @type {InputSource[]} */
const SOURCES = ['pad', 'gamepad', 'keys'];   // priority when several are active

/** @param {number} v @returns {number} */
function clamp(v) {
  return Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
}

/** Events: "change" (any state), "start", "stop". */
export class ManualDriver extends EventTarget {
  constructor() {
    super();
    this.started = false;
    this.maxSpeed = 0.5;
    /** @type {Map<InputSource, Input>} */
    this.inputs = new Map();
    /** @type {SentCommand | null} last command the car acknowledged (null = unknown) */
    this.sent = null;
    this._heartbeatRoute = false;
    hasDriveHeartbeat().then((yes) => { this._heartbeatRoute = yes; });
    this.lastError = '';
    /** @type {string} why the car stopped last */
    this.stopReason = '';
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this._timer = undefined;
    this._inFlight = false;
    /** @type {Promise<unknown> | null} */
    this._stopping = null;
    /** @type {DriveChannel | null} the drive WebSocket while started (null: HTTP) */
    this.channel = null;
    /** @param {Event} event */
    this._onHide = (event) => {
      if (event.type === 'visibilitychange' && !document.hidden) return;
      if (this.started) this.stop(event.type === 'blur' ? 'window lost focus' : 'page hidden', { beacon: true });
    };
    for (const type of ['blur', 'pagehide', 'visibilitychange']) {
      (type === 'visibilitychange' ? document : window).addEventListener(type, this._onHide);
    }
  }

  destroy() {
    for (const type of ['blur', 'pagehide', 'visibilitychange']) {
      (type === 'visibilitychange' ? document : window).removeEventListener(type, this._onHide);
    }
    if (this.started) this.stop('left the page', { beacon: true });
  }

  /** The command that would be sent now. @returns {Input & {source: InputSource | null}} */
  command() {
    for (const source of SOURCES) {
      const v = this.inputs.get(source);
      if (v && (v.angle !== 0 || v.throttle !== 0)) return { angle: v.angle, throttle: v.throttle, source };
    }
    return { angle: 0, throttle: 0, source: null };
  }

  /** @param {InputSource} source @param {number} angle @param {number} throttle */
  setInput(source, angle, throttle) {
    const a = clamp(angle);
    const t = clamp(throttle);
    const prev = this.inputs.get(source);
    if (prev && prev.angle === a && prev.throttle === t) return;
    this.inputs.set(source, { angle: a, throttle: t });
    this._emit();
    // Send a change at once rather than waiting for the next heartbeat tick.
    if (this.started) this._tick();
  }

  /** @param {InputSource} source */
  releaseInput(source) {
    this.setInput(source, 0, 0);
  }

  /** @param {number} fraction 0..1 */
  setMaxSpeed(fraction) {
    this.maxSpeed = Math.max(0, Math.min(1, fraction));
    this._emit();
    if (this.started) this._tick();
  }

  async start() {
    if (this.started) return;
    if (this._stopping) await this._stopping;
    await manualDrive({ angle: 0, throttle: 0, max_speed: this.maxSpeed }, { check: false });
    await setDriveMode('manual', { check: false });
    await startStop('start', { check: false });
    await this._openChannel();
    this.sent = { angle: 0, throttle: 0, maxSpeed: this.maxSpeed };
    this.started = true;
    this.lastError = '';
    this._timer = setInterval(() => this._tick(), HEARTBEAT_MS);
    this._emit('start');
  }

  /** The drive WebSocket; on failure (or when it drops while driving) the HTTP routes take over. */
  async _openChannel() {
    const channel = new DriveChannel();
    if (!(await channel.open())) {
      channel.close();
      this.channel = null;
      return;
    }
    this.channel = channel;
    channel.addEventListener('message', (event) => this._onChannelMessage(/** @type {CustomEvent<ChannelMessage | null>} */ (event).detail));
    channel.addEventListener('closed', () => {
      if (this.channel !== channel) return;
      this.channel = null;
      if (!this.started) return;
      // The car stopped when the socket closed; keep driving over HTTP with the current input.
      this.sent = null;
      this.lastError = 'Drive connection lost: driving over HTTP.';
      this._emit();
    });
  }

  /** @param {ChannelMessage | null} data */
  _onChannelMessage(data) {
    if (!data || !this.started) return;
    const cmd = this.command();
    if (data.type === 'heartbeat' && data.engaged === false && (cmd.angle !== 0 || cmd.throttle !== 0)) {
      this.sent = null;   // the car stopped it (dead-man after a hiccup) while we still hold a command: resend
    } else if (data.type === 'drive' && data.success === false) {
      this.sent = null;
      if (this.lastError !== data.reason) { this.lastError = data.reason || 'The car refused the command.'; this._emit(); }
    } else if (data.type === 'drive' && this.lastError) {
      this.lastError = '';
      this._emit();
    }
  }

  /**
   * Stop the car: zero command, then disable. `beacon` uses keepalive requests that survive unload.
   * @param {string} [reason]
   * @param {{beacon?: boolean}} [options]
   * @returns {Promise<unknown>}
   */
  stop(reason = '', { beacon = false } = {}) {
    const wasStarted = this.started;
    this.started = false;
    clearInterval(this._timer);
    this._timer = undefined;
    this.inputs.clear();
    this.stopReason = reason;
    this.sent = null;
    if (this.channel) {
      this.channel.send({ type: 'drive', angle: 0, throttle: 0, max_speed: this.maxSpeed });
      this.channel.close();
      this.channel = null;
    }
    this._emit('stop');
    this._stopping = Promise.all([
      beacons.manualDrive({ angle: 0, throttle: 0, max_speed: this.maxSpeed }, beacon),
      beacons.startStop('stop', beacon),
    ]).finally(() => { this._stopping = null; });
    return wasStarted ? this._stopping : Promise.resolve();
  }

  async _tick() {
    if (!this.started || this._inFlight) return;
    const cmd = this.command();
    const same = this.sent && this.sent.angle === cmd.angle && this.sent.throttle === cmd.throttle
      && this.sent.maxSpeed === this.maxSpeed;
    if (this.channel && this.channel.isOpen) {
      if (same) {
        this.channel.send({ type: 'heartbeat' });
      } else if (this.channel.send({ type: 'drive', angle: cmd.angle, throttle: cmd.throttle, max_speed: this.maxSpeed })) {
        this.sent = { angle: cmd.angle, throttle: cmd.throttle, maxSpeed: this.maxSpeed };
      }
      return;
    }
    this._inFlight = true;
    try {
      if (same && this._heartbeatRoute) {
        const beat = await manualDriveHeartbeat({ timeout: 2000, check: false });
        // The car's watchdog stopped it (e.g. a network hiccup) while we still hold a command: resend.
        if (beat && beat.engaged === false && (cmd.angle !== 0 || cmd.throttle !== 0)) this.sent = null;
      } else {
        await manualDrive({ angle: cmd.angle, throttle: cmd.throttle, max_speed: this.maxSpeed }, { timeout: 2000, check: false });
        if (this.started) this.sent = { angle: cmd.angle, throttle: cmd.throttle, maxSpeed: this.maxSpeed };
      }
      if (this.lastError) { this.lastError = ''; this._emit(); }
    } catch (err) {
      this.lastError = /** @type {Error} */ (err).message;
      this._emit();
    } finally {
      this._inFlight = false;
    }
    // Input changed while the request was in flight: send it now rather than on the next tick.
    const next = this.command();
    if (this.started && this.sent && (next.angle !== this.sent.angle || next.throttle !== this.sent.throttle)) {
      this._tick();
    }
  }

  /** @param {'change' | 'start' | 'stop'} [type] */
  _emit(type = 'change') {
    this.dispatchEvent(new Event(type));
    if (type !== 'change') this.dispatchEvent(new Event('change'));
  }
}

// One driver for the whole app, so the emergency stop can reach it from the side panel.
export const driver = new ManualDriver();
