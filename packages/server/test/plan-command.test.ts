import { connect, createServer, type Server } from 'node:net';
import { Readable } from 'node:stream';
import type { ExclusionReason } from '@switchyard/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, spawnCli, tempDir } from './cli-helpers.js';

const baseConfig = {
  targets: {
    // The model file does not exist: `plan` must never touch it.
    device: {
      adapter: 'llamacpp',
      modelPath: './models/missing.gguf',
      capabilities: { contextWindow: 2048, tools: false },
    },
    gpu: {
      adapter: 'openai',
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'meta/llama-3.1-70b-instruct',
      apiKey: { env: 'SWITCHYARD_TEST_UNSET_KEY' },
      price: { inputPer1M: 0.6, outputPer1M: 0.8 },
      capabilities: { contextWindow: 131072 },
    },
  },
  policy: {
    mode: 'prefer-local',
    device: { minFreeMemoryBytes: 1_000_000_000 },
    rules: [{ name: 'batch jobs', when: { tags: ['batch'] }, use: ['gpu'] }],
  },
};

const hello = { messages: [{ role: 'user', content: 'Hello, which way to the yard?' }], max_tokens: 32 };

describe('switchyard plan', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let config: string;

  beforeAll(async () => {
    files = await tempDir();
    config = await files.json('switchyard.config.json', baseConfig);
  });
  afterAll(() => files.remove());

  async function plan(request: unknown, signals?: unknown, configPath = config) {
    const requestPath = await files.json(`request-${Math.random().toString(36).slice(2)}.json`, request);
    const argv = ['plan', '--config', configPath, '--request', requestPath, '--json'];
    if (signals !== undefined) {
      argv.push('--signals', await files.json(`signals-${Math.random().toString(36).slice(2)}.json`, signals));
    }
    const result = await run(argv);
    return {
      ...result,
      output: JSON.parse(result.stdout) as {
        plan: { target: string }[];
        excluded: { target: string; reason: string; detail: string }[];
        explanation: string[];
      },
    };
  }

  it('prints the ordered plan with the primary first when every target is eligible', async () => {
    const { code, output } = await plan(hello);
    expect(code).toBe(0);
    expect(output.plan.map((entry) => entry.target)).toEqual(['device', 'gpu']);
    expect(output.excluded).toEqual([]);
    expect(output.explanation.length).toBeGreaterThan(0);
  });

  it('scores difficulty with @switchyard/quality when the policy has a quality section, and plans by it', async () => {
    const withQuality = (threshold: number) =>
      files.json(`quality-${threshold}.json`, {
        ...baseConfig,
        policy: { ...baseConfig.policy, quality: { threshold } },
      });
    const hard = {
      messages: [
        {
          role: 'user',
          content:
            'A train leaves the yard at 9:40 with 312 wagons; every stop uncouples 3/8 of them and couples 17 new ones. ' +
            'After four stops, how many wagons are there? Show each step and prove the answer is unique.',
        },
      ],
    };
    const never = await plan(hard, undefined, await withQuality(1));
    const always = await plan(hard, undefined, await withQuality(0));
    for (const result of [never, always]) {
      const difficulty = (result.output as { difficulty?: number }).difficulty;
      expect(difficulty).toBeGreaterThanOrEqual(0);
      expect(difficulty).toBeLessThanOrEqual(1);
    }
    // Threshold 1: difficulty never demotes the device; threshold 0: it always does.
    expect(never.output.plan.map((entry) => entry.target)).toEqual(['device', 'gpu']);
    expect(always.output.plan.map((entry) => entry.target)).toEqual(['gpu', 'device']);
    expect(always.output.explanation.join('\n')).toMatch(/difficulty \d\.\d\d \(threshold 0\): local targets demoted/);
    // The text output prints it too.
    const text = await run([
      'plan',
      '--config',
      await withQuality(0),
      '--request',
      await files.json('hard.json', hard),
    ]);
    expect(text.stdout).toMatch(/^Difficulty: \d\.\d{3}$/m);
  });

  it('does not score difficulty when the policy has no quality section', async () => {
    const { output } = await plan(hello);
    expect((output as { difficulty?: number }).difficulty).toBeUndefined();
  });

  const cases: Array<{
    reason: ExclusionReason;
    target: string;
    request?: unknown;
    signals?: unknown;
    policy?: unknown;
  }> = [
    {
      reason: 'privacy',
      target: 'gpu',
      request: { messages: [{ role: 'user', content: 'Mail jane.doe@example.com' }] },
    },
    { reason: 'privacy', target: 'gpu', request: { ...hello, switchyard: { privacy: 'private' } } },
    { reason: 'mode', target: 'device', policy: { mode: 'remote-only' } },
    { reason: 'offline', target: 'gpu', signals: { device: { network: { online: false } } } },
    { reason: 'unavailable', target: 'device', signals: { targets: { device: { status: 'downloading' } } } },
    {
      reason: 'capability',
      target: 'device',
      request: {
        ...hello,
        tools: [{ type: 'function', function: { name: 'ring_bell', parameters: { type: 'object' } } }],
      },
    },
    {
      reason: 'context-window',
      target: 'device',
      request: { messages: [{ role: 'user', content: 'track '.repeat(4000) }], max_tokens: 256 },
    },
    { reason: 'battery', target: 'device', signals: { device: { battery: { level: 0.1, charging: false } } } },
    { reason: 'thermal', target: 'device', signals: { device: { thermal: 'critical' } } },
    { reason: 'memory', target: 'device', signals: { device: { memory: { freeBytes: 1000 } } } },
    { reason: 'rule', target: 'device', request: { ...hello, switchyard: { tags: ['batch'] } } },
    { reason: 'budget', target: 'gpu', request: { ...hello, switchyard: { maxCostUsd: 0 } } },
    { reason: 'circuit-open', target: 'gpu', signals: { targets: { gpu: { circuit: 'open' } } } },
    {
      reason: 'queue',
      target: 'device',
      policy: { mode: 'auto', targets: { device: { maxQueue: 4 } } },
      signals: { targets: { device: { queueDepth: 4 } } },
    },
  ];

  it.each(cases)('excludes $target with reason "$reason"', async ({ reason, target, request, signals, policy }) => {
    const configPath = policy
      ? await files.json(`config-${reason}.json`, { ...baseConfig, policy: { ...baseConfig.policy, ...policy } })
      : config;
    const { code, output } = await plan(request ?? hello, signals, configPath);
    expect(code).toBe(0);
    expect(output.excluded).toEqual([expect.objectContaining({ target, reason, detail: expect.any(String) })]);
    expect(output.plan.map((entry) => entry.target)).toEqual([target === 'gpu' ? 'device' : 'gpu']);
  });

  it('opens no connection to any target, even one that is listening', async () => {
    let connections = 0;
    const listener: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as { port: number };
      const listening = await files.json('listening.json', {
        ...baseConfig,
        targets: {
          ...baseConfig.targets,
          gpu: { ...baseConfig.targets.gpu, baseURL: `http://127.0.0.1:${port}/v1` },
        },
      });
      const { code, output } = await plan(
        { ...hello, switchyard: { tags: ['batch'] } },
        { device: { network: { online: true } } },
        listening,
      );
      expect(code).toBe(0);
      expect(output.plan.map((entry) => entry.target)).toEqual(['gpu']);
      // A fence: connections are accepted in order, so one started by plan would be counted before this one.
      await new Promise<void>((resolve, reject) => {
        const fence = connect(port, '127.0.0.1');
        fence.on('close', () => resolve());
        fence.on('error', reject);
      });
      expect(connections).toBe(1);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('pins the plan to the target a request names as its model', async () => {
    for (const model of ['gpu', 'meta/llama-3.1-70b-instruct']) {
      const { output } = await plan({ ...hello, model });
      expect(output.plan.map((entry) => entry.target)).toEqual(['gpu']);
      expect(output.excluded).toEqual([expect.objectContaining({ target: 'device', reason: 'rule' })]);
    }
    const unknown = await run([
      'plan',
      '--config',
      config,
      '--request',
      await files.json('gpt.json', { ...hello, model: 'gpt-4o' }),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('request.model: unknown model "gpt-4o"');
  });

  it('prints NoEligibleTargetError with each target and its reason and exits 2 when nothing is eligible', async () => {
    const request = await files.json('private.json', {
      messages: [{ role: 'user', content: 'card 4111 1111 1111 1111' }],
    });
    const signals = await files.json('low-battery.json', { device: { battery: { level: 0.05, charging: false } } });
    const argv = ['plan', '--config', config, '--request', request, '--signals', signals];
    const inProcess = await run(argv);
    expect(inProcess.code).toBe(2);
    expect(inProcess.stderr).toContain('NoEligibleTargetError');
    expect(inProcess.stderr).toMatch(/device: battery/);
    expect(inProcess.stderr).toMatch(/gpu: privacy/);

    const spawned = await spawnCli(argv);
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toContain('NoEligibleTargetError');
    expect(spawned.stderr).toMatch(/gpu: privacy/);
    expect(spawned.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('says the request on standard input is not JSON, not "the request file -"', async () => {
    const config = await files.json('stdin-config.json', {
      targets: { gpu: { adapter: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
    });
    const result = await run(['plan', '--config', config, '--request', '-'], { stdin: Readable.from(['not json']) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^the request on standard input is not valid JSON: /);
  });

  it('prints a readable plan without --json and reads the request from stdin', async () => {
    const result = await run(['plan', '--config', config, '--request', '-'], {
      stdin: Readable.from([JSON.stringify({ messages: [{ role: 'user', content: 'jane.doe@example.com' }] })]),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1. device (local)');
    expect(result.stdout).toContain('gpu: privacy');
    expect(result.stdout).toContain('Explanation:');
  });

  it('lists every problem of an invalid config by path and exits 1 without a stack trace', async () => {
    const bad = await files.json('bad.json', {
      targets: {
        gpu: { adapter: 'openai', baseURL: 'not a url', model: 'm', apiKey: 'sk-inline-secret-value' },
        phone: { adapter: 'coreml' },
      },
      policy: { mode: 'fastest' },
    });
    const result = await spawnCli(['plan', '--config', bad, '--request', await files.json('r.json', hello)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('targets.gpu.baseURL: expected a URL');
    expect(result.stderr).toContain('targets.phone.adapter: expected one of "llamacpp", "openai", "ollama", "triton"');
    expect(result.stderr).toContain('policy.mode');
    expect(result.stderr).not.toContain('sk-inline-secret-value');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("names a mistyped flag with the one it meant and the command's usage, without Node's talk of positional arguments", async () => {
    const result = await spawnCli(['plan', '--confg', 'switchyard.config.json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^plan: unknown option --confg; did you mean --config\?\n\nUsage: switchyard plan /);
    expect(result.stderr).not.toContain('positional');
  });

  it('rejects an invalid signals file and an invalid request with their paths', async () => {
    const signals = await files.json('bad-signals.json', {
      device: { thermal: 'toasty' },
      targets: { tpu: { status: 'ready' } },
    });
    const badSignals = await run([
      'plan',
      '--config',
      config,
      '--request',
      await files.json('r2.json', hello),
      '--signals',
      signals,
    ]);
    expect(badSignals.code).toBe(1);
    expect(badSignals.stderr).toContain('signals.device.thermal');

    const badRequest = await run([
      'plan',
      '--config',
      config,
      '--request',
      await files.json('r3.json', { messages: [] }),
    ]);
    expect(badRequest.code).toBe(1);
    expect(badRequest.stderr).toContain('messages');
  });
});
