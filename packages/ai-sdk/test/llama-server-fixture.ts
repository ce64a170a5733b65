import { createLlamaCppTarget, type LlamaCppTarget } from '@switchyard/adapter-llamacpp';
import {
  ensureTinyModel,
  type FaultProxy,
  type LlamaServer,
  startFaultProxy,
  startLlamaServer,
} from '@switchyard/testkit';
import { afterAll, beforeAll, beforeEach } from 'vitest';

// The real components the ai-sdk test files share, as ES module live bindings: set once `useLlamaServer()` has
// started them (read them inside tests and hooks, not at import time).
/** llama.cpp's own llama-server on the generated tiny model: 2 slots, 4096 tokens. */
export let server: LlamaServer;
/** The testkit's fault proxy in front of `server`: no fault and no recorded requests at the start of each test. */
export let proxy: FaultProxy;
/** llama.cpp in process on the same model (`useLlamaServer({ device: true })`), loaded before the first test. */
export let device: LlamaCppTarget;

/**
 * Starts `server`, `proxy` (and `device`) before the calling file's tests and stops them after. vitest runs
 * `afterAll` hooks last-registered first, so a file's own `afterAll` (disposing its routers) runs before these.
 */
export function useLlamaServer(options: { device?: boolean } = {}): void {
  beforeAll(async () => {
    const modelPath = await ensureTinyModel();
    server = await startLlamaServer({ modelPath, parallel: 2, ctxSize: 4096 });
    proxy = await startFaultProxy({ upstream: server.origin });
    if (options.device) {
      device = createLlamaCppTarget({ modelPath, threads: 1, contextSize: 1024, gpu: false });
      await device.load();
    }
  });
  afterAll(async () => {
    await device?.dispose?.();
    await proxy?.close();
    await server?.stop();
  });
  beforeEach(() => {
    proxy.setFault(null);
    proxy.clearRequests();
  });
}
