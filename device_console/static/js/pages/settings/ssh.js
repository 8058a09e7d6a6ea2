// @ts-check
// Device SSH: the server on or off, whether its password is still the default, change it.

import { actionButton, card, facts, h, setText } from '../../lib/dom.js';
import { changeSshPassword, disableSsh, enableSsh, sshPasswordState, sshState } from '../../lib/endpoints.js';
import { errorText, message, passwordField, resultLine, showPasswords } from './fields.js';

/** @typedef {import('../../lib/endpoints.js').SshState} SshState */

/** The password change (user deepracer). @param {HTMLElement} result @param {() => void} refresh */
function passwordChange(result, refresh) {
  const oldF = passwordField('ssh-old', 'Current SSH password', 'current-password');
  const newF = passwordField('ssh-new', 'New SSH password');
  const confirmF = passwordField('ssh-confirm', 'Confirm new SSH password');
  const fields = [oldF, newF, confirmF];
  const change = actionButton('Change SSH password', async () => {
    if (!newF.input.value || newF.input.value !== confirmF.input.value) {
      message(result, false, 'The new SSH passwords do not match.');
      return;
    }
    try {
      await changeSshPassword(oldF.input.value, newF.input.value, { timeout: 30000 });
      message(result, true, 'SSH password changed.');
      for (const f of fields) f.input.value = '';
      refresh();
    } catch (err) { message(result, false, errorText(err)); }
  }, { id: 'ssh-change' });
  return h('details.subsection', h('summary', 'Change the SSH password (user deepracer)'),
    oldF.element, newF.element, confirmF.element, showPasswords(fields), h('div.row', change));
}

export function sshCard() {
  const state = h('span#ssh-state', '—');
  const pwState = h('span#ssh-password-state', '—');
  const result = resultLine('ssh-result');
  const enable = h('button.btn#ssh-enable', { type: 'button' }, 'Enable');
  const disable = h('button.btn#ssh-disable', { type: 'button' }, 'Disable');
  /** @param {SshState} d */
  const show = (d) => {
    const on = Boolean(d && d.isSshEnabled);
    setText(state, on ? 'Enabled' : 'Disabled');
    state.dataset.state = on ? 'ok' : 'off';
    enable.disabled = on;
    disable.disabled = !on;
  };
  const refresh = async () => {
    try { show(await sshState()); } catch (err) { setText(state, errorText(err)); }
    try {
      const changed = Boolean((await sshPasswordState()).isDefaultSshPasswordChanged);
      setText(pwState, changed ? 'Changed from the default' : 'Still the default — change it before enabling SSH');
      pwState.dataset.state = changed ? 'ok' : 'warn';
    } catch { setText(pwState, '—'); }
  };
  /** @param {typeof enableSsh} request */
  const call = async (request) => {
    enable.disabled = true; disable.disabled = true;
    try {
      show(await request({ timeout: 30000 }));
      message(result, true, '');
    } catch (err) {
      message(result, false, errorText(err));
      refresh();
    }
  };
  enable.addEventListener('click', () => call(enableSsh));
  disable.addEventListener('click', () => call(disableSsh));
  refresh();
  return card('Device SSH', { id: 'ssh-card' },
    facts([['SSH server', state], ['Password', pwState]]),
    h('div.row', enable, disable),
    passwordChange(result, refresh),
    result);
}
