import { trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { GenerateResult, Usage } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter, type RoutedGenerateResult } from '../create-router.js';
import type { RouteSummary } from '../events.js';
import type { PolicyInput } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { ScriptStep } from '../testing/create-scripted-target.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';

// generate() folds the parts inside the execution (collectPlan) instead of reading them off the stream. It must answer
// exactly what a consumer folding stream() would: same text (a visible restart drops the text before it), tool calls,
// finish reason, usage (reported, else the attempt's estimate) and route.

/** What generate() answered before collectPlan: the fold of a stream, as a consumer writes it. */
async function foldStream(parts: AsyncIterable<RouterStreamPart>): Promise<RoutedGenerateResult> {
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
      // The router's figures (reported, else its estimate) are in the summary when no usage part came.
      const answer: RoutedGenerateResult = {
        text,
        toolCalls,
        finishReason,
        usage: usage ?? part.route.usage ?? { inputTokens: 0, outputTokens: 0 },
        route: part.route,
      };
      if (part.route.usageEstimated) answer.usageEstimated = true;
      return answer;
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
type Case = { name: string; device: ScriptStep[]; gpu: ScriptStep[]; policy?: PolicyInput };
const cases: Case[] = [
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

// Targets that answer whole: generate() asks for target.generate() and books the answer in one step (no part crosses
// a promise), stream() reads the same target's stream. A break mid-stream has no whole-answer form (the answer fails
// before its body ends: a clean fallback), so that case is not repeated here.
const wholeCases: Case[] = [
  ...cases.filter((entry) => entry.name !== 'a restart after a break mid-stream'),
  {
    name: 'a priced target (budget hold before the call)',
    device: [{ failWith: () => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) }],
    gpu: [{ text: 'paid answer', usage: { inputTokens: 12, outputTokens: 3 } }],
    policy: { execution: { retries: 0 }, budget: { maxCostUsdPerRequest: 1 } },
  },
  {
    name: 'a retry on the same target',
    device: [{ failWith: () => Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }, { text: 'second try' }],
    gpu: [{}],
    policy: { execution: { retries: 1, backoff: { initialMs: 1, maxMs: 1 } } },
  },
];

/** A router over two targets that answer whole, and how many calls each method of theirs received. */
function routerFor({ device, gpu, policy }: Case) {
  const calls = { generate: 0, stream: 0 };
  const counted = (target: ReturnType<typeof createScriptedTarget>) => {
    const { generate, stream } = target;
    target.generate = (call) => {
      calls.generate += 1;
      return generate(call);
    };
    target.stream = (call) => {
      calls.stream += 1;
      return stream(call);
    };
    return target;
  };
  const router = createRouter({
    targets: {
      // A local target waits for its queue slot before the call, a priced remote one for its budget hold.
      device: counted(createScriptedTarget({ script: device, capabilities: { wholeAnswers: true } })),
      gpu: counted(
        createScriptedTarget({
          locality: 'remote',
          script: gpu,
          capabilities: { wholeAnswers: true, price: { inputPer1M: 1, outputPer1M: 2 } },
        }),
      ),
    },
    telemetry: false,
    ...(policy ? { policy } : {}),
  });
  return { router, calls };
}

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

  it.each(wholeCases)('answers what folding stream() gives, from targets that answer whole: $name', async (entry) => {
    const request = { messages: [{ role: 'user' as const, content: 'Hi there' }], maxTokens: 500 };
    const whole = routerFor(entry);
    const generated = await whole.router.generate(request);
    const streamed = routerFor(entry);
    const folded = await foldStream(streamed.router.stream(request, { midStream: 'restart' }));
    expect(withoutTimings(generated)).toEqual(withoutTimings(folded));
    // Every attempt of generate() asked for the whole answer, one per attempt of the stream; each one closed (no
    // queue slot, call or budget hold left behind).
    expect(whole.calls).toEqual({ generate: generated.route.attempts.length, stream: 0 });
    expect(streamed.calls).toEqual({ generate: 0, stream: folded.route.attempts.length });
    for (const name of ['device', 'gpu'] as const) {
      const target = whole.router.targets[name] as ReturnType<typeof createScriptedTarget>;
      expect(target.active).toBe(0);
      expect(whole.router.stats()[name]).toMatchObject({ inFlight: 0, queueDepth: 0 });
    }
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

describe('generate() on targets that answer whole, traced by the real OpenTelemetry SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    trace.disable();
    await provider.shutdown();
  });

  // Timings and request ids differ between runs; everything else must not.
  const timeless = (span: ReadableSpan) =>
    Object.fromEntries(
      Object.entries(span.attributes).filter(([key]) => !key.endsWith('_ms') && key !== 'switchyard.request.id'),
    );
  const recorded = () => {
    const finished = exporter.getFinishedSpans();
    exporter.reset();
    return finished.map((span) => ({
      name: span.name,
      attributes: timeless(span),
      status: span.status.code,
      events: span.events.map((event) => [event.name, event.attributes]),
    }));
  };

  it('records the same spans as a stream() of the same targets read to its end, across a fallback', async () => {
    // The collecting path observes the text, the tool calls, the usage, the finish and the summary in the order a
    // stream reader sees them; a different order or a missing part changes the spans' attributes or events.
    const build = () =>
      createRouter({
        targets: {
          device: createScriptedTarget({
            id: 'llamacpp:tiny',
            script: [{ failWith: () => Object.assign(new Error('down'), { code: 'ECONNREFUSED' }) }],
            capabilities: { wholeAnswers: true },
          }),
          cloud: createScriptedTarget({
            id: 'openai:remote',
            locality: 'remote',
            script: [{ text: 'final answer', toolCalls: [toolCall], finishReason: 'tool-calls' }],
            capabilities: { wholeAnswers: true },
          }),
        },
        policy: { execution: { retries: 0 } },
        includePromptsInEvents: true,
      });
    const request = { messages: [{ role: 'user' as const, content: 'Hello' }], maxTokens: 32 };
    const result = await build().generate(request);
    expect(result.route.attempts.map((attempt) => attempt.outcome)).toEqual(['error', 'success']);
    const generated = recorded();
    for await (const _part of build().stream(request, { midStream: 'restart' })) {
      // read to the end
    }
    const streamed = recorded();
    expect(generated).toEqual(streamed);
    const chat = generated.find((span) => span.name === 'chat');
    expect(chat?.attributes['gen_ai.output.messages']).toContain('final answer');
    expect(chat?.attributes['gen_ai.response.finish_reasons']).toEqual(['tool-calls']);
  });
});
