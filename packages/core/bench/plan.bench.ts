/**
 * `router.plan()` hot-path benchmark: 4 targets, 10 rules, PII detection on, prompts of 100 B, 4 KB and 32 KB.
 *
 *   node --import ./bench/register.mjs bench/plan.bench.ts [--iterations 50000] [--json]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import ./bench/register.mjs bench/plan.bench.ts
 *
 * Each call is timed on its own (process.hrtime.bigint, ~40 ns of overhead included). Cases:
 * - `same request`: the same request object planned again (a server planning a preview, then running it).
 * - `new request`: a new request and new message objects every call, with the same prompt string.
 * - `new text`: a prompt string never seen before every call (nothing can be cached: the PII scan runs); the prose
 *   has single digits but no digit pairs, so the number patterns are skipped.
 * - `new text, numbers`: the same with a year near the start, so the number patterns scan the whole prompt.
 * - `+ explanation`: `new request`, then reading `plan.explanation` (what a log line or the gateway's JSON pays).
 */
import type { GenerateRequest } from '@switchyard/contract';
import { createRouter } from '../src/create-router.js';
import type { PolicyInput } from '../src/policy/policy.js';
import { createManualSignals } from '../src/signals/create-manual-signals.js';
import { createScriptedTarget } from '../src/testing/create-scripted-target.js';

const args = process.argv.slice(2);
const iterations = Number(args[args.indexOf('--iterations') + 1]) || 50_000;
const asJson = args.includes('--json');

const paragraph =
  'The railway signalling system evolved from hand signals and flags to mechanical semaphores, then to ' +
  'electric track circuits and interlocking towers. Operators in the signal box coordinated train movements ' +
  'across junctions, keeping a safe distance between services on busy lines. Summarise how block working ' +
  'reduced collisions, which technologies replaced it during the twentieth century, and what modern ' +
  'systems such as ETCS level 2 change for drivers; answer in 3 short paragraphs with one example each. ';

/** A unique word without digits (digits would wake the number patterns up). */
function tag(index: number): string {
  let word = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor(rest / 26)) word += String.fromCharCode(97 + (rest % 26));
  return word;
}

function prompt(bytes: number): string {
  let text = '';
  while (text.length < bytes) text += paragraph;
  return text.slice(0, bytes);
}

const policy: PolicyInput = {
  mode: 'prefer-local',
  privacy: { detectPii: true },
  device: { minBatteryLevel: 0.2 },
  budget: { maxCostUsdPerRequest: 0.05, maxCostUsd: { amount: 10, period: 'day' } },
  rules: [
    { name: 'drafts stay home', when: { tags: ['draft'] }, use: ['device', 'laptop'] },
    { name: 'private', when: { privacy: 'private' }, use: ['device'] },
    { name: 'huge prompts', when: { promptTokens: { gt: 60_000 } }, prefer: ['cloud'] },
    { name: 'tools', when: { tools: true }, prefer: ['gpu'] },
    { name: 'json', when: { jsonSchema: true }, prefer: ['gpu'] },
    { name: 'hot', when: { thermal: ['serious', 'critical'] }, prefer: ['gpu', 'cloud'] },
    { name: 'low battery', when: { battery: { below: 0.3, charging: false } }, prefer: ['gpu'] },
    { name: 'metered', when: { metered: true, promptTokens: { gt: 2000 } }, avoid: ['cloud'] },
    { name: 'night', when: { hour: { from: 23, to: 5 }, online: true }, prefer: ['cloud'] },
    { name: 'offline', when: { online: false }, use: ['device', 'laptop'] },
  ],
};

function makeRouter(mode: 'prefer-local' | 'auto') {
  const local = { contextWindow: 32_768, maxOutputTokens: 2048 };
  const remote = { contextWindow: 131_072, maxOutputTokens: 4096 };
  const targets = {
    device: createScriptedTarget({ id: 'device', locality: 'local', capabilities: local }),
    laptop: createScriptedTarget({ id: 'laptop', locality: 'local', capabilities: local }),
    gpu: createScriptedTarget({
      id: 'gpu',
      locality: 'remote',
      capabilities: { ...remote, price: { inputPer1M: 0.2, outputPer1M: 0.6 } },
    }),
    cloud: createScriptedTarget({
      id: 'cloud',
      locality: 'remote',
      capabilities: { ...remote, price: { inputPer1M: 3, outputPer1M: 15 } },
    }),
  };
  const signals = createManualSignals({
    battery: { level: 0.8, charging: false },
    thermal: 'nominal',
    network: { online: true, metered: false },
    memory: { freeBytes: 8 * 1024 ** 3 },
  });
  return createRouter({ targets, signals, policy: { ...policy, mode } });
}

interface Result {
  case: string;
  mode: string;
  bytes: number;
  p50Ns: number;
  p99Ns: number;
  meanNs: number;
}

function measure(run: (index: number) => void, count: number): { p50Ns: number; p99Ns: number; meanNs: number } {
  for (let index = 0; index < Math.min(count, 20_000); index += 1) run(index);
  const samples = new Float64Array(count);
  let total = 0;
  for (let index = 0; index < count; index += 1) {
    const start = process.hrtime.bigint();
    run(index);
    const ns = Number(process.hrtime.bigint() - start);
    samples[index] = ns;
    total += ns;
  }
  samples.sort();
  return {
    p50Ns: samples[Math.floor(count * 0.5)]!,
    p99Ns: samples[Math.floor(count * 0.99)]!,
    meanNs: Math.round(total / count),
  };
}

const results: Result[] = [];
let sink = 0;
for (const mode of ['prefer-local', 'auto'] as const) {
  const router = makeRouter(mode);
  for (const bytes of [100, 4096, 32_768]) {
    const text = prompt(bytes);
    const count = bytes > 10_000 ? Math.ceil(iterations / 5) : iterations;
    const same: GenerateRequest = { messages: [{ role: 'user', content: text }], maxTokens: 256 };
    const fresh = (content: string): GenerateRequest => ({ messages: [{ role: 'user', content }], maxTokens: 256 });
    const cases: [string, (index: number) => void][] = [
      ['same request', () => (sink += router.plan(same).plan.length)],
      ['new request', () => (sink += router.plan(fresh(text)).plan.length)],
      ['new request + explanation', () => (sink += router.plan(fresh(text)).explanation.length)],
      // The tag goes first so no prefix of the prompt repeats; building the string is part of the cost.
      ['new text', (index) => (sink += router.plan(fresh(`${tag(index)} ${text}`)).plan.length)],
      ['new text, numbers', (index) => (sink += router.plan(fresh(`${tag(index)} in 1985 ${text}`)).plan.length)],
    ];
    for (const [name, run] of cases) {
      results.push({
        case: name,
        mode,
        bytes,
        ...measure(run, name.startsWith('new text') ? Math.ceil(count / 5) : count),
      });
    }
  }
}

if (asJson) process.stdout.write(`${JSON.stringify({ node: process.version, iterations, results }, null, 2)}\n`);
else {
  const micro = (ns: number) => (ns / 1000).toFixed(2).padStart(8);
  console.log(`router.plan() on ${process.version}, ${iterations} iterations per case (µs per call)`);
  console.log(
    `${'mode'.padEnd(13)}${'prompt'.padStart(8)}  ${'case'.padEnd(26)}${'p50'.padStart(8)}${'p99'.padStart(8)}${'mean'.padStart(8)}`,
  );
  for (const row of results) {
    console.log(
      `${row.mode.padEnd(13)}${String(row.bytes).padStart(8)}  ${row.case.padEnd(26)}${micro(row.p50Ns)}${micro(row.p99Ns)}${micro(row.meanNs)}`,
    );
  }
}
if (sink === -1) console.log(sink);
