import { type OnDemandModule, onDemandModule } from '@switchyard/contract';
import type { DetectorFor } from './load-detector-for.js';

/**
 * The browser build's detector: its recognizers, scan and checksums (~13 KB gzip) are imported on demand, started
 * by a router whose policy scans prompts, so a page's bundler puts them in a chunk of their own (bench row 10).
 * A router's requests wait for it before planning; until it has loaded, `router.plan()` counts every prompt with
 * text as private (see plan-route.ts), erring towards the device as the privacy rules do.
 */
export const detectorModule: OnDemandModule<DetectorFor> = onDemandModule(() =>
  import('./detector-for-policy.js').then((module) => module.detectorFor),
);
