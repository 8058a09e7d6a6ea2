// @ts-check
// Upload a model archive (.tar.gz): choose or drop it, confirm replacing a model of the same name,
// progress while it is sent, then the car's verdict exactly as it words it.

import { card, confirmDialog, formatBytes, h, setText } from '../../lib/dom.js';
import { isModelInstalled, uploadModel } from '../../lib/endpoints.js';

/** The progress bar and its line. */
function progressBar() {
  const fill = h('div.progress-fill');
  const bar = h('div.progress#upload-progress', { hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
  const text = h('p.small#upload-progress-text', { hidden: true });
  let started = Date.now();
  return {
    bar, text,
    /** Shown from the start of an upload (the rate counts from then), or hidden. @param {boolean} shown */
    show(shown) {
      bar.hidden = !shown;
      text.hidden = !shown;
      if (!shown) return;
      bar.classList.remove('indeterminate');
      fill.style.width = '0%';
      started = Date.now();
    },
    /** @param {File} file @param {number} loaded @param {number} total */
    sending(file, loaded, total) {
      const pct = total ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
      fill.style.width = `${pct}%`;
      bar.setAttribute('aria-valuenow', String(pct));
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? loaded / secs : 0;
      setText(text, `Uploading ${file.name}: ${pct}% (${formatBytes(loaded)} of ${formatBytes(total)}${rate ? `, ${formatBytes(rate)}/s` : ''})`);
    },
    sent() {
      bar.classList.add('indeterminate');
      setText(text, 'Uploaded. The vehicle is checking and installing the model…');
    },
  };
}

/** False when the user keeps the model of the same name on the car. @param {File} file */
async function mayReplace(file) {
  const folder = file.name.replace(/\.tar\.gz$/i, '');
  if (folder === file.name) return true;
  try {
    const inst = await isModelInstalled(folder);
    if (inst && inst.success) {
      return confirmDialog({
        title: `Replace ${folder}?`,
        body: 'A model with this name is already on the vehicle. Uploading replaces it.',
        ok: 'Replace',
      });
    }
  } catch { /* the upload itself will report problems */ }
  return true;
}

/** @param {unknown} res the car's answer @returns {{ok: boolean, text: string}} */
function verdict(res) {
  const answer = res && typeof res === 'object' ? /** @type {import('../../lib/endpoints.js').Answer} */ (res) : null;
  const message = answer ? (answer.message || answer.reason || '') : String(res || '');
  const ok = Boolean(answer && answer.success);
  return { ok, text: message || (ok ? 'Model uploaded.' : 'Upload failed.') };
}

/** The file input and the drop zone. @param {(file: File | null) => void} choose */
function filePicker(choose) {
  const input = h('input#model-file', { type: 'file', accept: '.tar.gz,.gz,application/gzip,application/x-gzip' });
  const name = h('span.file-name#model-file-name', 'No file chosen');
  const drop = h('label.dropzone#model-dropzone', { for: 'model-file' },
    h('span.drop-icon', { 'aria-hidden': 'true' }, '⬆'),
    h('span', 'Choose a model archive (.tar.gz) or drop it here'), name);
  input.addEventListener('change', () => choose(input.files ? input.files[0] : null));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  return { input, name, drop };
}

/** @param {() => Promise<void>} refresh the list, after every upload */
export function uploadCard(refresh) {
  /** @type {File | null} */
  let file = null;
  const uploadBtn = h('button.btn.primary#model-upload', { type: 'button', disabled: true }, 'Upload');
  const result = h('p.upload-result#upload-result', { role: 'status', hidden: true });
  /** @param {File | null | undefined} f @param {{keepResult?: boolean}} [options] */
  const choose = (f, { keepResult = false } = {}) => {
    file = f || null;
    setText(picker.name, file ? `${file.name} (${formatBytes(file.size)})` : 'No file chosen');
    uploadBtn.disabled = !file;
    if (!keepResult) result.hidden = true;
  };
  const picker = filePicker(choose);
  const progress = progressBar();

  /** @param {File} chosen */
  const upload = async (chosen) => {
    uploadBtn.disabled = true;
    picker.input.disabled = true;
    result.hidden = true;
    progress.show(true);
    try {
      const { ok, text } = verdict(await uploadModel(chosen, {
        onProgress: (loaded, total) => progress.sending(chosen, loaded, total),
        onSent: () => progress.sent(),
      }));
      showResult(result, ok, text);
      if (ok) { choose(null, { keepResult: true }); picker.input.value = ''; }
    } catch (err) {
      showResult(result, false, /** @type {Error} */ (err).message);
    } finally {
      progress.show(false);
      picker.input.disabled = false;
      uploadBtn.disabled = !file;
      await refresh();
    }
  };
  uploadBtn.addEventListener('click', async () => {
    if (!file) return;
    const chosen = file;
    if (await mayReplace(chosen)) await upload(chosen);
  });

  return card('Upload a model', { id: 'upload-card' },
    h('p.hint', 'Export the model from training (AWS console "Download model" or DRfC) and upload the .tar.gz archive as it is.'),
    picker.drop, picker.input, h('div.row', uploadBtn), progress.bar, progress.text, result);
}

/** @param {HTMLElement} result @param {boolean} ok @param {string} text */
function showResult(result, ok, text) {
  result.hidden = false;
  result.dataset.state = ok ? 'ok' : 'error';
  setText(result, text);
}
