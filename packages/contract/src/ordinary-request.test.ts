import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { englishIssueMessage } from './english-issue-message.js';
import { InvalidRequestError } from './errors/invalid-request-error.js';
import { zodIssuesToProblems } from './format-problems.js';
import { isOrdinaryRequest, isOrdinaryTargetCall } from './ordinary-request.js';
import { parseRequest, parseTargetCall } from './parse-request.js';
import { generateRequestSchema, targetCallSchema } from './request-schema.js';

// The fast path must never change a verdict or an output: whatever it accepts, zod accepts and returns equal to it
// (so returning the input uncopied is sound), and everything zod rejects still fails with zod's own problems.
// Generated requests mix valid and invalid values in every field the fast path checks.

const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, 0.5, 1, 1.5, 2, 2.5, -0.1, 64, 1e21, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0),
  fc.string({ maxLength: 3 }),
  fc.constantFrom('', 'system', 'user', 'assistant', 'tool', 'private', 'standard', 'text'),
  fc.array(fc.string({ maxLength: 2 }), { maxLength: 3 }),
  fc.array(fc.constantFrom('a', '', 1), { maxLength: 17 }),
  fc.dictionary(
    fc.constantFrom('id', 'name', 'arguments', 'type', 'text', 'privacy', 'x'),
    fc.string({ maxLength: 2 }),
    {
      maxKeys: 3,
    },
  ),
  fc.constant(new AbortController().signal),
  fc.constant(new Date(0)),
  fc.constant([{ type: 'text', text: 'hi' }]),
);

// Plain objects, as zod returns; null-prototype ones (fast-check's default mix) are left to zod.
const plain = { noNullPrototype: true } as const;
const toolCall = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 3 }),
    name: fc.string({ minLength: 1, maxLength: 3 }),
    arguments: fc.string({ maxLength: 4 }),
  },
  plain,
);
const ordinaryMessage = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'user'), content: fc.string({ maxLength: 8 }) }, plain),
  fc.record(
    {
      role: fc.constant('assistant'),
      content: fc.string({ maxLength: 8 }),
      toolCalls: fc.array(toolCall, { maxLength: 2 }),
    },
    { requiredKeys: ['role', 'content'], noNullPrototype: true },
  ),
  fc.record(
    { role: fc.constant('tool'), toolCallId: fc.string({ minLength: 1, maxLength: 4 }), content: fc.string() },
    plain,
  ),
);
const routing = fc.record(
  {
    privacy: fc.constantFrom('standard', 'private'),
    deadlineMs: fc.integer({ min: 1, max: 60_000 }),
    priority: fc.integer({ min: -5, max: 5 }),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 3 }),
    maxCostUsd: fc.double({ min: 0, max: 10, noNaN: true }),
  },
  { requiredKeys: [], noNullPrototype: true },
);
const generationFields = {
  messages: fc.array(ordinaryMessage, { minLength: 1, maxLength: 4 }),
  maxTokens: fc.integer({ min: 1, max: 4096 }),
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  topP: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  stop: fc.array(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 16 }),
  seed: fc.integer(),
  signal: fc.constant(new AbortController().signal),
};
/** Requests of the ordinary shape, all valid: the fast path must take every one. */
const ordinaryRequest = fc.record(
  { ...generationFields, routing },
  { requiredKeys: ['messages'], noNullPrototype: true },
);
const ordinaryCall = fc.record(
  { ...generationFields, assistantPrefix: fc.string({ maxLength: 4 }) },
  { requiredKeys: ['messages'], noNullPrototype: true },
);

const fields = [
  'messages',
  'maxTokens',
  'temperature',
  'topP',
  'stop',
  'seed',
  'signal',
  'routing',
  'assistantPrefix',
  'tools',
  'toolChoice',
  'responseFormat',
  'traceContext',
  'extra',
  'messages[0].role',
  'messages[0].content',
  'messages[0].toolCalls',
  'messages[0].toolCallId',
  'messages[0].extra',
  'messages[0].toolCalls[0]',
  'messages[0].toolCalls[0].id',
  'messages[0].toolCalls[0].arguments',
  'messages[0].toolCalls[0].extra',
  'routing.privacy',
  'routing.deadlineMs',
  'routing.priority',
  'routing.tags',
  'routing.maxCostUsd',
  'routing.extra',
] as const;

type Json = Record<string, unknown>;

/** `input` with one field (or a message's, a tool call's, a routing hint's) replaced by `value`. */
function mutate(input: Json, field: (typeof fields)[number], value: unknown): Json {
  const copy: Json = { ...input, messages: [...(input.messages as Json[])] };
  const messages = copy.messages as Json[];
  const [head, key, inner] = field.split('.');
  if (key === undefined) copy[field] = value;
  else if (head === 'routing') copy.routing = { ...(copy.routing as Json), [key]: value };
  else if (key === 'toolCalls[0]') {
    // Tool calls live on assistant messages: put one there, then replace the call or one of its fields.
    const call = { id: 'c', name: 'f', arguments: '{}' };
    const replaced = inner === undefined ? value : { ...call, [inner]: value };
    messages[0] = { role: 'assistant', content: '', toolCalls: [replaced] };
  } else messages[0] = { ...messages[0], [key]: value };
  return copy;
}

const mutated = (base: fc.Arbitrary<Json>) =>
  fc.tuple(base, fc.constantFrom(...fields), anything).map(([input, field, value]) => mutate(input, field, value));

function viaZod(schema: typeof generateRequestSchema | typeof targetCallSchema, input: unknown) {
  const parsed = schema.safeParse(input, { error: englishIssueMessage });
  return parsed.success
    ? { ok: true as const, value: parsed.data }
    : { ok: false as const, problems: zodIssuesToProblems(parsed.error.issues) };
}

function via(parse: (input: unknown) => unknown, input: unknown) {
  try {
    return { ok: true as const, value: parse(input) };
  } catch (error) {
    if (!InvalidRequestError.isInstance(error)) throw error;
    return { ok: false as const, problems: error.problems };
  }
}

describe('the ordinary-request fast path agrees with zod', () => {
  it('takes every ordinary request and call, returning the input itself, equal to what zod returns', () => {
    fc.assert(
      fc.property(ordinaryRequest, (input) => {
        expect(isOrdinaryRequest(input)).toBe(true);
        expect(parseRequest(input)).toBe(input);
        expect(viaZod(generateRequestSchema, input)).toStrictEqual({ ok: true, value: input });
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(ordinaryCall, (input) => {
        expect(isOrdinaryTargetCall(input)).toBe(true);
        expect(parseTargetCall(input)).toBe(input);
        expect(viaZod(targetCallSchema, input)).toStrictEqual({ ok: true, value: input });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts only what zod accepts and returns unchanged; everything else gets zod’s verdict and problems', () => {
    let leftToZod = 0;
    let taken = 0;
    fc.assert(
      fc.property(mutated(ordinaryRequest), (input) => {
        const zod = viaZod(generateRequestSchema, input);
        if (isOrdinaryRequest(input)) {
          taken += 1;
          expect(zod).toStrictEqual({ ok: true, value: input });
        } else leftToZod += 1;
        expect(via(parseRequest, input)).toStrictEqual(zod);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(mutated(ordinaryCall), (input) => {
        const zod = viaZod(targetCallSchema, input);
        if (isOrdinaryTargetCall(input)) expect(zod).toStrictEqual({ ok: true, value: input });
        expect(via((value) => parseTargetCall(value), input)).toStrictEqual(zod);
      }),
      { numRuns: 2000 },
    );
    // The generator reaches both sides of the fast path.
    expect(leftToZod).toBeGreaterThan(300);
    expect(taken).toBeGreaterThan(100);
  });

  it('leaves tools, content parts, unknown keys and class instances to zod', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(isOrdinaryRequest({ messages })).toBe(true);
    expect(isOrdinaryRequest({ messages, tools: [] })).toBe(false);
    expect(isOrdinaryRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })).toBe(false);
    expect(isOrdinaryRequest({ messages, routing: { privacy: 'private', region: 'eu' } })).toBe(false);
    expect(isOrdinaryRequest({ messages: [{ role: 'user', content: 'hi', name: 'x' }] })).toBe(false);
    expect(
      isOrdinaryRequest(
        new (class Request {
          messages = messages;
        })(),
      ),
    ).toBe(false);
    // zod drops the unknown key: the caller gets a clean copy, as before.
    const withExtra = { messages, extra: 1 };
    const parsed = parseRequest(withExtra);
    expect(parsed).not.toBe(withExtra);
    expect(parsed).toStrictEqual({ messages });
  });
});

describe('the browser build', () => {
  it('has no fast path: every request goes through zod there', async () => {
    const browser = await import('./ordinary-request.browser.js');
    const messages = [{ role: 'user', content: 'hi' }];
    expect(browser.isOrdinaryRequest({ messages })).toBe(false);
    expect(browser.isOrdinaryTargetCall({ messages })).toBe(false);
  });
});
