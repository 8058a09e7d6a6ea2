// Top-down view of the simulated track: borders, centre line, the car's recent trail and the car.
// Track JSON: {name, width_m, height_m, centerline, inner, outer: [[x, y], ...]} in metres.
// Status JSON: {pose: {x, y, yaw}, trail: [[x, y], ...], ...}.

function css(name, fallback) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export class SimView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.track = null;
    this.status = null;
    this._resize = new ResizeObserver(() => this.draw());
    this._resize.observe(canvas);
  }

  destroy() {
    this._resize.disconnect();
  }

  setTrack(track) {
    this.track = track;
    this.draw();
  }

  update(status) {
    this.status = status;
    this.draw();
  }

  _bounds() {
    const pts = [];
    const t = this.track;
    for (const key of ['outer', 'inner', 'centerline']) if (t && Array.isArray(t[key])) pts.push(...t[key]);
    if (!pts.length) return { x0: 0, y0: 0, x1: (t && t.width_m) || 1, y1: (t && t.height_m) || 1 };
    let x0 = Infinity; let y0 = Infinity; let x1 = -Infinity; let y1 = -Infinity;
    for (const [x, y] of pts) {
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
    return { x0, y0, x1, y1 };
  }

  draw() {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth;
    const hgt = canvas.clientHeight;
    if (!w || !hgt) return;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(hgt * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(hgt * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.fillStyle = css('--sim-ground', '#3d6b35');
    ctx.fillRect(0, 0, w, hgt);
    if (!this.track) return;

    const b = this._bounds();
    const margin = 12;
    const scale = Math.min((w - 2 * margin) / Math.max(b.x1 - b.x0, 1e-6), (hgt - 2 * margin) / Math.max(b.y1 - b.y0, 1e-6));
    const ox = (w - (b.x1 - b.x0) * scale) / 2;
    const oy = (hgt - (b.y1 - b.y0) * scale) / 2;
    // World y grows up; canvas y grows down.
    const tx = (x) => ox + (x - b.x0) * scale;
    const ty = (y) => hgt - (oy + (y - b.y0) * scale);

    const path = (pts, close) => {
      ctx.beginPath();
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(tx(x), ty(y)) : ctx.moveTo(tx(x), ty(y))));
      if (close) ctx.closePath();
    };
    const t = this.track;
    if (Array.isArray(t.outer) && t.outer.length > 2) {
      ctx.fillStyle = css('--sim-asphalt', '#2b2f33');
      path(t.outer, true);
      if (Array.isArray(t.inner) && t.inner.length > 2) {
        // Cut the infield out with the even-odd rule.
        t.inner.forEach(([x, y], i) => (i ? ctx.lineTo(tx(x), ty(y)) : ctx.moveTo(tx(x), ty(y))));
        ctx.closePath();
      }
      ctx.fill('evenodd');
    }
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#f4f4f4';
    for (const key of ['outer', 'inner']) {
      if (Array.isArray(t[key]) && t[key].length > 1) { path(t[key], true); ctx.stroke(); }
    }
    if (Array.isArray(t.centerline) && t.centerline.length > 1) {
      ctx.setLineDash([6, 6]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#f2c94c';
      path(t.centerline, true);
      ctx.stroke();
      ctx.setLineDash([]);
      // Start / finish line: perpendicular at the first centre-line point.
      const [sx, sy] = t.centerline[0];
      const [nx, ny] = t.centerline[1];
      const ang = Math.atan2(-(ny - sy), nx - sx);
      ctx.save();
      ctx.translate(tx(sx), ty(sy));
      ctx.rotate(ang);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(-2, -14, 4, 28);
      ctx.restore();
    }

    const s = this.status;
    if (!s) return;
    if (Array.isArray(s.trail) && s.trail.length > 1) {
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = css('--sim-trail', '#56ccf2');
      path(s.trail, false);
      ctx.stroke();
    }
    if (s.pose && Number.isFinite(s.pose.x) && Number.isFinite(s.pose.y)) {
      const size = Math.max(7, 0.2 * scale);   // ~0.4 m long car
      ctx.save();
      ctx.translate(tx(s.pose.x), ty(s.pose.y));
      ctx.rotate(-(s.pose.yaw || 0));
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
  }
}
