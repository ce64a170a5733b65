import { InvalidConfigError } from '@switchyard/contract/errors';
import { invalidConfigProblems } from '@switchyard/contract/testing';
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

  it('names a misspelt or misplaced setting with the one it fits instead of keeping the default', () => {
    expect(invalidConfigProblems(() => createBrowserSignals({ apis: noApis, intervalMs: 5 } as never))).toEqual([
      { path: 'intervalMs', message: 'unknown setting; did you mean "reachability.intervalMs"?' },
    ]);
    expect(
      invalidConfigProblems(() =>
        createBrowserSignals({ apis: { ...noApis, navigatr: {} }, reachability: { urls: [], timeout: 5 } } as never),
      ),
    ).toEqual([
      { path: 'reachability.timeout', message: 'unknown setting; expected one of urls, intervalMs, timeoutMs' },
      { path: 'apis.navigatr', message: 'unknown setting; expected one of navigator, events, PressureObserver, fetch' },
    ]);
  });

  it('refuses timers no browser can wait and strings where ms belong, showing numbers only', () => {
    const problems = invalidConfigProblems(() =>
      createBrowserSignals({
        apis: noApis,
        reachability: { urls: [], intervalMs: 2 ** 31, timeoutMs: 'sk-secret' as never },
      }),
    );
    expect(problems).toEqual([
      {
        path: 'reachability.intervalMs',
        message: 'expected a positive number of ms below 2^31 (24.8 days), e.g. 15000, got 2147483648',
      },
      {
        path: 'reachability.timeoutMs',
        message: 'expected a positive number of ms below 2^31 (24.8 days), e.g. 15000',
      },
    ]);
    expect(JSON.stringify(problems)).not.toContain('sk-secret');
  });

  it('checks overrides, in the settings and in setOverrides(), which keeps the ones it had when refused', () => {
    expect(
      invalidConfigProblems(() => createBrowserSignals({ apis: noApis, overrides: { battery: { level: 7 } } })),
    ).toEqual([{ path: 'overrides.battery.level', message: 'expected a fraction from 0 to 1, e.g. 0.8, got 7' }]);
    const signals = createBrowserSignals({ apis: noApis, overrides: { thermal: 'fair' } });
    expect(invalidConfigProblems(() => signals.setOverrides({ thermal: 'hot' as never }))).toEqual([
      { path: 'overrides.thermal', message: 'expected one of nominal, fair, serious, critical' },
    ]);
    expect(signals.read()).toEqual({ thermal: 'fair' });
    signals.setOverrides({ thermal: 'serious' });
    expect(signals.read()).toEqual({ thermal: 'serious' });
    signals.dispose();
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
