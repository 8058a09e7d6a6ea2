// Models: upload (*.tar.gz, with progress), list, delete. The backend's validation messages are
// shown exactly as it sends them.

import { api, uploadFile } from '../../lib/api.js';
import { card, clear, confirmDialog, formatBytes, formatDate, h, setText, toast } from '../../lib/dom.js';

function modelTable(models, selected, onSelect) {
  if (!models.length) {
    return h('p.empty#models-empty', 'No models on the vehicle yet. Upload a model archive (.tar.gz) exported from training.');
  }
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all models' });
  all.checked = models.every((m) => selected.has(m.name));
  all.addEventListener('change', () => {
    for (const m of models) if (all.checked) selected.add(m.name); else selected.delete(m.name);
    onSelect();
  });
  const rows = models.map((m) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `Select ${m.name}`, checked: selected.has(m.name) });
    box.addEventListener('change', () => {
      if (box.checked) selected.add(m.name); else selected.delete(m.name);
      onSelect();
    });
    return h('tr', { dataset: { model: m.name } },
      h('td.sel', box),
      h('td.name', { 'data-label': 'Name' }, m.name,
        m.is_sample ? h('span.badge.sample', { title: 'A sample model shipped with the car software' }, 'Sample') : null),
      h('td', { 'data-label': 'Size' }, m.size || '—'),
      h('td', { 'data-label': 'Upload time' }, formatDate(m.creation_time)),
      h('td', { 'data-label': 'Sensors' }, m.sensors || '—'),
      h('td', { 'data-label': 'Algorithm' }, m.training_algorithm || '—'),
      h('td', { 'data-label': 'Action space' }, m.action_space_type || '—'),
      h('td', { 'data-label': 'Status' }, h('span.chip', { class: m.status === 'Ready' ? 'ok' : 'warn' }, m.status || '—')));
  });
  return h('div.table-wrap', h('table.models#models-table',
    h('thead', h('tr', h('th.sel', all), ['Name', 'Size', 'Upload time', 'Sensors', 'Algorithm', 'Action space', 'Status'].map((t) => h('th', t)))),
    h('tbody', rows)));
}

export default {
  title: 'Models',
  async mount(host) {
    let models = [];
    const selected = new Set();
    const listBox = h('div#models-list');
    const deleteBtn = h('button.btn.danger#models-delete', { type: 'button', disabled: true }, 'Delete');
    const countLine = h('span.muted.small#models-count');

    const renderList = () => {
      for (const name of [...selected]) if (!models.some((m) => m.name === name)) selected.delete(name);
      listBox.replaceChildren(modelTable(models, selected, renderList));
      deleteBtn.disabled = selected.size === 0;
      setText(deleteBtn, selected.size ? `Delete (${selected.size})` : 'Delete');
      setText(countLine, `${models.length} model${models.length === 1 ? '' : 's'}`);
    };

    const refresh = async () => {
      try {
        const data = await api('/api/uploaded_model_list');
        models = Array.isArray(data) ? data : (data && data.models) || [];
        models.sort((a, b) => (Number(b.creation_time) || 0) - (Number(a.creation_time) || 0));
        renderList();
      } catch (err) {
        listBox.replaceChildren(h('p.form-error', `Could not list the models: ${err.message}`));
      }
    };

    deleteBtn.addEventListener('click', async () => {
      const names = [...selected];
      if (!names.length) return;
      const ok = await confirmDialog({
        title: `Delete ${names.length === 1 ? names[0] : `${names.length} models`}?`,
        body: 'Deleted models are removed from the vehicle and cannot be loaded any more.',
        ok: 'Delete', danger: true,
      });
      if (!ok) return;
      deleteBtn.disabled = true;
      try {
        const res = await api('/api/deleteModels', { method: 'POST', json: { filenames: names } });
        const message = (res && (res.message || res.reason)) || '';
        toast(message || (res && res.success ? 'Deleted.' : 'Delete failed.'), res && res.success ? 'ok' : 'error');
        selected.clear();
      } catch (err) {
        toast(err.message, 'error');
      }
      await refresh();
    });

    // ---- upload
    const fileInput = h('input#model-file', { type: 'file', accept: '.tar.gz,.gz,application/gzip,application/x-gzip' });
    const fileName = h('span.file-name#model-file-name', 'No file chosen');
    const uploadBtn = h('button.btn.primary#model-upload', { type: 'button', disabled: true }, 'Upload');
    const bar = h('div.progress-fill');
    const progress = h('div.progress#upload-progress', { hidden: true, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, bar);
    const progressText = h('p.small#upload-progress-text', { hidden: true });
    const result = h('p.upload-result#upload-result', { role: 'status', hidden: true });
    const drop = h('label.dropzone#model-dropzone', { for: 'model-file' },
      h('span.drop-icon', { 'aria-hidden': 'true' }, '⬆'),
      h('span', 'Choose a model archive (.tar.gz) or drop it here'), fileName);
    let file = null;

    const choose = (f, { keepResult = false } = {}) => {
      file = f || null;
      setText(fileName, file ? `${file.name} (${formatBytes(file.size)})` : 'No file chosen');
      uploadBtn.disabled = !file;
      if (!keepResult) result.hidden = true;
    };
    fileInput.addEventListener('change', () => choose(fileInput.files[0]));
    drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
    });

    const showResult = (ok, text) => {
      result.hidden = false;
      result.dataset.state = ok ? 'ok' : 'error';
      setText(result, text);
    };

    uploadBtn.addEventListener('click', async () => {
      if (!file) return;
      const folder = file.name.replace(/\.tar\.gz$/i, '');
      if (folder !== file.name) {
        try {
          const inst = await api(`/api/is_model_installed?filename=${encodeURIComponent(folder)}`);
          if (inst && inst.success) {
            const ok = await confirmDialog({
              title: `Replace ${folder}?`,
              body: 'A model with this name is already on the vehicle. Uploading replaces it.',
              ok: 'Replace',
            });
            if (!ok) return;
          }
        } catch { /* the upload itself will report problems */ }
      }
      uploadBtn.disabled = true;
      fileInput.disabled = true;
      result.hidden = true;
      progress.hidden = false;
      progressText.hidden = false;
      progress.classList.remove('indeterminate');
      bar.style.width = '0%';
      const started = Date.now();
      try {
        const res = await uploadFile('/api/uploadModels', 'file', file, {
          onProgress: (loaded, total) => {
            const pct = total ? Math.min(100, Math.round((loaded / total) * 100)) : 0;
            bar.style.width = `${pct}%`;
            progress.setAttribute('aria-valuenow', String(pct));
            const secs = (Date.now() - started) / 1000;
            const rate = secs > 0 ? loaded / secs : 0;
            setText(progressText, `Uploading ${file.name}: ${pct}% (${formatBytes(loaded)} of ${formatBytes(total)}${rate ? `, ${formatBytes(rate)}/s` : ''})`);
          },
          onSent: () => {
            progress.classList.add('indeterminate');
            setText(progressText, 'Uploaded. The vehicle is checking and installing the model…');
          },
        });
        const message = res && typeof res === 'object' ? (res.message || res.reason || '') : String(res || '');
        const ok = Boolean(res && res.success);
        showResult(ok, message || (ok ? 'Model uploaded.' : 'Upload failed.'));
        if (ok) { choose(null, { keepResult: true }); fileInput.value = ''; }
      } catch (err) {
        showResult(false, err.message);
      } finally {
        progress.hidden = true;
        progressText.hidden = true;
        fileInput.disabled = false;
        uploadBtn.disabled = !file;
        await refresh();
      }
    });

    host.append(
      h('h1.page-title', 'Models'),
      card('Upload a model', { id: 'upload-card' },
        h('p.hint', 'Export the model from training (AWS console "Download model" or DRfC) and upload the .tar.gz archive as it is.'),
        drop, fileInput, h('div.row', uploadBtn), progress, progressText, result),
      card('Models on the vehicle', {
        id: 'models-card',
        actions: [countLine, h('button.btn.icon', { type: 'button', 'aria-label': 'Refresh', title: 'Refresh', onclick: refresh }, '↻'), deleteBtn],
      }, listBox),
    );
    clear(listBox).append(h('p.muted', 'Loading…'));
    await refresh();
    return () => {};
  },
};
