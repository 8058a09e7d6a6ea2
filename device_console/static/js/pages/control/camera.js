// @ts-check
// The camera card: the camera's MJPEG stream or the LiDAR overlay, and a switch to turn it off.

import { card, h } from '../../lib/dom.js';
import { streamUrl } from '../../lib/endpoints.js';
import { store } from './store.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {'camera' | 'lidar'} StreamKind */

/** @type {Record<StreamKind, {label: string, topic: string}>} */
const STREAMS = {
  camera: { label: 'Camera', topic: '/camera_pkg/display_mjpeg' },
  lidar: { label: 'LiDAR overlay', topic: '/sensor_fusion_pkg/overlay_msg' },
};

/** @param {string} kind @returns {kind is StreamKind} */
function isStreamKind(kind) {
  return Object.hasOwn(STREAMS, kind);
}

/** Shows the stream in `frame`; a message instead when it fails. @param {HTMLElement} frame @param {StreamKind} kind */
function showStream(frame, kind) {
  const { label, topic } = STREAMS[kind];
  const img = h('img#video-img', { alt: `${label} stream`, width: 480, height: 360 });
  img.addEventListener('error', () => {
    if (!img.getAttribute('src')) return;
    frame.replaceChildren(h('p.video-off', `No ${label.toLowerCase()} stream. Check the sensor connection (side panel).`));
  });
  frame.replaceChildren(img);
  // An MJPEG stream never finishes loading: start it after the page's load event, or the
  // browser would show the page as loading forever.
  const src = streamUrl(topic, 480, 360);
  if (document.readyState === 'complete') img.src = src;
  else window.addEventListener('load', () => { if (img.isConnected) img.src = src; }, { once: true });
}

/** @param {Cleanup} cleanup */
export function cameraCard(cleanup) {
  let on = store.get('videoOn', true);
  const stored = store.get('videoKind', 'camera');
  /** @type {StreamKind} */
  let kind = isStreamKind(stored) ? stored : 'camera';
  const frame = h('div.video-frame#video-frame');
  const toggle = h('input#video-toggle', { type: 'checkbox', checked: on });
  const render = () => {
    if (on) showStream(frame, kind);
    else frame.replaceChildren(h('p.video-off', 'Video stream is off.'));
  };
  const radios = Object.entries(STREAMS).map(([value, s]) => {
    const input = h('input', { type: 'radio', name: 'video-kind', value, checked: value === kind });
    input.addEventListener('change', () => {
      if (isStreamKind(input.value)) kind = input.value;
      store.set('videoKind', kind);
      render();
    });
    return h('label.radio', input, s.label);
  });
  toggle.addEventListener('change', () => { on = toggle.checked; store.set('videoOn', on); render(); });
  // Remove the <img> so the browser closes the MJPEG connection.
  cleanup.push(() => frame.replaceChildren());
  render();
  return card('Camera stream', { id: 'camera-card', cls: 'camera-card' },
    frame,
    h('div.row.video-controls', h('label.switch', toggle, h('span', 'Video stream')), h('div.radios', radios)));
}
