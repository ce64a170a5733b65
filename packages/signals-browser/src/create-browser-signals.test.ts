import { InvalidConfigError } from '@switchyard/contract/errors';
import { describe, expect, it } from 'vitest';
import { createBrowserSignals } from './create-browser-signals.js';
import { meteredFromConnection } from './metered-from-connection.js';

const noApis = { navigator: {}, events: undefined, PressureObserver: undefined, fetch: undefined };

describe('createBrowserSignals settings', () => {
  it('rejects bad settings with an InvalidConfigError naming each field, without echoing the URL', () => {
    let error: unknown;
    try {
      createBrowserSignals({
        apis: noApis,
        reachability: { urls: ['ftp://user:secret@host/', 42 as unknown as string], intervalMs: -1 },
        pressureSampleIntervalMs: 0,
      });
    } catch (caught) {
      error = caught;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const problems = (error as InvalidConfigError).problems.map((problem) => problem.path);
    expect(problems).toEqual([
      'reachability.urls[0]',
      'reachability.urls[1]',
      'reachability.intervalMs',
      'pressureSampleIntervalMs',
    ]);
    expect((error as Error).message).not.toContain('secret');
  });

  it('applies overrides over the readings and notifies subscribers only when something changed', async () => {
    const signals = createBrowserSignals({ apis: { ...noApis, navigator: { onLine: true } } });
    const seen: unknown[] = [];
    signals.subscribe((device) => seen.push(device));
    await signals.refresh();
    signals.setOverrides({ network: { metered: true } });
    signals.setOverrides({ network: { metered: true } });
    expect(signals.read()).toEqual({ network: { online: true, metered: true } });
    expect(seen).toEqual([{ network: { online: true, metered: true } }]);
    signals.dispose();
  });
});

describe('meteredFromConnection', () => {
  it('is metered for saveData or cellular, not for wired or Wi-Fi, unknown otherwise', () => {
    const connection = (fields: object) => Object.assign(new EventTarget(), fields);
    expect(meteredFromConnection(connection({ saveData: true, type: 'wifi' }))).toBe(true);
    expect(meteredFromConnection(connection({ type: 'cellular' }))).toBe(true);
    expect(meteredFromConnection(connection({ type: 'ethernet' }))).toBe(false);
    expect(meteredFromConnection(connection({ effectiveType: '2g' }))).toBeUndefined();
  });
});
