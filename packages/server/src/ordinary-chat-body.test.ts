import { InvalidRequestError, zodIssuesToProblems } from '@switchyard/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatCompletionBodySchema, parseChatCompletionBody, translateChatCompletionBody } from './openai-request.js';
import { checkedByZod, isOrdinaryChatBody } from './ordinary-chat-body.js';

// The fast path must never change a verdict: whatever it accepts, zod accepts and translates the same, and every body
// zod rejects fails with zod's own problems. Generated bodies mix valid and invalid values in every field it checks.

const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, 0.5, 1, 1.5, 2, 2.5, -0.1, 64, 1e21, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53),
  fc.string({ maxLength: 3 }),
  fc.constantFrom('', 'system', 'user', 'private', 'auto'),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('type', 'text', 'include_usage', 'privacy', 'x'), fc.string({ maxLength: 2 }), {
    maxKeys: 2,
  }),
);

const ordinaryMessage = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'developer', 'user'), content: fc.string({ maxLength: 8 }) }),
  fc.record(
    { role: fc.constant('assistant'), content: fc.option(fc.string({ maxLength: 8 }), { nil: null }) },
    { requiredKeys: ['role'] },
  ),
  fc.record({
    role: fc.constant('tool'),
    tool_call_id: fc.string({ minLength: 1, maxLength: 4 }),
    content: fc.string(),
  }),
);
const hints = fc.record(
  {
    privacy: fc.constantFrom('standard', 'private'),
    deadlineMs: fc.integer({ min: 1, max: 60_000 }),
    priority: fc.integer({ min: -5, max: 5 }),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 3 }),
    maxCostUsd: fc.double({ min: 0, max: 10, noNaN: true }),
  },
  { requiredKeys: [] },
);
/** Bodies of the ordinary shape, all valid: the fast path must take every one. */
const ordinaryBody = fc.record(
  {
    model: fc.constantFrom('switchyard/auto', 'gpu', 'zero'),
    messages: fc.array(ordinaryMessage, { minLength: 1, maxLength: 4 }),
    max_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: null }),
    max_completion_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: null }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: null }),
    top_p: fc.option(fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }), { nil: null }),
    seed: fc.option(fc.integer(), { nil: null }),
    n: fc.constantFrom(1, null),
    stop: fc.option(fc.oneof(fc.string({ minLength: 1 }), fc.array(fc.string({ minLength: 1 }), { maxLength: 16 })), {
      nil: null,
    }),
    stream: fc.option(fc.boolean(), { nil: null }),
    stream_options: fc.option(fc.record({ include_usage: fc.boolean() }, { requiredKeys: [] }), { nil: null }),
    user: fc.string(),
    switchyard: hints,
  },
  { requiredKeys: ['messages'] },
);
/** Ordinary bodies with any field (or message field) replaced by anything, and the shapes left to zod added. */
const mutatedBody = fc
  .tuple(
    ordinaryBody,
    fc.constantFrom(
      'model',
      'messages',
      'max_tokens',
      'max_completion_tokens',
      'temperature',
      'top_p',
      'seed',
      'n',
      'stop',
      'stream',
      'stream_options',
      'switchyard',
      'tools',
      'tool_choice',
      'response_format',
      ...checkedByZod,
      'messages[0].role',
      'messages[0].content',
      'messages[0].tool_calls',
      'messages[0].tool_call_id',
      'switchyard.tags',
      'switchyard.deadlineMs',
      'switchyard.extra',
    ),
    anything,
  )
  .map(([body, field, value]) => {
    const copy = structuredClone(body) as Record<string, unknown>;
    const [head, tail] = field.split('.');
    if (tail === undefined) copy[head as string] = value;
    else if (head === 'messages[0]')
      (copy.messages as Record<string, unknown>[])[0] = {
        ...(copy.messages as Record<string, unknown>[])[0],
        [tail]: value,
      };
    else copy.switchyard = { ...(copy.switchyard as object), [tail]: value };
    return copy;
  });

function viaZod(input: unknown) {
  const parsed = chatCompletionBodySchema.safeParse(input);
  return parsed.success
    ? { ok: true as const, translated: translateChatCompletionBody(parsed.data) }
    : { ok: false as const, problems: zodIssuesToProblems(parsed.error.issues) };
}

function viaGateway(input: unknown) {
  try {
    return { ok: true as const, translated: parseChatCompletionBody(input) };
  } catch (error) {
    if (!InvalidRequestError.isInstance(error)) throw error;
    return { ok: false as const, problems: error.problems };
  }
}

describe('the ordinary-body fast path (isOrdinaryChatBody) agrees with zod', () => {
  it('takes every ordinary body, and translates it exactly as the zod path does', () => {
    fc.assert(
      fc.property(ordinaryBody, (body) => {
        expect(isOrdinaryChatBody(body)).toBe(true);
        expect(viaGateway(body)).toEqual(viaZod(body));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only what zod accepts; every other body fails with the problems zod names', () => {
    let leftToZod = 0;
    fc.assert(
      fc.property(mutatedBody, (body) => {
        const zod = viaZod(body);
        if (isOrdinaryChatBody(body)) expect(zod.ok).toBe(true);
        else leftToZod += 1;
        expect(viaGateway(body)).toEqual(zod);
      }),
      { numRuns: 2000 },
    );
    // The generator reaches both sides of the fast path.
    expect(leftToZod).toBeGreaterThan(100);
  });

  it('leaves tools, content parts and unknown routing hints to zod, whose errors name the field', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(isOrdinaryChatBody({ messages, tools: [] })).toBe(false);
    expect(isOrdinaryChatBody({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBe(false);
    expect(viaGateway({ messages, switchyard: { privacy: 'private', region: 'eu' } })).toEqual({
      ok: false,
      problems: [{ path: 'switchyard', message: 'unknown key "region"' }],
    });
    expect(viaGateway({ messages, temperature: 3 })).toMatchObject({ ok: false, problems: [{ path: 'temperature' }] });
  });

  it('does not alias the caller’s body in the router request', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }], stop: ['x'], switchyard: { tags: ['a'] } };
    const { request } = parseChatCompletionBody(body);
    body.stop.push('y');
    body.switchyard.tags.push('b');
    expect(request.stop).toEqual(['x']);
    expect(request.routing).toEqual({ tags: ['a'] });
  });
});
