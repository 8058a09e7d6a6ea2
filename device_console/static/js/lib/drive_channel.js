// @ts-check
// The drive channel: one WebSocket to /api/manual_drive/ws carrying drive commands and heartbeats.
// The car keeps a command only while this page is there: it stops at once when the socket closes
// (tab closed, page left, network gone) and within 0.5 s when the page goes quiet, so whoever
// opens a channel must keep() it alive (a heartbeat every HEARTBEAT_MS) while anything moves.
//
// The page's CSRF token goes in the first message (a browser cannot set headers on a WebSocket,
// and a token in the URL would end up in logs); the cookie and the page's origin are checked by
// the car too. open() resolves false when the socket cannot be
// opened (an older car without the route, a proxy without WebSocket): callers fall back to HTTP
// (PUT /api/manual_drive + POST /api/manual_drive/heartbeat).

import { csrfToken } from './api.js';
import { driveSocketUrl, manualDriveHeartbeat } from './endpoints.js';

export const HEARTBEAT_MS = 150;

/**
 * A message of the car on the channel ("ready", "heartbeat" and "drive" answers).
 * @typedef {{type?: string, success?: boolean, reason?: string, engaged?: boolean}} ChannelMessage
 */

/** Events: "message" (CustomEvent<ChannelMessage>), "closed" (the open socket closed). */
export class DriveChannel extends EventTarget {
  constructor() {
    super();
    /** @type {WebSocket | null} */
    this.ws = null;
    this.open_ = false;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this._timer = undefined;
    this._http = false;
  }

  get isOpen() { return this.open_; }

  /** Connect; true once the car answered "ready". @param {number} [timeoutMs] @returns {Promise<boolean>} */
  open(timeoutMs = 3000) {
    if (this.open_) return Promise.resolve(true);
    return new Promise((resolve) => {
      let settled = false;
      /** @param {boolean} ok */
      const done = (ok) => { if (!settled) { settled = true; clearTimeout(timer); resolve(ok); } };
      const timer = setTimeout(() => { done(false); this.close(); }, timeoutMs);
      /** @type {WebSocket} */
      let ws;
      try {
        ws = new WebSocket(driveSocketUrl());
      } catch {
        done(false);
        return;
      }
      this.ws = ws;
      ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'hello', csrf: csrfToken() })));
      ws.addEventListener('message', (event) => {
        /** @type {ChannelMessage | null} */
        let data = null;
        try { data = JSON.parse(event.data); } catch { return; }
        if (data && data.type === 'ready') {
          this.open_ = true;
          done(true);
        }
        this.dispatchEvent(new CustomEvent('message', { detail: data }));
      });
      ws.addEventListener('close', () => {
        const wasOpen = this.open_;
        this.open_ = false;
        if (this.ws === ws) this.ws = null;
        done(false);
        if (wasOpen) this.dispatchEvent(new Event('closed'));
      });
      ws.addEventListener('error', () => done(false));
    });
  }

  /** Send one JSON message; false when the socket is not open. @param {object} message @returns {boolean} */
  send(message) {
    if (!this.open_ || !this.ws) return false;
    try {
      this.ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  heartbeat() {
    if (this.send({ type: 'heartbeat' })) return;
    if (this._http) manualDriveHeartbeat({ timeout: 2000, check: false }).catch(() => null);
  }

  /**
   * Heartbeats every HEARTBEAT_MS until close(); over HTTP while the socket is not open.
   * @param {{httpFallback?: boolean}} [options]
   */
  keep({ httpFallback = true } = {}) {
    this._http = httpFallback;
    if (this._timer) return;
    this._timer = setInterval(() => this.heartbeat(), HEARTBEAT_MS);
  }

  close() {
    clearInterval(this._timer);
    this._timer = undefined;
    this.open_ = false;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try { ws.close(1000, 'done'); } catch { /* already closed */ }
    }
  }
}
