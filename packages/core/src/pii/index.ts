/**
 * `@switchyard/core/pii`: the on-device personal-data detector as functions of its own. A router runs it by itself
 * (`policy.privacy`); import from here to scan texts directly. It is an entry point of its own so a page that only
 * routes does not load it with core: core's browser build imports it on demand when a router needs it (bench row 10).
 */
export type { PiiDetection, PiiDetector, PiiDetectorOptions, PiiFinding, PiiKind } from '../privacy/detect-pii.js';
export {
  createPiiDetector,
  defaultMinConfidence,
  detectPii,
  deviceRegion,
  isIbanValid,
  isLuhnValid,
  piiKinds,
  piiRecognizers,
} from '../privacy/detect-pii.js';
export type { NumberToken, PiiScan } from '../privacy/pii-scan.js';
export type { PiiRecognizer } from '../privacy/recognizer.js';
