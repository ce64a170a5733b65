import {
  AbortError,
  ApiCallError,
  InvalidResponseError,
  SwitchyardError,
  type TargetCall,
  TimeoutError,
} from '@switchyard/contract';
import { runTargetFaultConformance } from '@switchyard/contract/testing';
import {
  sseChunk as chunk,
  collect,
  sseDone as done,
  type FaultProxy,
  type OpenAIUpstream,
  type OpenAIUpstreamScript,
  startFaultProxy,
  startOpenAIUpstream,
  sseUsageChunk as usageChunk,
} from '@switchyard/testkit';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAITarget, type OpenAITarget } from '../src/index.js';

/** A plain text answer streamed word by word, with usage and `[DONE]`. */
const textScript: OpenAIUpstreamScript = () => [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' from' }),
  chunk({ content: ' the' }),
  chunk({ content: ' yard' }),
  chunk({}, 'stop'),
  usageChunk(7, 4),
  done,
];
const models = [{ id: 'scripted', owned_by: 'test', max_model_len: 4096 }];

const apiKey = 'sk-test-0123456789abcdef';
const call: TargetCall = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 8 };

async function streamError(target: OpenAITarget, extra: Partial<TargetCall> = {}): Promise<unknown> {
  return collect(target.stream({ ...call, ...extra })).then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function generateError(target: OpenAITarget): Promise<unknown> {
  return target.generate(call).then(
    () => undefined,
    (error: unknown) => error,
  );
}

function expectNoSecret(error: unknown): void {
  expect(SwitchyardError.isInstance(error)).toBe(true);
  const record = error as SwitchyardError & { responseBody?: string };
  for (const text of [record.message, JSON.stringify(record), record.responseBody ?? '', String(record.stack)]) {
    expect(text).not.toContain(apiKey);
  }
}

describe('adapter-openai: the shared fault suite against a scripted stand-in upstream', () => {
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  beforeAll(async () => {
    upstream = await startOpenAIUpstream({ script: textScript, models });
    proxy = await startFaultProxy({ upstream: upstream.url });
  });
  afterAll(async () => {
    await proxy?.close();
    await upstream?.close();
  });

  runTargetFaultConformance({
    name: 'adapter-openai through the fault proxy',
    faults: () => proxy,
    createTarget: (baseURL) =>
      createOpenAITarget({ baseURL: `${baseURL}/v1`, model: 'scripted', apiKey, timeoutMs: 1500 }),
  });
});

describe('adapter-openai against a fault-injecting proxy', () => {
  let upstream: OpenAIUpstream;
  let proxy: FaultProxy;
  let agent: Agent;
  let target: OpenAITarget;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream({ script: textScript, models });
    proxy = await startFaultProxy({ upstream: upstream.url });
    agent = new Agent({ connections: 4 });
    target = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'scripted', apiKey, dispatcher: agent });
  });
  afterEach(() => {
    proxy.setFault(null);
    upstream.setScript(textScript);
  });
  afterAll(async () => {
    await target?.dispose?.();
    await agent?.close();
    await proxy?.close();
    await upstream?.close();
  });

  it('streams text deltas, then usage, then one finish', async () => {
    const parts = await collect(target.stream(call));
    expect(parts).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' from' },
      { type: 'text-delta', text: ' the' },
      { type: 'text-delta', text: ' yard' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 4 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
    const body = upstream.bodies.at(-1);
    expect(body).toMatchObject({ model: 'scripted', stream: true, stream_options: { include_usage: true } });
  });

  it('sends the API key only as a bearer token header', async () => {
    proxy.clearRequests();
    await target.generate(call);
    const [request] = proxy.requests;
    expect(request?.rawHeaders).toContain(`Bearer ${apiKey}`);
    expect(request?.body.toString('utf8')).not.toContain(apiKey);
  });

  it('keeps a multi-byte character that a network chunk cuts in two', async () => {
    const text = 'Grüße aus Zürich 👋';
    upstream.setScript(() => {
      const bytes = Buffer.from(chunk({ content: text }));
      const cut = bytes.indexOf(Buffer.from('👋')) + 2;
      return [bytes.subarray(0, cut), bytes.subarray(cut), chunk({}, 'stop'), done];
    });
    // Straight to the upstream: the fault proxy forwards whole SSE events, which would hide the cut.
    const direct = createOpenAITarget({ baseURL: `${upstream.url}/v1`, model: 'scripted', dispatcher: agent });
    const parts = await collect(direct.stream(call));
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => part.text)).toEqual([text]);
  });

  it('assembles tool-call deltas split across chunks, ignoring keep-alive comments', async () => {
    upstream.setScript(() => {
      const first = chunk({
        tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_', arguments: '' } }],
      });
      return [
        ': keep-alive\n\n',
        first.slice(0, 25),
        first.slice(25),
        chunk({ tool_calls: [{ index: 0, function: { name: 'weather', arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', function: { name: 'get_time', arguments: '{}' } }] }),
        ': still here\n\n',
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
        chunk({}, 'tool_calls'),
        `${usageChunk(9, 12).slice(0, 10)}`,
        `${usageChunk(9, 12).slice(10)}${done}`,
      ];
    });
    const parts = await collect(target.stream(call));
    expect(parts).toEqual([
      { type: 'tool-call', toolCall: { id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' } },
      { type: 'tool-call', toolCall: { id: 'call_b', name: 'get_time', arguments: '{}' } },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 12 } },
      { type: 'finish', finishReason: 'tool-calls' },
    ]);
  });

  it.each([
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['function_call', 'tool-calls'],
  ])('maps finish_reason %s to %s', async (openai, spec) => {
    upstream.setScript(() => [chunk({ content: 'x' }), chunk({}, openai), done]);
    const parts = await collect(target.stream(call));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: spec });
  });

  it('turns 429 with Retry-After as an HTTP date into a retryable ApiCallError', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    proxy.queueFaults({ type: 'status', status: 429, retryAfter: date });
    const error = (await generateError(target)) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.retryAfterMs).toBeGreaterThan(30_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    // The queue covered one request only.
    await expect(target.generate(call)).resolves.toMatchObject({ text: 'Hello from the yard' });
  });

  it('does not retry client errors, and redacts a key the server echoes back', async () => {
    proxy.setFault({
      type: 'status',
      status: 401,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${apiKey}` } }),
    });
    const error = await generateError(target);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).isRetryable).toBe(false);
    expect((error as ApiCallError).message).toContain('Incorrect API key provided: [redacted]');
    expectNoSecret(error);
  });

  it('redacts the token of an Authorization header given in headers when the server echoes it alone', async () => {
    const token = 'hdr-token-0123456789abcdef';
    const withHeader = createOpenAITarget({
      baseURL: `${proxy.url}/v1`,
      model: 'scripted',
      dispatcher: agent,
      headers: { Authorization: `Bearer ${token}` },
    });
    proxy.setFault({
      type: 'status',
      status: 401,
      body: JSON.stringify({ error: { message: `token ${token} is revoked` } }),
    });
    const error = (await withHeader.generate(call).catch((caught: unknown) => caught)) as ApiCallError;
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error.message).toContain('token [redacted] is revoked');
    for (const text of [error.message, JSON.stringify(error), error.responseBody ?? '']) {
      expect(text).not.toContain(token);
    }
  });

  it('reports malformed SSE data as a retryable InvalidResponseError', async () => {
    proxy.setFault({ type: 'malformed-sse', afterEvents: 2 });
    const error = await streamError(target);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as InvalidResponseError).isRetryable).toBe(true);
    expect((error as Error).message).toContain('not JSON');
  });

  it('never reports a stream without [DONE] as a success', async () => {
    proxy.setFault({ type: 'drop-done' });
    const error = await streamError(target);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('without [DONE]');
    expect((error as InvalidResponseError).isRetryable).toBe(true);
  });

  it('never reports a stream cut before its finish reason as a success', async () => {
    proxy.setFault({ type: 'end-after-events', events: 3 });
    expect(InvalidResponseError.isInstance(await streamError(target))).toBe(true);
    upstream.setScript(() => [chunk({ content: 'x' }), done]);
    proxy.setFault(null);
    const error = await streamError(target);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('without a finish_reason');
  });

  it('reports truncated JSON from a non-streaming call as an InvalidResponseError', async () => {
    proxy.setFault({ type: 'status', status: 200, body: '{"choices":[{"message":{"content":"hal' });
    const error = await generateError(target);
    expect(InvalidResponseError.isInstance(error)).toBe(true);
  });

  it('times out a slow first token with a retryable first-token TimeoutError', async () => {
    const slow = createOpenAITarget({
      baseURL: `${proxy.url}/v1`,
      model: 'scripted',
      dispatcher: agent,
      firstTokenTimeoutMs: 150,
    });
    proxy.setFault({ type: 'delay-first-byte', ms: 5000 });
    const error = await streamError(slow);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('first-token');
    expect((error as TimeoutError).isRetryable).toBe(true);
    // A delay shorter than the deadline is just slow, not an error.
    proxy.setFault({ type: 'delay-first-byte', ms: 20 });
    const parts = await collect(slow.stream(call));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('rejects with an AbortError when the caller aborts a hung request', async () => {
    proxy.setFault({ type: 'hang' });
    const controller = new AbortController();
    const pending = target.generate({ ...call, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toSatisfy(AbortError.isInstance);
  });

  it('never calls the global fetch: generate, stream, health probe and model list all go through undici', async () => {
    const original = globalThis.fetch;
    let fetchCalls = 0;
    globalThis.fetch = (() => {
      fetchCalls += 1;
      return Promise.reject(new Error('global fetch must not be used'));
    }) as typeof fetch;
    try {
      const own = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'scripted', healthCacheMs: 0 });
      await expect(own.generate(call)).resolves.toMatchObject({ finishReason: 'stop' });
      expect((await collect(own.stream(call))).at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
      expect(await own.checkStatus?.()).toEqual({ state: 'ready' });
      expect(await own.listModels()).toHaveLength(1);
      await own.dispose?.();
    } finally {
      globalThis.fetch = original;
    }
    expect(fetchCalls).toBe(0);
  });

  it('turns an error event inside the stream into an ApiCallError with its code', async () => {
    upstream.setScript(() => [
      chunk({ content: 'x' }),
      `data: ${JSON.stringify({ error: { message: 'slot unavailable', code: 503 } })}\n\n`,
    ]);
    const error = await streamError(target);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).status).toBe(503);
    expect((error as ApiCallError).message).toContain('slot unavailable');
  });

  it('reports loading, unavailable and ready from the health probe, and caches the answer', async () => {
    const probed = createOpenAITarget({
      baseURL: `${proxy.url}/v1`,
      model: 'scripted',
      apiKey,
      dispatcher: agent,
      healthURL: `${proxy.url}/health`,
      healthCacheMs: 0,
    });
    proxy.queueFaults({ type: 'status', status: 503 }, { type: 'status', status: 401 });
    expect(await probed.checkStatus?.()).toEqual({ state: 'loading' });
    const unavailable = await probed.checkStatus?.();
    expect(unavailable?.state).toBe('unavailable');
    expect(JSON.stringify(unavailable)).toContain('401');
    expect(JSON.stringify(unavailable)).not.toContain(apiKey);
    expect(await probed.checkStatus?.()).toEqual({ state: 'ready' });
    expect(probed.status()).toEqual({ state: 'ready' });

    const cached = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'scripted', dispatcher: agent });
    proxy.clearRequests();
    await Promise.all([cached.checkStatus?.(), cached.checkStatus?.()]);
    await cached.checkStatus?.();
    // One health probe, plus the one-time continuation detection (the servers' identity routes), both cached.
    expect(proxy.requests.map((request) => request.path).sort()).toEqual([
      '/api/version',
      '/get_model_info',
      '/info',
      '/props',
      '/v1/models',
      '/v1/models',
    ]);
    expect(await cached.listModels()).toEqual([{ id: 'scripted', ownedBy: 'test', contextWindow: 4096 }]);
  });

  it('rejects a health probe the caller aborts with an AbortError and keeps the last status', async () => {
    const probed = createOpenAITarget({
      baseURL: `${proxy.url}/v1`,
      model: 'scripted',
      dispatcher: agent,
      healthCacheMs: 0,
    });
    proxy.queueFaults({ type: 'hang' });
    const controller = new AbortController();
    const pending = probed.checkStatus?.({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toSatisfy(AbortError.isInstance);
    // A caller giving up is no evidence that the server is down.
    expect(probed.status()).toEqual({ state: 'ready' });
    expect(await probed.checkStatus?.()).toEqual({ state: 'ready' });
  });

  it('leaves no request running and no socket open once disposed', async () => {
    const own = createOpenAITarget({ baseURL: `${proxy.url}/v1`, model: 'scripted', connections: 2 });
    const before = proxy.openConnections();
    proxy.queueFaults(
      { type: 'reset-after-events', events: 1 },
      { type: 'malformed-sse' },
      { type: 'drop-done' },
      { type: 'status', status: 500 },
      null,
    );
    for (let index = 0; index < 4; index += 1) await streamError(own);
    await collect(own.stream(call));
    expect(proxy.openConnections()).toBeGreaterThan(before);
    await own.dispose?.();
    // Sockets close asynchronously; poll with a generous hang guard rather than a timing assertion.
    for (let tries = 0; tries < 200 && proxy.openConnections() > before; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(proxy.openConnections()).toBe(before);
  });
});
