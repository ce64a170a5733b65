import type { GenerateResult, Usage } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import type { RouteSummary } from '../events.js';
import type { PolicyInput } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { ScriptStep } from '../testing/create-scripted-target.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// generate() folds the parts inside the execution (collectPlan) instead of reading them off the stream. It must answer
// exactly what a consumer folding stream() would: same text (a visible restart drops the text before it), tool calls,
// finish reason, usage (reported, else the attempt's estimate) and route.

/** What generate() answered before collectPlan: the fold of a stream, as a consumer writes it. */
async function foldStream(parts: AsyncIterable<RouterStreamPart>): Promise<GenerateResult & { route: RouteSummary }> {
  let text = '';
  const toolCalls: GenerateResult['toolCalls'] = [];
  let usage: Usage | undefined;
  let finishReason: GenerateResult['finishReason'] = 'stop';
  for await (const part of parts) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'tool-call') toolCalls.push(part.toolCall);
    else if (part.type === 'usage') usage = part.usage;
    else if (part.type === 'finish') finishReason = part.finishReason;
    else if (part.type === 'failover' && part.mode === 'restart') text = '';
    else if (part.type === 'route' && part.phase === 'summary') {
      const answered = part.route.attempts.findLast((attempt) => attempt.outcome === 'success');
      return {
        text,
        toolCalls,
        finishReason,
        usage: usage ?? answered?.usage ?? { inputTokens: 0, outputTokens: 0 },
        route: part.route,
      };
    }
  }
  throw new Error('no summary');
}

/** Timings differ from run to run; everything else must match. */
function withoutTimings(result: GenerateResult & { route: RouteSummary }) {
  const { ttftMs: _ttft, tokensPerSecond: _rate, ...route } = result.route;
  return {
    ...result,
    route: {
      ...route,
      attempts: route.attempts.map(({ startedAt: _s, durationMs: _d, ttftMs: _t, ...attempt }) => attempt),
    },
  };
}

const toolCall = { id: 'call_1', name: 'lookup', arguments: '{"q":1}' };
const cases: { name: string; device: ScriptStep[]; gpu: ScriptStep[]; policy?: PolicyInput }[] = [
  { name: 'a plain answer', device: [{ text: 'one two three' }], gpu: [{ text: 'remote' }] },
  { name: 'a long answer', device: [{ text: Array.from({ length: 300 }, (_, i) => `w${i} `) }], gpu: [{}] },
  {
    name: 'tool calls',
    device: [{ text: 'calling', toolCalls: [toolCall, { ...toolCall, id: 'call_2' }] }],
    gpu: [{}],
  },
  { name: 'no reported usage (estimated)', device: [{ text: 'abc def', usage: false }], gpu: [{}] },
  {
    name: 'a restart after a break mid-stream',
    device: [{ text: 'draft one two', breakAfterChunks: 2 }],
    gpu: [{ text: 'final answer' }],
    policy: { execution: { retries: 0 } },
  },
  {
    name: 'a fallback before the first token',
    device: [{ failWith: () => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) }],
    gpu: [{ text: 'from the gpu', finishReason: 'length' }],
    policy: { execution: { retries: 0 } },
  },
];

describe('generate() collects the answer inside the execution', () => {
  it.each(cases)('answers what folding stream() gives: $name', async ({ device, gpu, policy }) => {
    const build = () =>
      createRouter({
        targets: {
          device: createScriptedTarget({ script: device }),
          gpu: createScriptedTarget({ locality: 'remote', script: gpu }),
        },
        telemetry: false,
        ...(policy ? { policy } : {}),
      });
    const request = { messages: [{ role: 'user' as const, content: 'Hi there' }], maxTokens: 500 };
    const generated = await build().generate(request);
    // stream() in restart mode, as generate() runs (it shows nothing before the end).
    const folded = await foldStream(build().stream(request, { midStream: 'restart' }));
    expect(withoutTimings(generated)).toEqual(withoutTimings(folded));
  });

  it('rejects with the error the stream throws', async () => {
    const failing = { failWith: () => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) };
    const router = createRouter({
      targets: { device: createScriptedTarget({ script: [failing] }) },
      policy: { execution: { retries: 0 } },
      telemetry: false,
    });
    const request = { messages: [{ role: 'user' as const, content: 'Hi' }] };
    const generated = await router.generate(request).catch((error: unknown) => error);
    const streamed = await foldStream(router.stream(request)).catch((error: unknown) => error);
    expect(generated).toBeInstanceOf(Error);
    expect((generated as Error).constructor).toBe((streamed as Error).constructor);
    expect((generated as Error).message).toBe((streamed as Error).message);
  });
});
