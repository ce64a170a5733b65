// Row 4: the decision. `router.plan()` ns per call on 100 B / 4 KB / 32 KB prompts with 4 targets (2 local,
// 2 remote, priced), 10 rules (none matches, so every rule is evaluated), `auto` mode (scores every candidate) and
// PII detection on; plus bytes allocated per call.
//
// Allocations: Node's `v8.getHeapStatistics()` has no allocation counter, so this runs with a fixed 64 MB young
// generation (`--min/max-semi-space-size=64`, set by cli.mjs), collects garbage, runs K calls and reads the growth of
// `used_heap_size`. A PerformanceObserver watches for GC during the loop; if one ran, K is halved and the loop
// repeated, so the figure is not an undercount.
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { createManualSignals, createRouter } from '@switchyard/core';
import { createPiiDetector } from '@switchyard/core/pii';
import { createScriptedTarget } from '@switchyard/core/testing';
import { acrossRounds, mean, percentile } from '../stats.mjs';

const sentence =
  'The routing decision keeps the laptop cool while the remote model answers the longer questions about rail yards, ' +
  'timetables and freight (version 2.4, due at 10:30 on platform 7). ';

export function promptOfSize(bytes) {
  let text = '';
  while (text.length < bytes) text += sentence;
  return text.slice(0, bytes);
}

export function createDecisionRouter() {
  const targets = {
    phone: createScriptedTarget({
      id: 'phone',
      locality: 'local',
      capabilities: { contextWindow: 32_768 },
      script: [{ text: 'ok' }],
    }),
    laptop: createScriptedTarget({
      id: 'laptop',
      locality: 'local',
      capabilities: { contextWindow: 32_768 },
      script: [{ text: 'ok' }],
    }),
    gpu: createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      capabilities: { contextWindow: 131_072, price: { inputPer1M: 0.5, outputPer1M: 1.5 } },
      script: [{ text: 'ok' }],
    }),
    cloud: createScriptedTarget({
      id: 'cloud',
      locality: 'remote',
      capabilities: { contextWindow: 131_072, price: { inputPer1M: 2, outputPer1M: 6 } },
      script: [{ text: 'ok' }],
    }),
  };
  const signals = createManualSignals({
    battery: { level: 0.8, charging: false },
    thermal: 'nominal',
    memory: { freeBytes: 8e9 },
    network: { online: true, metered: false },
  });
  const rules = [
    { name: 'drafts', when: { tags: ['draft'] }, use: ['phone', 'laptop'] },
    { name: 'huge prompts', when: { promptTokens: { gt: 1_000_000 } }, prefer: ['cloud'] },
    { name: 'low battery', when: { battery: { below: 0.1, charging: false } }, prefer: ['gpu'] },
    { name: 'hot', when: { thermal: ['critical'] }, avoid: ['phone'] },
    { name: 'metered', when: { metered: true, promptTokens: { gt: 2000 } }, avoid: ['cloud'] },
    { name: 'tools', when: { tools: true }, prefer: ['gpu'] },
    { name: 'json', when: { jsonSchema: true }, prefer: ['cloud'] },
    { name: 'private', when: { privacy: 'private' }, use: ['laptop'] },
    { name: 'offline', when: { online: false }, use: ['phone', 'laptop'] },
    { name: 'tagged research', when: { tags: ['research'], promptTokens: { gt: 10 } }, prefer: ['cloud'] },
  ];
  const router = createRouter({
    targets,
    signals,
    policy: {
      mode: 'auto',
      privacy: { detectPii: true },
      budget: { maxCostUsdPerRequest: 1 },
      rules,
    },
  });
  return router;
}

const sizes = { '100B': 100, '4KB': 4096, '32KB': 32_768 };

/**
 * Distinct requests with distinct texts of the same size: core caches what it learns about a message (per message
 * object, and recent texts by content), and real requests differ, so reusing one text would time cache hits. The
 * strings are flattened before timing (a concatenated string would be flattened inside the first regex).
 */
function freshRequests(content, count) {
  return Array.from({ length: count }, (_, index) => {
    const text = Buffer.from(`#${index} ${content}`.slice(0, content.length)).toString('utf8');
    return { messages: [{ role: 'user', content: text }], maxTokens: 64 };
  });
}

/** One request object planned again and again: every cache in core hits (a retry, or a second plan() call). */
function sameRequest(content) {
  return [{ messages: [{ role: 'user', content }], maxTokens: 64 }];
}

function timeCalls(router, requests, calls) {
  const samples = new Float64Array(calls);
  let sink;
  const loopStart = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) {
    const request = requests[index % requests.length];
    const start = process.hrtime.bigint();
    sink = router.plan(request);
    samples[index] = Number(process.hrtime.bigint() - start);
  }
  const loopNs = Number(process.hrtime.bigint() - loopStart);
  if (sink.plan.length === 0) throw new Error('decision: empty plan');
  return { samples, loopNs };
}

/** Cost of one `process.hrtime.bigint()` pair, so readers can judge the per-call figures at 100 B. */
function timerOverheadNs() {
  const samples = new Float64Array(20_000);
  for (let index = 0; index < samples.length; index += 1) {
    const start = process.hrtime.bigint();
    samples[index] = Number(process.hrtime.bigint() - start);
  }
  return percentile(samples, 50);
}

async function bytesPerCall(router, content, calls) {
  const gcTimes = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcTimes.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    for (let k = calls; k >= 10; k = Math.floor(k / 2)) {
      const requests = freshRequests(content, k);
      globalThis.gc();
      globalThis.gc();
      const loopStart = performance.now();
      const before = v8.getHeapStatistics().used_heap_size;
      let sink;
      for (let index = 0; index < k; index += 1) sink = router.plan(requests[index]);
      const after = v8.getHeapStatistics().used_heap_size;
      const loopEnd = performance.now();
      // GC entries arrive asynchronously: wait for them, then look for one that started inside the loop.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const collected = gcTimes.some((time) => time >= loopStart && time <= loopEnd);
      if (!collected && sink) return (after - before) / k;
    }
    return Number.NaN;
  } finally {
    observer.disconnect();
  }
}

/**
 * The PII scan alone on new 4 KB prompts: the detector of the router above (every kind, default confidence, region
 * US so the figure does not depend on the machine's locale), timed per call on distinct texts.
 */
function timeScans(detect, texts) {
  const samples = new Float64Array(texts.length);
  let sink = 0;
  for (let index = 0; index < texts.length; index += 1) {
    const start = process.hrtime.bigint();
    sink += detect(texts[index]).kinds.length;
    samples[index] = Number(process.hrtime.bigint() - start);
  }
  if (sink !== 0) throw new Error('decision: the clean bench prompt was flagged as personal data');
  return samples;
}

export async function run({ rounds, quick, log }) {
  if (typeof globalThis.gc !== 'function') throw new Error('decision row needs --expose-gc');
  const router = createDecisionRouter();
  const calls = quick ? { '100B': 2000, '4KB': 500, '32KB': 100 } : { '100B': 40_000, '4KB': 10_000, '32KB': 2000 };
  const contents = Object.fromEntries(Object.entries(sizes).map(([name, bytes]) => [name, promptOfSize(bytes)]));
  const first = router.plan(freshRequests(contents['4KB'], 1)[0]);
  const perRound = Object.fromEntries(
    Object.keys(sizes).map((name) => [name, { p50: [], p99: [], mean: [], warmP50: [], warmP99: [] }]),
  );
  for (let round = 0; round <= rounds; round += 1) {
    for (const name of Object.keys(sizes)) {
      const cold = timeCalls(router, freshRequests(contents[name], calls[name]), calls[name]);
      const warm = timeCalls(router, sameRequest(contents[name]), calls[name]);
      if (round === 0) continue;
      perRound[name].p50.push(percentile(cold.samples, 50));
      perRound[name].p99.push(percentile(cold.samples, 99));
      perRound[name].mean.push(cold.loopNs / calls[name]);
      perRound[name].warmP50.push(percentile(warm.samples, 50));
      perRound[name].warmP99.push(percentile(warm.samples, 99));
    }
    if (round > 0) {
      log(
        `decision round ${round}: p99 ${Object.keys(sizes)
          .map((name) => `${name} ${perRound[name].p99.at(-1).toFixed(0)} ns`)
          .join(', ')}`,
      );
    }
  }
  const detect = createPiiDetector({ regions: ['US'] });
  const scanTexts = freshRequests(contents['4KB'], calls['4KB']).map((request) => request.messages[0].content);
  const scanRounds = { p50: [], p99: [] };
  for (let round = 0; round <= rounds; round += 1) {
    const samples = timeScans(detect, scanTexts);
    if (round === 0) continue;
    scanRounds.p50.push(percentile(samples, 50));
    scanRounds.p99.push(percentile(samples, 99));
  }
  const prompts = {};
  for (const name of Object.keys(sizes)) {
    const bytes = await bytesPerCall(router, contents[name], Math.min(calls[name], quick ? 200 : 2000));
    prompts[name] = {
      p50Ns: acrossRounds(perRound[name].p50),
      p99Ns: acrossRounds(perRound[name].p99),
      meanNs: mean(perRound[name].mean),
      // The same request object planned again: core's per-message cache hits (a retry or a second plan() call).
      cachedP50Ns: acrossRounds(perRound[name].warmP50),
      cachedP99Ns: acrossRounds(perRound[name].warmP99),
      bytesPerCall: bytes,
      calls: calls[name],
    };
  }
  return {
    unit: 'ns',
    setup: '4 targets (2 local, 2 remote priced), 10 rules (none matches), mode auto, PII detection on, budget cap',
    plan: first.plan.map((entry) => entry.target),
    excluded: first.excluded.map((entry) => `${entry.target}:${entry.reason}`),
    timerOverheadNs: timerOverheadNs(),
    prompts,
    piiScan: {
      '4KB': { p50Ns: acrossRounds(scanRounds.p50), p99Ns: acrossRounds(scanRounds.p99), calls: calls['4KB'] },
    },
  };
}
