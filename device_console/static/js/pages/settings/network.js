// @ts-check
// Network settings: the car's Wi-Fi network and addresses, the networks it sees, connect to one.

import { actionButton, card, facts, h, setText } from '../../lib/dom.js';
import { availableWifi, connectWifi, networkDetails } from '../../lib/endpoints.js';
import { errorText, message, passwordField, resultLine, showPasswords } from './fields.js';

/** @typedef {import('../../lib/endpoints.js').WifiNetwork} WifiNetwork */

/** @param {WifiNetwork} n @param {(ssid: string) => void} choose */
function networkItem(n, choose) {
  const bars = Math.max(0, Math.min(4, Number(n.strength) || 0));
  return h('li', h('button.wifi-item', { type: 'button', onclick: () => choose(n.ssid) },
    h('span.wifi-bars', { 'aria-label': `signal ${bars} of 4`, dataset: { bars } }, '▂▄▆█'.slice(0, bars) || '·'),
    h('span.wifi-ssid', n.ssid), h('span.muted.small', n.security_info || 'open')));
}

/** The networks the car sees, listed on Scan (also the set-up wizard's). @param {(ssid: string) => void} choose */
export function networkList(choose) {
  const list = h('ul.wifi-list#wifi-list', h('li.muted', 'Press Scan to list the networks the car can see.'));
  const scan = async () => {
    list.replaceChildren(h('li.muted', 'Scanning…'));
    try {
      const nets = await availableWifi({ timeout: 30000 });
      const items = Array.isArray(nets) ? nets : [];
      if (!items.length) { list.replaceChildren(h('li.muted', 'No networks found.')); return; }
      list.replaceChildren(...items.map((n) => networkItem(n, choose)));
    } catch (err) { list.replaceChildren(h('li.form-error', errorText(err))); }
  };
  return { list, scan };
}

/**
 * Connects the car to the network named in `name` with the password in `password`; the outcome goes
 * to `result`, then `after` runs (the state shown is refreshed). Also the set-up wizard's.
 * @param {HTMLInputElement} name @param {HTMLInputElement} password @param {HTMLElement} result
 * @param {() => unknown} after
 */
export function wifiConnector(name, password, result, after) {
  return async () => {
    const wanted = name.value.trim();
    if (!wanted) { message(result, false, 'Choose or type a network name.'); return; }
    message(result, true, `Connecting to ${wanted}…`);
    try {
      const d = await connectWifi(wanted, password.value, { timeout: 90000 });
      message(result, true, `Connected to ${wanted}. Vehicle IP address: ${d.ip_address || '—'}`);
      password.value = '';
    } catch (err) { message(result, false, errorText(err)); }
    await after();
  };
}

export function networkCard() {
  const ssid = h('span#net-ssid', '—');
  const ips = h('span#net-ips', '—');
  const usb = h('span#net-usb', '—');
  const name = h('input#wifi-name', { type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', placeholder: 'Network name (SSID)' });
  const pw = passwordField('wifi-password', 'Wi-Fi password', 'off');
  const result = resultLine('wifi-result');
  const networks = networkList((chosen) => { name.value = chosen; pw.input.focus(); });

  const refresh = async () => {
    try {
      const d = await networkDetails();
      setText(ssid, d.SSID || 'Not connected');
      setText(ips, d.ip_address || '—');
      setText(usb, d.is_usb_connected ? 'Connected' : 'Not connected');
    } catch (err) { setText(ssid, errorText(err)); }
  };
  const connect = wifiConnector(name, pw.input, result, refresh);
  refresh();
  return card('Network settings', { id: 'network-card' },
    facts([['Wi-Fi network SSID', ssid], ['Vehicle IP address', ips], ['USB connection', usb]]),
    h('div.subsection',
      h('div.row.between', h('h3', 'Available networks'), actionButton('Scan', networks.scan, { id: 'wifi-scan' })),
      networks.list,
      h('label.field-label', { for: 'wifi-name' }, 'Wi-Fi network name (SSID)'), name,
      pw.element, showPasswords([pw]),
      h('div.row', actionButton('Connect', connect, { cls: 'primary', id: 'wifi-connect' })),
      h('p.hint', 'The car may get a new IP address: reconnect to it at that address afterwards.'),
      result),
    h('div.subsection', h('a.btn#open-setup', { href: '#/setup' }, 'First set-up wizard'),
      h('p.hint', 'Wi-Fi, software update and the car\'s address with a QR code for your phone.')));
}
