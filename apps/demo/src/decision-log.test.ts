import type { RouteSummary } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { DecisionLog } from './decision-log.js';

function route(target: string, locality: 'local' | 'remote', startedAt: number): RouteSummary {
  return {
    target,
    locality,
    plan: {
      plan: [{ target, locality }],
      excluded: [{ target: 'gpu', reason: 'offline', detail: 'the device is offline' }],
      explanation: [],
      privacy: { private: false, detected: [] },
      promptTokens: {},
    },
    attempts: [
      { target: 'gpu', outcome: 'error', startedAt, durationMs: 30 },
      { target, outcome: 'success', startedAt: startedAt + 40, durationMs: 60, ttftMs: 12 },
    ],
    fallbacks: 1,
    hedged: false,
    costUsd: 0,
    ttftMs: 12,
  };
}

describe('DecisionLog', () => {
  it('records where a request ran, its whole duration across attempts, and why targets were left out', () => {
    const log = new DecisionLog();
    const record = log.add(route('device', 'local', 1_000), 5_000);
    expect(record).toMatchObject({
      id: 1,
      target: 'device',
      locality: 'local',
      durationMs: 100,
      ttftMs: 12,
      fallbacks: 1,
      excluded: [{ target: 'gpu', reason: 'offline' }],
    });
  });

  it('keeps only the most recent records', () => {
    const log = new DecisionLog(3);
    for (let index = 0; index < 5; index += 1) log.add(route('device', 'local', index));
    log.addFailure([{ target: 'device', reason: 'battery' }]);
    expect(log.list().map((record) => record.id)).toEqual([4, 5, 6]);
    expect(log.list().at(-1)).toMatchObject({ target: null, locality: null });
  });
});
