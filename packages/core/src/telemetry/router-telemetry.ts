import type {
  Attributes,
  Histogram,
  Meter,
  MeterProvider,
  ObservableResult,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';
import { SwitchyardError, type Target, type TraceContext } from '@switchyard/contract';
import type { RouterEventEmitter } from '../events.js';
import type { OpenTelemetryApiModule, RequestTraceModule } from './load-opentelemetry.js';
import { loadRequestTraces, openTelemetryApi, requestTraces, whenOpenTelemetryLoaded } from './load-opentelemetry.js';
import type { RequestTrace } from './request-trace.js';
import {
  durationBuckets,
  instrumentationScope,
  telemetrySchemaUrl,
  tokenUsageBuckets,
} from './semantic-conventions.js';

/**
 * Where the router sends traces and metrics. Without it, the globally registered OpenTelemetry providers are used;
 * with none registered (or `@opentelemetry/api` not installed) the router records nothing and allocates nothing.
 */
export interface TelemetryOptions {
  /** Default: the global tracer provider (`trace.setGlobalTracerProvider`). An OpenTelemetry `TracerProvider`. */
  tracerProvider?: TracerProviderLike;
  /** Default: the global meter provider (`metrics.setGlobalMeterProvider`). An OpenTelemetry `MeterProvider`. */
  meterProvider?: MeterProviderLike;
  /**
   * The `@opentelemetry/api` module. Default: core imports it by name as it loads (Node, and bundlers that keep the
   * import). A browser bundle cannot import a package by name at run time, so a page passes the module it bundled:
   * `import * as otel from '@opentelemetry/api'` then `telemetry: { api: otel, tracerProvider }`.
   */
  api?: object;
}

/**
 * The shape of OpenTelemetry's `TracerProvider` as the router's options declare it. `@opentelemetry/api` is an optional
 * peer: the router's published types must compile for an app that does not install it, so they name no type from it.
 * Any real `TracerProvider` fits.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): unknown;
}

/** The shape of OpenTelemetry's `MeterProvider` (see {@link TracerProviderLike} for why it is declared here). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: { schemaUrl?: string }): unknown;
}

/** The router's OpenTelemetry instruments (GenAI client metrics plus the router's decisions). */
export interface RouterInstruments {
  tokenUsage: Histogram;
  duration: Histogram;
  timeToFirstChunk: Histogram;
  decisions: DecisionCounts;
}

/**
 * What a target looks like to the GenAI conventions. The attribute objects are built once per target, frozen, and
 * reused for every measurement: the SDK hashes each attribute set it is given, so the hot metrics carry only the
 * attributes the conventions require or recommend (`gen_ai.response.model` is left off them: it always equals the
 * request model here).
 */
export interface TargetDescription {
  name: string;
  local: boolean;
  model: string;
  /** `chat {model}`, the attempt span's name. */
  spanName: string;
  /** `gen_ai.provider.name`, request model and server address: shared by the attempt span and its metrics. */
  attributes: Attributes;
  /** `attributes` plus `gen_ai.token.type`. */
  inputTokens: Attributes;
  outputTokens: Attributes;
  /** The same plus `switchyard.usage.estimated: true`, for tokens the target did not report (the router's estimate). */
  estimatedInputTokens: Attributes;
  estimatedOutputTokens: Attributes;
  /** `attributes` plus `error.type`, by error code (built on first use). */
  failed: Map<string, Attributes>;
}

/**
 * `switchyard.route.decisions` is an observable counter read from these counts at collection time, so a decision
 * costs a map lookup and an increment instead of the SDK hashing an attribute set on every request. One instance per
 * meter, shared by every router that records through it, so two routers with a target of the same name add up.
 */
export class DecisionCounts {
  readonly #counts = new Map<string, { attributes: Attributes; value: number }>();

  add(target: string, locality: string, reason: string): void {
    const key = `${target}\u0000${locality}\u0000${reason}`;
    const entry = this.#counts.get(key);
    if (entry) entry.value += 1;
    else {
      this.#counts.set(key, {
        attributes: {
          'switchyard.route.target': target,
          'switchyard.route.locality': locality,
          'switchyard.route.reason': reason,
        },
        value: 1,
      });
    }
  }

  observe(result: ObservableResult): void {
    for (const { attributes, value } of this.#counts.values()) result.observe(value, attributes);
  }
}

const instrumentsByMeter = new WeakMap<Meter, RouterInstruments>();

let noopReferences: { api: OpenTelemetryApiModule; tracerProvider: TracerProvider; meterClass: unknown } | undefined;
function noops(api: OpenTelemetryApiModule) {
  if (noopReferences?.api !== api) {
    noopReferences = {
      api,
      tracerProvider: new api.ProxyTracerProvider().getDelegate(),
      meterClass: api.createNoopMeter().constructor,
    };
  }
  return noopReferences;
}

/** Describes a target for spans and metrics: its own `telemetry` descriptor, else `provider:model` from its id. */
export function describeTarget(name: string, target: Target): TargetDescription {
  const separator = target.id.indexOf(':');
  const described = target.telemetry;
  const providerName = described?.providerName ?? (separator > 0 ? target.id.slice(0, separator) : 'switchyard');
  const model = described?.model ?? (separator > 0 ? target.id.slice(separator + 1) : target.id);
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': providerName,
    'gen_ai.request.model': model,
  };
  if (described?.serverAddress !== undefined) attributes['server.address'] = described.serverAddress;
  if (described?.serverPort !== undefined) attributes['server.port'] = described.serverPort;
  // Frozen: a meter may find the series of an attribute object that cannot change by identity instead of hashing it
  // (the SDK hashes every measurement's set; `@switchyard/server`'s Prometheus registry tallies histograms that way).
  Object.freeze(attributes);
  return {
    name,
    local: target.locality === 'local',
    model,
    spanName: `chat ${model}`,
    attributes,
    inputTokens: Object.freeze({ ...attributes, 'gen_ai.token.type': 'input' }),
    outputTokens: Object.freeze({ ...attributes, 'gen_ai.token.type': 'output' }),
    estimatedInputTokens: Object.freeze({
      ...attributes,
      'gen_ai.token.type': 'input',
      'switchyard.usage.estimated': true,
    }),
    estimatedOutputTokens: Object.freeze({
      ...attributes,
      'gen_ai.token.type': 'output',
      'switchyard.usage.estimated': true,
    }),
    failed: new Map(),
  };
}

/**
 * One per router. Per request it checks, in a few property reads, whether a tracer or meter provider is registered,
 * and only then creates a {@link RequestTrace}. Execution tells a request's trace of its attempts, failovers and
 * hedges (and asks it for a call's trace context); circuit changes come from the router's events; the rest from the
 * request's stream.
 */
export class RouterTelemetry {
  #tracerSource: TracerProvider | undefined;
  #tracer: Tracer | undefined;
  #meterSource: MeterProvider | undefined;
  #instruments: RouterInstruments | undefined;
  #listening = false;
  /** The traces of requests in flight, for circuit changes (attempts, failovers and hedges reach theirs directly). */
  readonly #requests = new Set<RequestTrace>();
  readonly #descriptions = new Map<string, TargetDescription>();

  constructor(
    private readonly events: RouterEventEmitter,
    private readonly targets: Readonly<Record<string, Target>>,
    private readonly options: TelemetryOptions | undefined,
    readonly includeContent: boolean,
  ) {
    // A given API module is there now: its request-trace code starts loading with the router, not its first request.
    if (options?.api !== undefined) void loadRequestTraces();
  }

  /**
   * The API module: the caller's, else core's own import (`undefined` while that import, or the request-trace code
   * that loads after it, is still settling; see {@link RouterTelemetry.whenReady}).
   */
  api(): OpenTelemetryApiModule | null | undefined {
    const api = (this.options?.api as OpenTelemetryApiModule | undefined) ?? openTelemetryApi();
    if (!api) return api;
    const traces = requestTraces();
    if (traces === undefined) void loadRequestTraces();
    return traces && api;
  }

  /** Resolves once {@link RouterTelemetry.api} no longer answers `undefined`. */
  whenReady(): Promise<unknown> {
    return this.options?.api === undefined ? whenOpenTelemetryLoaded() : loadRequestTraces();
  }

  /** A trace for one request, or `undefined` when nothing would record it. */
  begin(parent: TraceContext | undefined): RequestTrace | undefined {
    const api = this.api();
    if (!api) return undefined;
    const tracer = this.#currentTracer(api);
    const instruments = this.#currentInstruments(api);
    if (tracer === undefined && instruments === undefined) return undefined;
    this.#listen();
    // api() answers only once the request-trace module loaded.
    return new (requestTraces() as RequestTraceModule).RequestTrace(this, api, tracer, instruments, parent);
  }

  /** `error.type` for anything thrown: a Switchyard error's stable code, else the error's name. */
  errorType(error: unknown): string {
    if (SwitchyardError.isInstance(error)) return error.code;
    return error instanceof Error ? error.name : '_OTHER';
  }

  describe(name: string): TargetDescription {
    let description = this.#descriptions.get(name);
    if (!description) {
      description = describeTarget(name, this.targets[name]!);
      this.#descriptions.set(name, description);
    }
    return description;
  }

  /** Called by a request trace once its plan is known, so circuit changes reach it; and when it ends. */
  register(trace: RequestTrace): void {
    this.#requests.add(trace);
  }

  unregister(trace: RequestTrace): void {
    this.#requests.delete(trace);
  }

  #currentTracer(api: OpenTelemetryApiModule): Tracer | undefined {
    const provider = (this.options?.tracerProvider as TracerProvider | undefined) ?? api.trace.getTracerProvider();
    const effective = provider instanceof api.ProxyTracerProvider ? provider.getDelegate() : provider;
    if (effective !== this.#tracerSource) {
      this.#tracerSource = effective;
      this.#tracer =
        effective === noops(api).tracerProvider
          ? undefined
          : effective.getTracer(instrumentationScope, undefined, { schemaUrl: telemetrySchemaUrl });
    }
    return this.#tracer;
  }

  #currentInstruments(api: OpenTelemetryApiModule): RouterInstruments | undefined {
    const provider = (this.options?.meterProvider as MeterProvider | undefined) ?? api.metrics.getMeterProvider();
    if (provider !== this.#meterSource) {
      this.#meterSource = provider;
      const meter = provider.getMeter(instrumentationScope, undefined, { schemaUrl: telemetrySchemaUrl });
      this.#instruments = meter instanceof (noops(api).meterClass as typeof Object) ? undefined : instrumentsOf(meter);
    }
    return this.#instruments;
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    const { events } = this;
    events.on('circuit', (event) => {
      for (const trace of this.#requests) trace.circuitChanged(event);
    });
  }
}

function instrumentsOf(meter: Meter): RouterInstruments {
  let found = instrumentsByMeter.get(meter);
  if (!found) {
    found = instruments(meter);
    instrumentsByMeter.set(meter, found);
  }
  return found;
}

function instruments(meter: Meter): RouterInstruments {
  const decisions = new DecisionCounts();
  meter
    .createObservableCounter('switchyard.route.decisions', {
      description: 'Routing decisions that ran, by primary target, its locality and the reason',
      unit: '{decision}',
    })
    .addCallback((result) => decisions.observe(result));
  return {
    decisions,
    tokenUsage: meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Number of input and output tokens used, per attempt',
      unit: '{token}',
      advice: { explicitBucketBoundaries: tokenUsageBuckets },
    }),
    duration: meter.createHistogram('gen_ai.client.operation.duration', {
      description: 'GenAI operation duration, per attempt (queue wait included)',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    }),
    timeToFirstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
      description: 'Time from the start of an attempt to its first text or tool-call chunk',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    }),
  };
}
