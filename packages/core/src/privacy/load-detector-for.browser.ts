import { onDemandModule } from '@switchyard/contract';
import type { DetectorFor } from './load-detector-for.js';

/**
 * The browser build's detector: its recognizers, scan and checksums (~11 KB gzip) are imported on demand, started
 * by a router whose policy scans prompts, so a page's bundler puts them in a chunk of their own (bench row 10).
 * A router's requests wait for it before planning; until it has loaded, `router.plan()` counts every prompt with
 * text as private (see plan-route.ts), erring towards the device as the privacy rules do.
 */
const detector = onDemandModule(() => import('./detector-for-policy.js').then((module) => module.detectorFor));

let problem: string | undefined;

/** The detector lookup if it has loaded. */
export function loadedDetectorFor(): DetectorFor | undefined {
  return detector.loaded;
}

/**
 * The detector lookup, or why it could not be loaded (a failed import is tried again by the next call; one that gave
 * no answer for the contract's `onDemandGiveUpMs` is not waited for again).
 */
export function loadDetectorFor(): Promise<DetectorFor | Error> {
  return detector.load().then((answer) => {
    problem = answer instanceof Error ? answer.message : undefined;
    return answer;
  });
}

/** Why the detector is missing after the last load failed or stalled; `undefined` while it loads or once loaded. */
export function detectorLoadProblem(): string | undefined {
  return detector.loaded === undefined ? problem : undefined;
}
