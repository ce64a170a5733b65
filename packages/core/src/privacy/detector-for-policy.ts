import type { Policy } from '../policy/policy.js';
import type { PiiDetector } from './detect-pii.js';
import { createPiiDetector } from './detect-pii.js';

// One detector per parsed policy: building one validates options and sorts recognizers, which plan() must not
// repeat per request. Keyed by the privacy section, so a policy swapped with setPolicy() gets its own.
const detectors = new WeakMap<Policy['privacy'], PiiDetector>();

/** The detector configured by `policy.privacy` (`detect`, `minConfidence`, `regions`). */
export function detectorFor(privacy: Policy['privacy']): PiiDetector {
  let detector = detectors.get(privacy);
  if (detector === undefined) {
    detector = createPiiDetector({
      kinds: privacy.detect,
      minConfidence: privacy.minConfidence,
      ...(privacy.regions === undefined ? {} : { regions: privacy.regions }),
    });
    detectors.set(privacy, detector);
  }
  return detector;
}
