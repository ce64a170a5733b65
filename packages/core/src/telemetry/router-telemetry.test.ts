import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HistogramMetricData, MetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { GenerateRequest } from '@switchyard/contract';
import { ApiCallError, TimeoutError } from '@switchyard/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../create-router.js';
import { createScriptedTarget } from '../testing/create-scripted-target.js';
import { semanticConventionsVersion } from './semantic-conventions.js';

/** Collects on demand; the SDK's own reader base class, no exporter needed. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});
afterEach(() => exporter.reset());

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  maxTokens: 32,
  ...extra,
});
const price = { inputPer1M: 1_000, outputPer1M: 2_000 };

function spans(): { request: ReadableSpan; attempts: ReadableSpan[] } {
  const finished = exporter.getFinishedSpans();
  const request = finished.find((span) => span.name === 'chat');
  if (!request) throw new Error(`no request span among ${finished.map((span) => span.name).join(', ')}`);
  const attempts = finished
    .filter((span) => span !== request && span.parentSpanContext?.spanId === request.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  return { request, attempts };
}

async function metricsByName(): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const found = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== '@switchyard/core') continue;
    for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
  }
  return found;
}

describe(`OpenTelemetry GenAI spans (semantic conventions ${semanticConventionsVersion}) with the real SDK`, () => {
  it('traces a local answer as a request span with one INTERNAL attempt span under it', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:tiny.gguf', script: [{ text: 'Hi there friend' }] });
    const router = createRouter({ targets: { device } });
    const result = await router.generate(ask('Hello'));
    const { request, attempts } = spans();
    expect(request.kind).toBe(SpanKind.INTERNAL);
    expect(request.parentSpanContext).toBeUndefined();
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.response.model': 'tiny.gguf',
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.response.finish_reasons': ['stop'],
      'switchyard.route.target': 'device',
      'switchyard.route.locality': 'local',
      'switchyard.route.mode': 'prefer-local',
      'switchyard.route.fallbacks': 0,
      'switchyard.route.hedges': 0,
      'switchyard.route.cost_usd': 0,
    });
    expect(request.attributes['switchyard.request.id']).toMatch(/^req_/);
    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt?.name).toBe('chat tiny.gguf');
    expect(attempt?.kind).toBe(SpanKind.INTERNAL);
    expect(attempt?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'llamacpp',
      'gen_ai.request.model': 'tiny.gguf',
      'gen_ai.response.model': 'tiny.gguf',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'switchyard.route.target': 'device',
      'switchyard.attempt.outcome': 'success',
    });
    // Prompt and completion text only when the caller opts in.
    expect(request.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(attempt?.attributes['gen_ai.input.messages']).toBeUndefined();
  });

  it('traces a remote answer as a CLIENT span with the provider, server address and cost, and sends its traceparent', async () => {
    const gpu = createScriptedTarget({
      id: 'openai:llama-70b',
      locality: 'remote',
      capabilities: { price },
      script: [{ text: 'remote answer', usage: { inputTokens: 10, outputTokens: 2 } }],
    });
    Object.assign(gpu, {
      telemetry: { providerName: 'openai', model: 'meta/llama-70b', serverAddress: '127.0.0.1', serverPort: 8000 },
    });
    const router = createRouter({ targets: { gpu }, policy: { mode: 'remote-only' } });
    const result = await router.generate(ask('Hello'));
    const { request, attempts } = spans();
    const [attempt] = attempts;
    expect(attempt?.kind).toBe(SpanKind.CLIENT);
    expect(attempt?.name).toBe('chat meta/llama-70b');
    expect(attempt?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'meta/llama-70b',
      'server.address': '127.0.0.1',
      'server.port': 8000,
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(attempt?.attributes['switchyard.attempt.cost_usd']).toBeCloseTo(0.014, 9);
    expect(request.attributes['switchyard.route.cost_usd']).toBeCloseTo(result.route.costUsd, 9);
    expect(request.attributes['switchyard.route.locality']).toBe('remote');
    // The call carried the attempt span's own context: the upstream server's spans become its children.
    const sent = gpu.calls[0]?.traceContext?.traceparent;
    const context = attempt!.spanContext();
    expect(sent).toBe(`00-${context.traceId}-${context.spanId}-01`);
  });

  it('records a failover as a span event with the failed attempt marked as an error', async () => {
    const device = createScriptedTarget({
      id: 'llamacpp:tiny',
      script: [{ failWith: () => new TimeoutError({ timeoutMs: 5, phase: 'first-token', isRetryable: false }) }],
    });
    const gpu = createScriptedTarget({ id: 'openai:big', locality: 'remote', script: [{ text: 'saved' }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } } });
    await router.generate(ask('Hello'));
    const { request, attempts } = spans();
    expect(attempts.map((span) => span.name)).toEqual(['chat tiny', 'chat big']);
    expect(attempts[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts[0]?.attributes['error.type']).toBe('timeout');
    expect(attempts[1]?.attributes['switchyard.attempt.outcome']).toBe('success');
    expect(request.attributes).toMatchObject({
      'switchyard.route.target': 'gpu',
      'switchyard.route.fallbacks': 1,
      'switchyard.route.attempts': 2,
      'switchyard.route.plan': ['device', 'gpu'],
    });
    const failover = request.events.find((event) => event.name === 'switchyard.failover');
    expect(failover?.attributes).toEqual({
      'switchyard.failover.from': 'device',
      'switchyard.failover.to': 'gpu',
      'error.type': 'timeout',
    });
  });

  it('records a hedge: both attempts under the request span, the loser marked hedge-lost, events for start and win', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:slow', script: [{ text: 'late', firstTokenDelayMs: 2_000 }] });
    const gpu = createScriptedTarget({ id: 'openai:fast', locality: 'remote', script: [{ text: 'fast answer' }] });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { hedgeAfterMs: 20 } } });
    const result = await router.generate(ask('Hello'));
    expect(result.route.hedged).toBe(true);
    const { request, attempts } = spans();
    expect(attempts.map((span) => [span.name, span.attributes['switchyard.attempt.outcome']])).toEqual([
      ['chat slow', 'hedge-lost'],
      ['chat fast', 'success'],
    ]);
    expect(request.attributes['switchyard.route.hedges']).toBe(1);
    expect(request.events.map((event) => event.name)).toEqual(['switchyard.hedge', 'switchyard.hedge.won']);
    expect(request.events[1]?.attributes?.['switchyard.hedge.winner']).toBe('gpu');
  });

  it('adds circuit changes and stalls as events on the attempt span', async () => {
    const device = createScriptedTarget({
      id: 'llamacpp:stalls',
      script: [{ text: ['one ', 'two ', 'three'], chunkDelayMs: 500 }],
    });
    const gpu = createScriptedTarget({ id: 'openai:big', locality: 'remote', capabilities: { continuation: true } });
    const router = createRouter({
      targets: { device, gpu },
      policy: {
        execution: {
          retries: 0,
          stallTimeoutMs: 30,
          circuit: { failureThreshold: 1, windowMs: 60_000, cooldownMs: 60_000 },
        },
      },
    });
    await router.generate(ask('Hello'));
    const { attempts } = spans();
    expect(attempts[0]?.events.map((event) => event.name)).toEqual(['switchyard.circuit', 'switchyard.stall']);
    expect(attempts[0]?.events[0]?.attributes).toMatchObject({ 'switchyard.circuit.to': 'open' });
  });

  it('ends every span of a generate() the caller aborts mid-answer, and the target call with it', async () => {
    const device = createScriptedTarget({
      id: 'llamacpp:tiny',
      script: [{ text: 'a b c d e f g h', chunkDelayMs: 20 }],
    });
    const router = createRouter({ targets: { device } });
    const controller = new AbortController();
    const answer = router.generate(ask('Hello', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 30);
    await expect(answer).rejects.toMatchObject({ code: 'abort' });
    const { request, attempts } = spans();
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(attempts.map((span) => span.attributes['switchyard.attempt.outcome'])).toEqual(['aborted']);
    expect(device.active).toBe(0);
    expect(device.calls[0]?.signal?.aborted).toBe(true);
  });

  it('ends the request span with error.type when every target fails', async () => {
    const gpu = createScriptedTarget({
      id: 'openai:down',
      locality: 'remote',
      script: [{ failWith: () => new ApiCallError({ url: 'http://127.0.0.1:9/v1/chat/completions', status: 400 }) }],
    });
    const router = createRouter({ targets: { gpu } });
    await expect(router.generate(ask('Hello'))).rejects.toThrow();
    const { request, attempts } = spans();
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(request.attributes['error.type']).toBe('all-targets-failed');
    expect(attempts[0]?.attributes['error.type']).toBe('api-call');
  });

  it('becomes a child of an incoming traceparent, and includes prompt and completion only when opted in', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:tiny', script: [{ text: 'secret answer' }] });
    const router = createRouter({ targets: { device }, includePromptsInEvents: true });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await router.generate(ask('my prompt'), { traceContext: { traceparent } });
    const { request } = spans();
    expect(request.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(request.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(JSON.parse(String(request.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'my prompt' }] },
    ]);
    expect(String(request.attributes['gen_ai.output.messages'])).toContain('secret answer');
  });

  it('ends the request span when the caller stops reading a stream', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:tiny', script: [{ text: 'a b c d e f', chunkDelayMs: 5 }] });
    const router = createRouter({ targets: { device } });
    for await (const part of router.stream(ask('Hello'))) if (part.type === 'text-delta') break;
    const { request, attempts } = spans();
    expect(request.attributes['switchyard.request.cancelled']).toBe(true);
    expect(attempts[0]?.attributes['switchyard.attempt.outcome']).toBe('aborted');
  });

  it('does not mark a request cancelled when the caller stops after the route summary, as generate() does', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:tiny', script: [{ text: 'done' }] });
    const router = createRouter({ targets: { device } });
    await router.generate(ask('Hello'));
    expect(spans().request.attributes['switchyard.request.cancelled']).toBeUndefined();
    exporter.reset();
    for await (const part of router.stream(ask('Hello'))) if (part.type === 'route' && part.phase === 'summary') break;
    const { request, attempts } = spans();
    expect(request.attributes['switchyard.request.cancelled']).toBeUndefined();
    expect(request.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(attempts[0]?.attributes['switchyard.attempt.outcome']).toBe('success');
  });
  it('records the same spans for generate() as for a stream() read to its end, across a visible restart', async () => {
    // generate() folds the parts inside the execution (collectPlan); its trace must still see what a stream reader sees.
    const build = () =>
      createRouter({
        targets: {
          device: createScriptedTarget({
            id: 'llamacpp:tiny',
            script: [{ text: 'draft one two', breakAfterChunks: 2 }],
          }),
          cloud: createScriptedTarget({
            id: 'openai:remote',
            locality: 'remote',
            script: [{ text: 'final answer', finishReason: 'length' }],
          }),
        },
        policy: { execution: { retries: 0 } },
        includePromptsInEvents: true,
      });
    // Timings and request ids differ between runs; everything else must not.
    const timeless = (span: ReadableSpan) =>
      Object.fromEntries(
        Object.entries(span.attributes).filter(([key]) => !key.endsWith('_ms') && key !== 'switchyard.request.id'),
      );
    const recorded = () => {
      const { request, attempts } = spans();
      return {
        request: timeless(request),
        status: request.status.code,
        events: request.events.map((event) => [event.name, event.attributes]),
        attempts: attempts.map((span) => [span.name, span.kind, timeless(span), span.status.code]),
      };
    };
    await build().generate(ask('Hello'));
    const generated = recorded();
    exporter.reset();
    for await (const _part of build().stream(ask('Hello'), { midStream: 'restart' })) {
      // read to the end
    }
    const streamed = recorded();
    expect(generated).toEqual(streamed);
    expect(generated.request['switchyard.route.fallbacks']).toBe(1);
    expect(generated.request['gen_ai.output.messages']).toContain('final answer');
    expect(generated.request['gen_ai.output.messages']).not.toContain('draft');
  });
});

describe('OpenTelemetry GenAI metrics with the real SDK', () => {
  it('records tokens the target did not report as their own series, switchyard.usage.estimated: true', async () => {
    const device = createScriptedTarget({ id: 'llamacpp:unmetered', script: [{ text: 'one two', usage: false }] });
    const router = createRouter({ targets: { device } });
    await router.generate(ask('Hello'));
    const usage = (await metricsByName()).get('gen_ai.client.token.usage') as HistogramMetricData | undefined;
    const points = usage?.dataPoints.filter((point) => point.attributes['gen_ai.request.model'] === 'unmetered') ?? [];
    expect(points.map((point) => point.attributes['gen_ai.token.type']).sort()).toEqual(['input', 'output']);
    for (const point of points) expect(point.attributes['switchyard.usage.estimated']).toBe(true);
    const output = points.find((point) => point.attributes['gen_ai.token.type'] === 'output');
    expect(output?.value.sum).toBe(Math.ceil('one two'.length / 4));
  });

  it('records token usage, duration, time to first chunk and routing decisions', async () => {
    const device = createScriptedTarget({
      id: 'llamacpp:metered',
      script: [{ text: 'one two', usage: { inputTokens: 7, outputTokens: 3 } }],
    });
    const router = createRouter({ targets: { device } });
    const before = await metricsByName();
    const decisionsBefore = sumFor(before.get('switchyard.route.decisions'), { 'switchyard.route.target': 'device' });
    await router.generate(ask('Hello'));
    await router.generate(ask('Hello again'));
    const found = await metricsByName();
    const usage = found.get('gen_ai.client.token.usage') as HistogramMetricData | undefined;
    expect(usage?.descriptor.unit).toBe('{token}');
    const input = usage?.dataPoints.find(
      (point) =>
        point.attributes['gen_ai.token.type'] === 'input' && point.attributes['gen_ai.request.model'] === 'metered',
    );
    expect(input?.value.count).toBe(2);
    expect(input?.value.sum).toBe(14);
    expect(input?.attributes).toMatchObject({ 'gen_ai.provider.name': 'llamacpp', 'gen_ai.operation.name': 'chat' });
    const duration = found.get('gen_ai.client.operation.duration') as HistogramMetricData | undefined;
    expect(duration?.descriptor.unit).toBe('s');
    expect(
      duration?.dataPoints.find((point) => point.attributes['gen_ai.request.model'] === 'metered')?.value.count,
    ).toBe(2);
    const ttft = found.get('gen_ai.client.operation.time_to_first_chunk') as HistogramMetricData | undefined;
    expect(ttft?.dataPoints.find((point) => point.attributes['gen_ai.request.model'] === 'metered')?.value.count).toBe(
      2,
    );
    const decisions = found.get('switchyard.route.decisions');
    expect(sumFor(decisions, { 'switchyard.route.target': 'device' }) - decisionsBefore).toBe(2);
    expect((decisions as SumMetricData).dataPoints[0]?.attributes).toMatchObject({
      'switchyard.route.locality': 'local',
      'switchyard.route.reason': 'prefer-local',
    });
  });
});

describe('metrics without a tracer', () => {
  /** Two targets and four requests: a failover, a whole answer, a stream read to its end, a stream the caller stops. */
  async function scriptedLoad(telemetry: { meterProvider: MeterProvider; tracerProvider?: TracerProvider }) {
    const device = createScriptedTarget({
      id: 'llamacpp:alpha',
      script: (_call, index) =>
        index === 0
          ? { failWith: () => new TimeoutError({ timeoutMs: 5, phase: 'first-token', isRetryable: false }) }
          : { text: 'local answer here', usage: { inputTokens: 5, outputTokens: 3 } },
    });
    const gpu = createScriptedTarget({
      id: 'openai:beta',
      locality: 'remote',
      script: [{ text: 'remote answer', usage: { inputTokens: 11, outputTokens: 2 } }],
    });
    const router = createRouter({ targets: { device, gpu }, policy: { execution: { retries: 0 } }, telemetry });
    await router.generate(ask('Hello'));
    await router.generate(ask('Hello again'));
    for await (const _part of router.stream(ask('A stream'))) {
      // read to its end
    }
    for await (const part of router.stream(ask('A stream stopped'))) if (part.type === 'text-delta') break;
  }

  /** Every data point of the router's metrics: count and (for tokens and decisions) the value, by name and attributes. */
  async function exported(
    collecting: CollectingReader,
  ): Promise<Record<string, number | { count: number; sum?: number }>> {
    const { resourceMetrics } = await collecting.collect();
    const points: Record<string, number | { count: number; sum?: number }> = {};
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints as Array<{ attributes: object; value: unknown }>) {
          const key = `${metric.descriptor.name} ${JSON.stringify(Object.entries(point.attributes).sort())}`;
          const value = point.value as number | { count: number; sum: number };
          if (typeof value === 'number') points[key] = value;
          // Durations differ from run to run; token counts do not.
          else if (metric.descriptor.name === 'gen_ai.client.token.usage')
            points[key] = { count: value.count, sum: value.sum };
          else points[key] = { count: value.count };
        }
      }
    }
    return points;
  }

  it('records the same metrics from a meter provider alone as with a tracer too (failover, generate, streams read or stopped)', async () => {
    trace.disable();
    const traced = { reader: new CollectingReader(), spans: new InMemorySpanExporter() };
    const alone = { reader: new CollectingReader() };
    const tracedMeters = new MeterProvider({ readers: [traced.reader] });
    const aloneMeters = new MeterProvider({ readers: [alone.reader] });
    const ownTracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: traced.spans })] });
    try {
      await scriptedLoad({ meterProvider: tracedMeters, tracerProvider: ownTracer });
      await scriptedLoad({ meterProvider: aloneMeters });
      const withTracer = await exported(traced.reader);
      const withoutTracer = await exported(alone.reader);
      expect(traced.spans.getFinishedSpans().length).toBeGreaterThan(0);
      expect(withoutTracer).toEqual(withTracer);
      const attributes = (model: string, provider: string, extra: Record<string, string> = {}) =>
        JSON.stringify(
          Object.entries({
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': provider,
            'gen_ai.request.model': model,
            ...extra,
          }).sort(),
        );
      // What the four requests add up to, whoever records them.
      expect(withoutTracer[`gen_ai.client.operation.duration ${attributes('alpha', 'llamacpp')}`]).toEqual({
        count: 3,
      });
      expect(
        withoutTracer[
          `gen_ai.client.operation.duration ${attributes('alpha', 'llamacpp', { 'error.type': 'timeout' })}`
        ],
      ).toEqual({ count: 1 });
      expect(withoutTracer[`gen_ai.client.operation.duration ${attributes('beta', 'openai')}`]).toEqual({ count: 1 });
      expect(
        withoutTracer[`gen_ai.client.token.usage ${attributes('beta', 'openai', { 'gen_ai.token.type': 'input' })}`],
      ).toEqual({ count: 1, sum: 11 });
      expect(
        withoutTracer[
          `gen_ai.client.token.usage ${attributes('alpha', 'llamacpp', { 'gen_ai.token.type': 'output' })}`
        ],
      ).toMatchObject({ count: 2 });
      // The stream stopped early never got its usage: its tokens are the router's estimate, a series of their own.
      const estimatedOutput = JSON.stringify(
        [
          ...JSON.parse(attributes('alpha', 'llamacpp', { 'gen_ai.token.type': 'output' })),
          ['switchyard.usage.estimated', true],
        ].sort(),
      );
      expect(withoutTracer[`gen_ai.client.token.usage ${estimatedOutput}`]).toMatchObject({ count: 1 });
      const decisions = Object.entries(withoutTracer)
        .filter(([key]) => key.startsWith('switchyard.route.decisions'))
        .reduce((total, [, value]) => total + (value as number), 0);
      expect(decisions).toBe(4);
    } finally {
      trace.setGlobalTracerProvider(tracerProvider);
      await Promise.all([tracedMeters.shutdown(), aloneMeters.shutdown(), ownTracer.shutdown()]);
    }
  });
});

describe('without a provider', () => {
  it('records nothing and sends no trace context', async () => {
    trace.disable();
    metrics.disable();
    try {
      const gpu = createScriptedTarget({ id: 'openai:x', locality: 'remote', script: [{ text: 'ok' }] });
      const router = createRouter({ targets: { gpu } });
      await router.generate(ask('Hello'));
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      expect(gpu.calls[0]?.traceContext).toBeUndefined();
    } finally {
      trace.setGlobalTracerProvider(tracerProvider);
      metrics.setGlobalMeterProvider(meterProvider);
    }
  });

  it('records nothing, counts no decision and sends no trace context with telemetry: false, even with providers registered', async () => {
    const before = sumFor((await metricsByName()).get('switchyard.route.decisions'), {
      'switchyard.route.target': 'quiet',
    });
    const quiet = createScriptedTarget({ id: 'openai:x', locality: 'remote', script: [{ text: 'ok' }] });
    const router = createRouter({ targets: { quiet }, telemetry: false });
    await router.generate(ask('Hello'));
    const parts: string[] = [];
    for await (const part of router.stream(ask('Hello again'))) parts.push(part.type);
    expect(parts).toContain('finish');
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(quiet.calls.map((call) => call.traceContext)).toEqual([undefined, undefined]);
    const after = sumFor((await metricsByName()).get('switchyard.route.decisions'), {
      'switchyard.route.target': 'quiet',
    });
    expect(after).toBe(before);
    expect(after).toBe(0);
  });

  it('uses explicit providers given to createRouter instead of the global ones', async () => {
    trace.disable();
    const own = new InMemorySpanExporter();
    const ownProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: own })] });
    try {
      const device = createScriptedTarget({ id: 'llamacpp:tiny' });
      const router = createRouter({ targets: { device }, telemetry: { tracerProvider: ownProvider } });
      await router.generate(ask('Hello'));
      expect(own.getFinishedSpans().map((span) => span.name)).toEqual(['chat tiny', 'chat']);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    } finally {
      trace.setGlobalTracerProvider(tracerProvider);
      await ownProvider.shutdown();
    }
  });

  it('uses the @opentelemetry/api module given as telemetry.api (a browser bundle cannot import it by name)', async () => {
    const own = new InMemorySpanExporter();
    const ownProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: own })] });
    // The real module, with its trace API watched: the router must reach OpenTelemetry through it.
    let reads = 0;
    const watchedTrace = new Proxy(trace, {
      get(target, key, receiver) {
        reads += 1;
        return Reflect.get(target, key, receiver);
      },
    });
    const api = { ...(await import('@opentelemetry/api')), trace: watchedTrace };
    try {
      const device = createScriptedTarget({ id: 'llamacpp:tiny' });
      const router = createRouter({ targets: { device }, telemetry: { api, tracerProvider: ownProvider } });
      await router.generate(ask('Hello'));
      expect(own.getFinishedSpans().map((span) => span.name)).toEqual(['chat tiny', 'chat']);
      expect(reads).toBeGreaterThan(0);
    } finally {
      await ownProvider.shutdown();
    }
  });
});

function sumFor(metric: MetricData | undefined, attributes: Record<string, string>): number {
  if (!metric) return 0;
  return (metric as SumMetricData).dataPoints
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((total, point) => total + point.value, 0);
}
