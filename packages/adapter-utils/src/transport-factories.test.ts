import { invalidConfigProblems } from '@switchyard/contract/testing';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createUndiciTransport } from './http-transport.js';
import { createAgent } from './shared-agent.js';

describe('the transport factories check what they are given', () => {
  it('createAgent refuses a connection count that is not a positive whole number (undici takes it without a word)', () => {
    expect(invalidConfigProblems(() => createAgent(0))).toEqual([
      { path: 'connections', message: 'expected a positive whole number of connections per origin, e.g. 8, got 0' },
    ]);
    expect(invalidConfigProblems(() => createAgent('8' as never))).toEqual([
      { path: 'connections', message: 'expected a positive whole number of connections per origin, e.g. 8' },
    ]);
    const agent = createAgent(8);
    expect(agent).toBeInstanceOf(Agent);
    void agent.close();
  });

  it('createUndiciTransport refuses what is not a dispatcher', () => {
    expect(invalidConfigProblems(() => createUndiciTransport('http://127.0.0.1:9' as never))).toEqual([
      { path: 'dispatcher', message: 'expected an undici Dispatcher (Agent, Pool, Client) or nothing' },
    ]);
    expect(typeof createUndiciTransport().request).toBe('function');
  });
});
