// @ts-check
// The console password: old, new, confirm.

import { card, h } from '../../lib/dom.js';
import { changePassword } from '../../lib/endpoints.js';
import { errorText, message, passwordField, resultLine, showPasswords } from './fields.js';

export function passwordCard() {
  const oldF = passwordField('pw-old', 'Old password', 'current-password');
  const newF = passwordField('pw-new', 'New password');
  const confirmF = passwordField('pw-confirm', 'Confirm password');
  const fields = [oldF, newF, confirmF];
  const result = resultLine('pw-result');
  const btn = h('button.btn.primary#pw-change', { type: 'button', disabled: true }, 'Change password');
  const validate = () => {
    const ok = oldF.input.value && newF.input.value.length >= 1 && newF.input.value === confirmF.input.value;
    btn.disabled = !ok;
    if (confirmF.input.value && newF.input.value !== confirmF.input.value) message(result, false, 'The new passwords do not match.');
    else if (result.dataset.state === 'error' && result.textContent?.startsWith('The new passwords')) message(result, true, '');
  };
  for (const f of fields) f.input.addEventListener('input', validate);
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      await changePassword(oldF.input.value, newF.input.value);
      message(result, true, 'Password changed. Use the new password next time you sign in.');
      for (const f of fields) f.input.value = '';
    } catch (err) { message(result, false, errorText(err)); }
    validate();
  });
  return card('Device console password', { id: 'password-card' },
    h('p.hint', 'Protects access to this console. If you forget it, reset it to the default printed on the bottom of the vehicle.'),
    oldF.element, newF.element, confirmF.element, showPasswords(fields),
    h('div.row', btn), result);
}
