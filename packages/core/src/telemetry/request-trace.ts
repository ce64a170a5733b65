import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { FinishReason, GenerateRequest, TraceContext, Usage } from '@switchyard/contract';
import type { RoutePlan } from '../decision/route-plan.js';
import type { Attempt, RouterEvents, RouteSummary } from '../events.js';
import type { Policy } from '../policy/policy.js';
import type { RouterStreamPart } from '../route-stream-part.js';
import type { OpenTelemetryApiModule } from './load-opentelemetry.js';
import type { RouterInstruments, RouterTelemetry, TargetDescription } from './router-telemetry.js';

// Type imports only: this module is loaded on demand (load-opentelemetry.ts), and a value it imported from the rest
// of core or from contract would pull that code into a chunk shared with the page's first load.
const traceparentPattern = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

const finishReasonArrays = new Map<FinishReason, readonly string[]>();
/** One array per reason, shared by every span (the SDK copies array attributes, so sharing is safe). */
function finishReasons(reason: FinishReason): string[] {
  let found = finishReasonArrays.get(reason);
  if (!found) {
    found = Object.freeze([reason]);
    finishReasonArrays.set(reason, found);
  }
  return found as string[];
}

function failedAttributes(description: TargetDescription, code: string): Attributes {
  let attributes = description.failed.get(code);
  if (!attributes) {
    attributes = Object.freeze({ ...description.attributes, 'error.type': code });
    description.failed.set(code, attributes);
  }
  return attributes;
}

/**
 * The spans and measurements of one routed request: a request span (INTERNAL, `chat`) with the route's attributes,
 * and under it one span per attempt (`chat <model>`, CLIENT for remote targets, INTERNAL for local ones). Failovers,
 * hedges, circuit changes and stalls are span events. Nothing here changes routing; every method is best-effort.
 */
export class RequestTrace {
  readonly #api: OpenTelemetryApiModule;
  readonly #tracer: Tracer | undefined;
  readonly #instruments: RouterInstruments | undefined;
  readonly #span: Span | undefined;
  readonly #context: Context | undefined;
  // The attempt spans still open, by target: nearly always one at a time, so one slot, and a map only when a hedge
  // runs a second attempt beside it (a map per request was an allocation on every traced request).
  #liveTarget: string | undefined;
  #liveSpan: Span | undefined;
  #moreLive: Map<string, Span> | undefined;
  /** The answering attempt's span stays open until `finish`, so it carries the finish reason. */
  #winner: Span | undefined;
  #usage: Usage | undefined;
  #finishReason: FinishReason | undefined;
  #text: string | undefined;
  /** The summary part came: the request is complete, whatever the caller does with its stream afterwards. */
  #summarized = false;
  #ended = false;

  constructor(
    private readonly telemetry: RouterTelemetry,
    api: OpenTelemetryApiModule,
    tracer: Tracer | undefined,
    instruments: RouterInstruments | undefined,
    parent: TraceContext | undefined,
  ) {
    this.#api = api;
    this.#tracer = tracer;
    this.#instruments = instruments;
    if (tracer) {
      const parentContext = parent === undefined ? api.context.active() : extractParent(api, parent);
      this.#span = tracer.startSpan(
        'chat',
        { kind: api.SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'chat' } },
        parentContext,
      );
      this.#context = api.trace.setSpan(parentContext, this.#span);
      if (telemetry.includeContent) this.#text = '';
    }
  }

  /**
   * Whether this trace records spans (a tracer is registered). Without spans it only records metrics, which come from
   * the decision and from each attempt's end: the router then neither wraps the request's stream nor waits on its
   * answer for this trace (a wrapper cost a promise per part), and circuit changes need not reach it.
   */
  get recordsSpans(): boolean {
    return this.#span !== undefined;
  }

  /** The request span's W3C context (for tests and callers that want to link to it). */
  get spanContext(): TraceContext | undefined {
    return this.#span ? toTraceContext(this.#api, this.#span) : undefined;
  }

  /** The plan is known: record it, count the decision, and start listening for this request's events. */
  decided(requestId: string, plan: RoutePlan, policy: Policy, request: GenerateRequest): void {
    const primary = plan.plan[0];
    const reason = plan.privacy.private ? 'private' : policy.mode;
    this.#instruments?.decisions.add(
      primary?.target ?? 'none',
      primary?.locality ?? 'none',
      primary ? reason : 'no-eligible-target',
    );
    const span = this.#span;
    if (!span) return;
    // Circuit changes become events on attempt spans: only a trace with spans listens for them.
    this.telemetry.register(this);
    // One setAttribute call per attribute: `setAttributes` walks an object we would build only to be walked (the
    // SDK validates and copies every attribute either way).
    span.setAttribute('switchyard.request.id', requestId);
    span.setAttribute('switchyard.route.mode', policy.mode);
    span.setAttribute(
      'switchyard.route.plan',
      plan.plan.map((entry) => entry.target),
    );
    span.setAttribute('switchyard.route.private', plan.privacy.private);
    // Absent rather than an empty array: array attributes cost the SDK a per-element check.
    if (plan.excluded.length > 0) {
      span.setAttribute(
        'switchyard.route.excluded',
        plan.excluded.map((exclusion) => `${exclusion.target}:${exclusion.reason}`),
      );
    }
    if (plan.difficulty !== undefined) span.setAttribute('switchyard.route.difficulty', plan.difficulty);
    if (request.maxTokens !== undefined) span.setAttribute('gen_ai.request.max_tokens', request.maxTokens);
    if (request.temperature !== undefined) span.setAttribute('gen_ai.request.temperature', request.temperature);
    if (this.telemetry.includeContent) {
      span.setAttribute('gen_ai.input.messages', JSON.stringify(inputMessages(request)));
    }
  }

  /** The router's hook for a target call: the attempt span's W3C trace context, for HTTP targets to send upstream. */
  callContext(target: string): TraceContext | undefined {
    const span = this.#liveSpanOf(target);
    return span ? toTraceContext(this.#api, span) : undefined;
  }

  #liveSpanOf(target: string): Span | undefined {
    return this.#liveTarget === target ? this.#liveSpan : this.#moreLive?.get(target);
  }

  #setLive(target: string, span: Span): void {
    if (this.#liveSpan === undefined || this.#liveTarget === target) {
      this.#liveTarget = target;
      this.#liveSpan = span;
    } else {
      this.#moreLive ??= new Map();
      this.#moreLive.set(target, span);
    }
  }

  #deleteLive(target: string): void {
    if (this.#liveTarget === target) {
      this.#liveTarget = undefined;
      this.#liveSpan = undefined;
    } else this.#moreLive?.delete(target);
  }

  attemptStarted(target: string): void {
    if (!this.#tracer) return;
    const description = this.telemetry.describe(target);
    const span = this.#tracer.startSpan(
      description.spanName,
      {
        kind: description.local ? this.#api.SpanKind.INTERNAL : this.#api.SpanKind.CLIENT,
        // What a sampler may look at (the conventions ask for these at creation); the rest is set once, at the end.
        attributes: description.attributes,
      },
      this.#context,
    );
    this.#setLive(target, span);
  }

  attemptEnded(attempt: Attempt): void {
    const description = this.telemetry.describe(attempt.target);
    const failed = attempt.outcome === 'error';
    const instruments = this.#instruments;
    if (instruments) {
      // Prebuilt per target (see TargetDescription): no attribute object is built per measurement.
      const attributes = failed
        ? failedAttributes(description, attempt.error?.code ?? '_OTHER')
        : description.attributes;
      instruments.duration.record(attempt.durationMs / 1000, attributes);
      if (attempt.ttftMs !== undefined) instruments.timeToFirstChunk.record(attempt.ttftMs / 1000, attributes);
      if (attempt.usage) {
        // Estimated tokens are their own series, so a dashboard can tell reported counts from the router's guesses.
        const estimated = attempt.usageEstimated === true;
        const input = estimated ? description.estimatedInputTokens : description.inputTokens;
        const output = estimated ? description.estimatedOutputTokens : description.outputTokens;
        instruments.tokenUsage.record(attempt.usage.inputTokens, input);
        instruments.tokenUsage.record(attempt.usage.outputTokens, output);
      }
    }
    const span = this.#liveSpanOf(attempt.target);
    if (!span) return;
    this.#deleteLive(attempt.target);
    // The attempt's locality is its span kind (CLIENT remote, INTERNAL local): not repeated as an attribute.
    span.setAttribute('switchyard.route.target', attempt.target);
    span.setAttribute('switchyard.attempt.outcome', attempt.outcome);
    if (attempt.usage) {
      span.setAttribute('gen_ai.usage.input_tokens', attempt.usage.inputTokens);
      span.setAttribute('gen_ai.usage.output_tokens', attempt.usage.outputTokens);
    }
    if (attempt.usageEstimated) span.setAttribute('switchyard.attempt.usage_estimated', true);
    if (attempt.costUsd !== undefined) span.setAttribute('switchyard.attempt.cost_usd', attempt.costUsd);
    if (attempt.ttftMs !== undefined) span.setAttribute('switchyard.attempt.ttft_ms', attempt.ttftMs);
    if (failed && attempt.error) {
      span.setAttribute('error.type', attempt.error.code);
      if (attempt.error.code === 'timeout' && attempt.error.message.includes('(stall)')) {
        // TimeoutError's message names its phase; a stall is the one worth marking on the timeline.
        span.addEvent('switchyard.stall', { 'switchyard.attempt.target': attempt.target });
      }
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: attempt.error.message });
    }
    if (attempt.outcome === 'success') {
      span.setAttribute('gen_ai.response.model', description.model);
      this.#winner = span;
    } else span.end();
  }

  failedOver(event: RouterEvents['fallback']): void {
    this.#span?.addEvent('switchyard.failover', {
      'switchyard.failover.from': event.from,
      'switchyard.failover.to': event.to,
      'error.type': event.error.code,
    });
  }

  hedged(event: RouterEvents['hedge']): void {
    const attributes: Attributes = {
      'switchyard.hedge.primary': event.primary,
      'switchyard.hedge.secondary': event.secondary,
    };
    if (event.winner === undefined) this.#span?.addEvent('switchyard.hedge', attributes);
    else this.#span?.addEvent('switchyard.hedge.won', { ...attributes, 'switchyard.hedge.winner': event.winner });
  }

  circuitChanged(event: RouterEvents['circuit']): void {
    this.#liveSpanOf(event.target)?.addEvent('switchyard.circuit', {
      'switchyard.circuit.target': event.target,
      'switchyard.circuit.from': event.from,
      'switchyard.circuit.to': event.to,
    });
  }

  /** Sees every part the caller sees (the stream is wrapped only when this trace records spans). */
  observe(part: RouterStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        if (this.#text !== undefined) this.#text += part.text;
        break;
      case 'failover':
        if (part.mode === 'restart' && this.#text !== undefined) this.#text = '';
        break;
      case 'usage':
        this.#usage = part.usage;
        break;
      case 'finish':
        this.#finishReason = part.finishReason;
        if (this.#winner) {
          this.#winner.setAttribute('gen_ai.response.finish_reasons', finishReasons(part.finishReason));
          this.#winner.end();
          this.#winner = undefined;
        }
        break;
      case 'route':
        if (part.phase === 'summary') this.#summarize(part.route);
        break;
      default:
        break;
    }
  }

  #summarize(route: RouteSummary): void {
    this.#summarized = true;
    const span = this.#span;
    if (!span) return;
    span.setAttribute('switchyard.route.fallbacks', route.fallbacks);
    span.setAttribute('switchyard.route.hedges', route.hedged ? 1 : 0);
    span.setAttribute('switchyard.route.attempts', route.attempts.length);
    span.setAttribute('switchyard.route.cost_usd', route.costUsd);
    if (route.target !== undefined) {
      span.setAttribute('switchyard.route.target', route.target);
      span.setAttribute('gen_ai.response.model', this.telemetry.describe(route.target).model);
    }
    if (route.locality !== undefined) span.setAttribute('switchyard.route.locality', route.locality);
    if (route.ttftMs !== undefined) span.setAttribute('switchyard.route.ttft_ms', route.ttftMs);
    const usage = this.#usage ?? route.usage;
    if (usage) {
      span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens);
      span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens);
    }
    if (route.usageEstimated) span.setAttribute('switchyard.route.usage_estimated', true);
    if (this.#finishReason !== undefined) {
      span.setAttribute('gen_ai.response.finish_reasons', finishReasons(this.#finishReason));
    }
    if (this.#text !== undefined) {
      span.setAttribute(
        'gen_ai.output.messages',
        JSON.stringify([
          {
            role: 'assistant',
            parts: [{ type: 'text', content: this.#text }],
            finish_reason: this.#finishReason ?? 'stop',
          },
        ]),
      );
    }
  }

  /** Ends every span still open: `error` when the request failed, `cancelled` when the caller stopped reading. */
  end(outcome: { error: unknown } | 'ok' | 'cancelled'): void {
    if (this.#ended) return;
    this.#ended = true;
    this.telemetry.unregister(this);
    const api = this.#api;
    this.#liveSpan?.end();
    this.#liveTarget = undefined;
    this.#liveSpan = undefined;
    if (this.#moreLive) for (const span of this.#moreLive.values()) span.end();
    this.#moreLive = undefined;
    this.#winner?.end();
    const span = this.#span;
    if (!span) return;
    if (typeof outcome === 'object') {
      span.setAttribute('error.type', this.telemetry.errorType(outcome.error));
      span.setStatus({
        code: api.SpanStatusCode.ERROR,
        message: outcome.error instanceof Error ? outcome.error.message : String(outcome.error),
      });
    } else if (outcome === 'cancelled' && !this.#summarized) {
      // Stopping after the summary (as `generate()` does: it returns on it) cancels nothing.
      span.setAttribute('switchyard.request.cancelled', true);
    }
    span.end();
  }
}

/**
 * Wraps a routed stream so its request trace sees every part and ends with the stream: `ok` when it completes, the
 * error when it throws, `cancelled` when the caller stops reading. A plain iterator rather than an async generator:
 * the generator layer cost a queue and extra microtask hops on every part of every traced request.
 */
export function traceStream(
  source: AsyncGenerator<RouterStreamPart>,
  trace: RequestTrace,
): AsyncGenerator<RouterStreamPart, void, undefined> {
  return new TracedStream(source, trace) as unknown as AsyncGenerator<RouterStreamPart, void, undefined>;
}

class TracedStream {
  constructor(
    private readonly source: AsyncGenerator<RouterStreamPart>,
    private readonly trace: RequestTrace,
  ) {}

  // Built once per stream, not once per part.
  readonly #onResult = (result: IteratorResult<RouterStreamPart, void>): IteratorResult<RouterStreamPart, void> => {
    if (result.done) this.trace.end('ok');
    else this.trace.observe(result.value);
    return result;
  };

  readonly #onError = (error: unknown): never => {
    this.trace.end({ error });
    throw error;
  };

  next(): Promise<IteratorResult<RouterStreamPart, void>> {
    return this.source.next().then(this.#onResult, this.#onError);
  }

  // The source closes first: its attempts end (as `aborted`) while the trace still listens, then the trace ends.
  async return(): Promise<IteratorResult<RouterStreamPart, void>> {
    try {
      return await this.source.return(undefined);
    } finally {
      this.trace.end('cancelled');
    }
  }

  async throw(error: unknown): Promise<IteratorResult<RouterStreamPart, void>> {
    try {
      await this.source.return(undefined);
    } finally {
      this.trace.end({ error });
    }
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

function toTraceContext(api: OpenTelemetryApiModule, span: Span): TraceContext | undefined {
  const spanContext = span.spanContext();
  // A recording span from an SDK has valid ids; only a non-recording one (e.g. a propagated parent) needs the check.
  if (!span.isRecording() && !api.isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceContext = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/**
 * The parent context for an incoming W3C carrier: through the registered propagator when there is one (it may also
 * read baggage), else parsed here, so a gateway honours `traceparent` even when the app registered no propagator.
 */
function extractParent(api: OpenTelemetryApiModule, carrier: TraceContext): Context {
  const active = api.context.active();
  const extracted = api.propagation.extract(active, carrier);
  if (api.trace.getSpanContext(extracted) !== undefined) return extracted;
  const match = traceparentPattern.exec(carrier.traceparent);
  if (!match) return active;
  const spanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
    ...(carrier.tracestate ? { traceState: api.createTraceState(carrier.tracestate) } : {}),
  };
  return api.isSpanContextValid(spanContext) ? api.trace.setSpanContext(active, spanContext) : active;
}

function inputMessages(request: GenerateRequest): unknown[] {
  return request.messages.map((message) => ({
    role: message.role,
    parts: [
      {
        type: 'text',
        content:
          typeof message.content === 'string'
            ? message.content
            : (message.content ?? [])
                .map((part: { type: string; text?: string }) => (part.type === 'text' ? part.text : ''))
                .join(''),
      },
    ],
  }));
}
