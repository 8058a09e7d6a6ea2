// @ts-check
// The table of the models on the vehicle, with a checkbox per model and one for all.

import { formatDate, h } from '../../lib/dom.js';

/** @typedef {import('../../lib/endpoints.js').UploadedModel} UploadedModel */

/**
 * @param {HTMLInputElement} box @param {Set<string>} selected @param {string[]} names
 * @param {() => void} onSelect
 */
function selects(box, selected, names, onSelect) {
  box.addEventListener('change', () => {
    for (const name of names) if (box.checked) selected.add(name); else selected.delete(name);
    onSelect();
  });
  return box;
}

/** @param {UploadedModel} m @param {Set<string>} selected @param {() => void} onSelect */
function modelRow(m, selected, onSelect) {
  const box = selects(h('input', { type: 'checkbox', 'aria-label': `Select ${m.name}`, checked: selected.has(m.name) }),
    selected, [m.name], onSelect);
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
}

/**
 * @param {UploadedModel[]} models
 * @param {Set<string>} selected names, changed by the checkboxes
 * @param {() => void} onSelect after each change of `selected`
 */
export function modelTable(models, selected, onSelect) {
  if (!models.length) {
    return h('p.empty#models-empty', 'No models on the vehicle yet. Upload a model archive (.tar.gz) exported from training.');
  }
  const all = selects(h('input', { type: 'checkbox', 'aria-label': 'Select all models' }), selected, models.map((m) => m.name), onSelect);
  all.checked = models.every((m) => selected.has(m.name));
  return h('div.table-wrap', h('table.models#models-table',
    h('thead', h('tr', h('th.sel', all), ['Name', 'Size', 'Upload time', 'Sensors', 'Algorithm', 'Action space', 'Status'].map((t) => h('th', t)))),
    h('tbody', models.map((m) => modelRow(m, selected, onSelect)))));
}
