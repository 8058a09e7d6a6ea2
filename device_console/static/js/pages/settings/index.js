// @ts-check
// Settings: network (SSID, IPs, available networks, connect), console password, SSH, tail-light
// colour (the original palette), manual driving (how long commands of other apps are held), drive
// recording (mode and storage), the console UI the car serves (built-in or installed), software
// update, about (versions, CPU, memory, disk, live health).
// One module per card.

import { h } from '../../lib/dom.js';
import { aboutCard } from './about.js';
import { consoleUiCard } from './console_ui.js';
import { drivingCard } from './driving.js';
import { ledCard } from './led.js';
import { networkCard } from './network.js';
import { passwordCard } from './password.js';
import { recordingCard } from './recording.js';
import { softwareUpdateCard } from './software_update.js';
import { sshCard } from './ssh.js';

/** @typedef {import('../page.js').Cleanup} Cleanup */

/** @type {import('../page.js').Page} */
export default {
  title: 'Settings',
  async mount(host) {
    /** @type {Cleanup} */
    const cleanup = [];
    host.append(
      h('h1.page-title', 'Settings'),
      h('div.settings-grid', networkCard(), passwordCard(), sshCard(), ledCard(), drivingCard(), recordingCard(), consoleUiCard(), softwareUpdateCard(cleanup), aboutCard(cleanup)),
    );
    return () => { for (const fn of cleanup) fn(); };
  },
};
