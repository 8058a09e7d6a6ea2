// @ts-check
// The Autonomous driving panel: model picker and load (with progress), maximum speed in percent
// (buttons and + / − / Page Up / Page Down keys), Start and Stop.

import { actionButton, confirmDialog, h, poll, setText, toast } from '../../lib/dom.js';
import {
  loadModel, loadableModels, modelLoadingState, setDriveMode, setMaxNavThrottle, startStop,
} from '../../lib/endpoints.js';
import { store } from './store.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */
/** @typedef {import('../../lib/endpoints.js').LoadableModel} LoadableModel */
/** @typedef {'idle' | 'loading' | 'loaded' | 'error'} LoadState */

const LOAD_TIMEOUT_S = 180;
/** @type {Record<string, number>} speed keys: percent steps */
const SPEED_KEYS = { '+': 1, '=': 1, '-': -1, _: -1, PageUp: 5, PageDown: -5 };

/** @param {LoadableModel} m */
function modelOption(m) {
  const value = `${m.model_folder_name}/${m.model_name}`;
  const extra = [m.model_training_algorithm, m.model_action_space_type, (m.model_sensors || []).join(' + ')].filter(Boolean).join(' · ');
  return h('option', {
    value, disabled: Boolean(m.is_select_disabled),
    title: m.is_select_disabled ? 'The sensors this model needs are not connected' : extra,
  }, `${m.model_folder_name}${m.is_select_disabled ? ' (sensors missing)' : ''}${extra ? ` — ${extra}` : ''}`);
}

/** The model picker: the car's models, the last selection kept. */
function modelPicker() {
  const select = h('select#model-select', { 'aria-label': 'Select a model' }, h('option', { value: '' }, 'Loading models…'));
  const refresh = async () => {
    let data;
    try {
      data = await loadableModels();
    } catch (err) {
      select.replaceChildren(h('option', { value: '' }, 'Could not list models'));
      toast(/** @type {Error} */ (err).message, 'error');
      return;
    }
    const list = (data && data.models) || [];
    const current = select.value || store.get('selectedModel', '');
    select.replaceChildren(h('option', { value: '' }, list.length ? 'Select a model' : 'No models on the vehicle'), ...list.map(modelOption));
    if ([...select.options].some((o) => o.value === current && !o.disabled)) select.value = current;
  };
  return { select, refresh };
}

/** The model's load state: a line and a progress bar; Start is enabled only once loaded. */
class LoadStatus {
  /** @param {() => void} onChange */
  constructor(onChange) {
    this.onChange = onChange;
    this.line = h('div.load-status#model-load-status', { role: 'status' });
    this.bar = h('div.progress.indeterminate', { hidden: true }, h('div.progress-fill'));
  }

  get loaded() { return this.line.dataset.state === 'loaded'; }

  /** @param {LoadState} state @param {string} text */
  set(state, text) {
    this.line.dataset.state = state;
    setText(this.line, text);
    this.bar.hidden = state !== 'loading';
    this.onChange();
  }

  /** What the car says now (on opening the page). */
  async check() {
    try {
      const d = await modelLoadingState();
      const loaded = store.get('loadedModel', '');
      if (d.isModelLoading === 'loaded') this.set('loaded', loaded ? `Loaded: ${loaded}` : 'A model is loaded.');
      else if (d.isModelLoading === 'loading') this.set('loading', 'A model is loading…');
      else this.set('idle', 'No model loaded.');
    } catch { this.set('idle', ''); }
  }

  /**
   * Follows a load until it ends (loaded, error, LOAD_TIMEOUT_S) or the page goes.
   * @param {string} name @param {Cleanup} cleanup
   * @returns {Promise<void>}
   */
  follow(name, cleanup) {
    const started = Date.now();
    this.set('loading', `Loading ${name}… 0 s`);
    return new Promise((resolve) => {
      const stop = poll(async () => {
        if (await this._step(name, Math.round((Date.now() - started) / 1000))) return;
        stop();
        resolve();
      }, 1000, { immediate: false });
      cleanup.push(() => { stop(); resolve(); });
    });
  }

  /** One poll of a load; true while it goes on. @param {string} name @param {number} elapsed seconds */
  async _step(name, elapsed) {
    let state = 'loading';
    try {
      state = (await modelLoadingState()).isModelLoading;
    } catch (err) {
      if (/** @type {import('../../lib/api.js').ApiError} */ (err).status === 401) return false;
    }
    if (state === 'loaded') {
      store.set('loadedModel', name);
      this.set('loaded', `Loaded: ${name} (${elapsed} s)`);
      toast(`Model ${name} loaded.`, 'ok');
    } else if (state === 'error') {
      this.set('error', `Loading ${name} failed. See Logs for details.`);
    } else if (elapsed > LOAD_TIMEOUT_S) {
      this.set('error', `Loading ${name} did not finish in ${LOAD_TIMEOUT_S} s.`);
    } else {
      this.set('loading', `Loading ${name}… ${elapsed} s`);
      return true;
    }
    return false;
  }
}

/** The maximum speed stepper (percent of the model's trained maximum, sent to the car at once). */
class SpeedStepper {
  constructor() {
    this.speed = store.get('autoSpeed', 50);
    this.value = h('output.speed-value#auto-speed', `${this.speed} %`);
    this.element = h('div.speed-stepper', this.button(-5), this.button(-1), this.value, this.button(1), this.button(5));
  }

  /** @param {number} delta */
  button(delta) {
    return h('button.btn.step', {
      type: 'button', 'aria-label': `${delta > 0 ? 'Increase' : 'Decrease'} maximum speed by ${Math.abs(delta)}%`,
      onclick: () => this.set(this.speed + delta),
    }, `${delta > 0 ? '+' : '−'}${Math.abs(delta)}`);
  }

  /** @param {number} value percent */
  async set(value) {
    this.speed = Math.max(0, Math.min(100, Math.round(value)));
    setText(this.value, `${this.speed} %`);
    store.set('autoSpeed', this.speed);
    try {
      await setMaxNavThrottle(this.speed);
    } catch (err) { toast(`Maximum speed: ${/** @type {Error} */ (err).message}`, 'error'); }
  }
}

export class AutonomousPanel {
  /** @param {Cleanup} cleanup */
  constructor(cleanup) {
    this.cleanup = cleanup;
    this.loading = false;
    this.running = false;
    this.picker = modelPicker();
    this.load = new LoadStatus(() => this._enableStart());
    this.speed = new SpeedStepper();
    this.runState = h('span.run-state#auto-run-state', 'Stopped');
    this.startBtn = h('button.btn.go#auto-start', { type: 'button', onclick: () => this.start(), disabled: true }, 'Start vehicle');
    this.panel = this._build();
    this._listen();
    this.picker.refresh();
    this.load.check();
  }

  _build() {
    const { picker, load, speed } = this;
    return h('div.mode-panel#auto-panel',
      h('label.field-label', { for: 'model-select' }, 'Select a model'),
      h('div.row', picker.select,
        actionButton('Load model', () => this.loadModel(), { cls: 'primary', id: 'model-load' }),
        h('button.btn.icon', { type: 'button', title: 'Refresh the list', 'aria-label': 'Refresh models', onclick: picker.refresh }, '↻')),
      load.bar, load.line,
      h('label.field-label', 'Maximum speed'),
      speed.element,
      h('p.hint', 'Percentage of the model\'s trained maximum speed. Keys: + / − (1 %), Page Up / Page Down (5 %).'),
      h('div.row.start-stop', this.startBtn,
        h('button.btn.stop#auto-stop', { type: 'button', onclick: () => this.stop() }, 'Stop vehicle'), this.runState),
    );
  }

  /** Speed keys while the panel is shown; an emergency stop elsewhere on the page stops it too. */
  _listen() {
    /** @param {KeyboardEvent} event */
    const onKey = (event) => {
      if (this.panel.hidden || (event.target instanceof Element && event.target.closest('input, select, textarea'))) return;
      if (event.key in SPEED_KEYS) { event.preventDefault(); this.speed.set(this.speed.speed + SPEED_KEYS[event.key]); }
    };
    const onEstop = () => this.setRun(false);
    window.addEventListener('keydown', onKey);
    window.addEventListener('console:estop', onEstop);
    this.cleanup.push(() => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('console:estop', onEstop);
    });
  }

  _enableStart() {
    this.startBtn.disabled = !this.load.loaded || this.running;
  }

  isRunning() { return this.running; }

  /** @param {boolean} value */
  setRun(value) {
    this.running = value;
    setText(this.runState, value ? 'Driving autonomously' : 'Stopped');
    this.runState.dataset.state = value ? 'running' : 'stopped';
    this._enableStart();
  }

  /** Loads the selected model (after a confirmation: the car stops while it loads). */
  async loadModel() {
    const value = this.picker.select.value;
    if (!value || this.loading) { if (!value) toast('Select a model first.', 'warn'); return; }
    const [folder, ...rest] = value.split('/');
    const ok = await confirmDialog({
      title: `Load ${folder}?`,
      body: 'The vehicle stops while the model loads into the inference engine.',
      ok: 'Load model',
    });
    if (!ok) return;
    this.loading = true;
    try {
      // The car loads models in autonomous mode only (and never while driving).
      await startStop('stop');
      this.setRun(false);
      await setDriveMode('auto');
      store.set('selectedModel', value);
      this.load.set('loading', `Loading ${folder}…`);
      await loadModel(folder, rest.join('/') || 'model', { timeout: 60000 });
      await this.load.follow(folder, this.cleanup);
    } catch (err) {
      this.load.set('error', /** @type {Error} */ (err).message);
    } finally {
      this.loading = false;
    }
  }

  async start() {
    try {
      await setDriveMode('auto');
      await setMaxNavThrottle(this.speed.speed);
      await startStop('start');
      this.setRun(true);
    } catch (err) { toast(`Start failed: ${/** @type {Error} */ (err).message}`, 'error'); }
  }

  async stop() {
    try {
      await startStop('stop');
      this.setRun(false);
    } catch (err) { toast(`Stop failed: ${/** @type {Error} */ (err).message}`, 'error'); }
  }
}
