// Row 3: streaming. Added time to first token and added per-chunk cost, for 1 and 64 concurrent streams:
//   paced  64 chunks × 20 ms: each chunk carries the upstream's send time; per-chunk lag = received − sent
//   burst  512 chunks written back to back: per-chunk gap = (last − first) / (chunks − 1)
// and chunks lost (expected − received; must be 0). Arms: `direct` (undici + minimal SSE parser) and `routed`
// (router.stream through adapter-openai), alternating order round by round.
import { armOrder, createDirectAgent, createRoutedArm, directStream, now, routedStream } from '../clients.mjs';
import { mean, median, paired } from '../stats.mjs';

async function oneStream(arm, expected, kind) {
  const started = now();
  let first;
  let last;
  const lags = [];
  const onText = (text, receivedAt) => {
    first ??= receivedAt;
    last = receivedAt;
    if (kind === 'paced') lags.push(receivedAt - Number.parseFloat(text));
  };
  const chunks = await arm(onText);
  return {
    ttftUs: (first - started) * 1000,
    perChunkUs: kind === 'paced' ? mean(lags) * 1000 : ((last - first) * 1000) / (expected - 1),
    lost: expected - chunks,
  };
}

async function runBatch(arm, streams, expected, kind) {
  const results = await Promise.all(Array.from({ length: streams }, () => oneStream(arm, expected, kind)));
  return {
    ttftUs: median(results.map((result) => result.ttftUs)),
    perChunkUs: median(results.map((result) => result.perChunkUs)),
    lost: results.reduce((sum, result) => sum + result.lost, 0),
  };
}

export async function run({ upstream, rounds, quick, log }) {
  const shapes = quick
    ? { paced: { model: 'paced:8:5', chunks: 8, c1Runs: 1 }, burst: { model: 'burst:64', chunks: 64, c1Runs: 3 } }
    : {
        paced: { model: 'paced:64:20', chunks: 64, c1Runs: 2 },
        burst: { model: 'burst:512', chunks: 512, c1Runs: 10 },
      };
  const agent = createDirectAgent();
  const arms = {};
  for (const [kind, shape] of Object.entries(shapes)) {
    const { router } = createRoutedArm(upstream, shape.model);
    arms[kind] = {
      direct: (onText) => directStream(agent, upstream, shape.model, onText),
      routed: (onText) => routedStream(router, onText),
    };
  }
  const perRound = [];
  let lostRouted = 0;
  let lostDirect = 0;
  for (let round = 0; round <= rounds; round += 1) {
    const record = {};
    for (const [kind, shape] of Object.entries(shapes)) {
      record[kind] = { c1: {}, c64: {} };
      for (const armName of armOrder(['direct', 'routed'], round)) {
        // One stream at a time, several times (a single stream's TTFT is one noisy sample).
        const single = [];
        for (let run = 0; run < shape.c1Runs; run += 1) {
          single.push(await runBatch(arms[kind][armName], 1, shape.chunks, kind));
        }
        record[kind].c1[armName] = {
          ttftUs: median(single.map((entry) => entry.ttftUs)),
          perChunkUs: median(single.map((entry) => entry.perChunkUs)),
          lost: single.reduce((sum, entry) => sum + entry.lost, 0),
        };
        record[kind].c64[armName] = await runBatch(arms[kind][armName], quick ? 8 : 64, shape.chunks, kind);
      }
    }
    for (const kind of Object.keys(shapes)) {
      for (const c of ['c1', 'c64']) {
        lostRouted += record[kind][c].routed.lost;
        lostDirect += record[kind][c].direct.lost;
      }
    }
    if (round === 0) continue;
    perRound.push(record);
    log(
      `streaming round ${round}: paced c1 TTFT direct ${record.paced.c1.direct.ttftUs.toFixed(0)} routed ${record.paced.c1.routed.ttftUs.toFixed(0)} µs; ` +
        `burst c64 gap direct ${record.burst.c64.direct.perChunkUs.toFixed(1)} routed ${record.burst.c64.routed.perChunkUs.toFixed(1)} µs`,
    );
  }
  await agent.close();
  const result = { unit: 'µs', shapes, lost: lostRouted, lostDirect };
  for (const kind of Object.keys(shapes)) {
    result[kind] = {};
    for (const c of ['c1', 'c64']) {
      const pick = (arm, figure) => perRound.map((record) => record[kind][c][arm][figure]);
      result[kind][c] = {
        ttft: paired(pick('routed', 'ttftUs'), pick('direct', 'ttftUs')),
        perChunk: paired(pick('routed', 'perChunkUs'), pick('direct', 'perChunkUs')),
      };
    }
  }
  return result;
}
