/**
 * The recognizer name of a phone number found by the browser build's provisional check (its numbering plans not
 * loaded): such a finding may be a number the full check rejects, so it never hides another finding (see
 * detect-pii.ts's resolveOverlaps). A module of its own because the router's first-load code reads it too, without
 * the recognizers (see {@link hasProvisionalPhone}).
 */
export const provisionalPhoneRecognizer = 'phone-number-provisional';

/**
 * Whether a scan's findings hold a phone number only the full check can decide. Without one, the scan's kinds are the
 * full check's: the provisional check flags every number the full check flags, at the same place and at least the
 * same confidence, so a provisional finding that was filtered out or hidden by a surer finding would have been too.
 */
export function hasProvisionalPhone(findings: readonly { recognizer: string }[]): boolean {
  for (const finding of findings) if (finding.recognizer === provisionalPhoneRecognizer) return true;
  return false;
}
