import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BrowserPage } from '@switchyard/testkit';
import { openBrowserPage } from '@switchyard/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserDeviceSignals, BrowserSignalSource, BrowserSignalsSettings } from '../src/index.js';

type Plan = { order: string[]; excluded: string[] };
interface TestApi {
  start(settings?: BrowserSignalsSettings): { signals: BrowserSignalSource; plan(): Plan };
  updates: BrowserDeviceSignals[];
  inWorker(): Promise<{ device: BrowserDeviceSignals; hasBattery: boolean }>;
}
declare global {
  var switchyardTest: TestApi;
  var current: { signals: BrowserSignalSource; plan(): Plan };
}

const entry = (name: string) => fileURLToPath(new URL(name, import.meta.url));
let browser: BrowserPage;
let probes = 0;

beforeAll(async () => {
  browser = await openBrowserPage({
    scripts: { '/app.js': entry('./signals-page.ts'), '/worker.js': entry('./signals-worker.ts') },
    handle(request: IncomingMessage, response: ServerResponse) {
      if (!request.url?.startsWith('/probe')) return false;
      probes += 1;
      response.writeHead(204).end();
      return true;
    },
  });
  await browser.page.waitForFunction(() => globalThis.switchyardTest !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

/** Starts a fresh signal source in the page (disposing the previous one) and waits for its first readings. */
async function start(settings: BrowserSignalsSettings = {}): Promise<BrowserDeviceSignals> {
  return browser.page.evaluate(async (settings) => {
    globalThis.current?.signals.dispose();
    switchyardTest.updates.length = 0;
    globalThis.current = switchyardTest.start(settings);
    return globalThis.current.signals.refresh();
  }, settings);
}

const read = () => browser.page.evaluate(() => globalThis.current.signals.read());
const plan = () => browser.page.evaluate(() => globalThis.current.plan());
/** Waits until the page's signal source pushed a reading that satisfies `check` to its subscribers. */
const pushed = (check: string) =>
  browser.page.waitForFunction(
    (check) => switchyardTest.updates.some((device) => new Function('device', `return ${check}`)(device)),
    check,
  );

/** A port on which nothing listens (bound, then closed). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1`;
}

describe('createBrowserSignals in headless Chromium', () => {
  it("reads Chromium's real battery, memory and network APIs", async () => {
    const device = await start();
    const truth = await browser.page.evaluate(async () => {
      const nav = navigator as Navigator & {
        getBattery(): Promise<{ level: number; charging: boolean }>;
        deviceMemory: number;
        connection: { effectiveType: string; saveData: boolean };
      };
      const battery = await nav.getBattery();
      return {
        level: battery.level,
        charging: battery.charging,
        memory: nav.deviceMemory,
        effectiveType: nav.connection.effectiveType,
        saveData: nav.connection.saveData,
      };
    });
    expect(device.battery).toEqual({ level: truth.level, charging: truth.charging });
    expect(device.memory?.totalBytes).toBe(truth.memory * 2 ** 30);
    expect(device.network).toMatchObject({
      online: true,
      effectiveType: truth.effectiveType,
      saveData: truth.saveData,
    });
    // Desktop Chromium has no connection type and saveData is off: who pays for the link is unknown, not "unmetered".
    expect(device.network?.metered).toBeUndefined();
  });

  it('goes offline and back online with CDP network emulation, pushing each change to the router', async () => {
    await start();
    expect(await plan()).toEqual({ order: ['device', 'gpu'], excluded: [] });
    const cdp = await browser.cdp();
    await cdp.send('Network.enable');
    const conditions = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
    await cdp.send('Network.emulateNetworkConditions', { offline: true, ...conditions });
    await pushed('device.network?.online === false');
    expect(await plan()).toEqual({ order: ['device'], excluded: ['gpu:offline'] });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...conditions });
    await pushed('device.network?.online === true');
    expect((await read()).network?.online).toBe(true);
    expect((await plan()).order).toEqual(['device', 'gpu']);
    await cdp.detach();
  });

  it('maps Compute Pressure states (CDP pressure override) to thermal, and critical pressure moves work off the device', async () => {
    const cdp = await browser.cdp();
    await cdp.send('Emulation.setPressureSourceOverrideEnabled', { enabled: true, source: 'cpu' });
    await start({ pressureSampleIntervalMs: 100 });
    for (const state of ['fair', 'serious', 'critical', 'nominal'] as const) {
      await cdp.send('Emulation.setPressureStateOverride', { source: 'cpu', state });
      await pushed(`device.thermal === '${state}'`);
      const { order, excluded } = await plan();
      if (state === 'serious' || state === 'critical') {
        expect(order).toEqual(['gpu']);
        expect(excluded).toEqual(['device:thermal']);
      } else {
        expect(order).toEqual(['device', 'gpu']);
      }
    }
    await cdp.send('Emulation.setPressureSourceOverrideEnabled', { enabled: false, source: 'cpu' });
    await cdp.detach();
  });

  it('probes the remote targets: online when one answers, offline when none does', async () => {
    const dead = await deadUrl();
    const before = probes;
    const reachable = await start({ reachability: { urls: [dead, `${browser.url}probe`], timeoutMs: 2000 } });
    expect(reachable.network?.online).toBe(true);
    expect(probes).toBeGreaterThan(before);
    const unreachable = await start({ reachability: { urls: [dead], timeoutMs: 2000 } });
    // navigator.onLine is true, but the only remote target cannot be reached: the router must not plan on it.
    expect(unreachable.network?.online).toBe(false);
    expect(await plan()).toEqual({ order: ['device'], excluded: ['gpu:offline'] });
  });

  it('runs in a dedicated worker, where there is no Battery Status API: battery unknown, no throw', async () => {
    const result = await browser.page.evaluate(() => switchyardTest.inWorker());
    expect(result.hasBattery).toBe(false);
    expect(result.device.battery).toBeUndefined();
    expect(result.device.network?.online).toBe(true);
  });

  it('treats every missing API as unknown instead of throwing', async () => {
    const device = await browser.page.evaluate(async () => {
      const signals = createBrowserSignalsWithout();
      const first = await signals.refresh();
      signals.dispose();
      return first;
      function createBrowserSignalsWithout() {
        const { createBrowserSignals } = switchyardTest as unknown as {
          createBrowserSignals: typeof import('../src/index.js').createBrowserSignals;
        };
        return createBrowserSignals({ apis: { navigator: {}, events: undefined, PressureObserver: undefined } });
      }
    });
    expect(device).toEqual({});
  });

  it('treats a Compute Pressure API that refuses to observe as unknown thermal', async () => {
    const device = await browser.page.evaluate(async () => {
      const { createBrowserSignals } = switchyardTest as unknown as {
        createBrowserSignals: typeof import('../src/index.js').createBrowserSignals;
      };
      class RefusingObserver {
        observe() {
          return Promise.reject(new DOMException('not allowed', 'NotAllowedError'));
        }
        disconnect() {}
      }
      const signals = createBrowserSignals({ apis: { PressureObserver: RefusingObserver } });
      const first = await signals.refresh();
      signals.dispose();
      return first;
    });
    expect(device.thermal).toBeUndefined();
    expect(device.network?.online).toBe(true);
  });
});
