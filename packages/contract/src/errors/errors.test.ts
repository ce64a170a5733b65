import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AllTargetsFailedError,
  ApiCallError,
  BudgetExceededError,
  ConnectionError,
  InvalidConfigError,
  InvalidPolicyError,
  InvalidRequestError,
  InvalidResponseError,
  NoEligibleTargetError,
  parseRetryAfter,
  StreamInterruptedError,
  SwitchyardError,
  TargetUnavailableError,
  TimeoutError,
  toSwitchyardError,
} from '../index.js';

describe('error classes', () => {
  it('recognises errors from another installed copy by their Symbol.for marker', () => {
    // A second copy of the package has its own classes but the same global symbols.
    const foreign = Object.assign(new Error('from another copy'), {
      [Symbol.for('switchyard.error')]: true,
      [Symbol.for('switchyard.error.api-call')]: true,
    });
    expect(SwitchyardError.isInstance(foreign)).toBe(true);
    expect(ApiCallError.isInstance(foreign)).toBe(true);
    expect(TimeoutError.isInstance(foreign)).toBe(false);
    expect(SwitchyardError.isInstance(new Error('plain'))).toBe(false);
    expect(SwitchyardError.isInstance(null)).toBe(false);
  });

  it('tells subclasses apart', () => {
    const error = new TimeoutError({ timeoutMs: 5, phase: 'first-token', target: 'gpu' });
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(AbortError.isInstance(error)).toBe(false);
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('Timed out after 5 ms (first-token) on target "gpu"');
  });

  it.each([
    [400, false],
    [401, false],
    [404, false],
    [408, true],
    [409, true],
    [422, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
  ])('decides retryability from HTTP status %i → %s', (status, retryable) => {
    expect(new ApiCallError({ url: 'http://127.0.0.1/v1/chat/completions', status }).isRetryable).toBe(retryable);
  });

  it('formats API errors like `[POST] "url": 503 Service Unavailable` and keeps cause', () => {
    const cause = new Error('upstream');
    const error = new ApiCallError({
      url: 'http://127.0.0.1:8000/v1/chat/completions',
      status: 503,
      statusText: 'Service Unavailable',
      retryAfterMs: 2000,
      cause,
    });
    expect(error.message).toBe('[POST] "http://127.0.0.1:8000/v1/chat/completions": 503 Service Unavailable');
    expect(error.cause).toBe(cause);
    expect(error.retryAfterMs).toBe(2000);
  });

  it('never puts secrets from the URL into messages or JSON', () => {
    const error = new ApiCallError({
      url: 'https://user:sk-live-password@api.example.test/v1/chat?api_key=sk-live-123456&model=x',
      status: 401,
    });
    const connection = new ConnectionError({
      url: 'http://u:hunter22@127.0.0.1:1/v1?token=abcdef',
      systemCode: 'ECONNREFUSED',
    });
    for (const text of [error.message, JSON.stringify(error), connection.message, JSON.stringify(connection)]) {
      expect(text).not.toContain('sk-live');
      expect(text).not.toContain('hunter22');
      expect(text).not.toContain('abcdef');
    }
    expect(error.message).toContain('model=x');
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('turns anything thrown into a SwitchyardError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const converted = toSwitchyardError(refused, { url: 'http://127.0.0.1:9/v1', target: 'gpu' });
    expect(ConnectionError.isInstance(converted)).toBe(true);
    expect(converted.isRetryable).toBe(true);
    expect(converted.target).toBe('gpu');
    expect(AbortError.isInstance(toSwitchyardError(new DOMException('x', 'AbortError')))).toBe(true);
    const unknown = toSwitchyardError('boom');
    expect(unknown.code).toBe('internal');
    expect(unknown.isRetryable).toBe(false);
    const same = new AbortError();
    expect(toSwitchyardError(same)).toBe(same);
  });

  it('lists every excluded target with its reason in NoEligibleTargetError', () => {
    const error = new NoEligibleTargetError({
      excluded: [
        { target: 'gpu', reason: 'privacy', detail: 'request contains an email address' },
        { target: 'device', reason: 'battery', detail: 'battery 12% and not charging' },
      ],
    });
    expect(error.message).toContain('gpu (privacy: request contains an email address)');
    expect(error.message).toContain('device (battery: battery 12% and not charging)');
    expect(error.toJSON().excluded).toHaveLength(2);
  });

  it('says which budget ran out, its limit and the spend in BudgetExceededError', () => {
    const error = new BudgetExceededError({ scope: 'period', limitUsd: 5, spentUsd: 4.995, target: 'gpu' });
    expect(BudgetExceededError.isInstance(error)).toBe(true);
    expect(NoEligibleTargetError.isInstance(error)).toBe(false);
    expect(error.code).toBe('budget-exceeded');
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('the period budget of $5');
    expect(error.message).toContain('would be passed ($4.995 already spent or held)');
    expect(error.toJSON()).toMatchObject({ scope: 'period', limitUsd: 5, spentUsd: 4.995, target: 'gpu' });
  });

  it('says what did not fit, so a cap below one estimate is not a riddle', () => {
    const detail = 'estimated $1 exceeds the $0.5 left';
    const error = new BudgetExceededError({ scope: 'request', limitUsd: 0.5, spentUsd: 0, detail });
    expect(error.message).toContain(
      'the per-request cost cap of $0.5 would be passed ($0 already spent or held; estimated $1 exceeds the $0.5 left)',
    );
  });

  it('keeps every attempt in AllTargetsFailedError', () => {
    const first = new ConnectionError({ url: 'http://127.0.0.1:1', systemCode: 'ECONNRESET' });
    const last = new InvalidRequestError({ problems: [{ path: 'messages', message: 'too long' }] });
    const error = new AllTargetsFailedError({
      attempts: [
        { target: 'gpu', error: first },
        { target: 'device', error: last },
      ],
    });
    expect(error.lastError).toBe(last);
    expect(error.cause).toBe(last);
    expect(error.isRetryable).toBe(false);
  });

  it('keeps the partial text, every attempt and the route in StreamInterruptedError, but never the text in its message', () => {
    const broke = new ConnectionError({ url: 'http://127.0.0.1:1', systemCode: 'ECONNRESET', target: 'gpu' });
    const route = { target: undefined, attempts: [{ target: 'gpu', outcome: 'error' }] };
    const error = new StreamInterruptedError({
      partialText: 'My card is 4111 1111 1111 1111 and',
      attempts: [{ target: 'gpu', error: broke }],
      route,
      skipped: ['cloud'],
      reason: 'no-continuation',
    });
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(AllTargetsFailedError.isInstance(error)).toBe(false);
    expect([error.code, error.isRetryable, error.target, error.cause]).toEqual([
      'stream-interrupted',
      false,
      'gpu',
      broke,
    ]);
    expect(error.partialText).toBe('My card is 4111 1111 1111 1111 and');
    expect(error.route).toBe(route);
    expect(error.message).toContain('after 34 characters');
    expect(error.message).toContain('"cloud" cannot');
    expect(error.message).toContain('execution.midStream: "restart"');
    const json = JSON.stringify(error);
    for (const text of [error.message, json]) expect(text).not.toContain('4111');
    expect(error.toJSON()).toMatchObject({ reason: 'no-continuation', partialTextLength: 34, skipped: ['cloud'] });
    const foreign = Object.assign(new Error('x'), { [Symbol.for('switchyard.error.stream-interrupted')]: true });
    expect(StreamInterruptedError.isInstance(foreign)).toBe(true);
  });

  it('gives each error its stable code, retryability and a message naming the path or target', () => {
    const policy = new InvalidPolicyError({
      problems: [{ path: 'policy.rules[1].when.battery', message: 'expected a number between 0 and 1' }],
    });
    expect([policy.code, policy.isRetryable, policy.message]).toEqual([
      'invalid-policy',
      false,
      'Invalid policy: policy.rules[1].when.battery: expected a number between 0 and 1',
    ]);
    const config = new InvalidConfigError({ problems: [{ path: 'targets.gpu.baseURL', message: 'expected a URL' }] });
    expect([config.code, config.message]).toEqual([
      'invalid-config',
      'Invalid configuration: targets.gpu.baseURL: expected a URL',
    ]);
    const unavailable = new TargetUnavailableError({ target: 'device', reason: 'model still downloading (42%)' });
    expect([unavailable.code, unavailable.isRetryable, unavailable.target, unavailable.message]).toEqual([
      'target-unavailable',
      false,
      'device',
      'Target "device" is unavailable: model still downloading (42%)',
    ]);
    const truncated = new InvalidResponseError({ message: 'stream ended without [DONE]' });
    expect([truncated.code, truncated.isRetryable]).toEqual(['invalid-response', true]);
    expect([new AbortError().code, new AbortError().isRetryable]).toEqual(['abort', false]);
  });

  it('leaves cause out of toJSON, so a logged error never carries the request or headers behind it', () => {
    const cause = Object.assign(new Error('socket hang up'), { headers: { authorization: 'Bearer sk-live-secret' } });
    const error = new ConnectionError({ url: 'http://127.0.0.1:1/v1', systemCode: 'ECONNRESET', cause });
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain('sk-live');
    expect(Object.keys(error.toJSON())).not.toContain('cause');
  });
});
