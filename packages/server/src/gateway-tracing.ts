import type { IncomingMessage } from 'node:http';
import type { Context, Span, SpanContext, Tracer, TracerProvider } from '@opentelemetry/api';
import {
  createTraceState,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { TraceContext } from '@switchyard/contract';

const traceparentPattern = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/** The SERVER span of one gateway request and the trace context the router's request span should hang under. */
export interface ServerTrace {
  span: Span;
  /** The SERVER span's W3C context when it records; else the incoming one, passed through; else `undefined`. */
  traceContext: TraceContext | undefined;
  /** The trace id, for the request's log line. */
  traceId: string | undefined;
}

/** The gateway's tracer: the given provider's, else the globally registered one (a no-op when none is). */
export function gatewayTracer(provider: TracerProvider | undefined): Tracer {
  return (provider ?? trace.getTracerProvider()).getTracer('@switchyard/server');
}

/**
 * Starts the SERVER span of a request, as a child of its incoming `traceparent`: through the registered propagator
 * when there is one (it may also read baggage), else parsed here, so the header is honoured even when the app
 * registered no propagator. The router's request span then becomes a child of this span.
 */
export function startServerTrace(tracer: Tracer, request: IncomingMessage, route: string): ServerTrace {
  const parent = parentContext(request);
  const method = request.method ?? 'GET';
  const span = tracer.startSpan(
    `${method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'http.route': route, 'url.scheme': 'http' },
    },
    parent,
  );
  const own = span.spanContext();
  if (span.isRecording()) {
    return { span, traceContext: carrierOf(own), traceId: own.traceId };
  }
  // No tracer registered: the router (which may have its own provider) still joins the caller's trace.
  const incoming = trace.getSpanContext(parent);
  return {
    span,
    traceContext: incoming && isSpanContextValid(incoming) ? carrierOf(incoming) : undefined,
    traceId: incoming?.traceId,
  };
}

/** Ends the SERVER span with the response status (5xx marks it as an error, per the HTTP conventions). */
export function endServerTrace(serverTrace: ServerTrace, status: number, requestId: string): void {
  const { span } = serverTrace;
  span.setAttributes({ 'http.response.status_code': status, 'switchyard.request.id': requestId });
  if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function parentContext(request: IncomingMessage): Context {
  const extracted = propagation.extract(ROOT_CONTEXT, request.headers);
  if (trace.getSpanContext(extracted) !== undefined) return extracted;
  const header = request.headers.traceparent;
  const match = typeof header === 'string' ? traceparentPattern.exec(header.trim()) : null;
  if (!match) return ROOT_CONTEXT;
  const state = request.headers.tracestate;
  const spanContext = {
    traceId: match[1] as string,
    spanId: match[2] as string,
    traceFlags: Number.parseInt(match[3] as string, 16) & 0xff,
    isRemote: true,
    ...(typeof state === 'string' && state !== '' ? { traceState: createTraceState(state) } : {}),
  };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
}

function carrierOf(spanContext: SpanContext): TraceContext {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceContext = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}
