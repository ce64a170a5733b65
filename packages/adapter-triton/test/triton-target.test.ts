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
import { createTritonTarget, type TritonSettings, type TritonTarget } from '../src/index.js';
import { startTritonStandIn, type TritonStandIn } from './triton-stand-in.js';

const ask = (extra: Partial<TargetCall> = {}): TargetCall => ({
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Tell me about the yard.' },
  ],
  maxTokens: 16,
  temperature: 0,
  seed: 1,
  ...extra,
});

describe('against a protocol-faithful Triton stand-in (loopback, written from the public protocol docs)', () => {
  let standIn: TritonStandIn;
  const targets: TritonTarget[] = [];
  const target = (settings: Partial<TritonSettings> = {}) => {
    const created = createTritonTarget({ baseURL: standIn.url, model: 'llm', ...settings });
    targets.push(created);
    return created;
  };
  const lastBody = (suffix: string) => standIn.requests.filter((entry) => entry.path.endsWith(suffix)).at(-1)?.body;

  beforeAll(async () => {
    standIn = await startTritonStandIn({
      models: [
        { name: 'llm', kind: 'vllm', state: 'READY' },
        { name: 'ensemble', kind: 'tensorrt-llm', state: 'READY' },
        { name: 'warming', kind: 'vllm', state: 'LOADING' },
        { name: 'broken', kind: 'vllm', state: 'UNAVAILABLE', reason: 'CUDA out of memory while loading' },
      ],
    });
  });
  afterAll(async () => {
    await Promise.all(targets.map((created) => created.dispose()));
    await standIn.close();
  });

  runTargetConformance({
    name: 'adapter-triton (vLLM backend) against the Triton stand-in',
    createTarget: () => target(),
    deterministic: true,
  });

  runTargetConformance({
    name: 'adapter-triton (TensorRT-LLM ensemble) against the Triton stand-in',
    createTarget: () => target({ model: 'ensemble' }),
    deterministic: true,
  });

  it('sends the call trace context as traceparent on generate and generate_stream, and describes itself for the GenAI conventions', async () => {
    const triton = target();
    const traceContext = { traceparent: `00-${'c3'.repeat(16)}-${'d4'.repeat(8)}-01` };
    await triton.generate(ask({ traceContext }));
    await collect(triton.stream(ask({ traceContext })));
    const calls = standIn.requests.filter((entry) => /\/generate(_stream)?$/.test(entry.path)).slice(-2);
    expect(calls.map((entry) => [entry.path.split('/').at(-1), entry.headers.traceparent])).toEqual([
      ['generate', traceContext.traceparent],
      ['generate_stream', traceContext.traceparent],
    ]);
    await triton.generate(ask());
    expect(standIn.requests.at(-1)?.headers.traceparent).toBeUndefined();
    expect(triton.telemetry).toMatchObject({ providerName: 'triton', model: 'llm', serverAddress: '127.0.0.1' });
  });

  it('tells vLLM from TensorRT-LLM by the model config and lays the request out for each', async () => {
    await target().generate(ask({ maxTokens: 5, topP: 0.9 }));
    expect(lastBody('/llm/generate')).toEqual({
      text_input:
        '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nTell me about the yard.<|im_end|>\n<|im_start|>assistant\n',
      stream: false,
      exclude_input_in_output: true,
      return_finish_reason: true,
      return_num_input_tokens: true,
      return_num_output_tokens: true,
      parameters: { max_tokens: 5, temperature: 0, top_p: 0.9, seed: 1 },
    });
    const trt = target({ model: 'ensemble', chatTemplate: 'llama3', parameters: { repetition_penalty: 1.1 } });
    const result = await trt.generate(ask({ maxTokens: 4 }));
    expect(lastBody('/ensemble/generate')).toMatchObject({
      text_input: expect.stringContaining('<|start_header_id|>assistant<|end_header_id|>\n\n'),
      max_tokens: 4,
      top_k: 1,
      random_seed: 1,
      repetition_penalty: 1.1,
      exclude_input_in_output: true,
    });
    // TensorRT-LLM reports neither a finish reason nor token counts: a spent budget reads as `length`, and the answer
    // carries no usage (the router charges its estimate) rather than counts the server never gave.
    expect(result).toMatchObject({ finishReason: 'length' });
    expect(result.usage).toBeUndefined();
  });

  it('takes finish reason and token counts from vLLM’s additional outputs', async () => {
    const parts = await collect(target().stream(ask({ maxTokens: 3 })));
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(3);
    expect(parts.at(-2)).toEqual({ type: 'usage', usage: { inputTokens: expect.any(Number), outputTokens: 3 } });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  it('continues an assistant prefix appended to the prompt', async () => {
    const triton = target();
    const full = await triton.generate(ask({ maxTokens: 10 }));
    const prefix = full.text.split(' ').slice(0, 3).join(' ');
    const rest = await collect(triton.stream(ask({ maxTokens: 7, assistantPrefix: prefix })));
    expect(prefix + textOf(rest)).toBe(full.text);
    expect(String(lastBody('/llm/generate_stream')?.text_input)).toMatch(new RegExp(`assistant\\n${prefix}$`));
  });

  it('cuts the text at a stop sequence on the client and finishes with stop', async () => {
    const triton = target();
    const full = await triton.generate(ask({ maxTokens: 12 }));
    const stopWord = full.text.split(' ')[3] ?? '';
    const expected = full.text.slice(0, full.text.indexOf(` ${stopWord}`));
    const parts = await collect(triton.stream(ask({ maxTokens: 12, stop: [` ${stopWord}`] })));
    expect(textOf(parts)).toBe(expected);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect((await triton.generate(ask({ maxTokens: 12, stop: [` ${stopWord}`] }))).text).toBe(expected);
  });

  it('reports a loading model as loading and a failed one as unavailable with Triton’s reason', async () => {
    expect(await target({ model: 'warming' }).checkStatus()).toEqual({ state: 'loading' });
    expect(await target({ model: 'broken' }).checkStatus()).toEqual({
      state: 'unavailable',
      code: 'load-failed',
      reason: 'Triton model "broken" is UNAVAILABLE: CUDA out of memory while loading',
    });
    expect(await target({ model: 'nowhere' }).checkStatus()).toEqual({
      state: 'unavailable',
      code: 'model-missing',
      reason: 'Triton has no model "nowhere" in its model repository',
    });
  });

  it('becomes ready by itself once a loading model is loaded (status() re-probes while not ready)', async () => {
    standIn.models.set('slow', { name: 'slow', kind: 'vllm', state: 'LOADING' });
    const triton = target({ model: 'slow', statusRefreshMs: 0 });
    expect(await triton.checkStatus()).toEqual({ state: 'loading' });
    const model = standIn.models.get('slow');
    if (model) model.state = 'READY';
    // The router reads status(); it probes unavailable remote targets but not a loading one.
    expect(await eventually(() => triton.status().state === 'ready')).toBe(true);
  });

  it('does not re-probe while ready, nor once disposed', async () => {
    const probes = () => standIn.requests.filter((entry) => entry.path === '/v2/health/ready').length;
    const ready = target({ statusRefreshMs: 0 });
    expect(await ready.checkStatus()).toEqual({ state: 'ready' });
    const before = probes();
    for (let index = 0; index < 20; index += 1) ready.status();
    await ready.dispose();
    expect(probes()).toBe(before);

    const loading = target({ model: 'warming', statusRefreshMs: 0 });
    expect(await loading.checkStatus()).toEqual({ state: 'loading' });
    await loading.dispose();
    const afterDispose = probes();
    for (let index = 0; index < 20; index += 1) loading.status();
    await loading.dispose();
    expect(probes()).toBe(afterDispose);
  });

  it('redacts a secret header value that a gateway echoes in its error body', async () => {
    const secret = 'tr-gateway-secret-0123456789';
    const triton = target({ headers: { authorization: `Bearer ${secret}` } });
    standIn.failNext({ kind: 'status', status: 401, error: `invalid credentials: Bearer ${secret}` });
    const error = await rejectionOf(triton.generate(ask()));
    expect(ApiCallError.isInstance(error)).toBe(true);
    const apiError = error as ApiCallError;
    expect(apiError.message).toContain('invalid credentials: Bearer [redacted]');
    for (const text of [apiError.message, JSON.stringify(apiError), apiError.responseBody ?? '']) {
      expect(text).not.toContain(secret);
    }
  });

  it('fails a call to a model that is not ready with a non-retryable TargetUnavailableError', async () => {
    const triton = target({ model: 'warming', backend: 'vllm' });
    const error = await rejectionOf(triton.generate(ask()));
    expect(TargetUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false });
    expect(triton.status().state).toBe('unavailable');
  });

  it('reports a server that is not ready as unavailable', async () => {
    standIn.setServerReady(false);
    try {
      const status = await target().checkStatus();
      expect(status).toEqual({
        state: 'unavailable',
        code: 'not-ready',
        reason: `Triton at ${standIn.url} is not ready (GET /v2/health/ready answered 400)`,
      });
    } finally {
      standIn.setServerReady(true);
    }
  });

  describe('when the server misbehaves', () => {
    it('reads the reason from Triton’s error body (status and Retry-After are in the fault suite)', async () => {
      standIn.failNext({ kind: 'status', status: 503, error: 'Server is overloaded', retryAfter: '1' });
      const error = await rejectionOf(collect(target().stream(ask())));
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('Server is overloaded');
    });

    it.each([
      ['malformed-event', 'not JSON'],
      ['error-event', 'CUDA error: out of memory'],
      ['no-finish', 'without an event carrying a finish reason'],
    ] as const)('fails a stream with a %s as a retryable InvalidResponseError, never a success', async (kind, text) => {
      standIn.failNext({ kind });
      const error = await rejectionOf(collect(target().stream(ask())));
      expect(InvalidResponseError.isInstance(error)).toBe(true);
      expect((error as InvalidResponseError).isRetryable).toBe(true);
      expect((error as Error).message).toContain(text);
    });

    it('fails a non-streamed answer that never ends past maxResponseBytes: typed, non-retryable, names the cap and the setting, no secret, connection closed, target still usable', async () => {
      const secret = 'tr-gateway-secret-0123456789';
      const triton = target({ maxResponseBytes: 1024 * 1024, headers: { authorization: `Bearer ${secret}` } });
      await triton.generate(ask());
      standIn.failNext({ kind: 'oversized' });
      const error = await rejectionOf(triton.generate(ask()));
      expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidResponseError).isRetryable).toBe(false);
      expect((error as Error).message).toContain('larger than 1048576 bytes');
      expect((error as Error).message).toContain('`maxResponseBytes`');
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(await eventually(() => standIn.oversized?.socketClosed === true)).toBe(true);
      expect(standIn.oversized?.bytesSent).toBeLessThan(64 * 1024 * 1024);
      // A server that is up but sent too much still answers: the target stays ready and serves the next call.
      expect(triton.status().state).toBe('ready');
      expect((await triton.generate(ask())).text.length).toBeGreaterThan(0);
    });

    it('refuses a content-length past the default 32 MiB cap before reading the body', async () => {
      standIn.failNext({ kind: 'oversized', declared: true });
      const error = await rejectionOf(target().generate(ask()));
      expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidResponseError).isRetryable).toBe(false);
      expect((error as Error).message).toContain(`larger than ${32 * 1024 * 1024} bytes`);
      expect(await eventually(() => standIn.oversized?.socketClosed === true)).toBe(true);
    });

    it('bounds the model config it reads (backend auto) by the same maxResponseBytes', async () => {
      const error = await rejectionOf(target({ maxResponseBytes: 16 }).generate(ask()));
      expect(InvalidResponseError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toContain('/v2/models/llm/config');
      expect((error as Error).message).toContain('larger than 16 bytes');
      expect((error as Error).message).toContain('`maxResponseBytes`');
      expect(standIn.requests.at(-1)?.path).toMatch(/\/config$/);
    });

    it('rejects a maxResponseBytes that is not a positive integer, naming the field', () => {
      expect(() => createTritonTarget({ baseURL: standIn.url, model: 'llm', maxResponseBytes: 0 })).toThrow(
        /maxResponseBytes/,
      );
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

describe('the shared fault suite, through the fault proxy in front of the Triton stand-in', () => {
  let standIn: TritonStandIn;
  let proxy: FaultProxy;
  beforeAll(async () => {
    standIn = await startTritonStandIn({ models: [{ name: 'llm', kind: 'vllm', state: 'READY' }] });
    proxy = await startFaultProxy({ upstream: standIn.url });
  });
  afterAll(async () => {
    await proxy?.close();
    await standIn?.close();
  });

  runTargetFaultConformance({
    name: 'adapter-triton (vLLM backend)',
    faults: () => proxy,
    createTarget: (baseURL) => createTritonTarget({ baseURL, model: 'llm', backend: 'vllm', timeoutMs: 1500 }),
  });
});

describe('when Triton accepts connections but never answers', () => {
  it('does not let the hung status probe hold up dispose()', async () => {
    const hung = await startFaultProxy({ upstream: await closedPortURL(), fault: { type: 'hang' } });
    try {
      const triton = createTritonTarget({ baseURL: hung.url, model: 'llm' });
      expect(triton.status()).toEqual({ state: 'ready' }); // starts the background probe, which hangs
      expect(await eventually(() => hung.openResponses() > 0)).toBe(true);
      // Hang guard, not a timing assertion: without the abort, dispose() would wait for the probe.
      let timer: NodeJS.Timeout | undefined;
      const guard = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('still waiting'), 8000);
      });
      expect(await Promise.race([triton.dispose().then(() => 'disposed'), guard])).toBe('disposed');
      clearTimeout(timer);
    } finally {
      await hung.close();
    }
  });
});

describe('when Triton is not reachable', () => {
  it('reports unavailable with the reason (the calls’ retryable ConnectionError is in the fault suite)', async () => {
    const baseURL = await closedPortURL();
    const triton = createTritonTarget({ baseURL, model: 'llm', backend: 'vllm' });
    const reason = `Triton is not reachable at ${baseURL} (ECONNREFUSED) — is tritonserver running?`;
    expect(await triton.checkStatus()).toEqual({ state: 'unavailable', code: 'unreachable', reason });
    await triton.dispose();
  });
});
