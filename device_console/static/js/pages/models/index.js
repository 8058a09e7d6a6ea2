// @ts-check
// Models: upload (*.tar.gz, with progress), list, delete. The backend's validation messages are
// shown exactly as it sends them.

import { card, clear, confirmDialog, h, setText, toast } from '../../lib/dom.js';
import { deleteModels, uploadedModels } from '../../lib/endpoints.js';
import { modelTable } from './table.js';
import { uploadCard } from './upload.js';

/** @typedef {import('../../lib/endpoints.js').UploadedModel} UploadedModel */

/** @param {string[]} names @returns {Promise<boolean>} */
function confirmDelete(names) {
  return confirmDialog({
    title: `Delete ${names.length === 1 ? names[0] : `${names.length} models`}?`,
    body: 'Deleted models are removed from the vehicle and cannot be loaded any more.',
    ok: 'Delete', danger: true,
  });
}

/** The models on the vehicle, newest first, with the selection and Delete. */
class ModelList {
  constructor() {
    /** @type {UploadedModel[]} */
    this.models = [];
    /** @type {Set<string>} */
    this.selected = new Set();
    this.box = h('div#models-list');
    this.deleteBtn = h('button.btn.danger#models-delete', { type: 'button', disabled: true, onclick: () => this.deleteSelected() }, 'Delete');
    this.countLine = h('span.muted.small#models-count');
  }

  render() {
    const { models, selected } = this;
    for (const name of [...selected]) if (!models.some((m) => m.name === name)) selected.delete(name);
    this.box.replaceChildren(modelTable(models, selected, () => this.render()));
    this.deleteBtn.disabled = selected.size === 0;
    setText(this.deleteBtn, selected.size ? `Delete (${selected.size})` : 'Delete');
    setText(this.countLine, `${models.length} model${models.length === 1 ? '' : 's'}`);
  }

  async refresh() {
    try {
      const data = await uploadedModels();
      this.models = Array.isArray(data) ? data : (data && data.models) || [];
      this.models.sort((a, b) => (Number(b.creation_time) || 0) - (Number(a.creation_time) || 0));
      this.render();
    } catch (err) {
      this.box.replaceChildren(h('p.form-error', `Could not list the models: ${/** @type {Error} */ (err).message}`));
    }
  }

  async deleteSelected() {
    const names = [...this.selected];
    if (!names.length || !(await confirmDelete(names))) return;
    this.deleteBtn.disabled = true;
    try {
      const res = await deleteModels(names);
      const message = (res && (res.message || res.reason)) || '';
      toast(message || (res && res.success ? 'Deleted.' : 'Delete failed.'), res && res.success ? 'ok' : 'error');
      this.selected.clear();
    } catch (err) {
      toast(/** @type {Error} */ (err).message, 'error');
    }
    await this.refresh();
  }
}

/** @type {import('../page.js').Page} */
export default {
  title: 'Models',
  async mount(host) {
    const list = new ModelList();
    const refresh = () => list.refresh();
    host.append(
      h('h1.page-title', 'Models'),
      uploadCard(refresh),
      card('Models on the vehicle', {
        id: 'models-card',
        actions: [list.countLine, h('button.btn.icon', { type: 'button', 'aria-label': 'Refresh', title: 'Refresh', onclick: refresh }, '↻'), list.deleteBtn],
      }, list.box),
    );
    clear(list.box).append(h('p.muted', 'Loading…'));
    await list.refresh();
    return () => {};
  },
};
