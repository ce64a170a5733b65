import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TraceContext } from '@switchyard/contract';
import { collect, type OpenAIUpstream, startOpenAIUpstream, textOf } from '@switchyard/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget } from '../src/index.js';

// The router hands each call the W3C context of its attempt span (`call.traceContext`); these tests play the router
// with the real OpenTelemetry SDK and check what a loopback upstream receives.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');
const contextManager = new AsyncLocalStorageContextManager();
let upstream: OpenAIUpstream;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  upstream = await startOpenAIUpstream({ answer: () => ({ words: ['Hello', ' from', ' the', ' yard'] }) });
});
afterAll(async () => {
  await upstream.close();
  context.disable();
  await provider.shutdown();
});
afterEach(() => {
  propagation.disable();
  upstream.headers.length = 0;
});

/** The carrier the router builds from its attempt span. */
function carrierOf(spanContext: { traceId: string; spanId: string; traceFlags: number }): TraceContext {
  return { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-0${spanContext.traceFlags}` };
}

const ask = (traceContext?: TraceContext) => ({
  messages: [{ role: 'user' as const, content: 'Hello' }],
  maxTokens: 8,
  ...(traceContext ? { traceContext } : {}),
});

describe('adapter-openai sends the call trace context upstream (real OpenTelemetry SDK, loopback upstream)', () => {
  it('sends the attempt span as the W3C traceparent on streaming and non-streaming calls', async () => {
    const target = createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'scripted' });
    const span = tracer.startSpan('chat scripted');
    const carrier = carrierOf(span.spanContext());
    const text = textOf(await collect(target.stream(ask(carrier))));
    await target.generate(ask(carrier));
    span.end();
    expect(text).toBe('Hello from the yard');
    expect(upstream.headers).toHaveLength(2);
    for (const headers of upstream.headers) {
      expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(headers.tracestate).toBeUndefined();
    }
  });

  it('adds what the registered propagators add (baggage from the active context) and keeps tracestate', async () => {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    const target = createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'scripted' });
    const span = tracer.startSpan('chat scripted');
    const carrier = { ...carrierOf(span.spanContext()), tracestate: 'vendor=abc' };
    const baggage = propagation.createBaggage({ 'tenant.id': { value: 'rail-7' } });
    await context.with(propagation.setBaggage(context.active(), baggage), () => target.generate(ask(carrier)));
    span.end();
    const [headers] = upstream.headers;
    expect(headers?.traceparent).toBe(carrier.traceparent);
    expect(headers?.tracestate).toBe('vendor=abc');
    expect(headers?.baggage).toBe('tenant.id=rail-7');
  });

  it('sends no trace header when the call carries no trace context', async () => {
    const target = createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'scripted' });
    await target.generate(ask());
    expect(upstream.headers[0]?.traceparent).toBeUndefined();
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('describes itself for the GenAI conventions: provider openai, the model, the server address and port', () => {
    const target = createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'scripted' });
    expect(target.telemetry).toEqual({
      providerName: 'openai',
      model: 'scripted',
      serverAddress: '127.0.0.1',
      serverPort: Number(new URL(upstream.url).port),
    });
    expect(createOpenAITarget({ baseURL: 'https://gpu.internal/v1', model: 'm' }).telemetry?.serverPort).toBe(443);
  });
});
