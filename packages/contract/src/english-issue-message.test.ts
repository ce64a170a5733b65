import { describe, expect, it } from 'vitest';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { englishIssueMessage } from './english-issue-message.js';
import { generateRequestSchema, targetCallSchema } from './request-schema.js';

const zodEnglish = en().localeError;
const zodMessage = (issue: z.core.$ZodRawIssue) => {
  const message = zodEnglish(issue);
  return typeof message === 'string' ? message : message?.message;
};

class Custom {}

// Raw issues of every code zod raises, with the fields its checks fill in.
const issues = [
  ...[
    'x',
    3,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -Infinity,
    true,
    null,
    undefined,
    [1],
    {},
    new Custom(),
    10n,
    Symbol('s'),
    () => 0,
  ].map((input) => ({
    code: 'invalid_type',
    expected: 'string',
    input,
  })),
  { code: 'invalid_value', values: ['system'], input: 'x' },
  { code: 'invalid_value', values: ['system', 'user', 3, 2n, true, null], input: 'x' },
  ...(['too_big', 'too_small'] as const).flatMap((code) =>
    [undefined, 'string', 'array', 'set', 'map', 'file', 'number', 'bigint', 'date'].flatMap((origin) =>
      [true, false].flatMap((inclusive) =>
        [false, true].map((exact) => ({ code, origin, inclusive, exact, maximum: 16, minimum: 1, input: 'x' })),
      ),
    ),
  ),
  ...['starts_with', 'ends_with', 'includes', 'regex', 'emoji', 'cuid', 'nanoid'].map((format) => ({
    code: 'invalid_format',
    format,
    prefix: 'a',
    suffix: 'b',
    includes: 'c',
    pattern: '/^x$/',
    input: 'y',
  })),
  { code: 'not_multiple_of', divisor: 5, input: 7 },
  { code: 'unrecognized_keys', keys: ['extra'], input: {} },
  { code: 'unrecognized_keys', keys: ['a', 'b'], input: {} },
  { code: 'invalid_key', origin: 'record', issues: [], input: {} },
  { code: 'invalid_element', origin: 'map', key: 'k', issues: [], input: {} },
  { code: 'invalid_union', errors: [], input: 1 },
  { code: 'invalid_union', errors: [], inclusive: false, input: 1 },
  { code: 'invalid_union', errors: [], options: ['a', 'b'], discriminator: 'type', input: {} },
  { code: 'custom', input: 1 },
] as unknown as z.core.$ZodRawIssue[];

describe('englishIssueMessage', () => {
  it("says what zod's English locale says, for every issue kind", () => {
    for (const issue of issues) expect(englishIssueMessage(issue), JSON.stringify(issue.code)).toBe(zodMessage(issue));
  });

  it("names the string format zod's locale has a word for by its key otherwise (the one difference)", () => {
    const url = { code: 'invalid_format', format: 'url', input: 'x' } as unknown as z.core.$ZodRawIssue;
    expect(englishIssueMessage(url)).toBe('Invalid url');
    expect(zodMessage(url)).toBe('Invalid URL');
  });

  it('gives the same messages as the locale on bad requests (parse issues end to end)', () => {
    const bad = [
      { messages: [] },
      { messages: [{ role: 'robot', content: 'x' }] },
      { messages: [{ role: 'user', content: 42 }], maxTokens: 0, temperature: 'hot', topP: 1.5 },
      { messages: [{ role: 'user', content: 'x' }], stop: Array.from({ length: 20 }, () => 'x'), seed: 1.5 },
      { messages: [{ role: 'user', content: [] }], tools: [{ name: 'has space', parameters: {} }] },
      { messages: [{ role: 'user', content: 'x' }], toolChoice: 'sometimes', responseFormat: { type: 'xml' } },
      { messages: [{ role: 'user', content: 'x' }], routing: { privacy: 'secret', tags: [''], deadlineMs: -1 } },
    ];
    let issueCount = 0;
    for (const input of bad) {
      // A target call has no routing hints: zod drops the key, so that input is only bad as a request.
      for (const schema of [generateRequestSchema, targetCallSchema]) {
        const ours = z.safeParse(schema, input, { error: englishIssueMessage }).error?.issues ?? [];
        const theirs = z.safeParse(schema, input, { error: zodEnglish }).error?.issues ?? [];
        issueCount += ours.length;
        expect(ours).toEqual(theirs);
      }
    }
    expect(issueCount).toBeGreaterThan(20);
  });
});
