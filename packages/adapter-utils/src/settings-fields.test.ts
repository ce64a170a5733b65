import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { localSettingsFields } from './local-settings-fields.js';
import { settingsProblems } from './parse-settings.js';
import { positiveWholeNumberSchema, qualitySchema, targetIdSchema } from './settings-fields.js';

const schema = zm.strictObject({
  modelUrl: zm.optional(zm.string()),
  ...localSettingsFields,
  contextSize: zm.optional(positiveWholeNumberSchema('tokens')),
  threads: zm.optional(positiveWholeNumberSchema()),
});

// What parseSettings' InvalidConfigError would hold (it is safeParse + settingsProblems), read without a throw.
const problemsOf = (input: unknown) => {
  const result = zm.safeParse(schema, input);
  return result.success ? undefined : settingsProblems(schema, input, result.error.issues);
};

describe('settings fields', () => {
  it('takes good values and leaves the optional ones out', () => {
    expect(problemsOf({})).toBeUndefined();
    expect(problemsOf({ id: 'device', maxOutputTokens: 1, quality: 0, contextSize: 4096, threads: 2 })).toBeUndefined();
    expect(problemsOf({ quality: 1 })).toBeUndefined();
  });

  it('shows a bad number as it is, with the unit, once per field', () => {
    expect(
      problemsOf({ contextSize: -1.5, threads: 0, maxOutputTokens: Number.POSITIVE_INFINITY, quality: -0.1 }),
    ).toEqual([
      { path: 'maxOutputTokens', message: 'expected a positive whole number of tokens, got Infinity' },
      { path: 'quality', message: 'expected a number from 0 to 1, got -0.1' },
      { path: 'contextSize', message: 'expected a positive whole number of tokens, got -1.5' },
      { path: 'threads', message: 'expected a positive whole number, got 0' },
    ]);
    expect(problemsOf({ quality: Number.NaN, threads: true })).toEqual([
      { path: 'quality', message: 'expected a number from 0 to 1, got NaN' },
      { path: 'threads', message: 'expected a positive whole number, got a boolean' },
    ]);
  });

  it('shows anything else only by its kind, so a secret in the wrong field never reaches a message', () => {
    const secret = 'sk-not-for-messages-123';
    const problems = problemsOf({
      id: 42,
      maxOutputTokens: secret,
      quality: { key: secret },
      contextSize: [secret],
      threads: null,
    });
    expect(problems).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'maxOutputTokens', message: 'expected a positive whole number of tokens, got a string' },
      { path: 'quality', message: 'expected a number from 0 to 1, got an object' },
      { path: 'contextSize', message: 'expected a positive whole number of tokens, got an object' },
      { path: 'threads', message: 'expected a positive whole number, got null' },
    ]);
    expect(JSON.stringify(problems)).not.toContain(secret);
    expect(problemsOf({ id: '' })).toEqual([{ path: 'id', message: 'expected a non-empty string' }]);
  });

  it('keeps the number kinds in a JSON Schema made from them (as the server makes its config schema)', () => {
    const json = z.toJSONSchema(
      z.object({ count: positiveWholeNumberSchema(), quality: qualitySchema(), id: targetIdSchema() }),
      { io: 'input' },
    ) as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties.count).toMatchObject({ type: 'integer', exclusiveMinimum: 0 });
    expect(json.properties.quality).toEqual({ type: 'number', minimum: 0, maximum: 1 });
    expect(json.properties.id).toEqual({ type: 'string', minLength: 1 });
  });

  it('composes into classic zod objects too', () => {
    const classic = z.strictObject({ tokens: z.optional(positiveWholeNumberSchema('tokens')) });
    expect(classic.safeParse({ tokens: 0 }).error?.issues.map((issue) => issue.message)).toEqual([
      'expected a positive whole number of tokens, got 0',
    ]);
  });
});
