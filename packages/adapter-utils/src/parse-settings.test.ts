import { InvalidConfigError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpSettingsFields } from './http-settings-fields.js';
import { httpUrlSchema, nearestKey, parseSettings, settingsProblems } from './parse-settings.js';

const schema = z.strictObject({ baseURL: httpUrlSchema(), model: z.string().min(1), ...httpSettingsFields });

function problemsOf(input: unknown) {
  try {
    parseSettings(schema, input);
  } catch (error) {
    if (InvalidConfigError.isInstance(error)) return error.problems;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('parseSettings', () => {
  it('returns the caller object itself when valid, so dispatchers keep their identity', () => {
    const input = { baseURL: 'http://127.0.0.1:8000/v1', model: 'm', timeoutMs: 10 };
    expect(parseSettings(schema, input)).toBe(input);
  });

  it('names an unknown key and the nearest valid one', () => {
    expect(problemsOf({ baseUrl: 'http://127.0.0.1:8000', model: 'm' })).toContainEqual({
      path: 'baseUrl',
      message: 'unknown setting; did you mean "baseURL"?',
    });
    expect(problemsOf({ baseURL: 'http://127.0.0.1:8000', model: 'm', timeout_ms: 5 })).toEqual([
      { path: 'timeout_ms', message: 'unknown setting; did you mean "timeoutMs"?' },
    ]);
  });

  it('lists the valid settings when nothing is close, and never echoes a value', () => {
    const problems = problemsOf({ baseURL: 'http://127.0.0.1:8000', model: 'm', zzzzzzzz: 'sk-secret-value' });
    expect(problems).toEqual([
      {
        path: 'zzzzzzzz',
        message:
          'unknown setting; expected one of baseURL, model, id, headers, dispatcher, timeoutMs, firstTokenTimeoutMs, maxEventBytes, capabilities, price',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
  });

  it("shows a bad number in the shared HTTP fields' messages, with its unit, and never a string", () => {
    const secret = 'sk-not-for-messages-123';
    const problems = problemsOf({
      baseURL: 'http://127.0.0.1:8000',
      model: 'm',
      id: '',
      timeoutMs: 0,
      firstTokenTimeoutMs: secret,
      maxEventBytes: 1.5,
    });
    expect(problems).toEqual([
      { path: 'id', message: 'expected a non-empty string' },
      { path: 'timeoutMs', message: 'expected a positive whole number of milliseconds, got 0' },
      { path: 'firstTokenTimeoutMs', message: 'expected a positive whole number of milliseconds, got a string' },
      { path: 'maxEventBytes', message: 'expected a positive whole number of bytes, got 1.5' },
    ]);
    expect(JSON.stringify(problems)).not.toContain(secret);
  });

  it('names bad values by path, prefixed when asked', () => {
    try {
      parseSettings(schema, { baseURL: 'ftp://x', model: 'm', timeoutMs: -1 }, { path: 'targets.gpu' });
      expect.unreachable();
    } catch (error) {
      const paths = (error as InvalidConfigError).problems.map((problem) => problem.path);
      expect(paths).toEqual(['targets.gpu.baseURL', 'targets.gpu.timeoutMs']);
    }
  });
});

describe('settingsProblems', () => {
  const config = z.strictObject({
    targets: z.record(
      z.string(),
      z.discriminatedUnion('adapter', [
        z.strictObject({ adapter: z.literal('local'), threads: z.number().optional() }),
        z.strictObject({
          adapter: z.literal('remote'),
          model: z.string(),
          capabilities: z.strictObject({ tools: z.boolean() }).optional(),
        }),
      ]),
    ),
  });

  it('suggests the key valid where the unknown one is: inside records, the selected union option, nested objects', () => {
    const input = {
      targets: {
        device: { adapter: 'local', threds: 2 },
        gpu: { adapter: 'remote', model: 'm', capabilities: { tols: true } },
      },
      target: {},
    };
    const result = config.safeParse(input);
    expect(result.success).toBe(false);
    expect(settingsProblems(config, input, result.error?.issues ?? [])).toEqual(
      expect.arrayContaining([
        { path: 'targets.device.threds', message: 'unknown setting; did you mean "threads"?' },
        { path: 'targets.gpu.capabilities.tols', message: 'unknown setting; did you mean "tools"?' },
        { path: 'target', message: 'unknown setting; did you mean "targets"?' },
      ]),
    );
  });
});

describe('nearestKey', () => {
  it('ignores case, "_" and "-", and refuses far-off keys', () => {
    expect(nearestKey('keep_alive', ['keepAlive', 'model'])).toBe('keepAlive');
    expect(nearestKey('modle', ['model', 'baseURL'])).toBe('model');
    expect(nearestKey('temperature', ['model', 'baseURL'])).toBeUndefined();
  });
});
