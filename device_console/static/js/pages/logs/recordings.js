// @ts-check
// Drive recordings: the bags of the recorder (logging_pkg) with model, start, duration, frames and
// size; download (.tar.gz), delete, and a replay: each recorded camera frame with the action the model
// chose and every action's probability drawn beside it, played like a video or stepped frame by frame.

import { actionButton, card, h, setText, toast } from '../../lib/dom.js';
import {
  deleteRecording, recordingDownloadUrl, recordingFrames, recordingFrameUrl, recordings,
} from '../../lib/endpoints.js';

/** @typedef {import('../../lib/endpoints.js').Recording} Recording */
/** @typedef {import('../../lib/endpoints.js').RecordedFrame} RecordedFrame */
/** @typedef {import('../../lib/endpoints.js').ModelAction} ModelAction */
/** @typedef {import('../../lib/endpoints.js').RecorderStatus} RecorderStatus */

/** @param {number} bytes */
export function sizeText(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

/** @param {number} seconds */
export function durationText(seconds) {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m ? `${m} min ${s} s` : `${seconds.toFixed(1)} s`;
}

/** @param {RecorderStatus} status */
export function recorderText(status) {
  if (!status || !status.status) return 'The recorder has not reported yet.';
  const where = status.output_path ? ` into ${status.output_path}` : '';
  switch (status.status) {
    case 'recording': return `Recording ${status.bag}${where}.`;
    case 'paused': return 'Paused after a stop request (a fleet manager is fetching logs).';
    case 'disk_low': return `Not recording: less than ${status.min_free_mb} MB free${where}.`;
    case 'disabled': return `Not recording: ${status.why_not}.`;
    default: return `Ready: records while the car drives autonomously${where} (${status.mode}, ${status.provider}).`;
  }
}

/**
 * The label of action `index`: "steering° · speed m/s" when the model's metadata is still there.
 * @param {ModelAction[]} actions @param {number} index
 */
export function actionLabel(actions, index) {
  const a = actions.find((x) => x.index === index) || actions[index];
  if (!a || a.steering_angle === undefined) return `action ${index}`;
  return `${Number(a.steering_angle).toFixed(0)}° · ${Number(a.speed ?? 0).toFixed(2)} m/s`;
}

/**
 * Draws one frame: the camera image on the left, the action probabilities as bars on the right, the
 * chosen (most probable) action highlighted.
 * @param {HTMLCanvasElement} canvas @param {HTMLImageElement | null} image
 * @param {RecordedFrame} frame @param {ModelAction[]} actions
 */
export function drawFrame(canvas, image, frame, actions) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const W = canvas.width;
  const H = canvas.height;
  const imgW = Math.round(H * 4 / 3);
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, W, H);
  if (image && image.complete && image.naturalWidth) ctx.drawImage(image, 0, 0, imgW, H);
  const results = frame.results;
  let best = 0;
  results.forEach(([, p], i) => { if (p > results[best][1]) best = i; });
  const x0 = imgW + 12;
  const rowH = Math.min(28, (H - 24) / Math.max(1, results.length));
  ctx.font = `${Math.max(10, Math.round(rowH * 0.5))}px sans-serif`;
  ctx.textBaseline = 'middle';
  results.forEach(([label, p], i) => {
    const y = 12 + i * rowH;
    const barW = Math.max(0, (W - x0 - 12) * Math.min(1, Math.max(0, p)));
    ctx.fillStyle = i === best ? '#ff9900' : '#4a78c2';
    ctx.fillRect(x0, y + 2, barW, rowH - 4);
    ctx.fillStyle = '#fff';
    ctx.fillText(`${actionLabel(actions, label)}  ${(p * 100).toFixed(1)} %`, x0 + 4, y + rowH / 2);
  });
}

/** The replay of one recording. @param {Recording} rec */
function replayPanel(rec) {
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas#replay-canvas', { width: 640, height: 240 }));
  const slider = /** @type {HTMLInputElement} */ (h('input#replay-slider', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'Frame' }));
  const position = h('span.muted.small#replay-position', 'Loading…');
  const play = h('button.btn#replay-play', { type: 'button' }, 'Play');
  const prev = h('button.btn#replay-prev', { type: 'button', 'aria-label': 'Previous frame' }, '◀');
  const next = h('button.btn#replay-next', { type: 'button', 'aria-label': 'Next frame' }, '▶');
  /** @type {RecordedFrame[]} */
  let frames = [];
  /** @type {ModelAction[]} */
  let actions = [];
  /** @type {Map<number, HTMLImageElement>} */
  const images = new Map();
  let current = 0;
  /** @type {number | null} */
  let timer = null;

  /** @param {number} i */
  const image = (i) => {
    let img = images.get(i);
    if (!img) {
      img = new Image();
      img.src = recordingFrameUrl(rec.name, i);
      images.set(i, img);
      if (images.size > 120) images.delete(images.keys().next().value ?? -1);
    }
    return img;
  };
  /** @param {number} i */
  const show = (i) => {
    if (!frames.length) return;
    current = Math.min(frames.length - 1, Math.max(0, i));
    slider.value = String(current);
    const frame = frames[current];
    const img = image(current);
    drawFrame(canvas, img, frame, actions);
    if (!img.complete) img.onload = () => { if (current === frame.index) drawFrame(canvas, img, frame, actions); };
    image(current + 1);   // the next one on its way
    setText(position, `Frame ${current + 1} / ${frames.length} · ${(frame.stamp - frames[0].stamp).toFixed(2)} s`);
    canvas.dataset.frame = String(current);
  };
  const stop = () => { if (timer !== null) { clearTimeout(timer); timer = null; } setText(play, 'Play'); };
  const step = () => {
    if (current >= frames.length - 1) { stop(); return; }
    const wait = Math.min(1000, Math.max(15, (frames[current + 1].stamp - frames[current].stamp) * 1000));
    show(current + 1);
    timer = window.setTimeout(step, wait);
  };
  play.addEventListener('click', () => {
    if (timer !== null) { stop(); return; }
    if (current >= frames.length - 1) show(0);
    setText(play, 'Pause');
    step();
  });
  prev.addEventListener('click', () => { stop(); show(current - 1); });
  next.addEventListener('click', () => { stop(); show(current + 1); });
  slider.addEventListener('input', () => { stop(); show(Number(slider.value)); });
  const panel = h('div.replay#replay', { 'data-name': rec.name },
    h('h3', `Replay: ${rec.name}`), canvas, h('div.row', prev, play, next, slider, position));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft') { stop(); show(current - 1); }
    if (event.key === 'ArrowRight') { stop(); show(current + 1); }
  });
  recordingFrames(rec.name).then((d) => {
    frames = d.frames || [];
    actions = d.actions || [];
    slider.max = String(Math.max(0, frames.length - 1));
    if (!frames.length) setText(position, 'No frames in this recording.');
    show(0);
  }).catch((err) => setText(position, /** @type {Error} */ (err).message));
  return { panel, stop };
}

/** The card of the Logs page; `stop` ends a replay that is playing (the page's clean-up). */
export function recordingsCard() {
  const status = h('p.muted#recorder-status', '—');
  const body = h('div#recordings-list', 'Loading…');
  const replayHost = h('div#replay-host');
  /** @type {{panel: HTMLElement, stop: () => void} | null} */
  let replay = null;
  const closeReplay = () => { if (replay) { replay.stop(); replay.panel.remove(); replay = null; } };

  /** @param {Recording} rec */
  const row = (rec) => {
    const open = h('button.btn', { type: 'button', disabled: !rec.complete || !rec.frames }, 'Replay');
    open.addEventListener('click', () => {
      closeReplay();
      replay = replayPanel(rec);
      replayHost.append(replay.panel);
      replay.panel.scrollIntoView({ block: 'nearest' });
    });
    const remove = actionButton('Delete', async () => {
      if (!window.confirm(`Delete the recording ${rec.name}?`)) return;
      try { await deleteRecording(rec.name); toast('Recording deleted.', 'ok', 2000); closeReplay(); await load(); } catch (err) { toast(/** @type {Error} */ (err).message, 'error'); }
    });
    return h('tr', { 'data-name': rec.name },
      h('td', rec.name), h('td', rec.model || '—'),
      h('td', rec.start ? new Date(rec.start * 1000).toLocaleString() : '—'),
      h('td', rec.complete ? durationText(rec.duration_s) : 'recording…'),
      h('td', String(rec.frames)), h('td', sizeText(rec.size_bytes)),
      h('td.actions', open, h('a.btn', { href: recordingDownloadUrl(rec.name), download: `${rec.name}.tar.gz` }, 'Download'), remove));
  };

  const load = async () => {
    try {
      const d = await recordings();
      setText(status, recorderText(d.recorder));
      status.dataset.state = d.recorder && d.recorder.status === 'disk_low' ? 'warn' : 'ok';
      body.replaceChildren(d.recordings.length
        ? h('div.table-wrap', h('table.models#recordings-table', h('thead', h('tr', ['Name', 'Model', 'Start', 'Duration', 'Frames', 'Size', ''].map((t) => h('th', t)))),
          h('tbody', d.recordings.map(row))))
        : h('p.muted', 'No recordings yet: the car records while it drives autonomously.'));
    } catch (err) { setText(body, /** @type {Error} */ (err).message); }
  };
  load();
  return { element: card('Drive recordings', { id: 'recordings-card', actions: [actionButton('Refresh', load)] }, status, body, replayHost), stop: closeReplay };
}
