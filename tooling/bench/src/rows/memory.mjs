// Row 5: memory per in-flight request. The upstream holds every reply (model `hold`) until released, N requests
// are started, and once the upstream holds all N the heap is collected and (heapUsed + external) is compared with
// the figure before the batch. Added per request = (routed growth − direct growth) / N, per round.
import { armOrder, createDirectAgent, createRoutedArm, directJson, routedRequest } from '../clients.mjs';
import { paired } from '../stats.mjs';

function footprint() {
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

async function control(upstream, path, method = 'GET') {
  const response = await fetch(`${upstream}${path}`, { method });
  return response.json();
}

async function waitForHeld(upstream, count) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { held } = await control(upstream, '/_bench/held');
    if (held >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`memory: the upstream holds fewer than ${count} requests after 60 s`);
}

/** Bytes held per request while `count` requests started by `start` wait at the upstream (model `hold`). */
export async function measure(upstream, start, count) {
  // Warm the control path first so its own allocations are in the baseline.
  await control(upstream, '/_bench/held');
  const before = footprint();
  const pending = Array.from({ length: count }, () => start());
  await waitForHeld(upstream, count);
  const during = footprint();
  await control(upstream, '/_bench/release', 'POST');
  await Promise.all(pending);
  return (during - before) / count;
}

export async function run({ upstream, rounds, quick, log }) {
  if (typeof globalThis.gc !== 'function') throw new Error('memory row needs --expose-gc');
  const count = quick ? 100 : 1000;
  const agent = createDirectAgent();
  const { router } = createRoutedArm(upstream, 'hold');
  const arms = {
    direct: () => directJson(agent, upstream, 'hold'),
    routed: () => router.generate(routedRequest()),
  };
  const perRound = { direct: [], routed: [] };
  for (let round = 0; round <= rounds; round += 1) {
    const record = {};
    for (const arm of armOrder(['direct', 'routed'], round)) record[arm] = await measure(upstream, arms[arm], count);
    if (round === 0) continue;
    perRound.direct.push(record.direct);
    perRound.routed.push(record.routed);
    log(
      `memory round ${round}: per in-flight request direct ${record.direct.toFixed(0)} B, routed ${record.routed.toFixed(0)} B`,
    );
  }
  await agent.close();
  const summary = paired(perRound.routed, perRound.direct);
  return { unit: 'bytes per in-flight request', inFlight: count, ...summary, added: summary.added };
}
