import { InvalidConfigError } from '@switchyard/contract';
import { runStateStoreConformance } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from './create-memory-state-store.js';

runStateStoreConformance({ name: 'createMemoryStateStore', createStore: () => createMemoryStateStore() });

describe('createMemoryStateStore options', () => {
  const problemsOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      return (error as InvalidConfigError).problems;
    }
    throw new Error('expected an InvalidConfigError');
  };
  const hold = { key: 'k', reservationId: 'r', amountUsd: 1, limitUsd: 1, reservationTtlMs: 1000, keyTtlMs: 60_000 };

  it('names a misspelt option instead of keeping Date.now without a word', () => {
    expect(problemsOf(() => createMemoryStateStore({ clok: () => 1 } as never))).toEqual([
      { path: 'clok', message: 'unknown option; the only one is clock, e.g. { clock: () => Date.now() }' },
    ]);
  });

  it('refuses a clock that is not a function, and options that are not an object, without echoing them', () => {
    const problems = problemsOf(() => createMemoryStateStore({ clock: 'sk-secret' } as never));
    expect(problems).toEqual([
      { path: 'clock', message: 'expected a function returning epoch ms, e.g. () => Date.now()' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
    expect(problemsOf(() => createMemoryStateStore(null as never))[0]?.path).toBe('options');
  });

  it('still takes its clock: a hold expires when the injected clock passes its ttl', async () => {
    let now = 1_000;
    const store = createMemoryStateStore({ clock: () => now });
    expect((await store.reserveBudget(hold)).granted).toBe(true);
    expect((await store.reserveBudget({ ...hold, reservationId: 's' })).granted).toBe(false);
    now += 1_001;
    expect((await store.reserveBudget({ ...hold, reservationId: 's' })).granted).toBe(true);
    expect(createMemoryStateStore().kind).toBe('memory');
    expect(createMemoryStateStore({}).kind).toBe('memory');
  });
});
