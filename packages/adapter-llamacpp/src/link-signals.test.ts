import { describe, expect, it } from 'vitest';
import { linkSignals } from './link-signals.js';

describe('linkSignals', () => {
  it('aborts with the reason of whichever source aborts first', () => {
    const a = new AbortController();
    const b = new AbortController();
    const { signal } = linkSignals(a.signal, undefined, b.signal);
    expect(signal.aborted).toBe(false);
    b.abort('second');
    a.abort('first');
    expect(signal.reason).toBe('second');
  });

  it('is aborted at once when a source already is', () => {
    const a = new AbortController();
    a.abort('early');
    expect(linkSignals(a.signal).signal.reason).toBe('early');
  });

  it('no longer follows its sources after release', () => {
    const a = new AbortController();
    const { signal, release } = linkSignals(a.signal);
    release();
    a.abort();
    expect(signal.aborted).toBe(false);
  });
});
