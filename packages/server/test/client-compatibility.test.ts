import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { ensureTinyModel } from '@switchyard/testkit';
import type { LanguageModel } from 'ai';
import { generateText, Output, streamText, tool } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Gateway, RouterFromConfig } from '../src/index.js';
import { createGateway, createRouterFromConfig, parseConfig } from '../src/index.js';

const authToken = 'gw-clients-token-0123456789';

/** A chat completion or an error, as far as these tests read it. */
interface Answer {
  choices: Array<{ message: { content: unknown }; finish_reason: string }>;
  usage: { completion_tokens: number };
  error: { message: string };
}

describe('OpenAI-style clients against a gateway over the in-process llama.cpp target (tiny model)', () => {
  let built: RouterFromConfig;
  let gateway: Gateway;
  let url: string;
  let client: OpenAI;
  let providers: Array<[name: string, model: (id: string) => LanguageModel]>;

  beforeAll(async () => {
    const modelPath = await ensureTinyModel();
    built = await createRouterFromConfig(
      parseConfig({ targets: { device: { adapter: 'llamacpp', modelPath, threads: 1, contextSize: 1024 } } }),
    );
    gateway = createGateway({ router: built.router, authToken });
    url = await gateway.listen({ port: 0 });
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: authToken, maxRetries: 0 });
    const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: authToken });
    const compatible = createOpenAICompatible({
      name: 'switchyard',
      baseURL: `${url}/v1`,
      apiKey: authToken,
      includeUsage: true,
      supportsStructuredOutputs: true,
    });
    providers = [
      ['@ai-sdk/openai .chat()', (id) => openai.chat(id)],
      ['@ai-sdk/openai-compatible', (id) => compatible(id)],
    ];
  });

  afterAll(async () => {
    await gateway?.close({ graceMs: 1000 });
    await built?.dispose();
  });

  it('streams to both AI SDK providers with a clean finish and usage (nothing follows data: [DONE])', async () => {
    for (const [name, model] of providers) {
      const result = streamText({ model: model('switchyard/auto'), prompt: 'Hello', maxOutputTokens: 6 });
      const errors: unknown[] = [];
      for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
      expect(errors, name).toEqual([]);
      expect(['length', 'stop'], name).toContain(await result.finishReason);
      expect((await result.text).length, name).toBeGreaterThan(0);
      expect((await result.usage).outputTokens, name).toBeGreaterThan(0);
    }
  });

  it("puts the route on the official client's finish chunk", async () => {
    const stream = await client.chat.completions.create({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect((finish as unknown as { switchyard: unknown }).switchyard).toMatchObject({
      target: 'device',
      plan: ['device'],
    });
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it.each([
    ['the Responses API (the default model of @ai-sdk/openai)', '/v1/responses', 'provider.chat(model)'],
    ['the legacy Completions API', '/v1/completions', 'messages: [{ "role": "user", "content": prompt }]'],
  ])('answers %s with a 404 naming what to use instead', async (_name, path, fix) => {
    const call =
      path === '/v1/responses'
        ? client.responses.create({ model: 'switchyard/auto', input: 'Hello' })
        : client.completions.create({ model: 'switchyard/auto', prompt: 'Hello' });
    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain(fix);
    if (path !== '/v1/responses') return;
    const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: authToken });
    const sdkError = await generateText({ model: openai('switchyard/auto'), prompt: 'Hello', maxRetries: 0 }).catch(
      (caught: unknown) => caught,
    );
    expect(sdkError).toMatchObject({ statusCode: 404, message: expect.stringContaining(fix) });
  });

  it('calls a tool and answers in a JSON schema through both AI SDK providers', async () => {
    for (const [name, model] of providers) {
      const called = await generateText({
        model: model('device'),
        prompt: 'Ring the bell',
        maxOutputTokens: 60,
        toolChoice: 'required',
        tools: {
          ring: tool({ description: 'Rings the bell', inputSchema: z.object({ bell: z.enum(['big', 'small']) }) }),
        },
      });
      expect(
        called.toolCalls.map((call) => [call.toolName, call.input]),
        name,
      ).toEqual([['ring', { bell: expect.stringMatching(/^(big|small)$/) }]]);
      const answered = await generateText({
        model: model('device'),
        prompt: 'Is it on?',
        maxOutputTokens: 40,
        output: Output.object({ schema: z.object({ on: z.boolean() }) }),
      });
      expect(answered.output, name).toEqual({ on: expect.any(Boolean) });
    }
  });

  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${authToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ max_tokens: 4, messages: [{ role: 'user', content: 'Hello' }], ...body }),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };

  it.each<[string, Record<string, unknown>]>([
    [
      'the developer role',
      {
        messages: [
          { role: 'developer', content: 'Be brief' },
          { role: 'user', content: 'Hi' },
        ],
      },
    ],
    [
      'content as text parts',
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief' }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        ],
      },
    ],
    ['stop as a string', { stop: 'x' }],
    ['stop as an array', { stop: ['x', 'y'] }],
    ['seed, temperature 0 and top_p', { seed: 7, temperature: 0, top_p: 0.5 }],
    [
      'user, metadata, store, service_tier and an unknown field',
      { user: 'u1', metadata: { a: 'b' }, store: true, service_tier: 'auto', extra: 1 },
    ],
    [
      'the no-op values of refused fields (what clients send as defaults)',
      {
        n: 1,
        logprobs: false,
        top_logprobs: 0,
        presence_penalty: 0,
        frequency_penalty: 0,
        logit_bias: {},
        modalities: ['text'],
        parallel_tool_calls: true,
      },
    ],
    [
      'null for every optional field, and an earlier answer sent back as it came (clients that send every field)',
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello', tool_calls: null, refusal: null, function_call: null, audio: null },
          { role: 'user', content: 'Again' },
        ],
        tools: null,
        tool_choice: null,
        response_format: null,
        parallel_tool_calls: null,
        stop: null,
        seed: null,
        temperature: null,
        top_p: null,
        n: null,
        logprobs: null,
        stream: null,
        stream_options: null,
        functions: null,
        audio: null,
      },
    ],
  ])('answers a body with %s', async (_name, body) => {
    const { status, body: answer } = await post(body);
    expect(status, JSON.stringify(answer)).toBe(200);
    expect(answer.choices).toHaveLength(1);
    expect(typeof answer.choices[0]?.message.content).toBe('string');
  });

  it('stops at a stop sequence and repeats itself at temperature 0 with a seed', async () => {
    const stopped = await post({ max_tokens: 16, stop: [' '], temperature: 0 });
    expect(stopped.body.choices[0]?.message.content).not.toContain(' ');
    expect(stopped.body.choices[0]?.finish_reason).toBe('stop');
    const first = await post({ max_tokens: 8, temperature: 0, seed: 3 });
    const second = await post({ max_tokens: 8, temperature: 0, seed: 3 });
    expect(first.body.choices[0]?.message.content).toBe(second.body.choices[0]?.message.content);
  });

  it('caps the answer at max_completion_tokens, which wins over max_tokens', async () => {
    const { body } = await post({ max_tokens: 8, max_completion_tokens: 2 });
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(2);
  });

  const tools = [{ type: 'function', function: { name: 'ring', parameters: { type: 'object', properties: {} } } }];
  it.each<[string, Record<string, unknown>, number, string | null, string]>([
    ['n above 1', { n: 3 }, 400, 'n', 'omit n or set it to 1'],
    ['logprobs', { logprobs: true, top_logprobs: 2 }, 400, 'logprobs', 'omit logprobs or set it to false'],
    ['a presence penalty', { presence_penalty: 0.5 }, 400, 'presence_penalty', 'omit presence_penalty or set it to 0'],
    ['a frequency penalty', { frequency_penalty: 1 }, 400, 'frequency_penalty', 'set it to 0'],
    ['logit_bias', { logit_bias: { '1': 5 } }, 400, 'logit_bias', 'omit logit_bias or send {}'],
    [
      'audio output',
      { modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } },
      400,
      'modalities[1]',
      'text only',
    ],
    ['web search', { web_search_options: {} }, 400, 'web_search_options', 'omit web_search_options'],
    [
      'the deprecated functions',
      { functions: [{ name: 'ring' }], function_call: 'auto' },
      400,
      'functions',
      'send tools',
    ],
    [
      "llama.cpp's grammar",
      { grammar: 'root ::= "yes"' },
      400,
      'grammar',
      'omit grammar; for JSON, send response_format',
    ],
    ["vLLM's guided_json", { guided_json: { type: 'object' } }, 400, 'guided_json', 'send it as response_format'],
    [
      'tool_choice "required" without tools',
      { tool_choice: 'required' },
      400,
      'tool_choice',
      'send tools, or omit tool_choice',
    ],
    [
      'a named tool_choice of no tool',
      { tools, tool_choice: { type: 'function', function: { name: 'bell' } } },
      400,
      'tool_choice.function.name',
      'use one of "ring"',
    ],
    [
      'an audio part',
      { messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }] },
      400,
      'messages[0].content[0].type',
      '"text", "image_url"',
    ],
    [
      'an image and no target that takes images',
      {
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }],
      },
      400,
      null,
      'request has images',
    ],
    ['more tokens than any context window holds', { max_tokens: 100_000 }, 400, null, 'ask for fewer tokens'],
    ['empty messages', { messages: [] }, 400, 'messages', 'expected at least one message'],
    ['a model that names no target', { model: 'gpt-4o' }, 404, 'model', 'use one of "switchyard/auto", "device"'],
  ])('refuses %s with an OpenAI-style error naming the field and the fix', async (_name, body, status, param, fix) => {
    const { status: got, body: answer } = await post(body);
    expect(got, JSON.stringify(answer)).toBe(status);
    expect(answer.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(answer.error.message).toContain(fix);
  });

  it('answers a body over the limit (a photo as a data: URL) with a 413 saying how to get under it', async () => {
    const photo = `data:image/jpeg;base64,${Buffer.alloc(1024 * 1024).toString('base64')}`;
    const error = (await client.chat.completions
      .create({
        model: 'switchyard/auto',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: photo } }] }],
      })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(413);
    expect(error.code).toBe('request_too_large');
    expect(error.message).toContain('an image as an https: URL rather than a data: URL');
    expect(error.message).toContain('switchyard serve --body-limit 8mb');
  });

  it('refuses an image through the official client without retrying (a 400, not a 503)', async () => {
    const retrying = new OpenAI({ baseURL: `${url}/v1`, apiKey: authToken, maxRetries: 2 });
    const { response } = await retrying.chat.completions
      .create({
        model: 'switchyard/auto',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }],
      })
      .withResponse()
      .catch((caught: InstanceType<typeof OpenAI.APIError>) => ({ response: caught }));
    expect(response.status).toBe(400);
  });
});

describe('tool-call and error streams through the clients (scripted stand-in target: the tiny model cannot be made to call two tools or break mid-answer)', () => {
  const twoCalls = [
    { id: 'c1', name: 'ring', arguments: '{}' },
    { id: 'c2', name: 'ring', arguments: '{"again":true}' },
  ];
  const router = createRouter({
    targets: {
      device: createScriptedTarget({
        script: (call) =>
          call.messages.some((message) => message.content === 'break')
            ? { text: ['The ', 'quick ', 'brown'], breakAfterChunks: 2 }
            : { toolCalls: twoCalls },
      }),
    },
    policy: { execution: { retries: 0 } },
  });
  let gateway: Gateway;
  let client: OpenAI;
  let url: string;
  const tools: OpenAI.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'ring', parameters: { type: 'object', properties: {} } } },
  ];

  beforeAll(async () => {
    gateway = createGateway({ router });
    url = await gateway.listen({ port: 0 });
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await router.dispose();
  });

  it.each([
    [undefined, ['c1', 'c2']],
    [true, ['c1', 'c2']],
    [false, ['c1']],
  ])('parallel_tool_calls %s: answers with the calls %j, streaming and not', async (parallel, ids) => {
    const body = {
      model: 'switchyard/auto',
      messages: [{ role: 'user' as const, content: 'Ring twice' }],
      tools,
      ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }),
    };
    const completion = await client.chat.completions.create(body);
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.id)).toEqual(ids);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const stream = await client.chat.completions.create({ ...body, stream: true });
    const streamed: string[] = [];
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) streamed.push(`${call.index}:${call.id}`);
    }
    expect(streamed).toEqual(ids.map((id, index) => `${index}:${id}`));
  });

  it("hands streamed tool calls to the AI SDK and the official client's stream helper, parallel or not", async () => {
    const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: 'unused' });
    const toolSet = { ring: tool({ inputSchema: z.object({ again: z.boolean().optional() }) }) };
    for (const parallelToolCalls of [true, false]) {
      const result = streamText({
        model: openai.chat('switchyard/auto'),
        prompt: 'Ring twice',
        tools: toolSet,
        providerOptions: { openai: { parallelToolCalls } },
      });
      const ids = (await result.toolCalls).map((made) => made.toolCallId);
      expect(ids, `parallelToolCalls ${parallelToolCalls}`).toEqual(parallelToolCalls ? ['c1', 'c2'] : ['c1']);
      expect(await result.finishReason).toBe('tool-calls');
    }
    const helper = client.chat.completions.stream({
      model: 'switchyard/auto',
      messages: [{ role: 'user', content: 'Ring twice' }],
      tools,
    });
    const final = await helper.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.map((made) => made.id)).toEqual(['c1', 'c2']);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('ends an AI SDK stream that breaks mid-answer with an error part, not a clean finish', async () => {
    const compatible = createOpenAICompatible({ name: 'switchyard', baseURL: `${url}/v1` });
    // onError: the AI SDK logs stream errors by default; the test reads them from fullStream.
    const result = streamText({ model: compatible('switchyard/auto'), prompt: 'break', onError: () => {} });
    const errors: unknown[] = [];
    let text = '';
    for await (const part of result.fullStream) {
      if (part.type === 'error') errors.push(part.error);
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('The quick ');
    expect(errors).not.toEqual([]);
  });
});
