// Small, dependency-free statistics for the bench: percentiles of samples, and the per-round summary that every row
// reports (median of per-round figures and their spread), because a shared 2-core machine is too noisy for one run.

/** Nearest-rank percentile of numbers (`p` in 0..100). Sorts a copy. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function mean(values) {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Median and spread (min, max) of one figure across rounds. */
export function acrossRounds(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
    rounds: values,
  };
}

/**
 * Summarises paired per-round measurements: `routed` and `direct` are one figure per round (e.g. p50 in µs).
 * `added` is routed − direct per round; `ratio` is routed / direct per round; both are summarised across rounds.
 */
export function paired(routed, direct) {
  const added = routed.map((value, index) => value - direct[index]);
  const ratio = routed.map((value, index) => value / direct[index]);
  return {
    routed: acrossRounds(routed),
    direct: acrossRounds(direct),
    added: acrossRounds(added),
    ratio: acrossRounds(ratio),
  };
}

/** Nanoseconds elapsed since `start` (a `process.hrtime.bigint()` value), as a number. */
export function nsSince(start) {
  return Number(process.hrtime.bigint() - start);
}

/** Rounds the numbers in a result tree for JSON output (µs figures to 0.1, ratios to 0.001). */
export function roundDeep(value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value;
    if (Number.isInteger(value)) return value;
    return Math.abs(value) >= 100 ? Math.round(value * 10) / 10 : Math.round(value * 1000) / 1000;
  }
  if (Array.isArray(value)) return value.map(roundDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, roundDeep(entry)]));
  }
  return value;
}
