import { detectorFor } from './detector-for-policy.js';

/**
 * How the router reaches its personal-data detector. Here (Node) it is loaded with core; the browser build replaces
 * this module with load-detector-for.browser.ts, which imports the detector (recognizers, scan, checksums: ~11 KB
 * gzip of a page's first load, bench row 10) on demand.
 */
export type DetectorFor = typeof detectorFor;

/** The detector lookup if it has loaded: always, on Node. */
export function loadedDetectorFor(): DetectorFor | undefined {
  return detectorFor;
}

const loaded: Promise<DetectorFor | Error> = Promise.resolve(detectorFor);

/** The detector lookup, or the error that kept it from loading: at once, on Node. */
export function loadDetectorFor(): Promise<DetectorFor | Error> {
  return loaded;
}

/** Why the detector is missing after a load was tried (never, on Node). */
export function detectorLoadProblem(): string | undefined {
  return undefined;
}
