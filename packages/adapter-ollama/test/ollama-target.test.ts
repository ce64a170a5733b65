import {
  AbortError,
  ApiCallError,
  InvalidResponseError,
  type TargetCall,
  TargetUnavailableError,
  TimeoutError,
} from '@switchyard/contract';
import { runTargetConformance, runTargetFaultConformance } from '@switchyard/contract/testing';
import {
  closedPortURL,
  collect,
  eventually,
  type FaultProxy,
  rejectionOf,
  startFaultProxy,
  textOf,
} from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaTarget, type OllamaPullProgress, type OllamaTarget } from '../src/index.js';
import { type OllamaStandIn, startOllamaStandIn } from './ollama-stand-in.js';

const ask = (extra: Partial<TargetCall> = {}): TargetCall => ({
  messages: [{ role: 'user', content: 'Tell me about the yard.' }],
  maxTokens: 16,
  temperature: 0,
  seed: 1,
  ...extra,
});

describe('against a protocol-faithful Ollama stand-in (loopback, written from the public API docs)', () => {
  let standIn: OllamaStandIn;
  const targets: OllamaTarget[] = [];
  const target = (settings: Partial<Parameters<typeof createOllamaTarget>[0]> = {}) => {
    const created = createOllamaTarget({ model: 'tiny', baseURL: standIn.url, ...settings });
    targets.push(created);
    return created;
  };

  beforeAll(async () => {
    standIn = await startOllamaStandIn();
  });
  afterAll(async () => {
    await Promise.all(targets.map((created) => created.dispose()));
    await standIn.close();
  });

  runTargetConformance({
    name: 'adapter-ollama against the Ollama stand-in',
    createTarget: () => target(),
    deterministic: true,
  });

  it('sends the native /api/chat body: num_predict, sampling options, stop, seed, keep_alive and model options', async () => {
    const ollama = target({ keepAlive: '30m', options: { num_ctx: 2048, top_k: 20 } });
    await ollama.generate(ask({ maxTokens: 5, temperature: 0.2, topP: 0.9, stop: ['\n'], seed: 7 }));
    const sent = standIn.requests.filter((entry) => entry.path === '/api/chat').at(-1)?.body;
    expect(sent).toMatchObject({
      model: 'tiny',
      stream: false,
      keep_alive: '30m',
      options: { num_ctx: 2048, top_k: 20, num_predict: 5, temperature: 0.2, top_p: 0.9, stop: ['\n'], seed: 7 },
    });
  });

  it('sends the call trace context as traceparent on /api/chat (streamed and not) and describes itself for the GenAI conventions', async () => {
    const ollama = target();
    const traceContext = { traceparent: `00-${'a1'.repeat(16)}-${'b2'.repeat(8)}-01`, tracestate: 'yard=1' };
    await ollama.generate(ask({ traceContext }));
    await collect(ollama.stream(ask({ traceContext })));
    await ollama.generate(ask());
    const chats = standIn.requests.filter((entry) => entry.path === '/api/chat').slice(-3);
    expect(chats.map((entry) => entry.headers.traceparent)).toEqual([
      traceContext.traceparent,
      traceContext.traceparent,
      undefined,
    ]);
    expect(chats[0]?.headers.tracestate).toBe('yard=1');
    expect(ollama.telemetry).toEqual({
      providerName: 'ollama',
      model: 'tiny',
      serverAddress: '127.0.0.1',
      serverPort: Number(new URL(standIn.url).port),
    });
  });

  it('reassembles NDJSON lines that arrive split across chunks', async () => {
    const fragmented = await startOllamaStandIn({ fragmentWrites: true });
    try {
      const ollama = createOllamaTarget({ model: 'tiny', baseURL: fragmented.url });
      const parts = await collect(ollama.stream(ask({ maxTokens: 6 })));
      const text = textOf(parts);
      expect(text).toBe((await target().generate(ask({ maxTokens: 6 }))).text);
      expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
    } finally {
      await fragmented.close();
    }
  });

  it('reports a model that is not pulled as unavailable with the pull command, and calls fail without retry', async () => {
    const ollama = target({ model: 'absent:7b' });
    expect(await ollama.checkStatus()).toEqual({
      state: 'unavailable',
      code: 'model-missing',
      reason: 'Ollama model "absent:7b" is not pulled — run `ollama pull absent:7b` (or call pull())',
    });
    const error = await rejectionOf(ollama.generate(ask()));
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    expect((error as TargetUnavailableError).isRetryable).toBe(false);
    expect((error as TargetUnavailableError).message).toContain('ollama pull absent:7b');
  });

  it('pulls a model with progress: status() says downloading, then ready, and the model answers', async () => {
    const ollama = target({ model: 'fresh:1b' });
    expect((await ollama.checkStatus()).state).toBe('unavailable');
    const seen: OllamaPullProgress[] = [];
    const states: string[] = [];
    await ollama.pull({
      onProgress: (progress) => {
        seen.push(progress);
        states.push(ollama.status().state);
      },
    });
    expect(states.every((state) => state === 'downloading')).toBe(true);
    const fractions = seen.map((progress) => progress.progress);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(seen.some((progress) => progress.progress > 0 && progress.progress < 1)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'success', progress: 1, totalBytes: 3_001_000 });
    expect(ollama.status()).toEqual({ state: 'ready' });
    expect((await ollama.generate(ask({ maxTokens: 3 }))).text.length).toBeGreaterThan(0);
  });

  it('ends an aborted pull with an AbortError and keeps the model unavailable', async () => {
    const ollama = target({ model: 'aborted:1b' });
    await ollama.checkStatus();
    const controller = new AbortController();
    const error = await rejectionOf(
      ollama.pull({
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.progress > 0) controller.abort();
        },
      }),
    );
    expect(AbortError.isInstance(error)).toBe(true);
    expect(ollama.status().state).toBe('unavailable');
  });

  it('fails a pull Ollama reports as impossible with the daemon’s reason', async () => {
    const error = await rejectionOf(target({ model: 'missing-model' }).pull());
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('pull model manifest: file does not exist');
  });

  it('says loading while a call waits for a cold model, and ready once it answers', async () => {
    const cold = await startOllamaStandIn({ loadDelayMs: 150 });
    const ollama = createOllamaTarget({ model: 'tiny', baseURL: cold.url });
    try {
      expect(await ollama.checkStatus()).toEqual({ state: 'ready' });
      const iterator = ollama.stream(ask({ maxTokens: 3 }))[Symbol.asyncIterator]();
      const first = iterator.next();
      expect(ollama.status()).toEqual({ state: 'loading' });
      expect((await first).value).toMatchObject({ type: 'text-delta' });
      expect(ollama.status()).toEqual({ state: 'ready' });
      await iterator.return?.();
      await ollama.checkStatus();
      expect(cold.loaded.has('tiny:latest')).toBe(true);
    } finally {
      await ollama.dispose();
      await cold.close();
    }
  });

  it('loads a model ahead of time with load(), saying loading meanwhile', async () => {
    const cold = await startOllamaStandIn({ loadDelayMs: 100 });
    const ollama = createOllamaTarget({ model: 'tiny', baseURL: cold.url });
    try {
      const loading = ollama.load();
      expect(ollama.status()).toEqual({ state: 'loading' });
      await loading;
      expect(ollama.status()).toEqual({ state: 'ready' });
      expect(cold.loaded.has('tiny:latest')).toBe(true);
    } finally {
      await ollama.dispose();
      await cold.close();
    }
  });

  it('learns tool and vision support and the Modelfile num_ctx from /api/show', async () => {
    const vision = await startOllamaStandIn({ capabilities: ['completion', 'vision'], modelfileNumCtx: 16_384 });
    const ollama = createOllamaTarget({ model: 'tiny', baseURL: vision.url });
    const pinned = createOllamaTarget({
      model: 'tiny',
      baseURL: vision.url,
      capabilities: { tools: true, contextWindow: 1024 },
    });
    try {
      expect(ollama.capabilities).toMatchObject({ tools: false, images: false, contextWindow: 4096 });
      await ollama.checkStatus();
      expect(ollama.capabilities).toMatchObject({
        tools: false,
        images: true,
        jsonSchema: true,
        contextWindow: 16_384,
      });
      await pinned.checkStatus();
      expect(pinned.capabilities).toMatchObject({ tools: true, images: true, contextWindow: 1024 });
    } finally {
      await Promise.all([ollama.dispose(), pinned.dispose()]);
      await vision.close();
    }
  });

  it('reports an embedding-only model as unavailable', async () => {
    const embedding = await startOllamaStandIn({ capabilities: ['embedding'] });
    const ollama = createOllamaTarget({ model: 'tiny', baseURL: embedding.url });
    try {
      const status = await ollama.checkStatus();
      expect(status.state).toBe('unavailable');
      expect(status.state === 'unavailable' && status.reason).toContain('cannot generate text');
    } finally {
      await ollama.dispose();
      await embedding.close();
    }
  });

  it('turns tool calls with object arguments into JSON text, streamed and not, finishing with tool-calls', async () => {
    const ollama = target({ capabilities: { tools: true } });
    const tools = [
      {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const result = await ollama.generate(ask({ tools }));
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls).toHaveLength(1);
    expect(result.toolCalls[0]).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(result.toolCalls[0]?.id).toMatch(/^call_/);
    const parts = await collect(ollama.stream(ask({ tools })));
    expect(parts.filter((part) => part.type === 'tool-call')).toHaveLength(1);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
    const sent = standIn.requests.filter((entry) => entry.path === '/api/chat').at(-1)?.body;
    expect(sent?.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', parameters: tools[0]?.parameters } },
    ]);
  });

  it('sends a JSON schema response format as `format`', async () => {
    const schema = { type: 'object', properties: { age: { type: 'integer' } }, required: ['age'] };
    const result = await target().generate(ask({ responseFormat: { type: 'json_schema', schema } }));
    expect(JSON.parse(result.text)).toEqual({ age: 22 });
    expect(standIn.requests.filter((entry) => entry.path === '/api/chat').at(-1)?.body.format).toEqual(schema);
  });

  it('continues an assistant prefix instead of starting over', async () => {
    const ollama = target();
    expect(ollama.capabilities.continuation).toBe(true);
    const full = await ollama.generate(ask({ maxTokens: 10 }));
    const prefix = full.text.split(' ').slice(0, 3).join(' ');
    const rest = await ollama.generate(ask({ maxTokens: 7, assistantPrefix: prefix }));
    expect(prefix + rest.text).toBe(full.text);
    const sent = standIn.requests.filter((entry) => entry.path === '/api/chat').at(-1)?.body;
    expect((sent?.messages as unknown[] | undefined)?.at(-1)).toEqual({ role: 'assistant', content: prefix });
  });

  it('becomes ready by itself once the model is pulled outside the target (status() re-probes while unavailable)', async () => {
    const ollama = target({ model: 'later:1b', statusRefreshMs: 0 });
    expect((await ollama.checkStatus()).state).toBe('unavailable');
    standIn.pulled.add('later:1b');
    // The router only reads status() of a local target; nothing else calls checkStatus().
    expect(await eventually(() => ollama.status().state === 'ready')).toBe(true);
  });

  it('does not re-probe while ready, nor once disposed', async () => {
    const probes = () => standIn.requests.filter((entry) => entry.path === '/api/tags').length;
    const ready = target({ statusRefreshMs: 0 });
    expect(await ready.checkStatus()).toEqual({ state: 'ready' });
    const before = probes();
    for (let index = 0; index < 20; index += 1) ready.status();
    await ready.dispose();
    expect(probes()).toBe(before);

    const absent = target({ model: 'never:1b', statusRefreshMs: 0 });
    expect((await absent.checkStatus()).state).toBe('unavailable');
    await absent.dispose();
    const afterDispose = probes();
    for (let index = 0; index < 20; index += 1) absent.status();
    await absent.dispose();
    expect(probes()).toBe(afterDispose);
  });

  describe('when the daemon misbehaves', () => {
    it('reads the reason from Ollama’s error body (status and Retry-After are in the fault suite)', async () => {
      const message = 'server busy, please try again.  maximum pending requests exceeded';
      standIn.failNext({ kind: 'status', status: 503, error: message, retryAfter: '2' });
      const error = await rejectionOf(target().generate(ask()));
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(message);
    });

    it.each([
      ['malformed-line', 'not JSON'],
      ['error-line', 'an error was encountered while running the model'],
      ['no-done', 'before an object with "done": true'],
    ] as const)('fails a stream with a %s as a retryable InvalidResponseError, never a success', async (kind, text) => {
      standIn.failNext({ kind });
      const error = await rejectionOf(collect(target().stream(ask({ maxTokens: 8 }))));
      expect(InvalidResponseError.isInstance(error)).toBe(true);
      expect((error as InvalidResponseError).isRetryable).toBe(true);
      expect((error as Error).message).toContain(text);
    });

    it('fails a non-streamed answer that never ends past maxResponseBytes: typed, non-retryable, names the cap and the setting, connection closed, target still usable', async () => {
      const ollama = target({ maxResponseBytes: 1024 * 1024 });
      await ollama.generate(ask());
      const before = ollama.status().state;
      standIn.failNext({ kind: 'oversized' });
      const error = await rejectionOf(ollama.generate(ask()));
      expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidResponseError).isRetryable).toBe(false);
      expect((error as Error).message).toContain('larger than 1048576 bytes');
      expect((error as Error).message).toContain('`maxResponseBytes`');
      expect(JSON.stringify(error)).not.toContain('Tell me about the yard');
      expect(await eventually(() => standIn.oversized?.socketClosed === true)).toBe(true);
      expect(standIn.oversized?.bytesSent).toBeLessThan(64 * 1024 * 1024);
      // A daemon that is up but sent too much still answers: the target keeps its state and serves the next call.
      expect(ollama.status().state).toBe(before);
      expect((await ollama.generate(ask())).text.length).toBeGreaterThan(0);
    });

    it('refuses a content-length past the default 32 MiB cap before reading, for generate() and load()', async () => {
      const ollama = target();
      standIn.failNext({ kind: 'oversized', declared: true });
      const error = await rejectionOf(ollama.generate(ask()));
      expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toContain(`larger than ${32 * 1024 * 1024} bytes`);
      expect(await eventually(() => standIn.oversized?.socketClosed === true)).toBe(true);

      standIn.failNext({ kind: 'oversized' });
      const loadError = await rejectionOf(target({ maxResponseBytes: 4096 }).load());
      expect(InvalidResponseError.isInstance(loadError), String(loadError)).toBe(true);
      expect((loadError as Error).message).toContain('larger than 4096 bytes');
      expect(await eventually(() => standIn.oversized?.socketClosed === true)).toBe(true);
    });

    it('rejects a maxResponseBytes that is not a positive integer, naming the field', () => {
      expect(() => createOllamaTarget({ model: 'tiny', maxResponseBytes: 0 })).toThrow(/maxResponseBytes/);
    });

    it('ends a hanging stream when the caller aborts, and on the first-token deadline', async () => {
      standIn.failNext({ kind: 'hang' });
      const controller = new AbortController();
      const pending = rejectionOf(collect(target().stream(ask({ signal: controller.signal }))));
      setTimeout(() => controller.abort(), 50);
      expect(AbortError.isInstance(await pending)).toBe(true);

      standIn.failNext({ kind: 'hang' });
      const error = await rejectionOf(collect(target({ firstTokenTimeoutMs: 100 }).stream(ask())));
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ phase: 'first-token', isRetryable: true });
    });
  });
});

describe('the shared fault suite, through the fault proxy in front of the Ollama stand-in', () => {
  let standIn: OllamaStandIn;
  let proxy: FaultProxy;
  beforeAll(async () => {
    standIn = await startOllamaStandIn();
    proxy = await startFaultProxy({ upstream: standIn.url });
  });
  afterAll(async () => {
    await proxy?.close();
    await standIn?.close();
  });

  runTargetFaultConformance({
    name: 'adapter-ollama',
    faults: () => proxy,
    createTarget: (baseURL) => createOllamaTarget({ model: 'tiny', baseURL, timeoutMs: 1500 }),
  });
});

describe('when the Ollama daemon is not running', () => {
  let baseURL: string;
  beforeAll(async () => {
    baseURL = await closedPortURL();
  });

  it('reports unavailable with how to start it (the calls’ retryable ConnectionError is in the fault suite)', async () => {
    const ollama = createOllamaTarget({ model: 'tiny', baseURL });
    const reason = `Ollama is not running at ${baseURL} — start it with \`ollama serve\``;
    expect(await ollama.checkStatus()).toEqual({ state: 'unavailable', code: 'unreachable', reason });
    await rejectionOf(ollama.generate(ask()));
    expect(ollama.status()).toEqual({ state: 'unavailable', code: 'unreachable', reason });
    await ollama.dispose();
  });

  it('does not let a daemon that never answers hold up dispose()', async () => {
    // Accepts connections, never answers: a hung daemon.
    const hung = await startFaultProxy({ upstream: await closedPortURL(), fault: { type: 'hang' } });
    try {
      const ollama = createOllamaTarget({ model: 'tiny', baseURL: hung.url });
      expect(ollama.status()).toEqual({ state: 'ready' }); // starts the background probe, which hangs
      expect(await eventually(() => hung.openResponses() > 0)).toBe(true);
      // Hang guard, not a timing assertion: without the abort, dispose() would wait for the probe for ever.
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still waiting'), 8000);
      });
      expect(await Promise.race([ollama.dispose().then(() => 'disposed'), guard])).toBe('disposed');
      clearTimeout(timer);
    } finally {
      await hung.close();
    }
  });

  it('comes back by itself once the daemon starts, without anyone calling checkStatus()', async () => {
    const baseURL = await closedPortURL();
    const port = Number(new URL(baseURL).port);
    const ollama = createOllamaTarget({ model: 'tiny', baseURL, statusRefreshMs: 0 });
    try {
      expect(await eventually(() => ollama.status().state === 'unavailable')).toBe(true);
      const daemon = await startOllamaStandIn({ port });
      try {
        expect(await eventually(() => ollama.status().state === 'ready')).toBe(true);
        expect((await ollama.generate(ask({ maxTokens: 3 }))).text.length).toBeGreaterThan(0);
      } finally {
        await ollama.dispose();
        await daemon.close();
      }
    } finally {
      await ollama.dispose();
    }
  });
});
