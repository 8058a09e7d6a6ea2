// Control vehicle: autonomous (model picker + load progress, max speed %, start/stop) and manual
// (joystick pad, keyboard, game controller) driving, camera / LiDAR-overlay stream and, when the
// simulated car runs, a top-down track view.

import { api, get, post, put, supports } from '../../lib/api.js';
import { actionButton, card, confirmDialog, formatSeconds, h, poll, setText, toast } from '../../lib/dom.js';
import { driver } from '../../lib/drive.js';
import { gamepadDriving, keyboardDriving } from '../../lib/inputs.js';
import { joystick } from '../../lib/joystick.js';
import { SimView } from '../../lib/simview.js';

const STREAMS = {
  camera: { label: 'Camera', topic: '/camera_pkg/display_mjpeg' },
  lidar: { label: 'LiDAR overlay', topic: '/sensor_fusion_pkg/overlay_msg' },
};
const LOAD_TIMEOUT_S = 180;

const store = {
  get(key, fallback) {
    try { const v = localStorage.getItem(`dr.${key}`); return v === null ? fallback : JSON.parse(v); } catch { return fallback; }
  },
  set(key, value) {
    try { localStorage.setItem(`dr.${key}`, JSON.stringify(value)); } catch { /* private mode */ }
  },
};

function streamUrl(kind) {
  const { topic } = STREAMS[kind] || STREAMS.camera;
  return `/route?topic=${encodeURIComponent(topic).replace(/%2F/g, '/')}&width=480&height=360`;
}

// ------------------------------------------------------------------ autonomous
function autonomousPanel(cleanup) {
  const select = h('select#model-select', { 'aria-label': 'Select a model' }, h('option', { value: '' }, 'Loading models…'));
  const loadStatus = h('div.load-status#model-load-status', { role: 'status' });
  const loadBar = h('div.progress.indeterminate', { hidden: true }, h('div.progress-fill'));
  let loading = false;
  let running = false;
  let speed = store.get('autoSpeed', 50);
  const speedValue = h('output.speed-value#auto-speed', `${speed} %`);
  const runState = h('span.run-state#auto-run-state', 'Stopped');
  let startBtn;

  const setLoadState = (state, text) => {
    loadStatus.dataset.state = state;
    setText(loadStatus, text);
    loadBar.hidden = state !== 'loading';
    if (startBtn) startBtn.disabled = state !== 'loaded' || running;
  };

  const refreshModels = async () => {
    let data;
    try {
      data = await api('/api/models');
    } catch (err) {
      select.replaceChildren(h('option', { value: '' }, 'Could not list models'));
      toast(err.message, 'error');
      return;
    }
    const list = (data && data.models) || [];
    const current = select.value || store.get('selectedModel', '');
    select.replaceChildren(h('option', { value: '' }, list.length ? 'Select a model' : 'No models on the vehicle'));
    for (const m of list) {
      const value = `${m.model_folder_name}/${m.model_name}`;
      const extra = [m.model_training_algorithm, m.model_action_space_type, (m.model_sensors || []).join(' + ')].filter(Boolean).join(' · ');
      select.append(h('option', {
        value, disabled: Boolean(m.is_select_disabled),
        title: m.is_select_disabled ? 'The sensors this model needs are not connected' : extra,
      }, `${m.model_folder_name}${m.is_select_disabled ? ' (sensors missing)' : ''}${extra ? ` — ${extra}` : ''}`));
    }
    if ([...select.options].some((o) => o.value === current && !o.disabled)) select.value = current;
  };

  const checkLoaded = async () => {
    try {
      const d = await get('/api/isModelLoading');
      const loaded = store.get('loadedModel', '');
      if (d.isModelLoading === 'loaded') setLoadState('loaded', loaded ? `Loaded: ${loaded}` : 'A model is loaded.');
      else if (d.isModelLoading === 'loading') setLoadState('loading', 'A model is loading…');
      else setLoadState('idle', 'No model loaded.');
    } catch { setLoadState('idle', ''); }
  };

  const waitLoaded = async (name) => {
    const started = Date.now();
    setLoadState('loading', `Loading ${name}… 0 s`);
    await new Promise((resolve) => {
      const stop = poll(async () => {
        const elapsed = Math.round((Date.now() - started) / 1000);
        let state = 'loading';
        try {
          state = (await get('/api/isModelLoading')).isModelLoading;
        } catch (err) {
          if (err.status === 401) { stop(); resolve(); return; }
        }
        if (state === 'loaded') {
          store.set('loadedModel', name);
          setLoadState('loaded', `Loaded: ${name} (${elapsed} s)`);
          toast(`Model ${name} loaded.`, 'ok');
        } else if (state === 'error') {
          setLoadState('error', `Loading ${name} failed. See Logs for details.`);
        } else if (elapsed > LOAD_TIMEOUT_S) {
          setLoadState('error', `Loading ${name} did not finish in ${LOAD_TIMEOUT_S} s.`);
        } else {
          setLoadState('loading', `Loading ${name}… ${elapsed} s`);
          return;
        }
        stop();
        resolve();
      }, 1000, { immediate: false });
      cleanup.push(() => { stop(); resolve(); });
    });
  };

  const loadModel = async () => {
    const value = select.value;
    if (!value || loading) { if (!value) toast('Select a model first.', 'warn'); return; }
    const [folder, ...rest] = value.split('/');
    const modelName = rest.join('/') || 'model';
    const ok = await confirmDialog({
      title: `Load ${folder}?`,
      body: 'The vehicle stops while the model loads into the inference engine.',
      ok: 'Load model',
    });
    if (!ok) return;
    loading = true;
    try {
      // The car loads models in autonomous mode only (and never while driving).
      await post('/api/start_stop', { start_stop: 'stop' });
      setRun(false);
      await post('/api/drive_mode', { drive_mode: 'auto' });
      store.set('selectedModel', value);
      setLoadState('loading', `Loading ${folder}…`);
      await put(`/api/models/${encodeURIComponent(folder)}/${encodeURIComponent(modelName)}`, {}, { timeout: 60000 });
      await waitLoaded(folder);
    } catch (err) {
      setLoadState('error', err.message);
    } finally {
      loading = false;
    }
  };

  const setSpeed = async (value) => {
    speed = Math.max(0, Math.min(100, Math.round(value)));
    setText(speedValue, `${speed} %`);
    store.set('autoSpeed', speed);
    try {
      await post('/api/max_nav_throttle', { throttle: speed });
    } catch (err) { toast(`Maximum speed: ${err.message}`, 'error'); }
  };

  const setRun = (value) => {
    running = value;
    setText(runState, value ? 'Driving autonomously' : 'Stopped');
    runState.dataset.state = value ? 'running' : 'stopped';
    startBtn.disabled = value || loadStatus.dataset.state !== 'loaded';
  };
  const start = async () => {
    try {
      await post('/api/drive_mode', { drive_mode: 'auto' });
      await post('/api/max_nav_throttle', { throttle: speed });
      await post('/api/start_stop', { start_stop: 'start' });
      setRun(true);
    } catch (err) { toast(`Start failed: ${err.message}`, 'error'); }
  };
  const stop = async () => {
    try {
      await post('/api/start_stop', { start_stop: 'stop' });
      setRun(false);
    } catch (err) { toast(`Stop failed: ${err.message}`, 'error'); }
  };

  const stepBtn = (delta) => h('button.btn.step', {
    type: 'button', 'aria-label': `${delta > 0 ? 'Increase' : 'Decrease'} maximum speed by ${Math.abs(delta)}%`,
    onclick: () => setSpeed(speed + delta),
  }, `${delta > 0 ? '+' : '−'}${Math.abs(delta)}`);

  startBtn = h('button.btn.go#auto-start', { type: 'button', onclick: start, disabled: true }, 'Start vehicle');
  const panel = h('div.mode-panel#auto-panel',
    h('label.field-label', { for: 'model-select' }, 'Select a model'),
    h('div.row', select,
      actionButton('Load model', loadModel, { cls: 'primary', id: 'model-load' }),
      h('button.btn.icon', { type: 'button', title: 'Refresh the list', 'aria-label': 'Refresh models', onclick: refreshModels }, '↻')),
    loadBar, loadStatus,
    h('label.field-label', 'Maximum speed'),
    h('div.speed-stepper', stepBtn(-5), stepBtn(-1), speedValue, stepBtn(1), stepBtn(5)),
    h('p.hint', 'Percentage of the model\'s trained maximum speed. Keys: + / − (1 %), Page Up / Page Down (5 %).'),
    h('div.row.start-stop', startBtn,
      h('button.btn.stop#auto-stop', { type: 'button', onclick: stop }, 'Stop vehicle'), runState),
  );

  const onKey = (event) => {
    if (panel.hidden || event.target.closest('input, select, textarea')) return;
    const steps = { '+': 1, '=': 1, '-': -1, _: -1, PageUp: 5, PageDown: -5 };
    if (event.key in steps) { event.preventDefault(); setSpeed(speed + steps[event.key]); }
  };
  window.addEventListener('keydown', onKey);
  const onEstop = () => setRun(false);
  window.addEventListener('console:estop', onEstop);
  cleanup.push(() => {
    window.removeEventListener('keydown', onKey);
    window.removeEventListener('console:estop', onEstop);
  });

  refreshModels();
  checkLoaded();
  return { panel, isRunning: () => running, stop, setRun };
}

// ------------------------------------------------------------------ manual
function manualPanel(cleanup) {
  const readAngle = h('output#manual-angle', '0.00');
  const readThrottle = h('output#manual-throttle', '0.00');
  const readSource = h('span#manual-source', '—');
  const gamepadInfo = h('p.hint#gamepad-info', 'Game controller: press any button on it to connect.');
  const errorLine = h('p.form-error#manual-error', { hidden: true, role: 'alert' });
  const state = h('span.run-state#manual-run-state', 'Stopped');
  const speedRange = h('input#manual-speed', { type: 'range', min: 0, max: 100, step: 5, value: Math.round(driver.maxSpeed * 100) });
  const speedOut = h('output#manual-speed-value', `${speedRange.value} %`);
  driver.setMaxSpeed(store.get('manualSpeed', 50) / 100);
  speedRange.value = Math.round(driver.maxSpeed * 100);
  setText(speedOut, `${speedRange.value} %`);
  speedRange.addEventListener('input', () => {
    driver.setMaxSpeed(Number(speedRange.value) / 100);
    setText(speedOut, `${speedRange.value} %`);
    store.set('manualSpeed', Number(speedRange.value));
  });

  const pad = joystick({
    onChange: (x, y, active) => (active ? driver.setInput('pad', x, y) : driver.releaseInput('pad')),
  });
  const startBtn = h('button.btn.go#manual-start', {
    type: 'button',
    onclick: async () => {
      try { await driver.start(); } catch (err) { toast(`Start failed: ${err.message}`, 'error'); }
    },
  }, 'Start vehicle');
  const stopBtn = h('button.btn.stop#manual-stop', { type: 'button', onclick: () => driver.stop('stop button') }, 'Stop vehicle');

  const render = () => {
    const cmd = driver.command();
    setText(readAngle, cmd.angle.toFixed(2));
    setText(readThrottle, cmd.throttle.toFixed(2));
    setText(readSource, cmd.source || '—');
    setText(state, driver.started ? 'Manual driving' : driver.stopReason ? `Stopped (${driver.stopReason})` : 'Stopped');
    state.dataset.state = driver.started ? 'running' : 'stopped';
    pad.element.classList.toggle('disabled', !driver.started);
    startBtn.disabled = driver.started;
    errorLine.hidden = !driver.lastError;
    setText(errorLine, driver.lastError);
  };
  driver.addEventListener('change', render);
  cleanup.push(() => driver.removeEventListener('change', render));


  const panel = h('div.mode-panel#manual-panel',
    h('p.field-label', 'Click or touch to drive'),
    pad.element,
    h('div.readout',
      h('span', 'Steering ', readAngle), h('span', 'Throttle ', readThrottle), h('span', 'Input ', readSource)),
    h('label.field-label', { for: 'manual-speed' }, 'Maximum speed'),
    h('div.row', speedRange, speedOut),
    h('div.row.start-stop', startBtn, stopBtn, state),
    errorLine,
    h('details.hint',
      h('summary', 'Keyboard and game controller'),
      h('p', 'Arrow keys or W A S D drive while held; hold Shift for half input. Esc stops the car.'),
      h('p', 'Game controller: hold A or LB (dead-man switch), steer with the left stick, drive with the left stick or the triggers (RT forward, LT reverse). Releasing the dead-man switch stops the car.'),
      gamepadInfo),
  );

  const detachKeys = keyboardDriving((angle, throttle, active) => {
    if (panel.hidden) return;
    if (active) driver.setInput('keys', angle, throttle); else driver.releaseInput('keys');
  });
  const detachPad = gamepadDriving((g) => {
    if (!g.connected) {
      setText(gamepadInfo, 'Game controller: press any button on it to connect.');
      driver.releaseInput('gamepad');
      return;
    }
    setText(gamepadInfo, `Game controller: ${g.name.slice(0, 60)} — ${g.deadman ? 'dead-man held, driving' : 'hold A or LB to drive'}`);
    if (!panel.hidden && g.deadman) driver.setInput('gamepad', g.angle, g.throttle);
    else driver.releaseInput('gamepad');
  });
  cleanup.push(detachKeys, detachPad);
  render();
  return { panel, stop: () => driver.stop('switched mode') };
}

// ------------------------------------------------------------------ camera
function cameraCard(cleanup) {
  let on = store.get('videoOn', true);
  let kind = store.get('videoKind', 'camera');
  const frame = h('div.video-frame#video-frame');
  const toggle = h('input#video-toggle', { type: 'checkbox', checked: on });
  const radios = Object.entries(STREAMS).map(([value, s]) => h('label.radio',
    h('input', { type: 'radio', name: 'video-kind', value, checked: value === kind }), s.label));

  const render = () => {
    frame.replaceChildren();
    if (!on) {
      frame.append(h('p.video-off', 'Video stream is off.'));
      return;
    }
    const img = h('img#video-img', { alt: `${STREAMS[kind].label} stream`, width: 480, height: 360 });
    img.addEventListener('error', () => {
      if (!img.getAttribute('src')) return;
      frame.replaceChildren(h('p.video-off', `No ${STREAMS[kind].label.toLowerCase()} stream. Check the sensor connection (side panel).`));
    });
    frame.append(img);
    // An MJPEG stream never finishes loading: start it after the page's load event, or the
    // browser would show the page as loading forever.
    const src = streamUrl(kind);
    if (document.readyState === 'complete') img.src = src;
    else window.addEventListener('load', () => { if (img.isConnected) img.src = src; }, { once: true });
  };
  toggle.addEventListener('change', () => { on = toggle.checked; store.set('videoOn', on); render(); });
  for (const label of radios) {
    label.querySelector('input').addEventListener('change', (e) => { kind = e.target.value; store.set('videoKind', kind); render(); });
  }
  // Remove the <img> so the browser closes the MJPEG connection.
  cleanup.push(() => frame.replaceChildren());
  render();
  return card('Camera stream', { id: 'camera-card', cls: 'camera-card' },
    frame,
    h('div.row.video-controls', h('label.switch', toggle, h('span', 'Video stream')), h('div.radios', radios)));
}

// ------------------------------------------------------------------ simulator
function simCard(cleanup) {
  const canvas = h('canvas#sim-canvas', { width: 480, height: 320, 'aria-label': 'Simulated track, top view' });
  const view = new SimView(canvas);
  const stats = {
    track: h('span#sim-track', '—'), laps: h('span#sim-laps', '0'), lap: h('span#sim-lap-time', '—'),
    last: h('span#sim-last-lap', '—'), off: h('span#sim-off-track', '0'), speed: h('span#sim-speed', '—'),
  };
  const tiles = [['Track', stats.track], ['Laps', stats.laps], ['Lap time', stats.lap], ['Last lap', stats.last],
    ['Off track', stats.off], ['Speed', stats.speed]];
  const el = card('Simulator', { id: 'sim-card', cls: 'sim-card' },
    canvas, h('dl.sim-stats', tiles.map(([k, v]) => h('div', h('dt', k), h('dd', v)))));
  el.hidden = true;
  let trackName = null;
  let running = false;

  const tick = async () => {
    let s;
    try {
      s = await api('/api/sim/status', { timeout: 3000 });
    } catch { s = null; }
    if (!s || s.success === false) {
      running = false;
      el.hidden = true;
      return;
    }
    running = true;
    if (trackName !== s.track) {
      try {
        const track = await api('/api/sim/track');
        if (track && track.success !== false) { view.setTrack(track); trackName = s.track; }
      } catch { /* retry next tick */ }
    }
    el.hidden = false;
    setText(stats.track, s.track || '—');
    setText(stats.laps, String(s.laps ?? 0));
    setText(stats.lap, formatSeconds(s.lap_time_s));
    setText(stats.last, formatSeconds(s.last_lap_s));
    setText(stats.off, String(s.off_track ?? 0));
    setText(stats.speed, Number.isFinite(s.speed) ? `${s.speed.toFixed(2)} m/s` : '—');
    view.update(s);
  };
  supports('/api/sim/status').then((yes) => {
    if (!yes) return;
    // 5 Hz while the simulator runs, a slow check otherwise.
    const stop = poll(tick, () => (running ? 200 : 3000));
    cleanup.push(stop);
  });
  cleanup.push(() => view.destroy());
  return el;
}

// ------------------------------------------------------------------ page
export default {
  title: 'Control vehicle',
  async mount(host) {
    const cleanup = [];
    const auto = autonomousPanel(cleanup);
    const manual = manualPanel(cleanup);
    let mode = store.get('driveTab', 'auto');

    const tabs = ['auto', 'manual'].map((m) => h('button.tab', {
      type: 'button', role: 'tab', id: `tab-${m}`, 'aria-controls': `${m}-panel`,
      onclick: () => selectMode(m, true),
    }, m === 'auto' ? 'Autonomous driving' : 'Manual driving'));

    const selectMode = async (m, userAction) => {
      if (userAction && m === mode) return;
      if (userAction) {
        // Changing mode always stops the car first.
        if (mode === 'manual') await manual.stop();
        else if (auto.isRunning()) await auto.stop();
        try { await post('/api/drive_mode', { drive_mode: m === 'auto' ? 'auto' : 'manual' }); } catch (err) { toast(err.message, 'error'); }
      }
      mode = m;
      store.set('driveTab', m);
      for (const t of tabs) t.setAttribute('aria-selected', String(t.id === `tab-${m}`));
      auto.panel.hidden = m !== 'auto';
      manual.panel.hidden = m !== 'manual';
    };
    await selectMode(mode, false);

    host.append(
      h('h1.page-title', 'Control vehicle'),
      h('div.control-grid',
        card('Controls', { id: 'controls-card' }, h('div.tabs', { role: 'tablist' }, tabs), auto.panel, manual.panel),
        h('div.control-side', cameraCard(cleanup), simCard(cleanup))),
    );

    return async () => {
      for (const fn of cleanup.splice(0)) {
        try { fn(); } catch (err) { console.error(err); }
      }
      if (driver.started) await driver.stop('left the page');
    };
  },
};
