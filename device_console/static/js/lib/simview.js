// @ts-check
// Top-down view of the simulated track: borders, centre line, the car's recent trail and the car.
// Track JSON: {name, width_m, height_m, centerline, inner, outer: [[x, y], ...]} in metres.
// Status JSON: {pose: {x, y, yaw}, trail: [[x, y], ...], ...}.

/** @typedef {import('./endpoints.js').SimTrack} SimTrack */
/** @typedef {import('./endpoints.js').SimStatus} SimStatus */
/** @typedef {import('./endpoints.js').Point} Point */
/** @typedef {import('./endpoints.js').Pose} Pose */
/** @typedef {{x0: number, y0: number, x1: number, y1: number}} Bounds */
/**
 * Metres to canvas pixels.
 * @typedef {object} Projection
 * @property {(x: number) => number} tx
 * @property {(y: number) => number} ty
 * @property {number} scale pixels per metre
 */

/** @param {string} name @param {string} fallback @returns {string} */
function css(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** @param {SimTrack} t @returns {Bounds} */
function trackBounds(t) {
  /** @type {Point[]} */
  const pts = [];
  for (const key of /** @type {const} */ (['outer', 'inner', 'centerline'])) {
    const line = t[key];
    if (Array.isArray(line)) pts.push(...line);
  }
  if (!pts.length) return { x0: 0, y0: 0, x1: t.width_m || 1, y1: t.height_m || 1 };
  let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
  for (const [x, y] of pts) {
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

/** @param {Bounds} b @param {number} w @param {number} hgt canvas size (CSS pixels) @returns {Projection} */
function projection(b, w, hgt) {
  const margin = 12;
  const scale = Math.min((w - 2 * margin) / Math.max(b.x1 - b.x0, 1e-6), (hgt - 2 * margin) / Math.max(b.y1 - b.y0, 1e-6));
  const ox = (w - (b.x1 - b.x0) * scale) / 2;
  const oy = (hgt - (b.y1 - b.y0) * scale) / 2;
  // World y grows up; canvas y grows down.
  return { tx: (x) => ox + (x - b.x0) * scale, ty: (y) => hgt - (oy + (y - b.y0) * scale), scale };
}

/** Adds the points to the current path. @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {Point[]} pts */
function trace(ctx, p, pts) {
  pts.forEach(([x, y], i) => (i ? ctx.lineTo(p.tx(x), p.ty(y)) : ctx.moveTo(p.tx(x), p.ty(y))));
}

/** @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {Point[]} pts @param {boolean} close */
function path(ctx, p, pts, close) {
  ctx.beginPath();
  trace(ctx, p, pts);
  if (close) ctx.closePath();
}

/** Asphalt between the borders, the infield cut out. @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {SimTrack} t */
function drawAsphalt(ctx, p, t) {
  if (!Array.isArray(t.outer) || t.outer.length <= 2) return;
  ctx.fillStyle = css('--sim-asphalt', '#2b2f33');
  path(ctx, p, t.outer, true);
  if (Array.isArray(t.inner) && t.inner.length > 2) {
    // Cut the infield out with the even-odd rule.
    trace(ctx, p, t.inner);
    ctx.closePath();
  }
  ctx.fill('evenodd');
}

/** @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {SimTrack} t */
function drawBorders(ctx, p, t) {
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#f4f4f4';
  for (const line of [t.outer, t.inner]) {
    if (Array.isArray(line) && line.length > 1) { path(ctx, p, line, true); ctx.stroke(); }
  }
}

/** The dashed centre line and the start / finish line. @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {Point[]} line */
function drawCentreLine(ctx, p, line) {
  ctx.setLineDash([6, 6]);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = '#f2c94c';
  path(ctx, p, line, true);
  ctx.stroke();
  ctx.setLineDash([]);
  // Start / finish line: perpendicular at the first centre-line point.
  const [sx, sy] = line[0];
  const [nx, ny] = line[1];
  const ang = Math.atan2(-(ny - sy), nx - sx);
  ctx.save();
  ctx.translate(p.tx(sx), p.ty(sy));
  ctx.rotate(ang);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(-2, -14, 4, 28);
  ctx.restore();
}

/** @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {Pose} pose */
function drawCar(ctx, p, pose) {
  const size = Math.max(7, 0.2 * p.scale);   // ~0.4 m long car
  ctx.save();
  ctx.translate(p.tx(pose.x), p.ty(pose.y));
  ctx.rotate(-(pose.yaw || 0));
  ctx.fillStyle = css('--sim-car', '#ff9900');
  ctx.strokeStyle = '#111';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(size, 0);
  ctx.lineTo(-size * 0.7, size * 0.6);
  ctx.lineTo(-size * 0.4, 0);
  ctx.lineTo(-size * 0.7, -size * 0.6);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}

/** The trail and the car. @param {CanvasRenderingContext2D} ctx @param {Projection} p @param {SimStatus} s */
function drawStatus(ctx, p, s) {
  if (Array.isArray(s.trail) && s.trail.length > 1) {
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = css('--sim-trail', '#56ccf2');
    path(ctx, p, s.trail, false);
    ctx.stroke();
  }
  if (s.pose && Number.isFinite(s.pose.x) && Number.isFinite(s.pose.y)) drawCar(ctx, p, s.pose);
}

export class SimView {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
    /** @type {SimTrack | null} */
    this.track = null;
    /** @type {SimStatus | null} */
    this.status = null;
    this._resize = new ResizeObserver(() => this.draw());
    this._resize.observe(canvas);
  }

  destroy() {
    this._resize.disconnect();
  }

  /** @param {SimTrack} track */
  setTrack(track) {
    this.track = track;
    this.draw();
  }

  /** @param {SimStatus} status */
  update(status) {
    this.status = status;
    this.draw();
  }

  /** Matches the canvas to its CSS size and the screen's pixel ratio; false while it has no size. */
  _fit() {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const hgt = canvas.clientHeight;
    if (!w || !hgt) return false;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(hgt * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.fillStyle = css('--sim-ground', '#3d6b35');
    ctx.fillRect(0, 0, w, hgt);
    return true;
  }

  draw() {
    if (!this._fit() || !this.track) return;
    const { ctx, track: t } = this;
    const p = projection(trackBounds(t), this.canvas.clientWidth, this.canvas.clientHeight);
    drawAsphalt(ctx, p, t);
    drawBorders(ctx, p, t);
    if (Array.isArray(t.centerline) && t.centerline.length > 1) drawCentreLine(ctx, p, t.centerline);
    if (this.status) drawStatus(ctx, p, this.status);
  }
}
