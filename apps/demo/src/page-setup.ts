import type { DemoRuntime } from './create-demo-runtime.js';

/** Where the page's own router finds its targets in "in this browser" mode: `GET /api/page-setup`. */
export interface PageSetup {
  /** The on-device model for wllama, served by the demo; `null` when the demo's local target is not a GGUF file. */
  local: { modelUrl: string; wasmUrl: string; summary: string } | null;
  /** The GPU stand-in, reached through the demo's same-origin proxy; `null` with a real remote endpoint. */
  remote: { path: string; model: string; delayMs: number } | null;
}

/** The path the page calls the remote stand-in on (proxied to it by the demo server). */
export const remoteProxyPath = '/remote/v1';
export const pageModelPath = '/models/device.gguf';
export const pageWasmPath = '/wllama.wasm';

/** The local model file the page may download: a GGUF the demo's own local target runs (never a config's path). */
export function pageModelFile(runtime: DemoRuntime): string | undefined {
  const local = runtime.targets.find((target) => target.locality === 'local' && target.source !== 'config');
  return local?.location.endsWith('.gguf') ? local.location : undefined;
}

/**
 * What the in-browser runtime is told. A real remote endpoint is not offered to the page: its API key must not
 * reach a browser, and it may not send CORS headers.
 */
export function pageSetup(runtime: DemoRuntime): PageSetup {
  const standIn = runtime.remoteStandIn;
  return {
    local: pageModelFile(runtime)
      ? { modelUrl: pageModelPath, wasmUrl: pageWasmPath, summary: 'wllama (llama.cpp in WebAssembly) in this tab' }
      : null,
    remote: standIn ? { path: remoteProxyPath, model: standIn.model, delayMs: standIn.delayMs } : null,
  };
}

/** The page that runs the router in the tab instead of in the demo's process. */
export const inBrowserPath = '/in-browser';
