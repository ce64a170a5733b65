import { describe, expect, it } from 'vitest';
import { TraceRecorder } from './trace-recorder.js';

// The waterfall's span details, from spans made with the real OpenTelemetry SDK (the recorder's own provider).
describe('TraceRecorder', () => {
  it("says when a span's output tokens are the router's estimate (the target did not count them)", async () => {
    // A recorder per span, so "the newest request" is that span.
    const detailOf = async (attributes: Record<string, number | boolean>) => {
      const traces = new TraceRecorder();
      traces.tracerProvider.getTracer('test').startSpan('chat', { attributes }).end();
      const detail = traces.lastTrace()?.spans[0]?.detail;
      await traces.shutdown();
      return detail;
    };
    expect(await detailOf({ 'gen_ai.usage.output_tokens': 7 })).toBe('7 tokens out');
    expect(await detailOf({ 'gen_ai.usage.output_tokens': 7, 'switchyard.route.usage_estimated': true })).toBe(
      '~7 tokens out (estimated)',
    );
    expect(await detailOf({ 'gen_ai.usage.output_tokens': 3, 'switchyard.attempt.usage_estimated': true })).toBe(
      '~3 tokens out (estimated)',
    );
  });
});
