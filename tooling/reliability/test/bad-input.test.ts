/**
 * Bad input, property-based (fast-check): policies, configs, target settings, requests, gateway bodies and SSE
 * streams. Every invalid input is a typed error whose problems name the path; nothing crashes or hangs; valid inputs
 * round-trip.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAITarget, type OpenAITarget } from '@switchyard/adapter-openai';
import {
  InvalidConfigError,
  InvalidPolicyError,
  InvalidRequestError,
  parseRequest,
  type StreamPart,
  SwitchyardError,
} from '@switchyard/contract';
import { createRouter, type PolicyInput, parsePolicy } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { createGateway, type Gateway, parseChatCompletionBody, parseConfig } from '@switchyard/server';
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const runs = { numRuns: 200, seed: 4242 };

/** Any JSON-ish value, including the shapes validators most often get wrong. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(null, undefined, Number.NaN, Number.POSITIVE_INFINITY, -1, '', [], {}, '__proto__'),
);

/** Runs `fn`; returns the error it threw (or undefined). A non-Switchyard error fails the property. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}

function expectProblemsAt(error: unknown, prefix: string): void {
  const problems = (error as { problems?: { path: string; message: string }[] }).problems ?? [];
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem.path.startsWith(prefix)).toBe(true);
    expect(problem.message.length).toBeGreaterThan(0);
  }
}

const device = createScriptedTarget({ id: 'device', locality: 'local', script: [{ text: 'ok' }] });
const gpu = createScriptedTarget({ id: 'gpu', locality: 'remote', script: [{ text: 'ok' }] });

const validPolicy: fc.Arbitrary<PolicyInput> = fc.record(
  {
    mode: fc.constantFrom('local-only', 'prefer-local', 'prefer-remote', 'remote-only', 'auto'),
    privacy: fc.record({ detectPii: fc.boolean() }, { requiredKeys: [] }),
    rules: fc.array(
      fc.record(
        {
          name: fc.string({ minLength: 1, maxLength: 10 }),
          when: fc.record(
            {
              tags: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 2 }),
              online: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          prefer: fc.constantFrom(['device'], ['gpu'], ['gpu', 'device']),
        },
        { requiredKeys: ['when', 'prefer'] },
      ),
      { maxLength: 3 },
    ),
    execution: fc.record(
      {
        retries: fc.integer({ min: 0, max: 5 }),
        hedgeAfterMs: fc.integer({ min: 1, max: 10_000 }),
        timeoutMs: fc.integer({ min: 1, max: 60_000 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<PolicyInput>;

describe('policies', () => {
  it('any junk policy is accepted or rejected with InvalidPolicyError naming a policy.* path', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          junk,
          fc.dictionary(fc.constantFrom('mode', 'rules', 'execution', 'budget', 'targets', 'weights'), junk),
        ),
        (policy) => {
          const error = thrown(() => createRouter({ targets: { device, gpu }, policy: policy as PolicyInput }));
          if (error === undefined) return;
          expect(InvalidPolicyError.isInstance(error)).toBe(true);
          expectProblemsAt(error, 'policy');
        },
      ),
      runs,
    );
  });

  it('a valid policy parses, and parsing its parsed form gives the same policy (round trip)', () => {
    fc.assert(
      fc.property(validPolicy, (policy) => {
        const parsed = parsePolicy(policy);
        expect(parsePolicy(parsed as PolicyInput)).toEqual(parsed);
        createRouter({ targets: { device, gpu }, policy });
      }),
      runs,
    );
  });
});

describe('configs and target settings', () => {
  it('any junk gateway config is parsed or rejected with InvalidConfigError naming the path', () => {
    const target = fc.record(
      {
        adapter: fc.oneof(fc.constantFrom('llamacpp', 'openai', 'ollama', 'triton'), junk),
        baseURL: junk,
        model: junk,
        modelPath: junk,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          junk,
          fc.record(
            { targets: fc.oneof(junk, fc.dictionary(fc.string({ maxLength: 8 }), target)), policy: junk },
            { requiredKeys: [] },
          ),
        ),
        (config) => {
          const error = thrown(() => parseConfig(config, { baseDir: '/tmp' }));
          if (error === undefined) return;
          expect(InvalidConfigError.isInstance(error)).toBe(true);
          expectProblemsAt(error, '');
        },
      ),
      runs,
    );
  });

  it('a valid gateway config parses, keeping its targets as given and its policy as parsePolicy reads it', () => {
    const openaiTarget = fc.record({
      adapter: fc.constant('openai' as const),
      baseURL: fc.integer({ min: 1, max: 65_535 }).map((port) => `http://127.0.0.1:${port}/v1`),
      model: fc.string({ minLength: 1, maxLength: 12 }),
    });
    const names = fc.constantFrom('gpu', 'cloud', 'nim', 'vllm');
    fc.assert(
      fc.property(fc.dictionary(names, openaiTarget, { minKeys: 1 }), validPolicy, (targets, policy) => {
        const config = parseConfig({ targets, policy }, { baseDir: '/tmp' });
        expect(config.targets).toEqual(targets);
        expect(config.policy).toEqual(parsePolicy(policy));
      }),
      runs,
    );
  });

  it('any junk OpenAI target settings are rejected with InvalidConfigError naming the field', () => {
    fc.assert(
      fc.property(
        fc.record(
          { baseURL: junk, model: junk, timeoutMs: junk, capabilities: junk, apiKey: junk },
          { requiredKeys: [] },
        ),
        (settings) => {
          const error = thrown(() => createOpenAITarget(settings as never));
          if (error === undefined) return;
          expect(InvalidConfigError.isInstance(error)).toBe(true);
          expectProblemsAt(error, '');
        },
      ),
      runs,
    );
  });
});

describe('requests', () => {
  const validMessage = fc.oneof(
    fc.record({ role: fc.constant('user' as const), content: fc.string({ minLength: 1, maxLength: 40 }) }),
    fc.record({ role: fc.constant('system' as const), content: fc.string({ maxLength: 40 }) }),
  );
  const validRequest = fc.record(
    {
      messages: fc.array(validMessage, { minLength: 1, maxLength: 4 }),
      maxTokens: fc.integer({ min: 1, max: 4096 }),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      stop: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 3 }),
      routing: fc.record(
        {
          privacy: fc.constantFrom('private', 'standard'),
          tags: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['messages'] },
  );
  const junkRequest = fc.oneof(
    junk,
    fc.record(
      {
        messages: fc.oneof(
          junk,
          fc.array(fc.record({ role: junk, content: junk }, { requiredKeys: [] }), { maxLength: 3 }),
        ),
        maxTokens: junk,
        temperature: junk,
        routing: junk,
      },
      { requiredKeys: [] },
    ),
  );

  it('parseRequest rejects junk with InvalidRequestError whose problems name fields', () => {
    fc.assert(
      fc.property(junkRequest, (request) => {
        const error = thrown(() => parseRequest(request));
        if (error === undefined) return;
        expect(InvalidRequestError.isInstance(error)).toBe(true);
        expectProblemsAt(error, '');
      }),
      runs,
    );
  });

  it('a valid request round-trips through parseRequest unchanged', () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        expect(parseRequest(request)).toEqual(request);
      }),
      runs,
    );
  });

  it('router.generate and router.stream reject junk requests with a typed error, never a crash', async () => {
    const router = createRouter({ targets: { device, gpu } });
    await fc.assert(
      fc.asyncProperty(junkRequest, async (request) => {
        const generated = await router.generate(request as never).then(
          () => undefined,
          (error: unknown) => error,
        );
        if (generated !== undefined) expect(SwitchyardError.isInstance(generated)).toBe(true);
        let streamed: unknown;
        try {
          for await (const _part of router.stream(request as never)) {
            // drain
          }
        } catch (error) {
          streamed = error;
        }
        if (streamed !== undefined) expect(SwitchyardError.isInstance(streamed)).toBe(true);
      }),
      { ...runs, numRuns: 100 },
    );
    await router.dispose();
  });

  it('the gateway translates junk chat bodies into InvalidRequestError with an OpenAI-style param', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          junk,
          fc.record(
            {
              model: junk,
              messages: junk,
              max_tokens: junk,
              stream: junk,
              tools: junk,
              response_format: junk,
              switchyard: junk,
            },
            { requiredKeys: [] },
          ),
        ),
        (body) => {
          const error = thrown(() => parseChatCompletionBody(body));
          if (error === undefined) return;
          expect(InvalidRequestError.isInstance(error)).toBe(true);
          expectProblemsAt(error, '');
        },
      ),
      runs,
    );
  });
});

describe('over HTTP', () => {
  let server: Server;
  let body = '';
  /** When set, the SSE body is sent as these byte pieces instead of `body` in one write. */
  let chunks: Buffer[] | undefined;
  let agent: Agent;
  let target: OpenAITarget;
  let gateway: Gateway;
  let gatewayURL: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (!chunks) {
          res.end(body);
          return;
        }
        // One write per turn of the event loop, so the client really receives the stream in these pieces.
        for (const chunk of chunks) {
          res.write(chunk);
          await new Promise((resolve) => setImmediate(resolve));
        }
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    agent = new Agent({ connections: 4 });
    target = createOpenAITarget({
      baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      model: 'fuzz',
      dispatcher: agent,
      timeoutMs: 5_000,
    });
    gateway = createGateway({ router: createRouter({ targets: { device, gpu } }) });
    gatewayURL = await gateway.listen({ port: 0 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await agent?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  const sseLine = fc.oneof(
    fc.constant('data: [DONE]'),
    fc.constant('data: {"choices":[{"delta":{"content":"hi"},"finish_reason":null}]}'),
    fc.constant('data: {"choices":[{"delta":{},"finish_reason":"stop"}]}'),
    fc.constant(
      'data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{"}}]}}]}',
    ),
    fc.constant(': keep-alive'),
    fc.constant(''),
    fc.string({ maxLength: 30 }).map((text) => `data: ${text}`),
    fc.json({ maxDepth: 3 }).map((json) => `data: ${json}`),
    fc.string({ maxLength: 30 }),
  );

  it('an SSE stream of arbitrary lines yields one finish or one typed error, never a hang or a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sseLine, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (lines, newline) => {
        body = lines.join(newline) + newline;
        const parts: StreamPart[] = [];
        let error: unknown;
        try {
          for await (const part of target.stream({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 }))
            parts.push(part);
        } catch (caught) {
          error = caught;
        }
        if (error !== undefined) {
          expect(SwitchyardError.isInstance(error)).toBe(true);
          return;
        }
        expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
        expect(parts.at(-1)?.type).toBe('finish');
      }),
      { numRuns: 150, seed: 4242 },
    );
  });

  it('a valid SSE stream round-trips: any text, cut into any byte pieces, gives exactly that text and one finish', async () => {
    const finishReasons = { stop: 'stop', length: 'length' } as const;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 8 }),
          fc.constantFrom('stop', 'length'),
          fc.constantFrom('\n', '\r\n'),
          fc.uniqueArray(fc.integer({ min: 1, max: 2_000 }), { maxLength: 8 }),
          async (deltas, finish, newline, cuts) => {
            const events = [
              ...deltas.map((content) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })),
              { choices: [{ index: 0, delta: {}, finish_reason: finish }] },
            ];
            const raw = Buffer.from(
              [...events.map((event) => `data: ${JSON.stringify(event)}`), 'data: [DONE]']
                .map((line) => line + newline + newline)
                .join(''),
            );
            // Cut at byte offsets, also inside multi-byte characters and between \r and \n.
            const offsets = [0, ...cuts.filter((cut) => cut < raw.length).sort((a, b) => a - b), raw.length];
            chunks = offsets.slice(1).map((end, index) => raw.subarray(offsets[index], end));
            const parts: StreamPart[] = [];
            for await (const part of target.stream({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 4 }))
              parts.push(part);
            const text = parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
            expect(text).toBe(deltas.join(''));
            const finishes = parts.filter((part) => part.type === 'finish');
            expect(finishes).toEqual([{ type: 'finish', finishReason: finishReasons[finish] }]);
            expect(parts.at(-1)?.type).toBe('finish');
          },
        ),
        { numRuns: 100, seed: 4242 },
      );
    } finally {
      chunks = undefined;
    }
  });

  it('the gateway answers junk HTTP bodies with 4xx and a JSON error, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.json({ maxDepth: 3 }),
          junk.map((value) => JSON.stringify(value) ?? ''),
        ),
        async (payload) => {
          const response = await httpRequest(`${gatewayURL}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: payload,
          });
          const json = (await response.body.json()) as { error?: { message?: string } };
          if (response.statusCode === 200) return;
          expect(response.statusCode).toBeGreaterThanOrEqual(400);
          expect(response.statusCode).toBeLessThan(500);
          expect(json.error?.message).toBeTruthy();
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
  });
});
