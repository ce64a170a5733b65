/**
 * "In this browser" mode: the router runs in this tab. The device is wllama (llama.cpp in WebAssembly, in a Web
 * Worker) on the demo's generated tiny model; the GPU endpoint is the demo's loopback stand-in, called with
 * adapter-openai's fetch transport through the demo server's same-origin proxy; the signals are this browser's own
 * (battery, online/offline, network type, CPU pressure), with the device panel's edits laid over them. It answers
 * the page's API exactly as the demo server does (`handleDemoApi`), so the page renders both modes the same way.
 *
 * Bundled on its own (`page-runtime.js`, ESM) and imported by `app.js` only on `/in-browser`.
 */
import * as openTelemetryApi from '@opentelemetry/api';
import { createWllamaTarget } from '@switchyard/adapter-wllama';
import type { DeviceSignals, Target } from '@switchyard/contract';
import { mergeSignals } from '@switchyard/contract';
import type { PolicyInput } from '@switchyard/core';
import { createRouter } from '@switchyard/core';
import { createBrowserSignals } from '@switchyard/signals-browser';
import type { TargetSetup } from '../create-demo-runtime.js';
import { DecisionLog } from '../decision-log.js';
import type { DemoHost } from '../demo-api.js';
import { handleDemoApi } from '../demo-api.js';
import { demoPolicy, localTargetName, remoteTargetName, withMode } from '../demo-policy.js';
import type { DemoState } from '../demo-state.js';
import { describeReading } from '../describe-reading.js';
import type { PageSetup } from '../page-setup.js';
import { createRemoteStandInTarget } from '../remote-stand-in-target.js';
import type { ChatEvent, ChatInput } from '../run-chat.js';
import { parseChatInput, runChat } from '../run-chat.js';
import { TraceRecorder } from '../trace-recorder.js';
import type { DemoBackend } from './demo-backend.js';
import { createServerBackend } from './demo-backend.js';

/** Tokens per sequence of the on-device model in the tab (the generated model's own window). */
const deviceContext = 2_048;

/** The page's router, targets and signals, and the page API over them. */
export interface PageRuntime extends DemoBackend {
  readonly host: DemoHost;
  dispose(): Promise<void>;
}

/** Builds the in-tab runtime from what the demo server offers (`GET /api/page-setup`). */
export async function createPageBackend(): Promise<PageRuntime> {
  // The demo server: it offers the model files and the stand-in, and holds the stand-in's fault switch.
  const server = createServerBackend();
  const setup = await server.request<PageSetup>('/api/page-setup');
  const targets: Record<string, Target> = {};
  const setups: TargetSetup[] = [];
  if (setup.local) {
    const modelUrl = new URL(setup.local.modelUrl, location.href).href;
    targets[localTargetName] = createWllamaTarget({
      id: 'wllama:switchyard-tiny',
      modelUrl,
      wasmUrl: setup.local.wasmUrl,
      contextSize: deviceContext,
    });
    setups.push({
      name: localTargetName,
      locality: 'local',
      source: 'stand-in',
      summary: 'wllama in this tab · generated tiny model · stand-in',
      description:
        'llama.cpp compiled to WebAssembly (wllama) in a Web Worker of this tab, on the generated tiny model: a ' +
        'stand-in for a real on-device model; kept in the browser storage after the first download',
      location: modelUrl,
    });
  }
  const remoteURL = setup.remote ? new URL(setup.remote.path, location.href).href : undefined;
  if (setup.remote && remoteURL) {
    targets[remoteTargetName] = createRemoteStandInTarget(remoteURL, setup.remote.model);
    setups.push({
      name: remoteTargetName,
      locality: 'remote',
      source: 'stand-in',
      summary: `OpenAI-compatible over fetch · larger generated model · +${setup.remote.delayMs} ms · stand-in`,
      description:
        'the loopback GPU stand-in (the Switchyard gateway on a larger generated model), called from this tab ' +
        "with adapter-openai's fetch transport through the demo server's same-origin proxy",
      location: remoteURL,
    });
  }

  if (setups.length === 0) {
    throw new Error(
      "This mode runs the demo's own models in the tab, and this demo's targets come from a config file " +
        '(--config): those are never handed to a page (a real endpoint, its key). Start `pnpm demo` without ' +
        '--config to try it.',
    );
  }

  // The browser's own readings; the panel's edits are overrides on top ("Use this browser's readings" drops them).
  const signals = createBrowserSignals(remoteURL ? { reachability: { urls: [remoteURL] } } : {});
  let overrides: DeviceSignals | undefined;
  const traces = new TraceRecorder();
  const log = new DecisionLog();
  let policy: PolicyInput = demoPolicy;
  // The API module is handed over: a page cannot import it by name at run time, as core does on Node.
  const telemetry = { api: openTelemetryApi, tracerProvider: traces.tracerProvider };
  const router = createRouter({ targets, policy, signals, telemetry });
  let armed = false;

  const host: DemoHost = {
    router,
    targets: setups,
    usesStandIns: true,
    get policy() {
      return policy;
    },
    log,
    traces,
    signals,
    setMode(mode) {
      policy = withMode(policy, mode);
      router.setPolicy(policy);
    },
    setSignals(patch) {
      overrides = mergeSignals(overrides ?? {}, patch);
      signals.setOverrides(overrides);
      return signals.read();
    },
    remoteFault() {
      return setup.remote ? { armed, delayMs: setup.remote.delayMs } : undefined;
    },
    async breakRemote() {
      // The switch is the stand-in's, in the demo's process: the next request from this tab hits it.
      armed = (await server.request<DemoState>('/api/remote/break', {})).remoteFault?.armed ?? false;
    },
    async readThisDevice() {
      overrides = undefined;
      signals.setOverrides(undefined);
      return describeReading(await signals.refresh()).summary;
    },
  };

  return {
    where: 'page',
    host,
    async request<T>(path: string, body?: unknown): Promise<T> {
      return (await handleDemoApi(host, body === undefined ? 'GET' : 'POST', path, body)) as T;
    },
    async *chat(input: ChatInput): AsyncGenerator<ChatEvent> {
      yield* runChat(host, parseChatInput(input));
      // Did this answer hit the armed fault switch? Ask its owner; offline, the switch shows as it was.
      if (setup.remote) {
        armed = await server
          .request<DemoState>('/api/state')
          .then((state) => state.remoteFault?.armed ?? false)
          .catch(() => armed);
      }
    },
    async dispose() {
      await router.dispose();
      await Promise.allSettled(Object.values(targets).map((target) => target.dispose?.()));
      signals.dispose();
      await traces.shutdown();
    },
  };
}
