import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoRuntime } from '../src/create-demo-runtime.js';
import { createDemoRuntime } from '../src/create-demo-runtime.js';
import { formatTourTable } from '../src/format-tour-table.js';
import type { TourResult } from '../src/tour.js';
import { runTour, tourScenarios } from '../src/tour.js';

let runtime: DemoRuntime;
let results: TourResult[];

beforeAll(async () => {
  runtime = await createDemoRuntime({ remoteDelayMs: 40 });
  results = await runTour(runtime);
});

afterAll(async () => {
  await runtime?.dispose();
});

function result(id: string): TourResult {
  const found = results.find((entry) => entry.scenario === id);
  if (!found) throw new Error(`the tour has no scenario "${id}"`);
  return found;
}

const reasons = (entry: TourResult) => entry.excluded.map((exclusion) => `${exclusion.target}:${exclusion.reason}`);

describe('the routing tour through the real router', () => {
  it('runs every scenario to an answer, none skipped, none failed', () => {
    expect(results.map((entry) => entry.scenario)).toEqual(tourScenarios.map((scenario) => scenario.id));
    for (const entry of results) {
      expect(entry.skipped, entry.scenario).toBeUndefined();
      expect(entry.error, entry.scenario).toBeUndefined();
      expect(entry.finishReason, entry.scenario).toBeDefined();
    }
  });

  it('keeps a note with an email address on the device and excludes the remote for privacy', () => {
    const note = result('private-note');
    expect(note.target).toBe('device');
    expect(note.privacy).toEqual({ private: true, detected: ['email'] });
    expect(reasons(note)).toEqual(['gpu:privacy']);
    expect(note.plan).toEqual(['device']);
  });

  it('answers on the device when offline', () => {
    const offline = result('offline');
    expect(offline.locality).toBe('local');
    expect(reasons(offline)).toEqual(['gpu:offline']);
  });

  it('spares the device on low battery and when hot', () => {
    expect(result('low-battery').target).toBe('gpu');
    expect(reasons(result('low-battery'))).toEqual(['device:battery']);
    expect(result('hot-device').target).toBe('gpu');
    expect(reasons(result('hot-device'))).toEqual(['device:thermal']);
  });

  it('sends a document longer than the local context window to the remote', () => {
    const long = result('long-document');
    expect(long.target).toBe('gpu');
    expect(reasons(long)).toEqual(['device:context-window']);
    expect(long.costUsd).toBeGreaterThan(0);
  });

  it('gets a tool call from the device', () => {
    const tool = result('tool-call');
    expect(tool.target).toBe('device');
    expect(tool.finishReason).toBe('tool-calls');
    expect(tool.toolCalls.map((call) => call.name)).toEqual(['get_weather']);
    expect(JSON.parse(tool.toolCalls[0]!.arguments)).toHaveProperty('city');
  });

  it('fails over from a remote that breaks mid-stream and still completes the answer', () => {
    const broken = result('remote-fails-mid-stream');
    expect(broken.plan[0]).toBe('gpu');
    expect(broken.failovers.length).toBeGreaterThan(0);
    expect(broken.failovers[0]).toMatchObject({ from: 'gpu', error: { code: 'connection' } });
    expect(broken.failovers.at(-1)?.to).toBe('device');
    // By default the device continues the sentence the remote started: no restart, so no text is shown twice.
    expect(broken.failovers.map((failover) => failover.mode)).toEqual(broken.failovers.map(() => 'continue'));
    expect(broken.target).toBe('device');
    expect(broken.fallbacks).toBeGreaterThan(0);
    expect(broken.text.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(broken.finishReason);
  });

  it('prints a table with one row per scenario and the reason codes', () => {
    const table = formatTourTable(results);
    for (const scenario of tourScenarios) expect(table).toContain(scenario.title.slice(0, 20));
    expect(table).toContain('gpu ✗ privacy (email)');
    expect(table).toContain('device ✗ context-window');
    expect(table).toContain('failover gpu →');
  });
});
