import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway, PrometheusRegistry, RouterFromConfig } from '../src/index.js';
import { createGateway, createPrometheusRegistry, createRouterFromConfig, parseConfig } from '../src/index.js';

const authToken = 'gw-tallied-token-7';

/** A registry as the gateway had it before histograms were tallied: the SDK records every measurement itself. */
function plainSdkRegistry(): PrometheusRegistry {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  return {
    meterProvider: provider,
    serve: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => provider.shutdown(),
  };
}

interface Arm {
  registry: PrometheusRegistry;
  built: RouterFromConfig;
  gateway: Gateway;
  url: string;
}

// Two gateways built as `switchyard serve` builds its one (router and gateway on one registry, an openai target on a
// loopback OpenAI-compatible stand-in, real adapter), one on createPrometheusRegistry(), one on a plain SDK registry.
describe('/metrics of a tallied registry against the plain OpenTelemetry SDK (loopback OpenAI stand-in)', () => {
  let upstream: OpenAIUpstream;
  const arms: Arm[] = [];

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['metrics', ' are', ' counted'] }) });
    for (const registry of [createPrometheusRegistry(), plainSdkRegistry()]) {
      const built = await createRouterFromConfig(
        parseConfig({
          targets: { gpu: { adapter: 'openai', baseURL: upstream.baseURL, model: 'zero' } },
          policy: { mode: 'remote-only', execution: { retries: 0 } },
        }),
        { telemetry: { meterProvider: registry.meterProvider } },
      );
      const gateway = createGateway({ router: built.router, authToken, metrics: { registry } });
      arms.push({ registry, built, gateway, url: await gateway.listen({ port: 0 }) });
    }
  });

  afterAll(async () => {
    for (const arm of arms) {
      await arm.gateway.close({ graceMs: 1000 });
      await arm.built.dispose();
      await arm.registry.shutdown();
    }
    await upstream?.close();
  });

  /** The same requests, one at a time: JSON answers, streams with and without usage, a wrong model, no token. */
  async function scriptedRequests(url: string): Promise<number[]> {
    const statuses: number[] = [];
    const send = async (body: Record<string, unknown>, token = authToken) => {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Count me' }], max_tokens: 8, ...body }),
      });
      await response.text();
      statuses.push(response.status);
    };
    for (let index = 0; index < 3; index += 1) await send({ model: 'switchyard/auto' });
    await send({ model: 'gpu', stream: true, stream_options: { include_usage: true } });
    await send({ model: 'switchyard/auto', stream: true });
    await send({ model: 'no-such-model' });
    await send({ model: 'gpu' }, 'wrong-token');
    return statuses;
  }

  /**
   * Every line of a scrape that does not depend on timing, sorted: metadata, counters, gauges, token histograms whole,
   * and of the latency histograms (request duration, operation duration, time to first token) the series and counts.
   */
  async function timelessLines(url: string): Promise<string[]> {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${authToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line !== '' && !/^target_info/.test(line))
      .filter((line) => !/(duration|time_to_first)\w*_(sum|bucket)\{/.test(line) || /le="\+Inf"/.test(line))
      .sort();
  }

  it('shows the same series and values for the same scripted requests', async () => {
    const [tallied, plain] = arms as [Arm, Arm];
    expect(await scriptedRequests(tallied.url)).toEqual([200, 200, 200, 200, 200, 404, 401]);
    expect(await scriptedRequests(plain.url)).toEqual([200, 200, 200, 200, 200, 404, 401]);
    // A request is counted once the gateway finished it, just after the client read its last byte.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const expected = await timelessLines(plain.url);
    const actual = await timelessLines(tallied.url);
    expect(actual).toEqual(expected);
    // What those lines hold, so an empty scrape on both sides cannot pass.
    expect(actual).toEqual(
      expect.arrayContaining([
        'http_server_request_duration_count{http_request_method="POST",http_route="/v1/chat/completions",http_response_status_code="200"} 5',
        'switchyard_gateway_time_to_first_token_count{switchyard_route_target="gpu"} 2',
        'gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="zero",server_address="127.0.0.1",server_port="' +
          new URL(upstream.baseURL).port +
          '",gen_ai_token_type="output"} 15',
      ]),
    );
  });
});
