import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attributes, Histogram, MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Usage } from '@switchyard/contract';
import type { Router } from '@switchyard/core';
import { TalliedHistograms } from './tallied-histograms.js';

/** The HTTP routes the gateway knows; anything else is reported as `other`, so a scanner cannot blow up cardinality. */
export const knownRoutes = ['/v1/chat/completions', '/v1/models', '/health', '/metrics'] as const;

/** Buckets for request latency and time to first token, in seconds (the HTTP semantic conventions' advice, widened). */
const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120];

const circuitStates = ['closed', 'open', 'half-open'] as const;

/**
 * An OpenTelemetry `MeterProvider` whose reader is the real `@opentelemetry/exporter-prometheus` exporter, its HTTP
 * server not started: the gateway serves `/metrics` from it, behind its own auth. Its histograms are tallied in
 * process and collected by the exporter in the SDK's own shape (the SDK hashes the attribute set of every
 * measurement; a frozen attribute object finds its series here by identity); every other instrument is the SDK's. Give the same provider to the
 * router (`createRouter({ telemetry: { meterProvider } })`) and its GenAI metrics (`gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`, time to first chunk, `switchyard.route.decisions`) are on `/metrics` too.
 *
 * @example
 * ```ts
 * const registry = createPrometheusRegistry();
 * const router = createRouter({ targets, telemetry: { meterProvider: registry.meterProvider } });
 * const gateway = createGateway({ router, authToken, metrics: { registry } });
 * // … after gateway.close():
 * await registry.shutdown();
 * ```
 */
export interface PrometheusRegistry {
  readonly meterProvider: MeterProviderApi;
  /** Writes the Prometheus text exposition of every metric recorded through `meterProvider`. */
  serve(request: IncomingMessage, response: ServerResponse): void;
  shutdown(): Promise<void>;
}

/** Creates a {@link PrometheusRegistry}. */
export function createPrometheusRegistry(): PrometheusRegistry {
  // Histograms (the gateway's and the router's, several per request) are tallied in process and collected by the
  // exporter beside the SDK's own metrics: the SDK would hash each measurement's attribute set.
  const histograms = new TalliedHistograms();
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    metricProducers: [histograms],
  });
  const provider = new MeterProvider({ readers: [exporter] });
  return {
    meterProvider: histograms.wrap(provider),
    serve: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => provider.shutdown(),
  };
}

/** Token counts of one target by type, with the attribute set of each type's series. */
interface TokenCounts {
  input: Attributes;
  output: Attributes;
  inputTokens: number;
  outputTokens: number;
}

interface TargetTokens extends TokenCounts {
  attributes: Attributes;
  /** Tokens the router estimated for this target, once there are any. */
  estimated?: TokenCounts;
}

function tokenCounts(attributes: Attributes): TokenCounts {
  return {
    input: Object.freeze({ ...attributes, 'gen_ai.token.type': 'input' }),
    output: Object.freeze({ ...attributes, 'gen_ai.token.type': 'output' }),
    inputTokens: 0,
    outputTokens: 0,
  };
}

/**
 * The gateway's metrics, recorded in a {@link PrometheusRegistry}. Requests by status (`http.server.request.duration` is a histogram, so its `_count` series is
 * the request count; `switchyard.gateway.requests` counts the same by status for simple dashboards), time to first
 * token and tokens by target; spend, circuit state, in-flight calls and queue depth per target are read from
 * `router.stats()` at scrape time.
 *
 * Cost per request: the SDK hashes the attribute set of every measurement, so the counters are observable
 * instruments read from plain in-process counts when scraped, and the two histograms recorded per request get frozen
 * attribute objects built once per route and status, or per target (a {@link createPrometheusRegistry} registry
 * tallies histograms itself and finds a frozen set's series by identity).
 */
export class GatewayMetrics {
  readonly #registry: PrometheusRegistry;
  readonly #duration: Histogram;
  readonly #timeToFirstToken: Histogram;
  /** Requests by method, route and status; each entry's attributes serve the histogram too. */
  readonly #requests = new Map<string, { attributes: Attributes; value: number }>();
  /** Per target: the TTFT attributes and the token counts by type, counted and estimated apart. */
  readonly #targets = new Map<string, TargetTokens>();

  constructor(router: Router, inFlightRequests: () => number, registry: PrometheusRegistry) {
    this.#registry = registry;
    const meter = registry.meterProvider.getMeter('@switchyard/server');
    this.#duration = meter.createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP requests to the gateway, to the last byte of the answer',
      unit: 's',
      advice: { explicitBucketBoundaries: secondsBuckets },
    });
    const requests = meter.createObservableCounter('switchyard.gateway.requests', {
      description: 'Requests the gateway answered, by route and HTTP status',
      unit: '{request}',
    });
    this.#timeToFirstToken = meter.createHistogram('switchyard.gateway.time_to_first_token', {
      description: 'Time to the first token of the answering attempt, as the router measured it, by target',
      unit: 's',
      advice: { explicitBucketBoundaries: secondsBuckets },
    });
    const tokens = meter.createObservableCounter('switchyard.gateway.tokens', {
      description: 'Tokens of answered chat requests, by target and token type',
      unit: '{token}',
    });
    meter
      .createObservableGauge('switchyard.gateway.in_flight', {
        description: 'Requests the gateway is handling now',
        unit: '{request}',
      })
      .addCallback((result) => result.observe(inFlightRequests()));
    const spend = meter.createObservableCounter('switchyard.target.spend', {
      description: 'US dollars spent on each target since the router started',
      unit: 'USD',
    });
    const circuit = meter.createObservableGauge('switchyard.target.circuit.state', {
      description: "Each target's circuit breaker: 1 for its current state, 0 for the others",
    });
    const inFlight = meter.createObservableGauge('switchyard.target.in_flight', {
      description: 'Calls running on each target now',
      unit: '{call}',
    });
    const queueDepth = meter.createObservableGauge('switchyard.target.queue.depth', {
      description: "Requests waiting in each local target's queue",
      unit: '{request}',
    });
    meter.addBatchObservableCallback(
      (observer) => {
        for (const { attributes, value } of this.#requests.values()) observer.observe(requests, value, attributes);
        for (const entry of this.#targets.values()) {
          observer.observe(tokens, entry.inputTokens, entry.input);
          observer.observe(tokens, entry.outputTokens, entry.output);
          // A series of its own only once the router estimated some (a target that does not count tokens), as the
          // router's `gen_ai.client.token.usage` does: counted tokens keep the series they always had.
          if (entry.estimated !== undefined) {
            observer.observe(tokens, entry.estimated.inputTokens, entry.estimated.input);
            observer.observe(tokens, entry.estimated.outputTokens, entry.estimated.output);
          }
        }
        let stats: ReturnType<Router['stats']>;
        try {
          stats = router.stats();
        } catch {
          return;
        }
        for (const [target, entry] of Object.entries(stats)) {
          const attributes = { 'switchyard.route.target': target, 'switchyard.route.locality': entry.locality };
          observer.observe(spend, entry.spentUsd, attributes);
          observer.observe(inFlight, entry.inFlight, attributes);
          observer.observe(queueDepth, entry.queueDepth, attributes);
          for (const state of circuitStates) {
            observer.observe(circuit, entry.circuit === state ? 1 : 0, {
              ...attributes,
              'switchyard.circuit.state': state,
            });
          }
        }
      },
      [requests, tokens, spend, circuit, inFlight, queueDepth],
    );
  }

  /** One finished request: method, known route (else `other`), status and seconds. */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let entry = this.#requests.get(key);
    if (!entry) {
      entry = {
        // Frozen: the registry's histograms find a frozen attribute set's series by identity.
        attributes: Object.freeze({
          'http.request.method': method,
          'http.route': route,
          'http.response.status_code': status,
        }),
        value: 0,
      };
      this.#requests.set(key, entry);
    }
    entry.value += 1;
    this.#duration.record(seconds, entry.attributes);
  }

  /**
   * A chat request that got an answer: its time to first token and its tokens, by the target that answered; tokens
   * the router estimated (`usageEstimated`: the target reported none) are counted apart, with
   * `switchyard.usage.estimated: true`.
   */
  recordAnswer(target: string, ttftMs: number | undefined, usage: Usage | undefined, usageEstimated = false): void {
    let entry = this.#targets.get(target);
    if (!entry) {
      const attributes = Object.freeze({ 'switchyard.route.target': target });
      entry = { attributes, ...tokenCounts(attributes) };
      this.#targets.set(target, entry);
    }
    if (ttftMs !== undefined) this.#timeToFirstToken.record(ttftMs / 1000, entry.attributes);
    if (usage) {
      let counts: TokenCounts = entry;
      if (usageEstimated) {
        entry.estimated ??= tokenCounts({ ...entry.attributes, 'switchyard.usage.estimated': true });
        counts = entry.estimated;
      }
      counts.inputTokens += usage.inputTokens;
      counts.outputTokens += usage.outputTokens;
    }
  }

  /** Writes the Prometheus text exposition of every metric above. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    this.#registry.serve(request, response);
  }
}
