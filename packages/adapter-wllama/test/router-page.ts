// Runs in headless Chromium: the router in the page, the device = wllama on the tiny model, real browser signals, and
// a scripted remote GPU stand-in (the fetch transport of adapter-openai is not there yet).
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import { createBrowserSignals } from '@switchyard/signals-browser';
import { createWllamaTarget } from '../src/index.js';

const signals = createBrowserSignals({ pressureSampleIntervalMs: 100 });
const device = createWllamaTarget({
  modelUrl: `${location.origin}/tiny.gguf`,
  wasmUrl: '/wllama.wasm',
  contextSize: 512,
});
const gpu = createScriptedTarget({
  id: 'gpu-stand-in',
  locality: 'remote',
  capabilities: { continuation: true },
  script: [{ text: [' The', ' yard', ' is', ' busy', ' tonight.'], chunkDelayMs: 5 }],
});
const targets = { device, gpu };
// No retry on the same target: a broken remote stream goes straight to the next target.
const policy = { device: { maxThermalState: 'fair' as const }, execution: { retries: 0 } };
const routers = {
  preferLocal: createRouter({ targets, signals, policy: { ...policy, mode: 'prefer-local' as const } }),
  preferRemote: createRouter({ targets, signals, policy: { ...policy, mode: 'prefer-remote' as const } }),
};

/** Streams one answer through a router; returns the text, who answered, failovers and what was excluded. */
async function ask(router: keyof typeof routers, content: string, privacy?: 'private') {
  let text = '';
  const failovers: string[] = [];
  let answeredBy: string | undefined;
  let excluded: string[] = [];
  for await (const part of routers[router].stream({
    messages: [{ role: 'user', content }],
    maxTokens: 8,
    temperature: 0,
    ...(privacy ? { routing: { privacy } } : {}),
  })) {
    if (part.type === 'text-delta') text += part.text;
    else if (part.type === 'failover') failovers.push(`${part.from}->${part.to}:${part.mode}`);
    else if (part.type === 'route' && part.phase === 'decision') {
      excluded = part.plan.excluded.map((exclusion) => `${exclusion.target}:${exclusion.reason}`);
    } else if (part.type === 'route' && part.phase === 'summary') answeredBy = part.route.target;
  }
  return { text, answeredBy, failovers, excluded };
}

Object.assign(globalThis, { routerTest: { ask, device, gpu, signals } });
