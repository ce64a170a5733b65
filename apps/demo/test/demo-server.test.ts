import { createServer, type Server } from 'node:net';
import type { PolicyInput } from '@switchyard/core';
import { createManualSignals, createRouter } from '@switchyard/core';
import type { ScriptedTarget } from '@switchyard/core/testing';
import { createScriptedTarget } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoRuntime } from '../src/create-demo-runtime.js';
import { DecisionLog } from '../src/decision-log.js';
import type { DemoServer } from '../src/demo-server.js';
import { startDemoServer } from '../src/demo-server.js';
import type { TraceView } from '../src/trace-recorder.js';
import { TraceRecorder } from '../src/trace-recorder.js';

// The server's own behaviour (streaming, cancellation, shutdown, ports) over a real router with scripted targets,
// so it runs in milliseconds; the page test covers the same server over the real models.
let device: ScriptedTarget;
let runtime: DemoRuntime;
let server: DemoServer;

beforeAll(async () => {
  device = createScriptedTarget({
    id: 'scripted:device',
    locality: 'local',
    script: [{ text: ['one ', 'two ', 'three ', 'four ', 'five'], chunkDelayMs: 150 }],
  });
  const gpu = createScriptedTarget({ id: 'scripted:gpu', locality: 'remote' });
  const signals = createManualSignals({});
  let policy: PolicyInput = { mode: 'prefer-local' };
  const traces = new TraceRecorder();
  const router = createRouter({
    targets: { device, gpu },
    policy,
    signals,
    telemetry: { tracerProvider: traces.tracerProvider },
  });
  runtime = {
    router,
    signals,
    targets: [
      {
        name: 'device',
        locality: 'local',
        source: 'config',
        description: 'scripted',
        summary: 'scripted',
        location: '-',
      },
      {
        name: 'gpu',
        locality: 'remote',
        source: 'config',
        description: 'scripted',
        summary: 'scripted',
        location: '-',
      },
    ],
    localName: 'device',
    remoteName: 'gpu',
    usesStandIns: false,
    remoteStandIn: undefined,
    get policy() {
      return policy;
    },
    setMode(mode) {
      policy = { ...policy, mode };
      router.setPolicy(policy);
    },
    setSignals(patch) {
      signals.set(patch);
      return signals.read();
    },
    remoteFault: () => undefined,
    breakRemote: async () => {},
    readThisDevice: async () => 'battery unknown (no battery found), thermal unknown, network unknown',
    log: new DecisionLog(),
    traces,
    dispose: async () => {
      await router.dispose();
      await traces.shutdown();
    },
  };
  server = await startDemoServer({ runtime, port: 0, assetsDir: '/nonexistent' });
});

afterAll(async () => {
  await server?.close();
  await runtime?.dispose();
});

describe('the demo server', () => {
  it('streams the decision, the text and the summary as Server-Sent Events', async () => {
    const response = await fetch(`${server.url}api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'count' }] }),
    });
    const types = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => (JSON.parse(block.slice(6)) as { type: string; phase?: string }).type);
    expect(types[0]).toBe('route');
    expect(types.filter((type) => type === 'text-delta')).toHaveLength(5);
    expect(types.slice(-2)).toEqual(['route', 'record']);
  });

  it("serves the last request's OpenTelemetry spans for the waterfall at /api/trace (real SDK, scripted targets)", async () => {
    const response = await fetch(`${server.url}api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'trace me' }] }),
    });
    await response.text();
    const trace = (await (await fetch(`${server.url}api/trace`)).json()) as TraceView;
    expect(trace.traceId).toMatch(/^[\da-f]{32}$/);
    expect(trace.spans.map((span) => [span.name, span.kind, span.target])).toEqual([
      ['chat', 'internal', 'device'],
      ['chat device', 'internal', 'device'],
    ]);
    const [request, attempt] = trace.spans;
    expect(attempt?.parentSpanId).toBe(request?.spanId);
    expect(request?.startMs).toBe(0);
    expect(attempt!.startMs + attempt!.durationMs).toBeLessThanOrEqual(trace.durationMs + 0.001);
    expect(attempt?.detail).toContain('success');
  });

  it('cancels the attempt in flight when the page goes away mid-answer', async () => {
    const callsBefore = device.calls.length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'count slowly' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => device.active, { timeout: 10_000 }).toBe(0);
    expect(device.calls[callsBefore]?.signal?.aborted).toBe(true);
  });

  it('names the missing build step when the page assets are not built', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('pnpm --filter @switchyard/demo build');
  });

  it('answers 404 for paths it does not serve', async () => {
    const response = await fetch(`${server.url}api/nothing`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('GET /api/nothing');
  });

  it('says which flag to use when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startDemoServer({ runtime, port })).rejects.toThrow(/port \d+ is in use: pass --port/);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
