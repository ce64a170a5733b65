// Runs in headless Chromium: the tiny generated GGUF model on wllama, served by the test's loopback server.
// First: it wraps the page's Worker class before the adapter creates wllama's worker.

import type { TargetStatus } from '@switchyard/contract';
import { hostTarget } from '@switchyard/testkit/page';
import { createWllamaTarget } from '../src/index.js';
import { workerMessages } from './worker-messages.js';

const statuses: TargetStatus[] = [];
// The `logger` setting: what reaches it, and whether anything still reaches the page's console.warn.
const logged: { level: 'warn' | 'error'; message: string }[] = [];
const consoleWarnings: unknown[][] = [];
const pageWarn = console.warn;
console.warn = (...args: unknown[]) => {
  consoleWarnings.push(args);
  pageWarn(...args);
};
const target = createWllamaTarget({
  modelUrl: `${location.origin}/tiny.gguf`,
  wasmUrl: '/wllama.wasm',
  contextSize: 512,
  // wllama's default is half the cores: one thread on a 2-core machine, so ask for two where threads can run.
  ...(globalThis.crossOriginIsolated ? { threads: 2 } : {}),
  logger: {
    warn: (message) => logged.push({ level: 'warn', message }),
    error: (message) => logged.push({ level: 'error', message }),
  },
});
const poll = setInterval(() => {
  const status = target.status();
  if (JSON.stringify(status) !== JSON.stringify(statuses.at(-1))) statuses.push(status);
  if (status.state === 'ready' || status.state === 'unavailable') clearInterval(poll);
}, 2);
hostTarget('wllama', target);

Object.assign(globalThis, {
  wllamaTest: {
    target,
    statuses,
    workerMessages,
    logged,
    consoleWarnings,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  },
});
