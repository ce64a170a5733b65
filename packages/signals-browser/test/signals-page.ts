// Runs in headless Chromium: the real browser APIs feed a router with a device and a GPU target.
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import type { BrowserDeviceSignals, BrowserSignalsSettings } from '../src/index.js';
import { createBrowserSignals } from '../src/index.js';

const updates: BrowserDeviceSignals[] = [];

function start(settings: BrowserSignalsSettings = {}) {
  const signals = createBrowserSignals(settings);
  signals.subscribe((device) => updates.push(device));
  const router = createRouter({
    targets: {
      device: createScriptedTarget({ id: 'device', locality: 'local' }),
      gpu: createScriptedTarget({ id: 'gpu', locality: 'remote' }),
    },
    policy: { mode: 'prefer-local', device: { maxThermalState: 'fair' } },
    signals,
  });
  const plan = () => {
    const result = router.plan({ messages: [{ role: 'user', content: 'Hi' }] });
    return {
      order: result.plan.map((planned) => planned.target),
      excluded: result.excluded.map((exclusion) => `${exclusion.target}:${exclusion.reason}`),
    };
  };
  return { signals, plan };
}

/** Runs the signals in a dedicated worker (no Battery Status API there) and answers with its first readings. */
function inWorker(): Promise<unknown> {
  const worker = new Worker('/worker.js', { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(event.message));
  });
}

Object.assign(globalThis, { switchyardTest: { start, updates, inWorker, createBrowserSignals } });
