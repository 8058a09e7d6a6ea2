// @ts-check
// What app.js expects of a page module (pages/<page>/index.js): its default export is a Page.

/**
 * Called when the page goes away (another page is opened); may be async.
 * @typedef {() => unknown} Unmount
 */
/**
 * A page with sub-routes (#/<page>/<sub>...) is told about a new one instead of being mounted again.
 * @typedef {{unmount?: Unmount, onSubRoute?: (sub: string[]) => void}} PageHandle
 */
/**
 * @typedef {object} Page
 * @property {string} title
 * @property {(host: HTMLElement, context: {sub: string[]}) => Promise<Unmount | PageHandle>} mount
 *   builds the page into `host`
 */
/**
 * Functions a page's panels push to be called when it unmounts (stop polling, detach listeners).
 * @typedef {(() => void)[]} Cleanup
 */

export {};
