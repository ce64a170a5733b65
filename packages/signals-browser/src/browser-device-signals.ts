import type { DeviceSignals } from '@switchyard/contract';

/**
 * What a browser signal source reports: the core `DeviceSignals` plus what the Network Information API said
 * (`saveData`, `type`, `effectiveType`), so a page can show why the network counts as metered. It is still a
 * `DeviceSignals`, so the router accepts it unchanged.
 */
export interface BrowserDeviceSignals extends DeviceSignals {
  network?: {
    online?: boolean;
    metered?: boolean;
    saveData?: boolean;
    type?: string;
    effectiveType?: string;
  };
}
