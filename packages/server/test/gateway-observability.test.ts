import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ensureTinyModel, type OpenAIUpstream, startOpenAIUpstream } from '@switchyard/testkit';
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Gateway, PrometheusRegistry, RouterFromConfig } from '../src/index.js';
import {
  createGateway,
  createJsonLogger,
  createPrometheusRegistry,
  createRouterFromConfig,
  parseConfig,
} from '../src/index.js';

const authToken = 'gw-observability-token-42';
const upstreamKey = 'sk-upstream-observability-77';
const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

// The remote target is the real OpenAI adapter against a loopback OpenAI-compatible stand-in (it records the headers
// it receives); the local one is llama.cpp in process on the generated tiny model; traces go to the real OpenTelemetry
// SDK's in-memory exporter, registered globally the way an app would.
describe('gateway observability: /metrics, request log, traceparent (llama.cpp in process + loopback OpenAI stand-in)', () => {
  let upstream: OpenAIUpstream;
  let built: RouterFromConfig;
  let gateway: Gateway;
  let registry: PrometheusRegistry;
  let url: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    trace.setGlobalTracerProvider(tracerProvider);
    upstream = await startOpenAIUpstream({ answer: () => ({ words: ['all', ' aboard'], eventDelayMs: 1 }) });
    const modelPath = await ensureTinyModel();
    // The router records its GenAI metrics into the registry the gateway serves, as `switchyard serve` does.
    registry = createPrometheusRegistry();
    built = await createRouterFromConfig(
      parseConfig({
        targets: {
          device: { adapter: 'llamacpp', modelPath, threads: 1, contextSize: 512 },
          remote: {
            adapter: 'openai',
            baseURL: upstream.baseURL,
            model: 'slow',
            apiKey: upstreamKey,
            price: { inputPer1M: 1000, outputPer1M: 2000 },
          },
        },
        policy: { mode: 'prefer-local', execution: { retries: 0 } },
      }),
      { telemetry: { meterProvider: registry.meterProvider } },
    );
    gateway = createGateway({
      router: built.router,
      authToken,
      logger: createJsonLogger({ write: (line: string) => logLines.push(line) }),
      metrics: { registry },
    });
    url = await gateway.listen({ port: 0 });
  });

  afterAll(async () => {
    await gateway?.close({ graceMs: 1000 });
    await built?.dispose();
    await registry?.shutdown();
    await upstream?.close();
    trace.disable();
    await tracerProvider.shutdown();
  });

  beforeEach(() => {
    exporter.reset();
    logLines.length = 0;
  });

  const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      signal,
      headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8, ...body }),
    });

  interface Scrape {
    families: PrometheusFamily[];
    text: string;
  }

  async function scrape(): Promise<Scrape> {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${authToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    // The parser throws on any line that is not valid text exposition; it is used for counters and gauges.
    return { families: parsePrometheusTextFormat(text), text };
  }

  /**
   * One labelled histogram series, read strictly from the exposition lines: parse-prometheus-text-format merges every
   * series of a labelled histogram into one, so buckets, `_count` and `_sum` are matched here by name and exact labels.
   */
  function histogram(text: string, name: string, labels: Record<string, string>) {
    const wanted = Object.entries(labels);
    const buckets = new Map<string, number>();
    let count: number | undefined;
    let total: number | undefined;
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
      if (!match?.[1]?.startsWith(name)) continue;
      const pairs = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
      );
      if (!wanted.every(([key, value]) => pairs[key] === value)) continue;
      if (Object.keys(pairs).filter((key) => key !== 'le').length !== wanted.length) continue;
      const value = Number(match[3]);
      if (match[1] === `${name}_bucket`) buckets.set(pairs.le ?? '', value);
      else if (match[1] === `${name}_count`) count = value;
      else if (match[1] === `${name}_sum`) total = value;
    }
    return { buckets, count: count ?? 0, sum: total ?? 0 };
  }

  function family(families: PrometheusFamily[], name: string): PrometheusFamily {
    const found = families.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no ${name} among ${families.map((candidate) => candidate.name).join(', ')}`);
    return found;
  }

  const sum = (found: PrometheusFamily, labels: Record<string, string>) =>
    found.metrics
      .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value))
      .reduce((total, sample) => total + Number(sample.value ?? 0), 0);

  it('guards /metrics with the API bearer token unless configured public, and 404s when turned off', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const open = createGateway({ router: built.router, authToken, metrics: { public: true } });
    const off = createGateway({ router: built.router, authToken, metrics: false });
    try {
      const openURL = await open.listen({ port: 0 });
      const offURL = await off.listen({ port: 0 });
      const publicScrape = await fetch(`${openURL}/metrics`);
      expect(publicScrape.status).toBe(200);
      expect(await publicScrape.text()).toMatch(/^# HELP /m);
      // The API itself stays behind the token on a gateway whose metrics are public.
      expect((await fetch(`${openURL}/v1/models`)).status).toBe(401);
      expect((await fetch(`${offURL}/metrics`, { headers: { authorization: `Bearer ${authToken}` } })).status).toBe(
        404,
      );
    } finally {
      await open.close({ graceMs: 100 });
      await off.close({ graceMs: 100 });
    }
  });

  it('exposes requests by status, latency and TTFT histograms, tokens, spend, circuit state, in-flight and queue depth after a small load', async () => {
    const before = await scrape();
    const okBefore = sum(family(before.families, 'switchyard_gateway_requests_total'), {
      http_response_status_code: '200',
      http_route: '/v1/chat/completions',
    });
    const answers = await Promise.all([
      chat({ model: 'remote' }),
      chat({ model: 'remote' }),
      chat({ model: 'remote', stream: true, stream_options: { include_usage: true } }),
      chat({ model: 'device' }),
      chat({ model: 'switchyard/auto', stream: true }),
      chat({ model: 'no-such-model' }),
    ]);
    await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 404]);
    // A request is counted once the gateway finished it, which may be just after the client read its last byte.
    const { families, text } = await vi.waitFor(async () => {
      const scraped = await scrape();
      const ok = sum(family(scraped.families, 'switchyard_gateway_requests_total'), {
        http_response_status_code: '200',
        http_route: '/v1/chat/completions',
      });
      expect(ok - okBefore).toBe(5);
      return scraped;
    });

    const requests = family(families, 'switchyard_gateway_requests_total');
    expect(requests.type).toBe('COUNTER');
    expect(sum(requests, { http_response_status_code: '404' })).toBeGreaterThanOrEqual(1);

    expect(family(families, 'http_server_request_duration').type).toBe('HISTOGRAM');
    const chatLatency = histogram(text, 'http_server_request_duration', {
      http_request_method: 'POST',
      http_route: '/v1/chat/completions',
      http_response_status_code: '200',
    });
    expect(chatLatency.count).toBeGreaterThanOrEqual(5);
    expect(chatLatency.buckets.get('+Inf')).toBe(chatLatency.count);
    expect(chatLatency.sum).toBeGreaterThan(0);
    const counts = [...chatLatency.buckets.values()];
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // cumulative buckets

    expect(family(families, 'switchyard_gateway_time_to_first_token').type).toBe('HISTOGRAM');
    const ttftRemote = histogram(text, 'switchyard_gateway_time_to_first_token', { switchyard_route_target: 'remote' });
    const ttftDevice = histogram(text, 'switchyard_gateway_time_to_first_token', { switchyard_route_target: 'device' });
    // The two JSON requests pinned to remote are answered whole (the router asks the OpenAI target for one JSON body):
    // no time to first token. The streamed one to remote and the device's have one; switchyard/auto (streamed) prefers
    // the device but may spill while it is busy.
    expect(ttftRemote.count).toBeGreaterThanOrEqual(1);
    expect(ttftDevice.count).toBeGreaterThanOrEqual(1);
    expect(ttftRemote.count + ttftDevice.count).toBe(3);
    expect(ttftRemote.buckets.get('+Inf')).toBe(ttftRemote.count);

    const tokens = family(families, 'switchyard_gateway_tokens_total');
    expect(tokens.type).toBe('COUNTER');
    expect(sum(tokens, { switchyard_route_target: 'remote', gen_ai_token_type: 'output' })).toBeGreaterThanOrEqual(3);
    expect(sum(tokens, { switchyard_route_target: 'remote', gen_ai_token_type: 'input' })).toBeGreaterThanOrEqual(3);
    expect(sum(tokens, { switchyard_route_target: 'device', gen_ai_token_type: 'output' })).toBeGreaterThan(0);

    const spend = family(families, 'switchyard_target_spend_total');
    expect(sum(spend, { switchyard_route_target: 'remote' })).toBeGreaterThan(0);
    expect(sum(spend, { switchyard_route_target: 'device' })).toBe(0);

    const circuit = family(families, 'switchyard_target_circuit_state');
    expect(sum(circuit, { switchyard_route_target: 'remote', switchyard_circuit_state: 'closed' })).toBe(1);
    expect(sum(circuit, { switchyard_route_target: 'remote', switchyard_circuit_state: 'open' })).toBe(0);
    expect(
      family(families, 'switchyard_target_in_flight')
        .metrics.map((sample) => sample.labels?.switchyard_route_target)
        .sort(),
    ).toEqual(['device', 'remote']);
    expect(sum(family(families, 'switchyard_target_queue_depth'), {})).toBe(0);
    // The router's own GenAI metrics, through the same registry.
    expect(family(families, 'gen_ai_client_token_usage').type).toBe('HISTOGRAM');
    const remoteOutput = histogram(text, 'gen_ai_client_token_usage', {
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'slow',
      server_address: '127.0.0.1',
      server_port: new URL(upstream.baseURL).port,
      gen_ai_token_type: 'output',
    });
    expect(remoteOutput.count).toBeGreaterThanOrEqual(3);
    expect(family(families, 'gen_ai_client_operation_duration').type).toBe('HISTOGRAM');
    const decisions = family(families, 'switchyard_route_decisions_total');
    expect(decisions.type).toBe('COUNTER');
    expect(sum(decisions, { switchyard_route_target: 'remote' })).toBeGreaterThanOrEqual(3);
    // The scrape itself is the one request in flight.
    expect(sum(family(families, 'switchyard_gateway_in_flight'), {})).toBe(1);
  });

  it("echoes the caller's x-request-id once on every kind of answer, beside the headers each answer needs", async () => {
    const id = (name: string) => ({ 'x-request-id': `client-req-${name}` });
    const token = { authorization: `Bearer ${authToken}` };
    const answers = {
      json: await chat({ model: 'remote' }, id('json')),
      stream: await chat({ model: 'remote', stream: true }, id('stream')),
      invalid: await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...token, ...id('invalid'), 'content-type': 'application/json' },
        body: '{"model":',
      }),
      unauthorized: await fetch(`${url}/v1/models`, { headers: id('unauthorized') }),
      wrongMethod: await fetch(`${url}/v1/chat/completions`, { headers: { ...token, ...id('wrongMethod') } }),
      unknown: await fetch(`${url}/v1/nothing-here`, { headers: { ...token, ...id('unknown') } }),
      models: await fetch(`${url}/v1/models`, { headers: { ...token, ...id('models') } }),
      health: await fetch(`${url}/health`, { headers: id('health') }),
      metrics: await fetch(`${url}/metrics`, { headers: { ...token, ...id('metrics') } }),
    };
    const bodies = Object.fromEntries(
      await Promise.all(Object.entries(answers).map(async ([name, answer]) => [name, await answer.text()] as const)),
    );
    // One value each: a header written twice would read "a, b" here.
    for (const [name, answer] of Object.entries(answers))
      expect(answer.headers.get('x-request-id')).toBe(`client-req-${name}`);
    expect(Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.status]))).toEqual({
      json: 200,
      stream: 200,
      invalid: 400,
      unauthorized: 401,
      wrongMethod: 405,
      unknown: 404,
      models: 200,
      health: 200,
      metrics: 200,
    });
    for (const name of ['json', 'invalid', 'unauthorized', 'wrongMethod', 'unknown', 'models', 'health'] as const) {
      expect(answers[name].headers.get('content-type')).toBe('application/json');
      expect(Number(answers[name].headers.get('content-length'))).toBe(Buffer.byteLength(bodies[name] ?? ''));
      JSON.parse(bodies[name] ?? '');
    }
    expect(answers.json.headers.get('x-switchyard-target')).toBe('remote');
    expect(answers.json.headers.get('x-switchyard-locality')).toBe('remote');
    expect(answers.stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(answers.stream.headers.get('cache-control')).toBe('no-cache');
    expect(answers.stream.headers.get('x-accel-buffering')).toBe('no');
    expect(answers.stream.headers.get('x-switchyard-target')).toBe('remote');
    expect(bodies.stream).toContain('data: [DONE]');
    expect(answers.unauthorized.headers.get('www-authenticate')).toBe('Bearer');
    expect(answers.wrongMethod.headers.get('allow')).toBe('POST');
    expect(answers.metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(bodies.metrics).toContain('http_server_request_duration');
  });

  it('writes one JSON log line per request with its request id, echoed in x-request-id, and never the token or the upstream key', async () => {
    const given = await chat({ model: 'remote' }, { 'x-request-id': 'client-req-0001' });
    const malformed = await chat({ model: 'remote' }, { 'x-request-id': 'not a valid id' });
    const generated = await chat({ model: 'device', stream: true });
    const missing = await fetch(`${url}/v1/models`);
    await Promise.all([given, malformed, generated, missing].map((response) => response.text()));
    expect(given.headers.get('x-request-id')).toBe('client-req-0001');
    expect(malformed.headers.get('x-request-id')).toMatch(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[\da-f]{4}-[\da-f]{12}$/);
    expect(generated.headers.get('x-request-id')).toMatch(/^[\da-f-]{36}$/);
    expect(missing.status).toBe(401);

    // Each line is written once the gateway finished the request, possibly just after the client read it all.
    await vi.waitFor(() => expect(logLines).toHaveLength(4));
    const byId = new Map(
      logLines.map((line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return [entry.requestId, entry];
      }),
    );
    const entries = [given, malformed, generated, missing].map((response) =>
      byId.get(response.headers.get('x-request-id')),
    );
    expect(entries[0]).toMatchObject({
      msg: 'request',
      level: 30,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      target: 'remote',
      locality: 'remote',
    });
    // What the stand-in's answer used (its usage chunk on streams, as the router asks for one).
    expect(entries[0]?.inputTokens).toBeGreaterThan(0);
    expect(entries[0]?.outputTokens).toBeGreaterThan(0);
    expect(typeof entries[0]?.durationMs).toBe('number');
    expect(entries[0]?.traceId).toMatch(/^[\da-f]{32}$/);
    expect(entries[2]).toMatchObject({ status: 200, target: 'device', locality: 'local' });
    expect(entries[3]).toMatchObject({ status: 401, path: '/v1/models' });
    // Every client read its answer to the end: none of them closed early.
    expect(entries.map((entry) => entry?.clientClosed)).toEqual([undefined, undefined, undefined, undefined]);
    const all = logLines.join('\n');
    expect(all).not.toContain(authToken);
    expect(all).not.toContain(upstreamKey);
    expect(all.toLowerCase()).not.toContain('authorization');
    expect(all).not.toContain('Hello');
  });

  it('marks the log line of a stream the client closed mid-answer, and only that one', async () => {
    const controller = new AbortController();
    const cut = await chat({ model: 'device', stream: true, max_tokens: 200 }, {}, controller.signal);
    const reader = cut.body!.getReader();
    await reader.read(); // the first bytes are in: the answer has started (logged as 499, nginx's "client closed")
    controller.abort();
    await reader.closed.catch(() => undefined);
    const whole = await chat({ model: 'device', stream: true, max_tokens: 4 });
    await whole.text();
    await vi.waitFor(() => expect(logLines).toHaveLength(2));
    const byId = new Map(logLines.map((line) => [JSON.parse(line).requestId, JSON.parse(line)]));
    expect(byId.get(cut.headers.get('x-request-id'))).toMatchObject({ status: 499, clientClosed: true });
    expect(byId.get(whole.headers.get('x-request-id'))?.clientClosed).toBeUndefined();
  });

  it("honours an incoming traceparent: the gateway's SERVER span is the parent of the router's request span, and the upstream gets the attempt span", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    upstream.headers.length = 0;
    const response = await chat({ model: 'remote' }, { traceparent: `00-${traceId}-${callerSpanId}-01` });
    expect(response.status).toBe(200);
    await response.text();
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(server?.name).toBe('POST /v1/chat/completions');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(server?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'switchyard.request.id': response.headers.get('x-request-id'),
    });
    const request = spans.find((span) => span.name === 'chat');
    expect(request?.spanContext().traceId).toBe(traceId);
    expect(request?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    const attempt = spans.find((span) => span.name === 'chat slow');
    expect(attempt?.kind).toBe(SpanKind.CLIENT);
    expect(attempt?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(attempt?.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'gen_ai.provider.name': 'openai' });
    expect(upstream.headers.at(-1)?.traceparent).toBe(`00-${traceId}-${attempt?.spanContext().spanId}-01`);
  });
});
