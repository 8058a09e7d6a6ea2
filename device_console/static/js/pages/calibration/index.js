// Calibration: overview + the steering wizard (ground, centre, max left, max right) and the speed
// wizard (raise, stopped, forward direction with reverse toggle, max forward, max backward), as in
// the Developer Guide. Values are the console's calibration units (section 3 of the API notes):
// steering pwm = v*10000 + 1500000 ns, throttle pwm = v*4500 + 1500000 ns. Every slider move
// previews live on the wheels through /api/adjust_calibrating_wheels; Done saves with
// /api/set_calibration. The page enters calibration mode (/api/set_calibration_mode) first.
//
// Display convention: left steering and forward speed are shown as positive numbers whatever the
// polarity, so display = raw * sign(polarity).

import { api, get, post } from '../../lib/api.js';
import { card, facts, h, setText, spinner, toast } from '../../lib/dom.js';
import { DriveChannel } from '../../lib/drive_channel.js';

const FACTOR = { angle: 10000, throttle: 4500 };
const sgn = (p) => (Number(p) < 0 ? -1 : 1);
const DEFAULT_MOTOR_POLARITY = -1;

function pulseMs(type, raw) {
  return ((raw * FACTOR[type] + 1500000) / 1e6).toFixed(3);
}

/** Sends the latest preview value (and which value is being set: "mid", "min" or "max");
 *  never more than one request in flight. */
function previewer(type) {
  let pending = null;
  let busy = false;
  let lastError = '';
  const flush = async () => {
    if (busy || pending === null) return;
    const { value, setting } = pending;
    pending = null;
    busy = true;
    try {
      await post(`/api/adjust_calibrating_wheels/${type}`, { pwm: Math.round(value), setting }, { timeout: 3000 });
      lastError = '';
    } catch (err) {
      if (err.message !== lastError) toast(`Live preview: ${err.message}`, 'error');
      lastError = err.message;
    } finally {
      busy = false;
      if (pending !== null) flush();
    }
  };
  const send = (value, setting = 'mid') => { pending = { value, setting }; flush(); };
  send.settled = async () => {
    while (busy || pending !== null) await new Promise((r) => setTimeout(r, 20));
  };
  return send;
}

/** Range slider with −/+ buttons and the value; onInput(value) on every change. */
function slider({ id, label, min, max, value, onInput, unit = '', describe }) {
  const input = h('input', { type: 'range', id, min, max, step: 1, value, 'aria-label': label });
  const out = h('output.slider-value', { for: id, id: `${id}-value` });
  const extra = h('span.slider-extra.muted.small');
  const update = (fire) => {
    const v = Number(input.value);
    setText(out, `${v}${unit}`);
    if (describe) setText(extra, describe(v));
    if (fire) onInput(v);
  };
  const bump = (d) => h('button.btn.step', {
    type: 'button', 'aria-label': `${label} ${d > 0 ? 'increase' : 'decrease'}`, id: `${id}-${d > 0 ? 'inc' : 'dec'}`,
    onclick: () => { input.value = String(Number(input.value) + d); update(true); },
  }, d > 0 ? '▶' : '◀');
  input.addEventListener('input', () => update(true));
  update(false);
  const el = h('div.slider',
    h('label.field-label', { for: id }, label),
    h('div.slider-row', bump(-1), input, bump(1), out),
    h('div.slider-scale.muted.small', h('span', String(min)), extra, h('span', String(max))));
  return {
    element: el,
    get value() { return Number(input.value); },
    set(v, fire = false) { input.value = String(v); update(fire); },
    setRange(lo, hi) {
      input.min = String(lo);
      input.max = String(hi);
      el.querySelector('.slider-scale span:first-child').textContent = String(lo);
      el.querySelector('.slider-scale span:last-child').textContent = String(hi);
      update(false);
    },
  };
}

function svgEl(tag, attrs, text) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text) el.textContent = text;
  return el;
}

/** Simple vehicle drawings: 'ground' (top view), 'raise' (side view on a stand), 'spin' (side view, wheel arrow). */
function carDiagram(kind) {
  const svg = svgEl('svg', { class: 'car-diagram', 'aria-hidden': 'true' });
  if (kind === 'ground') {
    svg.setAttribute('viewBox', '0 0 120 170');
    svg.append(
      svgEl('text', { x: 60, y: 12, 'text-anchor': 'middle', class: 'diag-label' }, 'Front'),
      svgEl('text', { x: 60, y: 166, 'text-anchor': 'middle', class: 'diag-label' }, 'Back'),
      svgEl('rect', { x: 30, y: 22, width: 60, height: 126, rx: 14, class: 'diag-body' }));
    for (const [x, y] of [[14, 34], [94, 34], [14, 110], [94, 110]]) {
      svg.append(svgEl('rect', { x, y, width: 12, height: 26, rx: 3, class: `diag-wheel${y < 60 ? ' front' : ''}` }));
    }
    svg.append(svgEl('line', { x1: 20, y1: 4, x2: 20, y2: 30, class: 'diag-guide' }));
    return svg;
  }
  // Side view, front to the right.
  svg.setAttribute('viewBox', '0 0 200 130');
  const lift = kind === 'raise' || kind === 'spin' ? 26 : 0;
  svg.append(
    svgEl('line', { x1: 4, y1: 122, x2: 196, y2: 122, class: 'diag-ground' }),
    svgEl('text', { x: 8, y: 16, class: 'diag-label' }, 'Back'),
    svgEl('text', { x: 192, y: 16, 'text-anchor': 'end', class: 'diag-label' }, 'Front'));
  if (lift) svg.append(svgEl('rect', { x: 70, y: 122 - lift - 2, width: 60, height: lift + 2, rx: 3, class: 'diag-stand' }));
  const base = 122 - lift;
  svg.append(svgEl('rect', { x: 30, y: base - 52, width: 140, height: 30, rx: 10, class: 'diag-body' }));
  for (const cx of [52, 148]) {
    svg.append(svgEl('circle', { cx, cy: base - 16, r: 16, class: `diag-wheel${cx > 100 ? ' front' : ''}` }));
  }
  if (kind === 'spin') {
    // Forward: the wheels turn clockwise seen from this (left) side.
    svg.append(
      svgEl('path', { d: `M ${148 - 22} ${base - 16} A 22 22 0 0 1 ${148 + 15} ${base - 32}`, class: 'diag-arrow' }),
      svgEl('path', { d: `M ${148 + 20} ${base - 28} l -3 -10 l -8 7 z`, class: 'diag-arrow-head' }),
      svgEl('path', { d: `M 176 ${base - 70} h 18 m -6 -5 l 6 5 l -6 5`, class: 'diag-arrow' }));
  }
  return svg;
}

/** Generic wizard: steps [{title, body(): Node, enter?(), leave?()}], finish() on Done. */
function wizard({ id, title, steps, onCancel, onFinish }) {
  let index = 0;
  const list = h('ol.wizard-steps', steps.map((s, i) => h('li', { dataset: { step: i } }, h('span.step-no', `Step ${i + 1}`), h('span', s.title))));
  const body = h('div.wizard-body');
  const counter = h('p.wizard-counter.muted.small');
  const prev = h('button.btn#wizard-prev', { type: 'button' }, 'Previous');
  const next = h('button.btn.primary#wizard-next', { type: 'button' }, 'Next');
  const cancel = h('button.btn#wizard-cancel', { type: 'button' }, 'Cancel');
  let busy = false;

  const show = async (i) => {
    if (busy) return;
    busy = true;
    try {
      if (steps[index] && steps[index].leave && i !== index) await steps[index].leave();
      index = i;
      const step = steps[index];
      body.replaceChildren(h('h3', step.title), step.body());
      list.querySelectorAll('li').forEach((li, n) => {
        li.classList.toggle('current', n === index);
        li.classList.toggle('done', n < index);
        if (n === index) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
      });
      setText(counter, `Step ${index + 1} of ${steps.length}`);
      prev.hidden = index === 0;
      setText(next, index === steps.length - 1 ? 'Done' : 'Next');
      if (step.enter) await step.enter();
    } finally { busy = false; }
  };
  prev.addEventListener('click', () => show(Math.max(0, index - 1)));
  next.addEventListener('click', async () => {
    if (index < steps.length - 1) { show(index + 1); return; }
    if (busy) return;
    busy = true;
    next.disabled = true;
    try {
      if (steps[index].leave) await steps[index].leave();
      await onFinish();
    } finally { busy = false; next.disabled = false; }
  });
  cancel.addEventListener('click', async () => {
    if (steps[index].leave) await steps[index].leave();
    await onCancel();
  });
  const el = h('section.card.wizard', { id },
    h('header.card-head', h('h2', title)),
    h('div.wizard-grid', list, h('div.wizard-main', counter, body,
      h('div.wizard-actions', cancel, h('span.spacer'), prev, next))));
  show(0);
  return el;
}

export default {
  title: 'Calibration',
  async mount(host, { sub }) {
    let cal = null;           // {angle: {mid,min,max,polarity}, throttle: {...}} raw UI units
    let errorText = '';
    const view = h('div');
    // A corrupt calibration.json: the car drives on the defaults until the user recalibrates.
    const fileBanner = h('div.warning#calibration-file-banner', { role: 'alert', hidden: true });
    host.append(h('h1.page-title', 'Calibration'), fileBanner, view);
    const steer = previewer('angle');
    const throttle = previewer('throttle');

    const checkFile = async () => {
      let status = null;
      try { status = await get('/api/calibration_file_status'); } catch { status = null; }
      const broken = Boolean(status && status.file_ok === false);
      fileBanner.hidden = !broken;
      if (broken) {
        fileBanner.replaceChildren(`⚠ ${status.message}`,
          h('div.small.muted#calibration-file-reason', { style: { fontWeight: 'normal' } }, String(status.reason || '')));
      }
    };

    const enter = async () => {
      errorText = '';
      try {
        await api('/api/start_stop', { method: 'POST', json: { start_stop: 'stop' } });
        await get('/api/set_calibration_mode');
        const [a, t] = await Promise.all([get('/api/get_calibration/angle'), get('/api/get_calibration/throttle')]);
        const pick = (d) => ({ mid: Math.round(d.mid), min: Math.round(d.min), max: Math.round(d.max), polarity: Number(d.polarity) });
        cal = { angle: pick(a), throttle: pick(t) };
      } catch (err) {
        cal = null;
        errorText = err.message;
      }
    };

    const displays = () => {
      const a = cal.angle; const t = cal.throttle;
      const sa = sgn(a.polarity); const st = sgn(t.polarity);
      return {
        center: a.mid * sa,
        left: (sa > 0 ? a.max : a.min) * sa,
        right: (sa > 0 ? a.min : a.max) * sa,
        stopped: t.mid * st,
        forward: (st > 0 ? t.max : t.min) * st,
        backward: (st > 0 ? t.min : t.max) * st,
        reversed: sgn(t.polarity) !== DEFAULT_MOTOR_POLARITY,
      };
    };

    // ---------------------------------------------------------------- overview
    const overview = () => {
      if (!cal) {
        return card('Calibration unavailable', { id: 'calibration-error' },
          h('p.form-error', errorText || 'The vehicle did not answer.'),
          h('button.btn.primary', { type: 'button', onclick: async () => { await enter(); render(); } }, 'Try again'));
      }
      const d = displays();
      return h('div.cal-overview',
        h('p.hint', 'Calibrate so that the vehicle\'s maximum steering angles and speed match the action space you trained with in the simulator.'),
        card('Steering', { id: 'cal-steering', actions: [h('a.btn.primary#cal-steering-start', { href: '#/calibration/steering' }, 'Calibrate')] },
          facts([['Center', h('span#cal-center', d.center)], ['Maximum left steering', h('span#cal-left', d.left)],
            ['Maximum right steering', h('span#cal-right', d.right)]])),
        card('Speed', { id: 'cal-speed', actions: [h('a.btn.primary#cal-speed-start', { href: '#/calibration/speed' }, 'Calibrate')] },
          facts([['Stopped', h('span#cal-stopped', d.stopped)], ['Maximum forward speed', h('span#cal-forward', d.forward)],
            ['Maximum backward speed', h('span#cal-backward', d.backward)],
            ['Direction', h('span#cal-direction', d.reversed ? 'Reversed' : 'Normal')]])),
      );
    };

    const backToOverview = () => { window.location.hash = '#/calibration'; };

    // ---------------------------------------------------------------- steering wizard
    const steeringWizard = () => {
      const a = cal.angle;
      const s = sgn(a.polarity);
      const d = displays();
      const state = { center: d.center, left: d.left, right: d.right };
      const raw = (v) => v * s;
      const describe = (v) => `pulse ${pulseMs('angle', raw(v))} ms`;

      const centerS = slider({ id: 'steer-center', label: 'Center value', min: -30, max: 30, value: state.center, describe,
        onInput: (v) => { state.center = v; steer(raw(v)); } });
      const leftS = slider({ id: 'steer-left', label: 'Maximum left steering value', min: -50, max: 50, value: state.left, describe,
        onInput: (v) => { state.left = v; steer(raw(v), 'max'); } });
      const rightS = slider({ id: 'steer-right', label: 'Maximum right steering value', min: -50, max: 50, value: state.right, describe,
        onInput: (v) => { state.right = v; steer(raw(v), 'min'); } });

      const steps = [
        { title: 'Set your vehicle on the ground',
          body: () => h('div.step-content',
            h('p', 'Place your vehicle on the ground or another hard surface within eyesight. You must be able to see the wheels during steering calibration.'),
            h('p.hint', 'Steering on a track needs much smaller angles than turning the wheels in the air, so measure with the wheels on the track surface.'),
            carDiagram('ground')) },
        { title: 'Calibrate center',
          body: () => h('div.step-content',
            h('p', 'Increase or decrease the Center value until at least one front wheel points straight forward, aligned with the rear wheel on the same side (use a ruler).'),
            h('p.hint', 'The front wheels may not be perfectly parallel: DeepRacer uses Ackermann steering. One front wheel facing forward is what matters.'),
            centerS.element),
          enter: () => { centerS.set(state.center); steer(raw(state.center)); } },
        { title: 'Calibrate maximum left steering',
          body: () => h('div.step-content',
            h('p', 'Increase the value to turn the front wheels to the left until they stop turning. A quiet noise is normal; a loud noise means you have gone too far. If your action space limits the steering angle, match it here.'),
            leftS.element),
          enter: () => {
            leftS.setRange(state.center + 1, 50);
            state.left = Math.max(state.left, state.center + 1);
            leftS.set(state.left);
            steer(raw(state.left), 'max');
          } },
        { title: 'Calibrate maximum right steering',
          body: () => h('div.step-content',
            h('p', 'Decrease the value to turn the front wheels to the right until they stop turning. A quiet noise is normal; a loud noise means you have gone too far.'),
            rightS.element),
          enter: () => {
            rightS.setRange(-50, state.center - 1);
            state.right = Math.min(state.right, state.center - 1);
            rightS.set(state.right);
            steer(raw(state.right), 'min');
          } },
      ];
      return wizard({
        id: 'steering-wizard', title: 'Calibrate steering angle', steps,
        onCancel: async () => { steer(a.mid); await steer.settled(); backToOverview(); },
        onFinish: async () => {
          const l = raw(state.left); const r = raw(state.right);
          const body = { mid: raw(state.center), min: Math.min(l, r), max: Math.max(l, r), polarity: a.polarity };
          try {
            await post('/api/set_calibration/angle', body);
            cal.angle = { ...body };
            steer(body.mid);
            await steer.settled();
            toast('Steering calibration saved.', 'ok');
            checkFile();
            backToOverview();
          } catch (err) { toast(`Saving the steering calibration failed: ${err.message}`, 'error', 8000); }
        },
      });
    };

    // ---------------------------------------------------------------- speed wizard
    const speedWizard = () => {
      const t = cal.throttle;
      const state = {
        p: sgn(t.polarity),
        midRaw: t.mid,
        fwdRaw: sgn(t.polarity) > 0 ? t.max : t.min,
        backRaw: sgn(t.polarity) > 0 ? t.min : t.max,
      };
      const disp = (r) => r * state.p;
      const raw = (v) => v * state.p;
      const zone = (v) => {
        const off = v - disp(state.midRaw);
        const name = off < 12 ? 'Slow' : off < 24 ? 'Normal' : off < 36 ? 'Fast' : off < 48 ? 'Turbo' : 'Dangerous';
        return `${name} · pulse ${pulseMs('throttle', raw(v))} ms`;
      };
      const stopWheels = () => throttle(state.midRaw);

      const stoppedS = slider({ id: 'speed-stopped', label: 'Stopped value', min: -30, max: 30, value: disp(state.midRaw),
        describe: (v) => `optimal range −20 through 20 · pulse ${pulseMs('throttle', raw(v))} ms`,
        onInput: (v) => { state.midRaw = raw(v); throttle(state.midRaw); } });
      const forwardS = slider({ id: 'speed-forward', label: 'Maximum forward speed value', min: -60, max: 60, value: disp(state.fwdRaw),
        describe: zone, onInput: (v) => { state.fwdRaw = raw(v); throttle(state.fwdRaw, 'max'); } });
      const backwardS = slider({ id: 'speed-backward', label: 'Maximum backward speed value', min: -60, max: 60, value: disp(state.backRaw),
        describe: (v) => `pulse ${pulseMs('throttle', raw(v))} ms`,
        onInput: (v) => { state.backRaw = raw(v); throttle(state.backRaw, 'min'); } });

      // Forward direction check: spin gently forward while the button is held (auto-stop after 3 s).
      const reverse = h('input#speed-reverse', { type: 'checkbox', checked: state.p !== DEFAULT_MOTOR_POLARITY });
      let spinTimer = null;
      const spinStop = () => { clearTimeout(spinTimer); spinTimer = null; spin.classList.remove('active'); stopWheels(); };
      const spin = h('button.btn.hold#speed-spin', { type: 'button' }, 'Hold to spin the wheels forward');
      spin.addEventListener('pointerdown', (e) => {
        e.preventDefault();
        spin.setPointerCapture(e.pointerId);
        const k = Math.max(6, Math.round(Math.abs(state.fwdRaw - state.midRaw) * 0.4));
        spin.classList.add('active');
        throttle(state.midRaw + state.p * k, 'max');
        clearTimeout(spinTimer);
        spinTimer = setTimeout(spinStop, 3000);
      });
      for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) spin.addEventListener(type, () => { if (spinTimer) spinStop(); });
      spin.addEventListener('keydown', (e) => { if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); if (!spinTimer) spin.dispatchEvent(new PointerEvent('pointerdown', { pointerId: 1 })); } });
      spin.addEventListener('keyup', () => { if (spinTimer) spinStop(); });
      reverse.addEventListener('change', () => {
        // Keep the stopped point; mirror the forward / backward ranges onto the other side.
        const fwdOff = Math.abs(state.fwdRaw - state.midRaw);
        const backOff = Math.abs(state.backRaw - state.midRaw);
        state.p = -state.p;
        state.fwdRaw = state.midRaw + state.p * fwdOff;
        state.backRaw = state.midRaw - state.p * backOff;
      });

      const steps = [
        { title: 'Raise your vehicle',
          body: () => h('div.step-content',
            h('p', 'Raise your vehicle so that the wheels do not touch the ground and can spin freely.'),
            h('p.warning', '⚠ Wheels spin at high speeds. Put the vehicle on a stable stand — do not hold it in your hands.'),
            carDiagram('raise')) },
        { title: 'Calibrate stopped speed',
          body: () => h('div.step-content',
            h('p', 'With the wheels free to spin, increase or decrease the Stopped value until the wheels stop spinning.'),
            h('p.hint', 'Tip: find the values on either side where the motor starts to whine; the ideal stopped value is halfway between them.'),
            stoppedS.element),
          enter: () => { stoppedS.set(disp(state.midRaw)); stopWheels(); } },
        { title: 'Set forward direction',
          body: () => h('div.step-content',
            h('p', 'Look at the vehicle from its left side, front to the right as in the drawing, and hold the button. If the wheels turn clockwise (the car would drive forward), the direction is set. If not, toggle Reverse direction and check again.'),
            carDiagram('spin'), h('div.row', spin),
            h('div.row', h('label.switch', reverse, h('span', 'Reverse direction')))),
          leave: () => spinStop() },
        { title: 'Calibrate maximum forward speed',
          body: () => h('div.step-content',
            h('p', 'Move the slider to set the maximum forward speed so that it matches (or is 20–30 % above) the maximum speed in your model\'s action space. Stay out of the dangerous range.'),
            forwardS.element,
            h('button.btn#speed-stop-wheels', { type: 'button', onclick: stopWheels }, 'Stop wheels')),
          enter: () => {
            const lo = disp(state.midRaw) + 1;
            forwardS.setRange(lo, Math.min(lo + 49, 60));
            forwardS.set(Math.max(disp(state.fwdRaw), lo));
            state.fwdRaw = raw(forwardS.value);
            stopWheels();
          },
          leave: () => stopWheels() },
        { title: 'Calibrate maximum backward speed',
          body: () => h('div.step-content',
            h('p', 'Move the slider to set the maximum backward speed. Autonomous driving never reverses; pick a value you are comfortable with for manual driving.'),
            backwardS.element,
            h('button.btn#speed-stop-wheels-back', { type: 'button', onclick: stopWheels }, 'Stop wheels')),
          enter: () => {
            const hi = disp(state.midRaw) - 1;
            backwardS.setRange(Math.max(hi - 49, -60), hi);
            backwardS.set(Math.min(disp(state.backRaw), hi));
            state.backRaw = raw(backwardS.value);
            stopWheels();
          },
          leave: () => stopWheels() },
      ];
      return wizard({
        id: 'speed-wizard', title: 'Calibrate speed', steps,
        onCancel: async () => { throttle(t.mid); await throttle.settled(); backToOverview(); },
        onFinish: async () => {
          const body = {
            mid: state.midRaw,
            min: Math.min(state.fwdRaw, state.backRaw),
            max: Math.max(state.fwdRaw, state.backRaw),
            polarity: state.p,
          };
          try {
            await post('/api/set_calibration/throttle', body);
            cal.throttle = { ...body };
            throttle(body.mid);
            await throttle.settled();
            toast('Speed calibration saved.', 'ok');
            checkFile();
            backToOverview();
          } catch (err) { toast(`Saving the speed calibration failed: ${err.message}`, 'error', 8000); }
        },
      });
    };

    let currentSub = sub;
    const render = () => {
      const which = currentSub[0];
      if (cal && which === 'steering') view.replaceChildren(steeringWizard());
      else if (cal && which === 'speed') view.replaceChildren(speedWizard());
      else view.replaceChildren(overview());
    };

    view.append(spinner('Entering calibration mode…'));
    checkFile();
    await enter();
    // The car holds a preview only while this page is there: heartbeats over the drive channel
    // (over HTTP where the socket cannot open) for as long as the page is shown.
    const channel = new DriveChannel();
    channel.open().then(() => channel.keep());
    render();

    return {
      onSubRoute: (s) => { currentSub = s; render(); },
      unmount: async () => {
        if (cal) {
          throttle(cal.throttle.mid);
          steer(cal.angle.mid);
          await Promise.all([throttle.settled(), steer.settled()]);
        }
        await api('/api/start_stop', { method: 'POST', json: { start_stop: 'stop' } }).catch(() => null);
        channel.close();
      },
    };
  },
};
