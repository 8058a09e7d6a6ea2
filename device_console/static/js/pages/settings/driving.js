// @ts-check
// Manual driving: how long the car holds a command of other apps (GET/POST /api/drive_settings).

import { actionButton, card, h } from '../../lib/dom.js';
import { driveSettings, saveDriveSettings } from '../../lib/endpoints.js';
import { errorText, message, resultLine } from './fields.js';

export function drivingCard() {
  const input = h('input#drive-hold', { type: 'number', min: 0.5, max: 60, step: 0.5, inputmode: 'decimal' });
  const result = resultLine('drive-hold-result');
  const save = async () => {
    try {
      const d = await saveDriveSettings(Number(input.value));
      input.value = String(d.legacy_drive_hold_s);
      message(result, true, `Saved: ${d.legacy_drive_hold_s} s.`);
    } catch (err) { message(result, false, errorText(err)); }
  };
  driveSettings().then((d) => { input.value = String(d.legacy_drive_hold_s); })
    .catch((err) => message(result, false, errorText(err)));
  return card('Manual driving', { id: 'driving-card' },
    h('p.hint', 'This console stops the car 0.5 s after its page goes quiet. Other apps and scripts written for the original car send a command only when the stick moves: the car keeps their last command while they are connected, and stops when their video stream closes, on Stop, or when they send nothing for this long.'),
    h('label.field-label', { for: 'drive-hold' }, 'Hold a command of other apps for (seconds, 0.5 to 60)'),
    h('div.row', input, actionButton('Save', save, { cls: 'primary', id: 'drive-hold-save' })),
    result);
}
