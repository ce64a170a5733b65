import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StreamPart, Target, TargetCall, TargetStatus } from '@switchyard/contract';
import { ConnectionError } from '@switchyard/contract';
import { invalidConfigProblems } from '@switchyard/contract/testing';
import { describe, expect, it } from 'vitest';
import { createPoolTarget, type PoolTargetSettings } from './create-pool-target.js';
import { HttpClient } from './http-client.js';
import { createUndiciTransport } from './http-transport.js';

/** An in-memory stand-in for one replica endpoint: answers after `delayMs`, or fails while `down`. */
function standIn(name: string, options: { delayMs?: number; breakAfterFirst?: boolean } = {}) {
  const state = { down: false, calls: 0, status: { state: 'ready' } as TargetStatus };
  const target: Target = {
    specificationVersion: 'v1',
    id: `stand-in:${name}`,
    locality: 'remote',
    capabilities: { contextWindow: 4096, maxOutputTokens: 256, tools: false, jsonSchema: false, images: false },
    status: () => state.status,
    async checkStatus() {
      state.status = state.down ? { state: 'unavailable', code: 'unreachable', reason: 'down' } : { state: 'ready' };
      return state.status;
    },
    async generate() {
      throw new Error('not used');
    },
    async *stream(): AsyncGenerator<StreamPart> {
      state.calls += 1;
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 2));
      if (state.down) throw new ConnectionError({ url: `http://${name}.invalid/v1`, cause: new Error('ECONNREFUSED') });
      yield { type: 'text-delta', text: name };
      if (options.breakAfterFirst) throw new ConnectionError({ url: `http://${name}.invalid/v1` });
      yield { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } };
      yield { type: 'finish', finishReason: 'stop' };
    },
  };
  return { target, state };
}

const call = (conversation: string): TargetCall => ({
  messages: [{ role: 'user', content: conversation }],
  maxTokens: 4,
});

describe('createPoolTarget (in-memory stand-in replicas)', () => {
  it('spreads concurrent load over three equal replicas within ±10 % of even', async () => {
    const replicas = { a: standIn('a'), b: standIn('b'), c: standIn('c') };
    const pool = createPoolTarget({
      replicas: { a: replicas.a.target, b: replicas.b.target, c: replicas.c.target },
      sticky: false,
    });
    await Promise.all(Array.from({ length: 300 }, (_, index) => pool.generate(call(`q${index}`))));
    for (const replica of Object.values(replicas)) {
      expect(replica.state.calls).toBeGreaterThanOrEqual(90);
      expect(replica.state.calls).toBeLessThanOrEqual(110);
    }
    expect(Object.values(pool.replicaStats()).every((stats) => stats.inFlight === 0)).toBe(true);
  });

  it('sends less to a replica whose first tokens come clearly later', async () => {
    const replicas = {
      a: standIn('a', { delayMs: 2 }),
      b: standIn('b', { delayMs: 2 }),
      c: standIn('c', { delayMs: 60 }),
    };
    const pool = createPoolTarget({
      replicas: { a: replicas.a.target, b: replicas.b.target, c: replicas.c.target },
      sticky: false,
    });
    for (let wave = 0; wave < 20; wave += 1) {
      await Promise.all(Array.from({ length: 6 }, (_, index) => pool.generate(call(`q${wave}-${index}`))));
    }
    expect(replicas.c.state.calls * 2).toBeLessThan(replicas.a.state.calls);
    expect(replicas.c.state.calls * 2).toBeLessThan(replicas.b.state.calls);
  });

  /** Three replicas, b slow (300 ms) until the test says otherwise; `ask` calls the pool one call at a time. */
  function withSlowB() {
    const bTiming = { delayMs: 300 };
    const replicas = { a: standIn('a'), b: standIn('b', bTiming), c: standIn('c') };
    const pool = createPoolTarget({
      replicas: { a: replicas.a.target, b: replicas.b.target, c: replicas.c.target },
      sticky: false,
    });
    // One at a time, so only latency (not requests in flight) ranks them: b answers once, slowly, and drops to last.
    const ask = async (count: number) => {
      for (let index = 0; index < count; index += 1) await pool.generate(call(`q${index}`));
    };
    return { bTiming, replicas, pool, ask };
  }

  it('tries a replica that answered slowly once again after a while, and ranks it by what it does now', async () => {
    const { bTiming, replicas, pool, ask } = withSlowB();
    await ask(9);
    expect(replicas.b.state.calls).toBe(1);
    // b is fast again (a GC pause, a cold connection, a loaded moment are over). Nothing tells the pool so until b is
    // asked: the longer b waits unmeasured, the more its slow average fades, until it is tried and measured afresh.
    bTiming.delayMs = 2;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const before = replicas.b.state.calls;
    await ask(9);
    expect(replicas.b.state.calls - before).toBeGreaterThanOrEqual(2);
    expect(pool.replicaStats().b!.ttftMsEwma!).toBeLessThan(100);
  });

  it('forgets what a replica measured before it was unavailable: back in rotation, it is not ranked by it', async () => {
    const { bTiming, replicas, pool, ask } = withSlowB();
    await ask(6);
    expect(replicas.b.state.calls).toBe(1);
    // b restarts: its own status says unavailable for a while (as an HTTP adapter's does after a refused connection),
    // then ready again, now fast.
    replicas.b.state.down = true;
    await replicas.b.target.checkStatus?.();
    await ask(3);
    expect(pool.replicaStats().b?.state).toBe('out');
    replicas.b.state.down = false;
    bTiming.delayMs = 2;
    await replicas.b.target.checkStatus?.();
    const before = replicas.b.state.calls;
    await ask(9);
    expect(replicas.b.state.calls - before).toBeGreaterThanOrEqual(2);
  });

  it('moves a dead replica’s share to the others without failing a call, and takes it back once a probe finds it ready', async () => {
    const replicas = { a: standIn('a'), b: standIn('b'), c: standIn('c') };
    const pool = createPoolTarget({
      replicas: { a: replicas.a.target, b: replicas.b.target, c: replicas.c.target },
      sticky: false,
      failureThreshold: 2,
      probeIntervalMs: 20,
    });
    replicas.b.state.down = true;
    const results = await Promise.all(Array.from({ length: 60 }, (_, index) => pool.generate(call(`q${index}`))));
    expect(results.every((result) => result.text === 'a' || result.text === 'c')).toBe(true);
    expect(pool.replicaStats().b?.state).toBe('out');
    const before = replicas.b.state.calls;
    await Promise.all(Array.from({ length: 30 }, (_, index) => pool.generate(call(`r${index}`))));
    expect(replicas.b.state.calls).toBe(before); // out of rotation: not even tried
    replicas.b.state.down = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pool.replicaStats().b?.state).toBe('in');
    await Promise.all(Array.from({ length: 30 }, (_, index) => pool.generate(call(`s${index}`))));
    expect(replicas.b.state.calls).toBeGreaterThan(before);
    await pool.dispose?.();
  });

  it('keeps a conversation on one replica, and moves only a dead replica’s conversations', async () => {
    const replicas = { a: standIn('a'), b: standIn('b'), c: standIn('c') };
    const pool = createPoolTarget({ replicas: { a: replicas.a.target, b: replicas.b.target, c: replicas.c.target } });
    const conversations = Array.from({ length: 30 }, (_, index) => `conversation ${index}`);
    const home = new Map<string, string>();
    for (const conversation of conversations) home.set(conversation, (await pool.generate(call(conversation))).text);
    // A later turn repeats the first user message, so it lands where the conversation started.
    for (const conversation of conversations) {
      const turn: TargetCall = {
        messages: [
          { role: 'user', content: conversation },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'and then?' },
        ],
      };
      expect((await pool.generate(turn)).text).toBe(home.get(conversation));
    }
    expect(new Set(home.values()).size).toBe(3);
    replicas.a.state.down = true;
    for (const conversation of conversations) {
      const answered = (await pool.generate(call(conversation))).text;
      if (home.get(conversation) === 'a') expect(answered).not.toBe('a');
      else expect(answered).toBe(home.get(conversation));
    }
  });

  it('never replays output: a replica that breaks after its first token fails the call', async () => {
    const broken = standIn('a', { breakAfterFirst: true });
    const healthy = standIn('b');
    const pool = createPoolTarget({ replicas: { a: broken.target, b: healthy.target }, sticky: false });
    const errors: unknown[] = [];
    for (let index = 0; index < 4; index += 1) {
      await pool.generate(call(`q${index}`)).catch((error: unknown) => errors.push(error));
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => (error as { code?: string }).code === 'connection')).toBe(true);
    expect(pool.replicaStats().a?.inFlight).toBe(0);
  });

  it('gives the slot back when the consumer stops reading', async () => {
    const replica = standIn('a');
    const pool = createPoolTarget({ replicas: { a: replica.target } });
    for await (const part of pool.stream(call('q'))) {
      if (part.type === 'text-delta') break;
    }
    expect(pool.replicaStats().a).toMatchObject({ inFlight: 0, failures: 0, state: 'in' });
  });

  it('asks replicas that answer whole for their whole answer, and retries a failed one on the next replica', async () => {
    const whole = (name: string) => {
      const replica = standIn(name);
      const generated = { calls: 0 };
      replica.target.capabilities.wholeAnswers = true;
      replica.target.generate = async () => {
        generated.calls += 1;
        if (replica.state.down) throw new ConnectionError({ url: `http://${name}.invalid/v1` });
        return { text: name, toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
      };
      return { ...replica, generated };
    };
    const a = whole('a');
    const b = whole('b');
    a.state.down = true;
    const pool = createPoolTarget({ replicas: { a: a.target, b: b.target }, sticky: false });
    expect(pool.capabilities.wholeAnswers).toBe(true);
    const answers = await Promise.all(Array.from({ length: 4 }, (_, index) => pool.generate(call(`q${index}`))));
    expect(answers.map((answer) => answer.text)).toEqual(['b', 'b', 'b', 'b']);
    // Nothing streamed; the dead replica's failures were retried on the other one and counted against it.
    expect(a.state.calls + b.state.calls).toBe(0);
    expect(a.generated.calls).toBeGreaterThan(0);
    expect(b.generated.calls).toBe(4);
    expect(pool.replicaStats().a).toMatchObject({ inFlight: 0, failures: a.generated.calls });
    expect(pool.replicaStats().b).toMatchObject({ inFlight: 0, failures: 0 });
  });

  it('names the setting when there is no replica', () => {
    expect(() => createPoolTarget({ replicas: {} })).toThrow(/replicas: expected at least one replica/);
  });

  describe('settings it used to take silently', () => {
    const problemsOf = (settings: unknown) =>
      invalidConfigProblems(() => createPoolTarget(settings as PoolTargetSettings));

    it('names a misspelt setting with the one it is probably a typo of', () => {
      expect(problemsOf({ replicas: { a: standIn('a').target }, failureTreshold: 2 })).toEqual([
        { path: 'failureTreshold', message: 'unknown setting; did you mean "failureThreshold"?' },
      ]);
    });

    it('refuses counts and durations that are not positive whole numbers, showing numbers only', () => {
      const problems = problemsOf({
        replicas: { a: standIn('a').target },
        failureThreshold: -1,
        cooldownMs: 'sk-secret',
        stickySlack: 1.5,
      });
      expect(problems).toEqual([
        { path: 'stickySlack', message: expect.stringMatching(/^expected a whole number of requests, 0 or more/) },
        { path: 'failureThreshold', message: 'expected a positive whole number of failures, got -1' },
        { path: 'cooldownMs', message: 'expected a positive whole number of milliseconds, got a string' },
      ]);
      expect(JSON.stringify(problems)).not.toContain('sk-secret');
    });

    it('bounds failureThreshold (each failure keeps its time in the window) and the timers', () => {
      expect(
        problemsOf({ replicas: { a: standIn('a').target }, failureThreshold: 1001, probeIntervalMs: 2 ** 31 }),
      ).toEqual([
        { path: 'failureThreshold', message: 'expected at most 1000 (each failure keeps its time in the window)' },
        {
          path: 'probeIntervalMs',
          message: 'expected at most 2147483647 ms (24.8 days): a longer timer fires at once',
        },
      ]);
    });

    it('refuses a replica that is not a target', () => {
      expect(problemsOf({ replicas: { a: 42, b: standIn('b').target } })).toEqual([
        {
          path: 'replicas.a',
          message:
            'expected a target from an adapter factory (status(), generate(), stream(), locality), e.g. createOpenAITarget({ … })',
        },
      ]);
    });

    it('still takes good settings: failureThreshold 1 takes a failing replica out after one failure', async () => {
      const a = standIn('a');
      const b = standIn('b');
      a.state.down = true;
      const pool = createPoolTarget({
        replicas: { a: a.target, b: b.target },
        id: 'pool:gpu',
        sticky: false,
        stickySlack: 0,
        failureThreshold: 1000,
        windowMs: 60_000,
        cooldownMs: 60_000,
        probeIntervalMs: 60_000,
      });
      expect(pool.id).toBe('pool:gpu');
      await pool.dispose?.();
      const strict = createPoolTarget({ replicas: { a: a.target, b: b.target }, sticky: false, failureThreshold: 1 });
      for (let index = 0; index < 4; index += 1) await strict.generate(call(`q${index}`));
      expect(strict.replicaStats().a).toMatchObject({ failures: 1, state: 'out' });
      expect(b.state.calls).toBe(4);
      await strict.dispose?.();
    });
  });
});

/**
 * A real loopback replica that answers whole: a stand-in server (no model server can be made slow on demand) that
 * waits `overheadMs` plus 1 ms per output token (1000 tokens/s, faster than the 80 tokens/s prior the pool assumes) and
 * answers `{ text, outputTokens }`, and a minimal whole-answer target over the kit's HTTP client.
 */
async function wholeAnswerReplica(name: string, overheadMs: number) {
  const served = { calls: 0 };
  // Plain node:http: the kit's tests cannot use the testkit's stand-in server (the testkit depends on the kit).
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      served.calls += 1;
      const tokens = Number((JSON.parse(text) as { tokens?: number }).tokens ?? 4);
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ text: name.repeat(tokens), outputTokens: tokens }));
      }, overheadMs + tokens);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new HttpClient({ target: name, baseURL: url, transport: createUndiciTransport() });
  const target: Target = {
    specificationVersion: 'v1',
    id: `loopback:${name}`,
    locality: 'remote',
    capabilities: {
      contextWindow: 4096,
      maxOutputTokens: 1024,
      tools: false,
      jsonSchema: false,
      images: false,
      wholeAnswers: true,
    },
    status: () => ({ state: 'ready' }),
    async generate(call) {
      const answer = await client.getJson<{ text: string; outputTokens: number }>({
        method: 'POST',
        path: '/answer',
        json: { tokens: call.maxTokens },
        signal: call.signal,
      });
      return {
        text: answer.text,
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: answer.outputTokens },
      };
    },
    stream(): AsyncGenerator<StreamPart> {
      throw new Error('a whole-answer replica is not streamed by the pool');
    },
  };
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { target, served, close };
}

describe('createPoolTarget over real loopback replicas that answer whole (stand-in servers)', () => {
  it('learns from whole answers: the fast replica is preferred, and its long answer is not counted as waiting', async () => {
    const fast = await wholeAnswerReplica('f', 5);
    const slow = await wholeAnswerReplica('s', 150);
    const pool = createPoolTarget({ replicas: { fast: fast.target, slow: slow.target }, sticky: false });
    try {
      // One at a time, so only latency (not requests in flight) can tell the replicas apart.
      for (let index = 0; index < 4; index += 1) await pool.generate(call(`q${index}`));
      const learned = pool.replicaStats();
      expect(learned.fast?.ttftMsEwma).toBeDefined();
      expect(learned.slow?.ttftMsEwma).toBeDefined();
      expect(learned.slow!.ttftMsEwma!).toBeGreaterThan(learned.fast!.ttftMsEwma!);
      const before = { fast: fast.served.calls, slow: slow.served.calls };
      for (let index = 0; index < 6; index += 1) await pool.generate(call(`r${index}`));
      expect(fast.served.calls - before.fast).toBe(6);
      expect(slow.served.calls - before.slow).toBe(0);

      // 400 tokens take the fast replica ~0.4 s, longer than the slow one's short answers, but that is decoding, not
      // waiting: at the assumed rate (80 tokens/s) it is a 0 ms sample, so its average does not rise.
      const fastBefore = pool.replicaStats().fast!.ttftMsEwma!;
      const long = await pool.generate({ messages: [{ role: 'user', content: 'long' }], maxTokens: 400 });
      expect(long.usage?.outputTokens).toBe(400);
      expect(fast.served.calls - before.fast).toBe(7);
      expect(pool.replicaStats().fast!.ttftMsEwma!).toBeLessThanOrEqual(fastBefore);
      await pool.generate(call('after the long answer'));
      expect(fast.served.calls - before.fast).toBe(8);
    } finally {
      await pool.dispose?.();
      await Promise.all([fast.close(), slow.close()]);
    }
  });
});
