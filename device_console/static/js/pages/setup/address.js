// @ts-check
// Wizard step 3: where the car is on the Wi-Fi — its address, large, and a QR code for a phone.

import { actionButton, h, setText } from '../../lib/dom.js';
import { carAddressQrUrl, networkDetails, setupWizardState } from '../../lib/endpoints.js';
import { errorText } from '../settings/fields.js';

/**
 * The console's URL at `address`: this page's scheme and port (https://<IP> on a car).
 * @param {string} address @returns {string}
 */
export function consoleUrl(address) {
  const { protocol, port } = window.location;
  return `${protocol}//${address}${port ? `:${port}` : ''}/`;
}

/** @param {() => Promise<void>} finish @returns {import('./index.js').Step} */
export function addressStep(finish) {
  const url = h('p.setup-address#setup-address', '…');
  const qr = h('img.setup-qr#setup-qr', { alt: 'QR code of the car\'s address', hidden: true, width: 280, height: 280 });
  const local = h('p.hint#setup-local');
  const load = async () => {
    try {
      const [d, state] = await Promise.all([networkDetails(), setupWizardState()]);
      const first = (d.ip_address || '').split(',')[0].trim();
      if (!first) {
        setText(url, 'The car has no Wi-Fi address yet: go back and connect it to Wi-Fi.');
        qr.hidden = true;
        return;
      }
      const address = consoleUrl(first).replace(/\/$/, '');
      setText(url, address);
      qr.src = carAddressQrUrl(consoleUrl(first));
      qr.hidden = false;
      setText(local, state.hostname ? `Also at ${consoleUrl(`${state.hostname}.local`).replace(/\/$/, '')} on most networks.` : '');
    } catch (err) { setText(url, errorText(err)); }
  };
  const element = h('section.card.setup-step#setup-step-address',
    h('div.card-body',
      h('h2', 'Your car is at'),
      url, qr, local,
      h('p.hint', 'Scan the code with your phone or type the address into a browser on the same Wi-Fi. '
        + 'You can unplug the USB cable.'),
      h('div.row', actionButton('Done', finish, { cls: 'primary', id: 'setup-done' }))));
  return { title: 'Your car\'s address', element, enter: load };
}
