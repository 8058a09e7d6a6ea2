// @ts-check
// Wizard step 1: the car's Wi-Fi. The networks it sees, a password, Connect, and the live state.

import { actionButton, h, poll, setText } from '../../lib/dom.js';
import { networkDetails } from '../../lib/endpoints.js';
import { errorText, passwordField, resultLine, showPasswords } from '../settings/fields.js';
import { networkList, wifiConnector } from '../settings/network.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */

/** @param {Cleanup} cleanup @returns {import('./index.js').Step} */
export function wifiStep(cleanup) {
  const status = h('p.setup-status#setup-wifi-status', 'Checking the Wi-Fi…');
  const name = h('input#setup-wifi-name', { type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', placeholder: 'Network name (SSID)' });
  const pw = passwordField('setup-wifi-password', 'Wi-Fi password', 'off');
  const result = resultLine('setup-wifi-result');
  const networks = networkList((chosen) => { name.value = chosen; pw.input.focus(); });
  let scanned = false;

  const refresh = async () => {
    try {
      const d = await networkDetails();
      setText(status, d.SSID ? `Connected to ${d.SSID} (${d.ip_address || 'waiting for an address'})` : 'Not connected to Wi-Fi');
      status.dataset.state = d.SSID ? 'ok' : 'idle';
    } catch (err) { setText(status, errorText(err)); }
  };
  const connect = wifiConnector(name, pw.input, result, refresh);
  const element = h('section.card.setup-step#setup-step-wifi',
    h('div.card-body',
      h('h2', 'Connect the car to Wi-Fi'),
      h('p.hint', 'The car needs Wi-Fi to be reached without the USB cable and to get software updates.'),
      status,
      h('div.row.between', h('h3', 'Networks the car sees'), actionButton('Scan', networks.scan, { id: 'setup-wifi-scan' })),
      networks.list,
      h('label.field-label', { for: 'setup-wifi-name' }, 'Wi-Fi network name (SSID)'), name,
      pw.element, showPasswords([pw]),
      h('div.row', actionButton('Connect', connect, { cls: 'primary', id: 'setup-wifi-connect' })),
      result));
  cleanup.push(poll(refresh, 2000)); // the live state while the wizard is open
  return {
    title: 'Wi-Fi',
    element,
    enter() {
      if (!scanned) { scanned = true; networks.scan(); }
    },
  };
}
