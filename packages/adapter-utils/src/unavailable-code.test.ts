import { ApiCallError, ConnectionError, SwitchyardError, TimeoutError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { unavailableCodeOf } from './unavailable-code.js';

describe('unavailableCodeOf', () => {
  it('maps each kind of failure to its stable code', () => {
    expect(unavailableCodeOf(new ConnectionError({ url: 'http://x', systemCode: 'ECONNREFUSED' }))).toBe('unreachable');
    expect(unavailableCodeOf(new TimeoutError({ timeoutMs: 5 }))).toBe('timeout');
    expect(unavailableCodeOf(new ApiCallError({ url: 'http://x', status: 401 }))).toBe('unauthorized');
    expect(unavailableCodeOf(new ApiCallError({ url: 'http://x', status: 403 }))).toBe('unauthorized');
    expect(unavailableCodeOf(new ApiCallError({ url: 'http://x', status: 404 }))).toBe('not-found');
    expect(unavailableCodeOf(new ApiCallError({ url: 'http://x', status: 500 }))).toBe('probe-failed');
    expect(unavailableCodeOf(new SwitchyardError({ code: 'invalid-response', message: 'x' }))).toBe('probe-failed');
  });
});
