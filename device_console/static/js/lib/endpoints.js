// @ts-check
// Every URL of the car this console uses, one function per route, with the request and answer
// types. Pages call these and never name a URL. Paths are absolute (/api/...): the built-in UI is also
// served under /builtin/, and the API stays at the root there. The routes are the original
// console's (section 3 of the API notes) plus this car's own (marked "ours").
//
// Options of every call: `timeout` (ms, default 10 s), `keepalive`, and `check`: whether an answer
// {"success": false} rejects with an ApiError (status 200). Calls default to true except the routes
// whose answer the caller reads whatever it says (lists, simulator status); a caller that only wants
// the request sent (a best-effort stop) passes `check: false`.

import { api, apiOk, beacon, csrfToken, uploadFile } from './api.js';

/**
 * @typedef {object} CallOptions
 * @property {number} [timeout]
 * @property {boolean} [keepalive]
 * @property {boolean} [check] a {"success": false} answer rejects
 */

/** @typedef {{success?: boolean, reason?: string, message?: string}} Answer */
/** @typedef {'angle' | 'throttle'} CalibrationKind */
/** @typedef {'mid' | 'min' | 'max'} PreviewSetting */
/** @typedef {'start' | 'stop'} StartStop */
/** @typedef {'auto' | 'manual'} DriveMode */
/** @typedef {{angle: number, throttle: number, max_speed: number}} DriveCommand */
/** @typedef {{mid: number, min: number, max: number, polarity: number}} CalibrationValues */
/** @typedef {Answer & CalibrationValues} CalibrationAnswer */
/**
 * Console units of one actuator: pwm ns = value * factor_ns + pwm_offset_ns (ours).
 * @typedef {{factor_ns: number, default_polarity: number}} UnitsOfKind
 * @typedef {Answer & {pwm_offset_ns: number, kinds: Record<CalibrationKind, UnitsOfKind>}} CalibrationUnits
 */
/** @typedef {Answer & {file_ok: boolean, message?: string, reason?: string}} CalibrationFileStatus */
/** @typedef {Answer & {red: number | string, green: number | string, blue: number | string}} LedColor */
/** @typedef {Answer & {battery_level: number}} BatteryLevel */
/** @typedef {Answer & {SSID?: string, ip_address?: string, is_usb_connected?: boolean}} NetworkDetails */
/** @typedef {Answer & {ip_address?: string}} WifiResetAnswer */
/** @typedef {{ssid: string, strength?: number | string, security_info?: string}} WifiNetwork */
/** @typedef {Answer & Partial<Record<'camera_status' | 'stereo_status' | 'lidar_status', string>>} SensorStatus */
/**
 * @typedef {Answer & {cpu_percent?: number, cpu_freq?: number, cpu_temp?: number, memory_usage?: number,
 *   free_disk?: number, latency_mean?: number, latency_p95?: number, fps_mean?: number}} DeviceStatus
 */
/** @typedef {'software_version' | 'hardware_version' | 'cpu_model' | 'os_version' | 'ros_distro' | 'ram_amount' | 'disk_amount'} DeviceInfoField */
/** @typedef {Answer & Partial<Record<DeviceInfoField, string | number>>} DeviceInfo */
/** @typedef {Answer & {time: string, timezone?: string, timezone_abbr?: string}} VehicleTime */
/** @typedef {Answer & {isSshEnabled: boolean}} SshState */
/** @typedef {Answer & {isDefaultSshPasswordChanged: boolean}} SshPasswordState */
/** @typedef {Answer & {legacy_drive_hold_s: number}} DriveSettings */
/** @typedef {{name: string, installed_at?: number}} InstalledUi */
/**
 * @typedef {Answer & {active: 'builtin' | 'installed', installed?: InstalledUi | null,
 *   inactive?: InstalledUi | null, builtin_url?: string}} ConsoleUi
 */
/** @typedef {Answer & {engaged?: boolean}} HeartbeatAnswer */
/**
 * Progress or outcome of the last software update (ours; `<prefix>/update-status.json`).
 * @typedef {{state?: string, pct?: number, message?: string, error?: string, rolled_back?: boolean,
 *   version?: string, previous?: string | null}} UpdateStatus
 * @typedef {Answer & {running?: string | null, releases?: string[], status?: UpdateStatus, index?: boolean}} SoftwareUpdate
 * @typedef {Answer & {version?: string}} UpdateUploadAnswer
 */
/**
 * One model of GET /api/models (the model picker).
 * @typedef {{model_folder_name: string, model_name: string, model_training_algorithm?: string,
 *   model_action_space_type?: string, model_sensors?: string[], is_select_disabled?: boolean}} LoadableModel
 */
/** @typedef {Answer & {models?: LoadableModel[]}} LoadableModels */
/** @typedef {Answer & {isModelLoading: 'loaded' | 'loading' | 'error' | string}} ModelLoading */
/**
 * One model of GET /api/uploaded_model_list (the Models page).
 * @typedef {{name: string, size?: string, creation_time?: number, sensors?: string, training_algorithm?: string,
 *   action_space_type?: string, status?: string, is_sample?: boolean}} UploadedModel
 */
/** @typedef {UploadedModel[] | (Answer & {models?: UploadedModel[]})} UploadedModels */
/** @typedef {Answer & {log_types?: string[], default?: string}} LogTypes */
/** @typedef {Answer & {data?: string}} LogLines */
/** @typedef {[number, number]} Point */
/**
 * The simulator (ours): the track in metres and the car's state.
 * @typedef {Answer & {name?: string, width_m?: number, height_m?: number,
 *   centerline?: Point[], inner?: Point[], outer?: Point[]}} SimTrack
 * @typedef {{x: number, y: number, yaw?: number}} Pose
 * @typedef {Answer & {track?: string, laps?: number, lap_time_s?: number | null, last_lap_s?: number | null,
 *   off_track?: number, speed?: number, pose?: Pose, trail?: Point[]}} SimStatus
 */

// Routes a caller asks about with supports() (GET /api/supported_apis lists the ones this car has).
const ROUTE = {
  simStatus: '/api/sim/status',
  emergencyStop: '/api/emergency_stop',
  deviceStatus: '/api/get_device_status',
  time: '/api/get_time',
  heartbeat: '/api/manual_drive/heartbeat',
};

/** The built-in console's own address (also while an installed UI is served at /). */
export const BUILTIN_UI = '/builtin/';
/** Pages of this console, relative to it (so the built-in UI at /builtin/ stays there). */
export const PAGE = { home: 'home', logout: 'logout' };
/**
 * Where a login answer {"redirect": ...} sends the browser: its /home relative to this page.
 * @param {string} redirect @returns {string}
 */
export const afterLogin = (redirect) => (redirect === '/home' ? PAGE.home : redirect);

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} json
 * @param {boolean} checkByDefault
 * @param {CallOptions} [options]
 * @returns {Promise<T>} the answer (typed by the route's function: the server's JSON is trusted)
 */
function call(method, path, json, checkByDefault, options = {}) {
  const { check = checkByDefault, ...rest } = options;
  const request = { ...rest, method, json };
  return /** @type {Promise<T>} */ (check ? apiOk(path, request) : api(path, request));
}

/** @template T @param {string} path @param {CallOptions} [options] @returns {Promise<T>} */
const get = (path, options) => call('GET', path, undefined, true, options);
/** @template T @param {string} path @param {unknown} json @param {CallOptions} [options] @returns {Promise<T>} */
const post = (path, json, options) => call('POST', path, json, true, options);
/** @template T @param {string} path @param {CallOptions} [options] @returns {Promise<T>} the answer whatever it says */
const read = (path, options) => call('GET', path, undefined, false, options);

/** @param {string} segment @returns {string} */
const part = (segment) => encodeURIComponent(segment);

// ------------------------------------------------------------------ capabilities
/** @type {Promise<Set<string>> | null} */
let supported = null;
/** GET /api/supported_apis, fetched once: lets the UI hide features the backend does not have. */
export function supportedApis() {
  if (!supported) {
    supported = read('/api/supported_apis')
      .then((d) => new Set(/** @type {{apis_supported?: string[]} | null} */ (d)?.apis_supported || []))
      .catch(() => { supported = null; return new Set(); });
  }
  return supported;
}
/** @param {string} route @returns {Promise<boolean>} */
async function supports(route) {
  return (await supportedApis()).has(route);
}
export const hasSimulator = () => supports(ROUTE.simStatus);
export const hasEmergencyStop = () => supports(ROUTE.emergencyStop);
export const hasDeviceStatus = () => supports(ROUTE.deviceStatus);
export const hasVehicleTime = () => supports(ROUTE.time);
export const hasDriveHeartbeat = () => supports(ROUTE.heartbeat);

// ------------------------------------------------------------------ driving
/** @param {StartStop} action @param {CallOptions} [options] @returns {Promise<Answer>} */
export const startStop = (action, options) => post('/api/start_stop', { start_stop: action }, options);
/** @param {DriveMode} mode @param {CallOptions} [options] @returns {Promise<Answer>} */
export const setDriveMode = (mode, options) => post('/api/drive_mode', { drive_mode: mode }, options);
/** @param {DriveCommand} command @param {CallOptions} [options] @returns {Promise<Answer>} */
export const manualDrive = (command, options) => call('PUT', '/api/manual_drive', command, true, options);
/** Keeps the held command (ours). @param {CallOptions} [options] @returns {Promise<HeartbeatAnswer>} */
export const manualDriveHeartbeat = (options) => call('POST', ROUTE.heartbeat, undefined, true, options);
/** @param {number} percent of the model's trained maximum speed @returns {Promise<Answer>} */
export const setMaxNavThrottle = (percent) => post('/api/max_nav_throttle', { throttle: percent });
/** @param {CallOptions} [options] @returns {Promise<Answer>} */
export const emergencyStop = (options) => post(ROUTE.emergencyStop, {}, options);

/** The drive WebSocket (ours): commands and heartbeats, the car stops when it closes. */
export function driveSocketUrl() {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api/manual_drive/ws`;
}

/** Requests that leave even while the page unloads (see api.js beacon()); their answer is ignored. */
export const beacons = {
  /** @param {DriveCommand} command @param {boolean} keepalive */
  manualDrive: (command, keepalive) => beacon('PUT', '/api/manual_drive', command, keepalive),
  /** @param {StartStop} action @param {boolean} keepalive */
  startStop: (action, keepalive) => beacon('POST', '/api/start_stop', { start_stop: action }, keepalive),
};

// ------------------------------------------------------------------ calibration and tail light
/** Calibration mode: stops the car; needed to read or write the calibration and the tail light. */
/** @returns {Promise<Answer>} */
export const setCalibrationMode = () => get('/api/set_calibration_mode');
/** @param {CalibrationKind} kind @returns {Promise<CalibrationAnswer>} */
export const getCalibration = (kind) => get(`/api/get_calibration/${kind}`);
/** @param {CalibrationKind} kind @param {CalibrationValues} values @returns {Promise<Answer>} */
export const setCalibration = (kind, values) => post(`/api/set_calibration/${kind}`, values);
/**
 * Live preview of a value on the wheels.
 * @param {CalibrationKind} kind @param {{pwm: number, setting: PreviewSetting}} preview
 * @param {CallOptions} [options] @returns {Promise<Answer>}
 */
export const adjustCalibratingWheels = (kind, preview, options) => post(`/api/adjust_calibrating_wheels/${kind}`, preview, options);
/** @returns {Promise<CalibrationUnits>} (ours) */
export const calibrationUnits = () => get('/api/calibration_units');
/** @returns {Promise<CalibrationFileStatus>} (ours) */
export const calibrationFileStatus = () => get('/api/calibration_file_status');
/** @returns {Promise<LedColor>} */
export const getLedColor = () => get('/api/get_led_color');
/** @param {{red: number, green: number, blue: number}} rgb 0..255 each @returns {Promise<Answer>} */
export const setLedColor = (rgb) => post('/api/set_led_color', rgb);

// ------------------------------------------------------------------ models and autonomous driving
/** @returns {Promise<LoadableModels>} */
export const loadableModels = () => read('/api/models');
/**
 * @param {string} folder @param {string} name @param {CallOptions} [options] @returns {Promise<Answer>}
 */
export const loadModel = (folder, name, options) => call('PUT', `/api/models/${part(folder)}/${part(name)}`, {}, true, options);
/** @returns {Promise<ModelLoading>} */
export const modelLoadingState = () => get('/api/isModelLoading');
/** @returns {Promise<UploadedModels>} */
export const uploadedModels = () => read('/api/uploaded_model_list');
/** @param {string} folder @returns {Promise<Answer>} success: installed */
export const isModelInstalled = (folder) => read(`/api/is_model_installed?filename=${part(folder)}`);
/** @param {string[]} filenames @returns {Promise<Answer>} */
export const deleteModels = (filenames) => call('POST', '/api/deleteModels', { filenames }, false);
/**
 * @param {File} file a .tar.gz model archive
 * @param {import('./api.js').UploadHandlers} handlers
 * @returns {Promise<unknown>} the answer whatever it says (JSON or text)
 */
export const uploadModel = (file, handlers) => uploadFile('/api/uploadModels', 'file', file, handlers);

// ------------------------------------------------------------------ vehicle status and settings
/** @returns {Promise<BatteryLevel>} */
export const batteryLevel = () => get('/api/get_battery_level');
/** @returns {Promise<SensorStatus>} */
export const sensorStatus = () => get('/api/get_sensor_status');
/** @returns {Promise<DeviceStatus>} (ours) */
export const deviceStatus = () => get(ROUTE.deviceStatus);
/** @returns {Promise<DeviceInfo>} */
export const deviceInfo = () => get('/api/get_device_info');
/** @returns {Promise<VehicleTime>} */
export const vehicleTime = () => get(ROUTE.time);
/** @returns {Promise<NetworkDetails>} */
export const networkDetails = () => get('/api/get_network_details');
/** @param {CallOptions} [options] @returns {Promise<WifiNetwork[] | Answer | null>} the list, or a refusal */
export const availableWifi = (options) => read('/api/available_wifi_info', options);
/**
 * @param {string} name SSID @param {string} password @param {CallOptions} [options] @returns {Promise<WifiResetAnswer>}
 */
export const connectWifi = (name, password, options) => post('/api/wifi_reset', { wifi_name: name, wifi_password: password }, options);
/** The console password. @param {string} oldPassword @param {string} newPassword @returns {Promise<Answer>} */
export const changePassword = (oldPassword, newPassword) => post('/api/password', { old_password: oldPassword, new_password: newPassword });
/** @returns {Promise<SshState>} */
export const sshState = () => get('/api/isSshEnabled');
/** @param {CallOptions} [options] @returns {Promise<SshState>} */
export const enableSsh = (options) => get('/api/enableSsh', options);
/** @param {CallOptions} [options] @returns {Promise<SshState>} */
export const disableSsh = (options) => get('/api/disableSsh', options);
/** @returns {Promise<SshPasswordState>} */
export const sshPasswordState = () => get('/api/isSshDefaultPasswordChanged');
/**
 * @param {string} oldPassword @param {string} newPassword @param {CallOptions} [options] @returns {Promise<Answer>}
 */
export const changeSshPassword = (oldPassword, newPassword, options) => post('/api/resetSshPassword', { oldPassword, newPassword }, options);
/** How long the car holds a command of other apps (ours). @returns {Promise<DriveSettings>} */
export const driveSettings = () => get('/api/drive_settings');
/** @param {number} holdSeconds @returns {Promise<DriveSettings>} */
export const saveDriveSettings = (holdSeconds) => post('/api/drive_settings', { legacy_drive_hold_s: holdSeconds });
/** Which console the car serves at / (ours). @returns {Promise<ConsoleUi>} */
export const consoleUi = () => get('/api/console_ui');
/** @param {'builtin' | 'installed'} ui @returns {Promise<ConsoleUi>} */
export const chooseConsoleUi = (ui) => post('/api/console_ui', { ui });
/** Running release, installed releases, the last update's progress (ours). @returns {Promise<SoftwareUpdate>} */
export const softwareUpdate = () => read('/api/software_update');
/**
 * Upload a release bundle and start installing it (ours).
 * @param {File} file a deepracer-<version>.tar.gz bundle @param {boolean} force allow a downgrade
 * @param {import('./api.js').UploadHandlers} handlers
 * @returns {Promise<unknown>} the answer whatever it says
 */
export const uploadUpdate = (file, force, handlers) => {
  const path = '/api/software_update/upload';
  return uploadFile(force ? `${path}?force=true` : path, 'file', file, handlers);
};

// ------------------------------------------------------------------ logs
/** The log types this car has, and the one to show first (ours). @returns {Promise<LogTypes>} */
export const logTypes = () => read('/api/logs');
/** @param {string} type @param {number} lines @returns {Promise<LogLines>} */
export const logLines = (type, lines) => get(`/api/logs/${part(type)}/${lines}`);

// ------------------------------------------------------------------ simulator and video
/** @param {CallOptions} [options] @returns {Promise<SimStatus>} whatever it says (ours) */
export const simStatus = (options) => read(ROUTE.simStatus, options);
/** @returns {Promise<SimTrack>} whatever it says (ours) */
export const simTrack = () => read('/api/sim/track');

/**
 * The MJPEG stream of a ROS image topic.
 * @param {string} topic @param {number} width @param {number} height
 */
export function streamUrl(topic, width, height) {
  return `/route?topic=${encodeURIComponent(topic).replace(/%2F/g, '/')}&width=${width}&height=${height}`;
}

// ------------------------------------------------------------------ drive recordings (ours)
/**
 * One bag of the recorder (logging_pkg): start in epoch seconds, frames = inference results recorded.
 * @typedef {{name: string, model: string, start: number | null, duration_s: number, frames: number,
 *   messages: number, size_bytes: number, storage: string, complete: boolean}} Recording
 */
/**
 * What the recorder is doing (<state>/run/recorder.json).
 * @typedef {{status?: string, why_not?: string | null, bag?: string, output_path?: string, on_usb?: boolean,
 *   disk_low?: boolean, min_free_mb?: number, counts?: Record<string, number>, mode?: string, provider?: string,
 *   dropped?: number, last_error?: string}} RecorderStatus
 */
/** @typedef {Answer & {recordings: Recording[], recorder: RecorderStatus, output_path: string}} RecordingList */
/** @typedef {{index: number, stamp: number, results: [number, number][]}} RecordedFrame */
/** @typedef {{steering_angle?: number, speed?: number, index?: number}} ModelAction */
/** @typedef {Answer & {frames: RecordedFrame[], actions: ModelAction[], model: string}} RecordingFrames */
/**
 * @typedef {Answer & {mode: string, provider: string, modes?: string[], providers?: string[],
 *   recorder?: RecorderStatus}} LoggingSettings
 */
/** @returns {Promise<RecordingList>} */
export const recordings = () => get('/api/recordings');
/** @param {string} name @returns {Promise<RecordingFrames>} */
export const recordingFrames = (name) => get(`/api/recordings/${part(name)}/frames`, { timeout: 120000 });
/** The JPEG of one recorded frame. @param {string} name @param {number} index */
export const recordingFrameUrl = (name, index) => `/api/recordings/${part(name)}/frames/${index}`;
/** The bag as .tar.gz (a link the browser downloads). @param {string} name */
export const recordingDownloadUrl = (name) => `/api/recordings/${part(name)}/download`;
/** @param {string} name @returns {Promise<Answer>} */
export const deleteRecording = (name) => call('DELETE', `/api/recordings/${part(name)}`, undefined, true);
/** @returns {Promise<LoggingSettings>} */
export const loggingSettings = () => get('/api/logging_settings');
/** @param {string} mode @param {string} provider @returns {Promise<LoggingSettings>} */
export const saveLoggingSettings = (mode, provider) => post('/api/logging_settings', { mode, provider });

// ------------------------------------------------------------------ login
/**
 * POST /login with the form field `password` (the answer's status and body are the login page's to read).
 * @param {string} password
 * @returns {Promise<Response>}
 */
export function logIn(password) {
  return fetch('/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-CSRFToken': csrfToken(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ password }),
  });
}

// ------------------------------------------------------------------ first set-up and software update
/**
 * Whether the first-run wizard opens by itself (ours); wifi_configured null: unknown.
 * @typedef {Answer & {show: boolean, wifi_configured: boolean | null, via_usb: boolean, dismissed: boolean,
 *   hostname: string}} SetupWizardState
 */
/** @typedef {Answer & {status: boolean}} UpdateAvailable */
/** @param {CallOptions} [options] @returns {Promise<SetupWizardState>} (ours) */
export const setupWizardState = (options) => get('/api/setup_wizard', options);
/** Finished or skipped: no longer opens by itself. @param {boolean} dismissed @returns {Promise<Answer>} (ours) */
export const dismissSetupWizard = (dismissed) => post('/api/setup_wizard', { dismissed });
/** The QR code (SVG) of an address of this car (ours). @param {string} url @returns {string} */
export const carAddressQrUrl = (url) => `/api/car_address_qr.svg?url=${encodeURIComponent(url)}`;
/** @param {CallOptions} [options] @returns {Promise<UpdateAvailable>} */
export const softwareUpdateAvailable = (options) => get('/api/is_software_update_available', options);
/** @returns {Promise<Answer>} */
export const beginSoftwareUpdate = () => post('/api/begin_software_update', {});
/** Update progress, one event a second: `status:<state>|update_pct:<n> <i>`. @returns {EventSource} */
export const updateStatusEvents = () => new EventSource('/api/update_status');
