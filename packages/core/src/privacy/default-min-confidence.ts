/** The confidence a finding needs to count when the caller sets none (Presidio's recognizers mostly score 0.4–1). */
export const defaultMinConfidence = 0.5;
