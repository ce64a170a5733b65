import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { TraceContext } from '@switchyard/contract';

type OpenTelemetryApiModule = typeof OpenTelemetryApi;

// `@opentelemetry/api` is an optional peer: the kit must load without it (and in browsers), and must not hold a
// top-level await. The import starts when this module loads; a call made before it settles sends the carrier as is.
// The specifier is a variable so bundlers do not try to resolve a package the app may not have installed.
const specifier = '@opentelemetry/api';
let api: OpenTelemetryApiModule | null | undefined;
void import(/* @vite-ignore */ /* webpackIgnore: true */ specifier).then(
  (module: OpenTelemetryApiModule) => {
    api = module;
  },
  () => {
    api = null;
  },
);

const traceparentPattern = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/**
 * The headers that carry a call's trace context to an upstream server, so its own spans (vLLM, NIM, llama-server
 * with OpenTelemetry on) join the router's trace: always the W3C `traceparent` (and `tracestate`) of the call; and,
 * when the app registered OpenTelemetry propagators (`propagation.setGlobalPropagator`), whatever they add too, such as
 * `baggage` from the active context or B3 headers. `undefined` when the call carries no trace context (no tracer
 * registered, or the router's `telemetry: false`), so untraced calls pay nothing.
 *
 * @example
 * ```ts
 * const response = await dispatcher.request({
 *   origin, path, method: 'POST', body,
 *   headers: { ...jsonHeaders, ...traceHeaders(call.traceContext) },
 * });
 * ```
 */
export function traceHeaders(traceContext: TraceContext | undefined): Record<string, string> | undefined {
  if (traceContext === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (api) injectThroughPropagators(api, traceContext, headers);
  // The W3C header is the one every OpenTelemetry-instrumented server reads: sent even when no propagator (or only a
  // non-W3C one) is registered, and as the router wrote it.
  headers.traceparent = traceContext.traceparent;
  if (traceContext.tracestate) headers.tracestate = traceContext.tracestate;
  else delete headers.tracestate;
  return headers;
}

function injectThroughPropagators(
  otel: OpenTelemetryApiModule,
  traceContext: TraceContext,
  headers: Record<string, string>,
): void {
  const match = traceparentPattern.exec(traceContext.traceparent);
  if (!match) return;
  try {
    const spanContext = {
      traceId: match[1] as string,
      spanId: match[2] as string,
      traceFlags: Number.parseInt(match[3] as string, 16),
      isRemote: false,
      ...(traceContext.tracestate ? { traceState: otel.createTraceState(traceContext.tracestate) } : {}),
    };
    // The active context keeps the app's baggage; the span context is the router's attempt span.
    const context = otel.trace.setSpanContext(otel.context.active(), spanContext);
    otel.propagation.inject(context, headers);
  } catch {
    // A misbehaving propagator must not fail the call: the W3C header is still sent.
  }
}
