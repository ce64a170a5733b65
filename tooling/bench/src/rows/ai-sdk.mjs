// Row 15: what `@switchyard/ai-sdk` adds to an AI SDK app. `streamText` (the real `ai` package) against the zero-work
// upstream's short SSE stream, three arms taking turns call by call at concurrency 1 (each arm's samples come from
// the same moments of a noisy machine):
//   direct      `@ai-sdk/openai-compatible` called directly: what an AI SDK app writes without Switchyard
//   switchyard  `createSwitchyard(router)('auto')`, the router (default policy: PII detection on, one retry) over
//               `@switchyard/adapter-openai` (target: ≤ 50 µs p50 added per call over direct)
//   aisdkTarget `createSwitchyard(router)('auto')` with the same `@ai-sdk/openai-compatible` model as the router's
//               target (`createAISDKTarget`): the same HTTP client as direct, so the difference is Switchyard's glue
//               and router alone
// Figures: p50 and p99 per round, (arm − direct) and (arm / direct), then the median across rounds.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createAISDKTarget, createSwitchyard } from '@switchyard/ai-sdk';
import { createRouter } from '@switchyard/core';
import { streamText } from 'ai';
import { createRoutedArm, maxTokens, prompt, runInterleaved } from '../clients.mjs';
import { paired, percentile } from '../stats.mjs';

const expected = 'Hello from the bench.';

async function call(model) {
  const result = streamText({ model, prompt, maxOutputTokens: maxTokens });
  const text = await result.text;
  if (text !== expected) throw new Error(`ai-sdk row: unexpected answer ${JSON.stringify(text)}`);
}

export async function run({ upstream, rounds, quick, log }) {
  const provider = createOpenAICompatible({ name: 'bench', baseURL: `${upstream}/v1`, includeUsage: true });
  const direct = provider.chatModel('zero');
  const { router } = createRoutedArm(upstream, 'zero');
  const viaTarget = createRouter({
    targets: { gpu: createAISDKTarget(provider.chatModel('zero'), { id: 'gpu', locality: 'remote' }) },
  });
  const switchyard = createSwitchyard(router)('auto');
  const aisdkTarget = createSwitchyard(viaTarget)('auto');
  const arms = {
    direct: () => call(direct),
    switchyard: () => call(switchyard),
    aisdkTarget: () => call(aisdkTarget),
  };
  const calls = quick ? 200 : 3000;
  const perRound = [];
  try {
    for (let round = 0; round <= rounds; round += 1) {
      const latencies = await runInterleaved(calls, arms);
      const record = {};
      for (const [arm, values] of Object.entries(latencies)) {
        record[arm] = { p50: percentile(values, 50), p99: percentile(values, 99) };
      }
      if (round === 0) continue;
      perRound.push(record);
      log(
        `ai-sdk round ${round}: p50 direct ${record.direct.p50.toFixed(0)} µs, switchyard ${record.switchyard.p50.toFixed(0)} µs, ` +
          `aisdkTarget ${record.aisdkTarget.p50.toFixed(0)} µs`,
      );
    }
  } finally {
    await router.dispose();
    await viaTarget.dispose();
  }
  const pick = (arm, figure) => perRound.map((record) => record[arm][figure]);
  const versus = (arm) => ({
    p50: paired(pick(arm, 'p50'), pick('direct', 'p50')),
    p99: paired(pick(arm, 'p99'), pick('direct', 'p99')),
  });
  return {
    unit: 'µs',
    setup: 'streamText (ai) at concurrency 1, arms interleaved call by call; zero-work upstream, short SSE stream',
    calls,
    switchyard: versus('switchyard'),
    aisdkTarget: versus('aisdkTarget'),
  };
}
