import type { HrTime } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

/** One span of the waterfall, in milliseconds from the start of its trace. */
export interface TraceSpanView {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'client' | 'server';
  startMs: number;
  durationMs: number;
  error: boolean;
  /** The target it ran on (`switchyard.route.target`), when it says. */
  target?: string;
  /** Where that target runs: the request span says so; an attempt span's kind does (CLIENT is remote). */
  locality?: 'local' | 'remote';
  /** A few words from its attributes: outcome, tokens, status. */
  detail: string;
  events: { name: string; atMs: number }[];
}

/** The last request's trace, as the page draws it. */
export interface TraceView {
  traceId: string;
  durationMs: number;
  /** Parents before children, siblings by start time. */
  spans: TraceSpanView[];
}

/** Spans kept before the oldest are dropped: a few hundred requests' worth. */
const maxSpans = 1_000;

/**
 * The demo's OpenTelemetry: a real SDK `TracerProvider` exporting to an in-memory exporter, handed to the demo's
 * router (and to the remote stand-in's gateway, whose SERVER span joins the trace through the `traceparent` that
 * adapter-openai sends). `lastTrace()` turns the newest request's spans into a waterfall for `GET /api/trace`.
 */
export class TraceRecorder {
  readonly tracerProvider: TracerProvider;
  readonly #exporter = new InMemorySpanExporter();
  #last: TraceView | undefined;

  constructor() {
    this.tracerProvider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: this.#exporter })],
    });
  }

  /** The trace of the request whose router span (`chat`) ended last, or `undefined` before the first request. */
  lastTrace(): TraceView | undefined {
    const spans = this.#exporter.getFinishedSpans();
    let request: ReadableSpan | undefined;
    for (const span of spans) {
      if (span.name === 'chat' && (!request || compare(span.endTime, request.endTime) > 0)) request = span;
    }
    if (request) {
      const traceId = request.spanContext().traceId;
      this.#last = toView(
        traceId,
        spans.filter((span) => span.spanContext().traceId === traceId),
      );
    }
    // The view is built; older spans can go (the exporter itself keeps everything until reset).
    if (spans.length > maxSpans) this.#exporter.reset();
    return this.#last;
  }

  shutdown(): Promise<void> {
    return this.tracerProvider.shutdown();
  }
}

function compare(a: HrTime, b: HrTime): number {
  return a[0] - b[0] || a[1] - b[1];
}

function millis(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

const kinds: Record<number, TraceSpanView['kind']> = {
  [SpanKind.CLIENT]: 'client',
  [SpanKind.SERVER]: 'server',
};

function toView(traceId: string, spans: ReadableSpan[]): TraceView {
  const start = Math.min(...spans.map((span) => millis(span.startTime)));
  const end = Math.max(...spans.map((span) => millis(span.endTime)));
  const views = spans.map((span): TraceSpanView => {
    const view: TraceSpanView = {
      spanId: span.spanContext().spanId,
      name: span.name,
      kind: kinds[span.kind] ?? 'internal',
      startMs: millis(span.startTime) - start,
      durationMs: millis(span.duration),
      error: span.status.code === SpanStatusCode.ERROR,
      detail: detailOf(span),
      events: span.events.map((event) => ({ name: event.name, atMs: millis(event.time) - start })),
    };
    const parent = span.parentSpanContext?.spanId;
    if (parent && spans.some((other) => other.spanContext().spanId === parent)) view.parentSpanId = parent;
    const target = span.attributes['switchyard.route.target'];
    if (typeof target === 'string') view.target = target;
    const locality = span.attributes['switchyard.route.locality'];
    if (locality === 'local' || locality === 'remote') view.locality = locality;
    else if (typeof span.attributes['gen_ai.provider.name'] === 'string') {
      view.locality = span.kind === SpanKind.CLIENT ? 'remote' : 'local';
    }
    return view;
  });
  return { traceId, durationMs: end - start, spans: ordered(views) };
}

/** Depth-first from the roots, children by start time: the order a waterfall reads. */
function ordered(views: TraceSpanView[]): TraceSpanView[] {
  const byStart = [...views].sort((a, b) => a.startMs - b.startMs);
  const out: TraceSpanView[] = [];
  const visit = (parent: string | undefined) => {
    for (const view of byStart) {
      if (view.parentSpanId !== parent) continue;
      out.push(view);
      visit(view.spanId);
    }
  };
  visit(undefined);
  return out;
}

function detailOf(span: ReadableSpan): string {
  const attributes = span.attributes;
  const parts: string[] = [];
  const outcome = attributes['switchyard.attempt.outcome'];
  if (typeof outcome === 'string') parts.push(outcome);
  const error = attributes['error.type'];
  if (typeof error === 'string') parts.push(error);
  const output = attributes['gen_ai.usage.output_tokens'];
  if (typeof output === 'number') {
    // The target did not count them: the router charged its estimate (the span says so).
    const estimated =
      attributes['switchyard.attempt.usage_estimated'] === true ||
      attributes['switchyard.route.usage_estimated'] === true;
    parts.push(estimated ? `~${output} tokens out (estimated)` : `${output} tokens out`);
  }
  const status = attributes['http.response.status_code'];
  if (typeof status === 'number') parts.push(`HTTP ${status}`);
  const mode = attributes['switchyard.route.mode'];
  if (typeof mode === 'string') parts.push(mode);
  return parts.join(' · ');
}
