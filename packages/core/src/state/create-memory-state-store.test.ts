import { invalidConfigProblems, runStateStoreConformance } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from './create-memory-state-store.js';

runStateStoreConformance({ name: 'createMemoryStateStore', createStore: () => createMemoryStateStore() });

describe('createMemoryStateStore options', () => {
  const hold = { key: 'k', reservationId: 'r', amountUsd: 1, limitUsd: 1, reservationTtlMs: 1000, keyTtlMs: 60_000 };

  it('names a misspelt option instead of keeping Date.now without a word', () => {
    expect(invalidConfigProblems(() => createMemoryStateStore({ clok: () => 1 } as never))).toEqual([
      { path: 'clok', message: 'unknown option; the only one is clock, e.g. { clock: () => Date.now() }' },
    ]);
  });

  it('refuses a clock that is not a function, and options that are not an object, without echoing them', () => {
    const problems = invalidConfigProblems(() => createMemoryStateStore({ clock: 'sk-secret' } as never));
    expect(problems).toEqual([
      { path: 'clock', message: 'expected a function returning epoch ms, e.g. () => Date.now()' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
    expect(invalidConfigProblems(() => createMemoryStateStore(null as never))[0]?.path).toBe('options');
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
