import type { Attempt } from '@switchyard/core';
import {
  ensureTinyModel,
  type FaultProxy,
  type LlamaServer,
  startFaultProxy,
  startLlamaServer,
} from '@switchyard/testkit';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';

const authToken = 'gw-secret-token-0123456789';

describe('gateway over a real llama-server upstream and a local llama.cpp target', () => {
  let llama: LlamaServer;
  let hangingProxy: FaultProxy;
  let refusingProxy: FaultProxy;
  let built: RouterFromConfig;
  let gateway: Gateway;
  let url: string;
  let client: OpenAI;
  const logLines: string[] = [];
  const attempts: Attempt[] = [];

  beforeAll(async () => {
    const modelPath = await ensureTinyModel();
    llama = await startLlamaServer({ modelPath, parallel: 2 });
    // Never answers: requests to the `stalled` target stay in flight until the gateway aborts them.
    hangingProxy = await startFaultProxy({ upstream: llama.origin, fault: { type: 'hang' } });
    // Refuses every request as an upstream refuses one it finds invalid (a schema it cannot use, a prompt too long).
    refusingProxy = await startFaultProxy({
      upstream: llama.origin,
      fault: { type: 'status', status: 400, body: '{"error":{"message":"Invalid schema for response_format"}}' },
    });
    const config = parseConfig({
      targets: {
        device: { adapter: 'llamacpp', modelPath, threads: 1, contextSize: 1024 },
        gpu: {
          adapter: 'openai',
          baseURL: llama.baseURL,
          model: llama.model,
          price: { inputPer1M: 0.6, outputPer1M: 0.8 },
        },
        stalled: { adapter: 'openai', baseURL: `${hangingProxy.url}/v1`, model: llama.model },
        refusing: { adapter: 'openai', baseURL: `${refusingProxy.url}/v1`, model: llama.model },
      },
      policy: { mode: 'prefer-local', execution: { retries: 0 } },
    });
    built = await createRouterFromConfig(config);
    built.router.on('attempt', (event) => {
      if (event.phase === 'end' && event.attempt) attempts.push(event.attempt);
    });
    gateway = createGateway({
      router: built.router,
      authToken,
      bodyLimitBytes: 64 * 1024,
      log: (line) => logLines.push(line),
    });
    url = await gateway.listen({ port: 0 });
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: authToken, maxRetries: 0, timeout: 60_000 });
  });

  afterAll(async () => {
    await gateway?.close({ graceMs: 1000 });
    await built?.dispose();
    await hangingProxy?.close();
    await refusingProxy?.close();
    await llama?.stop();
  });

  it('lists switchyard/auto and every target as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['switchyard/auto', 'device', 'gpu', 'stalled', 'refusing']);
  });

  it('answers a non-streaming request and says where it ran in the header and the switchyard field', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 12 })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(typeof data.choices[0]?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(data.choices[0]?.finish_reason);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    // prefer-local: the in-process model answers.
    expect(response.headers.get('x-switchyard-target')).toBe('device');
    expect(response.headers.get('x-switchyard-locality')).toBe('local');
    const route = (data as unknown as { switchyard: Record<string, unknown> }).switchyard;
    expect(route).toMatchObject({ target: 'device', locality: 'local', fallbacks: 0 });
    expect(route.plan).toEqual(['device', 'gpu', 'stalled', 'refusing']);
    expect(route.attempts).toEqual([expect.objectContaining({ target: 'device', outcome: 'success' })]);
    expect(Array.isArray(route.explanation)).toBe(true);
  });

  it("pins a request to the target whose model it names and reports the other targets' exclusion", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpu', messages: [{ role: 'user', content: 'Tell me about trains' }], max_tokens: 8 })
      .withResponse();
    expect(response.headers.get('x-switchyard-target')).toBe('gpu');
    const route = (
      data as unknown as { switchyard: { target: string; excluded: Array<{ target: string; reason: string }> } }
    ).switchyard;
    expect(route.target).toBe('gpu');
    expect(route.excluded).toEqual(
      expect.arrayContaining([expect.objectContaining({ target: 'device', reason: 'rule' })]),
    );
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams chunks the official client reads, with the route on the finish chunk and nothing after [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpu',
      messages: [{ role: 'user', content: 'Stream a story' }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      const reason = chunk.choices[0]?.finish_reason;
      if (reason) finishReasons.push(reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finishReasons).toHaveLength(1);
    expect(usage?.completion_tokens).toBeGreaterThan(0);

    const raw = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpu', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4, stream: true }),
    });
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    expect(raw.headers.get('x-switchyard-target')).toBe('gpu');
    const body = await raw.text();
    // Nothing after [DONE]: the AI SDK reads every data line, [DONE] or not.
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = body
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice('data: '.length)));
    const last = events.at(-1);
    expect(last.choices[0].finish_reason).not.toBeNull();
    expect(last.switchyard).toMatchObject({ target: 'gpu', locality: 'remote', plan: ['gpu'] });
  });

  it('returns a forced tool call from the local model, streaming and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: 'function',
        function: {
          name: 'ring_bell',
          description: 'Rings the station bell',
          parameters: { type: 'object', properties: { times: { enum: [1, 2] } }, required: ['times'] },
        },
      },
    ];
    const completion = await client.chat.completions.create({
      model: 'device',
      messages: [{ role: 'user', content: 'Ring the bell' }],
      tools,
      tool_choice: 'required',
      max_tokens: 80,
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' && call.function.name).toBe('ring_bell');
    expect(call?.type === 'function' && [1, 2]).toContain(
      call?.type === 'function' ? JSON.parse(call.function.arguments).times : undefined,
    );

    const stream = await client.chat.completions.create({
      model: 'device',
      messages: [{ role: 'user', content: 'Ring the bell' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'ring_bell' } },
      max_tokens: 80,
      stream: true,
    });
    const calls: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'ring_bell' } });
    expect(finish).toBe('tool_calls');
  });

  it('answers an error, not text, when the upstream ignores a required tool call (llama-server without --jinja)', async () => {
    const error = (await client.chat.completions
      .create({
        model: 'gpu',
        messages: [{ role: 'user', content: 'Ring the bell' }],
        tools: [{ type: 'function', function: { name: 'ring_bell', parameters: { type: 'object', properties: {} } } }],
        tool_choice: 'required',
        // The tiny model rarely ends on its own: a stop sequence makes the answer end as a finished one.
        stop: [' '],
        max_tokens: 20,
      })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);
    expect(error.message).toContain('answered without calling a tool');
    expect(error.message).toContain('llama-server needs --jinja');
  });

  it('answers with JSON matching a response_format schema', async () => {
    const completion = await client.chat.completions.create({
      model: 'device',
      messages: [{ role: 'user', content: 'Give me JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
      },
      max_tokens: 40,
    });
    expect(JSON.parse(completion.choices[0]!.message.content ?? '')).toEqual({ ok: expect.any(Boolean) });
  });

  it('aborts the upstream attempt when the client disconnects', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create(
      { model: 'stalled', messages: [{ role: 'user', content: 'Wait for it' }], max_tokens: 8, stream: true },
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(hangingProxy.openConnections()).toBeGreaterThan(0), { timeout: 10_000 });
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(hangingProxy.openConnections()).toBe(0), { timeout: 10_000 });
    await vi.waitFor(() =>
      expect(attempts).toEqual(
        expect.arrayContaining([expect.objectContaining({ target: 'stalled', outcome: 'aborted' })]),
      ),
    );
  });

  it('answers 504 in the OpenAI error shape when the request deadline passes', async () => {
    const error = await client.chat.completions
      .create({
        model: 'stalled',
        messages: [{ role: 'user', content: 'Too slow' }],
        max_tokens: 8,
        // @ts-expect-error Switchyard's routing hints ride along as an extra body field.
        switchyard: { deadlineMs: 300 },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(504);
    expect(apiError.code).toBe('deadline_exceeded');
    expect(apiError.type).toBe('server_error');
    expect(apiError.message).toContain('switchyard.deadlineMs');
    await vi.waitFor(() => expect(hangingProxy.openConnections()).toBe(0), { timeout: 10_000 });
  });

  it('answers 400, not a 502 the official client retries, when the upstream refuses the request', async () => {
    const retrying = new OpenAI({ baseURL: `${url}/v1`, apiKey: authToken, maxRetries: 2, timeout: 60_000 });
    const before = refusingProxy.requests.length;
    const error = (await retrying.chat.completions
      .create({ model: 'refusing', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 8 })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('rejected_by_targets');
    expect(error.message).toContain('400');
    expect(error.message).toContain('Invalid schema for response_format');
    // Sent upstream once: a 502 was retried twice by the client, reaching the upstream three times.
    expect(refusingProxy.requests.length - before).toBe(1);
  });

  it('answers 503 with every target and its reason when no target is eligible', async () => {
    const error = (await client.chat.completions
      .create({
        model: 'gpu',
        messages: [{ role: 'user', content: 'My card is 4111 1111 1111 1111' }],
        max_tokens: 8,
      })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('no_eligible_target');
    const excluded = (error.error as { switchyard: { excluded: Array<{ target: string; reason: string }> } }).switchyard
      .excluded;
    expect(excluded).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'gpu', reason: 'privacy' })]));
  });

  it('answers 429 with the reason when the budget is spent and no other target is eligible', async () => {
    const body = {
      model: 'gpu',
      messages: [{ role: 'user' as const, content: 'Hello there' }],
      max_tokens: 8,
      // A per-request cap below the paid target's estimate: the router refuses it and nothing else is eligible.
      switchyard: { maxCostUsd: 0.000_000_1 },
    };
    const error = (await client.chat.completions
      .create(body as Parameters<typeof client.chat.completions.create>[0])
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exceeded');
    expect(error.type).toBe('insufficient_quota');
    expect(error.message).toContain('per-request cost cap');
    expect((error.error as { switchyard: Record<string, unknown> }).switchyard).toMatchObject({
      code: 'budget-exceeded',
      scope: 'request',
    });
  });

  it('rejects a missing or wrong bearer token with 401 and keeps /health open without leaking the token', async () => {
    const stranger = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-the-token', maxRetries: 0 });
    const error = await stranger.models.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const anonymous = await fetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('invalid_api_key');
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const text = await health.text();
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', targets: { device: { locality: 'local' } } });
    expect(text).not.toContain(authToken);
    expect(logLines.join('\n')).not.toContain(authToken);
  });

  it('answers 413 to a body over the size limit', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpu', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }], max_tokens: 4 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  });

  it('answers 400 naming the field for invalid bodies', async () => {
    const post = (body: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json' },
        body,
      });
    const cases: Array<[string, string | null]> = [
      ['{"model":"switchyard/auto"}', 'messages'],
      ['{"messages":[{"role":"robot","content":"hi"}]}', 'messages[0].role'],
      ['{"messages":[{"role":"user","content":"hi"}],"max_tokens":-1}', 'max_tokens'],
      ['{"messages":[{"role":"user","content":"hi"}],"n":2}', 'n'],
      ['{"messages":[{"role":"user","content":"hi"}],"switchyard":{"privacy":"secret"}}', 'switchyard.privacy'],
      ['{"messages": [', null],
    ];
    for (const [body, param] of cases) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      const { error } = await response.json();
      expect(error.type).toBe('invalid_request_error');
      expect(error.param, body).toBe(param);
      if (param) expect(error.message).toContain(param);
    }
    const unknownModel = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect((unknownModel as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });
});
