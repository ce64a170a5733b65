import { loadedModule, type OnDemandModule } from '@switchyard/contract';
import { detectorFor } from './detector-for-policy.js';

/** How the router finds the detector configured by a policy. */
export type DetectorFor = typeof detectorFor;

/**
 * The router's personal-data detector, loaded with core here. The browser build replaces this module with
 * load-detector-for.browser.ts, which imports the detector (recognizers, scan, checksums: ~13 KB gzip of a page's
 * first load, bench row 10) on demand.
 */
export const detectorModule: OnDemandModule<DetectorFor> = loadedModule(detectorFor);
