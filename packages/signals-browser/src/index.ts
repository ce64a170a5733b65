/**
 * `@switchyard/signals-browser` tells the Switchyard router what state the device is in, from inside a web page or a
 * worker: battery level and charging (Battery Status API), online/offline (`navigator.onLine`, its events, and a
 * reachability probe of the remote targets), metered (Network Information API), `navigator.deviceMemory`, and thermal
 * state from the Compute Pressure API. A missing API means unknown, never a throw; changes reach the router as they
 * happen.
 */

export type {
  BatteryManagerLike,
  BrowserApis,
  NetworkInformationLike,
  PressureObserverLike,
  PressureRecordLike,
} from './browser-apis.js';
export type { BrowserDeviceSignals } from './browser-device-signals.js';
export type { BrowserSignalSource, BrowserSignalsSettings } from './create-browser-signals.js';
export { createBrowserSignals } from './create-browser-signals.js';
