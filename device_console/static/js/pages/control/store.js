// @ts-check
// The Control page's choices kept in the browser (localStorage, "dr.<key>"): the tab, speeds, the
// selected and loaded model, the video stream. Private mode (no storage): the defaults.

/**
 * @typedef {object} Stored
 * @property {'auto' | 'manual'} driveTab
 * @property {number} autoSpeed percent
 * @property {number} manualSpeed percent
 * @property {string} selectedModel "<folder>/<name>"
 * @property {string} loadedModel folder
 * @property {boolean} videoOn
 * @property {'camera' | 'lidar'} videoKind
 */

export const store = {
  /**
   * @template {keyof Stored} K
   * @param {K} key @param {Stored[K]} fallback
   * @returns {Stored[K]}
   */
  get(key, fallback) {
    try { const v = localStorage.getItem(`dr.${key}`); return v === null ? fallback : JSON.parse(v); } catch { return fallback; }
  },
  /**
   * @template {keyof Stored} K
   * @param {K} key @param {Stored[K]} value
   */
  set(key, value) {
    try { localStorage.setItem(`dr.${key}`, JSON.stringify(value)); } catch { /* private mode */ }
  },
};
