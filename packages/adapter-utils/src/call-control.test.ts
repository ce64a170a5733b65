import { AbortError, ConnectionError, TimeoutError } from '@switchyard/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallControl } from './call-control.js';

describe('CallControl', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the caller signal straight through when there are no deadlines', () => {
    const caller = new AbortController();
    const control = new CallControl(caller.signal, 'gpu', 'http://127.0.0.1:1/v1');
    expect(control.signal).toBe(caller.signal);
    control.dispose();
  });

  it('turns the total deadline into a TimeoutError and aborts the signal undici gets', () => {
    vi.useFakeTimers();
    const control = new CallControl(undefined, 'gpu', 'http://127.0.0.1:1/v1', { timeoutMs: 50 });
    vi.advanceTimersByTime(51);
    expect(control.signal?.aborted).toBe(true);
    const error = control.toError(new Error('socket closed'));
    expect(TimeoutError.isInstance(error) && error.phase).toBe('total');
    expect(() => control.throwIfAborted()).toThrow(TimeoutError);
    control.dispose();
  });

  it('waits out a deadline past 2^31 - 1 ms instead of timing out at once (a longer timer runs after 1 ms)', () => {
    vi.useFakeTimers();
    const control = new CallControl(undefined, 'gpu', 'http://127.0.0.1:1/v1', {
      timeoutMs: 2 ** 31,
      firstTokenTimeoutMs: 2 ** 40,
    });
    vi.advanceTimersByTime(1000);
    expect(control.signal?.aborted).toBe(false);
    expect(() => control.throwIfAborted()).not.toThrow();
    vi.advanceTimersByTime(2 ** 31);
    expect(control.signal?.aborted).toBe(true);
    control.dispose();
  });

  it('stops the first-token deadline once the first token arrives', () => {
    vi.useFakeTimers();
    const control = new CallControl(undefined, 'gpu', 'http://127.0.0.1:1/v1', { firstTokenTimeoutMs: 50 });
    control.firstToken();
    vi.advanceTimersByTime(100);
    expect(control.signal?.aborted).toBe(false);
    control.dispose();
  });

  it('reports the caller abort as AbortError, whatever undici threw', () => {
    const caller = new AbortController();
    const control = new CallControl(caller.signal, 'gpu', 'http://127.0.0.1:1/v1', { timeoutMs: 10_000 });
    caller.abort();
    expect(control.signal?.aborted).toBe(true);
    expect(AbortError.isInstance(control.toError(new Error('aborted')))).toBe(true);
    expect(() => control.throwIfAborted()).toThrow(AbortError);
    control.dispose();
  });

  it('maps socket failures to a retryable ConnectionError naming the target', () => {
    const control = new CallControl(undefined, 'gpu', 'http://127.0.0.1:1/v1');
    const error = control.toError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(true);
    expect(error.target).toBe('gpu');
  });

  it('removes its listener from the caller signal on dispose', () => {
    const caller = new AbortController();
    const control = new CallControl(caller.signal, 'gpu', 'http://127.0.0.1:1/v1', { timeoutMs: 10_000 });
    control.dispose();
    caller.abort();
    expect(control.signal?.aborted).toBe(false);
  });
});
