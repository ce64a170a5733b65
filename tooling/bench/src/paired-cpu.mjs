// Row 2's paired method (issue #23): this process's CPU per request of two arms at one concurrency, in short batches
// that take turns, so both arms see the same moments of this shared 2-core machine. The wall-clock RPS of one block
// per arm moved 0.76 … 1.18 between rounds of the same build: the client's speed changes with what else runs, and the
// upstream shares the two cores with it. CPU time (`process.cpuUsage()`, user + system, all of this process's
// threads) counts only what this process did, so the ratio direct CPU / routed CPU is the throughput the client's CPU
// allows the router relative to the direct call.
//
// Blocks of four batches in ABBA order (A = the first arm), flipped to BAAB every other block: each block gives two
// A/B pairs (batches 1-2 and 3-4) and one A/A pair per arm (its two batches in the block), the method's noise floor
// measured the same way as the figure itself. Each batch ends with a minor GC (when `--expose-gc` is on), counted in
// its CPU, so a batch's young garbage is not collected on the next batch's time.

import { runConcurrent } from './clients.mjs';
import { acrossRounds, percentile } from './stats.mjs';

/** Median, spread (min … max) and quartiles of per-pair figures: one outlying batch moves min or max, not quartiles. */
function summary(values) {
  return { ...acrossRounds(values), q1: percentile(values, 25), q3: percentile(values, 75) };
}

const minorGc = typeof globalThis.gc === 'function' ? () => globalThis.gc({ type: 'minor' }) : () => {};

/** One batch: `count` calls of `fn` with `concurrency` in flight; CPU µs per call and calls per second. */
export async function cpuBatch(fn, count, concurrency) {
  minorGc();
  const before = process.cpuUsage();
  const { elapsedNs } = await runConcurrent(count, concurrency, fn);
  minorGc();
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / count, rps: count / (elapsedNs / 1e9) };
}

/**
 * Runs `blocks` blocks of four batches (ABBA / BAAB) of `perBatch` calls each, after `warmup` batches per arm.
 * `arms` is `{ [nameA]: fn, [nameB]: fn }`. Returns per arm the CPU µs per call across batches; `ratio` is A's CPU / B's
 * CPU per pair (for A = direct, B = routed: the routed/direct throughput the client's CPU allows), `rpsRatio` B's RPS /
 * A's per pair (the wall-clock figure, secondary), and `aa` the same-arm ratios (earlier / later batch of the block).
 */
export async function pairedCpu(arms, { blocks, perBatch, concurrency = 64, warmup = 2 }) {
  const [nameA, nameB] = Object.keys(arms);
  for (let index = 0; index < warmup; index += 1) {
    await cpuBatch(arms[nameA], perBatch, concurrency);
    await cpuBatch(arms[nameB], perBatch, concurrency);
  }
  const cpu = { [nameA]: [], [nameB]: [] };
  const ratio = [];
  const rpsRatio = [];
  const aa = { [nameA]: [], [nameB]: [] };
  for (let block = 0; block < blocks; block += 1) {
    const order = block % 2 === 0 ? [nameA, nameB, nameB, nameA] : [nameB, nameA, nameA, nameB];
    const batches = [];
    for (const name of order) batches.push({ name, ...(await cpuBatch(arms[name], perBatch, concurrency)) });
    for (const { name, cpu: perCall } of batches) cpu[name].push(perCall);
    for (const [first, second] of [
      [batches[0], batches[1]],
      [batches[2], batches[3]],
    ]) {
      const [a, b] = first.name === nameA ? [first, second] : [second, first];
      ratio.push(a.cpu / b.cpu);
      rpsRatio.push(b.rps / a.rps);
    }
    for (const name of [nameA, nameB]) {
      const [earlier, later] = batches.filter((batch) => batch.name === name);
      aa[name].push(earlier.cpu / later.cpu);
    }
  }
  return {
    concurrency,
    blocks,
    perBatch,
    cpuPerRequest: { [nameA]: summary(cpu[nameA]), [nameB]: summary(cpu[nameB]) },
    ratio: summary(ratio),
    rpsRatio: summary(rpsRatio),
    aa: { [nameA]: summary(aa[nameA]), [nameB]: summary(aa[nameB]) },
  };
}
