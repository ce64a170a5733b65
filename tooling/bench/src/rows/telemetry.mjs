// Row 12: what OpenTelemetry costs per request. `router.generate` over an in-process target that answers at once
// (no network, so the figure is the router's own CPU), three routers in one process, arms alternating per round:
//   off   `telemetry: false` (the baseline: no per-request check at all)
//   none  the default, `@opentelemetry/api` installed but no provider registered (target: ≤ 2 µs over off)
//   sdk   the real SDK: a TracerProvider with a BatchSpanProcessor and a MeterProvider with a periodic reader, both
//         exporting to no-op exporters (target: ≤ 20 µs over off); spans and metrics are recorded, nothing is sent
// Figures are CPU µs per call, per round (arm − off, arm / off), then the median across rounds. No global provider is registered:
// the sdk arm passes its providers through `createRouter({ telemetry })`, so `none` really sees no provider.
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createRouter } from '@switchyard/core';
import { createInstantTarget } from '../clients.mjs';
import { acrossRounds } from '../stats.mjs';

const parts = [
  { type: 'text-delta', text: 'Hello there' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 3 } },
  { type: 'finish', finishReason: 'stop' },
];

/** Accepts and drops everything, as an exporter to an unreachable collector would after its buffer fills. */
const noopSpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
const noopMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

export function createSdkProviders() {
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: noopSpanExporter, scheduledDelayMillis: 1000 })],
  });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: noopMetricExporter, exportIntervalMillis: 1000 })],
  });
  return { tracerProvider, meterProvider };
}

const request = () => ({ messages: [{ role: 'user', content: 'Say hello to the benchmark.' }], maxTokens: 16 });

/**
 * µs of this process's CPU (user + system) per call: on a shared 2-core machine the wall clock also counts the time
 * other processes held the core, which swamps a few µs; CPU time still includes the SDK's GC and batching work.
 */
async function timeArm(router, calls) {
  const start = process.cpuUsage();
  for (let index = 0; index < calls; index += 1) {
    const result = await router.generate(request());
    if (result.text !== 'Hello there') throw new Error(`telemetry row: unexpected answer ${result.text}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

export async function run({ rounds, quick, log }) {
  const providers = createSdkProviders();
  const routers = {
    off: createRouter({ targets: { gpu: createInstantTarget(parts) }, telemetry: false }),
    none: createRouter({ targets: { gpu: createInstantTarget(parts) } }),
    sdk: createRouter({ targets: { gpu: createInstantTarget(parts) }, telemetry: providers }),
  };
  const calls = quick ? 500 : 10_000;
  const names = Object.keys(routers);
  const perRound = Object.fromEntries(names.map((name) => [name, []]));
  try {
    for (let round = 0; round <= rounds; round += 1) {
      // Alternate the order from round to round so no arm always runs right after a GC-heavy one.
      const order = round % 2 === 0 ? names : [...names].reverse();
      const times = {};
      for (const name of order) times[name] = await timeArm(routers[name], calls);
      if (round === 0) continue;
      for (const name of names) perRound[name].push(times[name]);
      log(
        `telemetry round ${round}: off ${times.off.toFixed(2)} µs, none +${(times.none - times.off).toFixed(2)} µs, ` +
          `sdk +${(times.sdk - times.off).toFixed(2)} µs`,
      );
    }
  } finally {
    await providers.tracerProvider.shutdown();
    await providers.meterProvider.shutdown();
  }
  const added = (name) => perRound[name].map((value, index) => value - perRound.off[index]);
  const ratio = (name) => perRound[name].map((value, index) => value / perRound.off[index]);
  return {
    unit: 'µs',
    setup: 'router.generate over an in-process target that answers at once; CPU µs per call; off = telemetry: false',
    calls,
    offUs: acrossRounds(perRound.off),
    none: { us: acrossRounds(perRound.none), added: acrossRounds(added('none')), ratio: acrossRounds(ratio('none')) },
    sdk: { us: acrossRounds(perRound.sdk), added: acrossRounds(added('sdk')), ratio: acrossRounds(ratio('sdk')) },
  };
}
