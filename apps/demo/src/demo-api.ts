import { InvalidRequestError } from '@switchyard/contract';
import type { DeviceSignals, PolicyInput, Router, RoutingMode } from '@switchyard/core';
import type { TargetSetup } from './create-demo-runtime.js';
import type { DecisionLog } from './decision-log.js';
import { routingModes } from './demo-policy.js';
import type { DemoState } from './demo-state.js';
import { demoState } from './demo-state.js';
import { parseSignalsPatch } from './parse-signals-patch.js';
import type { TraceView } from './trace-recorder.js';

/**
 * What the page's API needs from a demo, wherever its router runs: in the demo's Node process (`demo-server.ts`)
 * or in the page itself ("in this browser" mode, `web/page-runtime.ts`). Both answer the same paths with the same
 * JSON through {@link handleDemoApi}, so the page renders either the same way.
 */
export interface DemoHost {
  readonly router: Router;
  readonly targets: readonly TargetSetup[];
  readonly usesStandIns: boolean;
  /** The policy as written (mode included), which the page shows. */
  readonly policy: PolicyInput;
  readonly log: DecisionLog;
  readonly traces: { lastTrace(): TraceView | undefined };
  /** What the router reads as battery, thermal and network. */
  readonly signals: { read(): DeviceSignals };
  setMode(mode: RoutingMode): void;
  /** Applies the device panel's edits. */
  setSignals(patch: DeviceSignals): DeviceSignals;
  /** The remote stand-in's fault switch; `undefined` when the remote is a real endpoint. */
  remoteFault(): { armed: boolean; delayMs: number } | undefined;
  /** Arms the stand-in's fault switch: its next request is reset mid-answer. */
  breakRemote(): Promise<void>;
  /** Reads this device's real signals, applies them and says what they were in a short sentence. */
  readThisDevice(): Promise<string>;
}

/** An API answer other than 200, with the message the page shows. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON paths of the page's API (the chat stream and the assets are served by whoever hosts the page). */
export async function handleDemoApi(host: DemoHost, method: string, path: string, body: unknown): Promise<unknown> {
  if (method === 'GET' && path === '/api/state') return demoState(host);
  if (method === 'GET' && path === '/api/trace') {
    return host.traces.lastTrace() ?? { traceId: null, durationMs: 0, spans: [] };
  }
  if (method === 'POST' && path === '/api/signals') {
    host.setSignals(parseSignalsPatch(body));
    return demoState(host);
  }
  if (method === 'POST' && path === '/api/signals/this-device') {
    const summary = await host.readThisDevice();
    return { ...demoState(host), deviceReading: summary } satisfies DemoState & { deviceReading: string };
  }
  if (method === 'POST' && path === '/api/policy') {
    const mode = (body as { mode?: unknown } | null)?.mode;
    if (!routingModes.includes(mode as RoutingMode)) {
      throw new InvalidRequestError({
        problems: [{ path: 'mode', message: `expected one of ${routingModes.join(', ')}` }],
      });
    }
    host.setMode(mode as RoutingMode);
    return demoState(host);
  }
  if (method === 'POST' && path === '/api/remote/break') {
    if (!host.remoteFault()) {
      throw new HttpProblem(409, "the remote is a real endpoint, not the demo's stand-in: there is no fault switch");
    }
    await host.breakRemote();
    return demoState(host);
  }
  throw new HttpProblem(404, `${method} ${path} is not part of the demo (see GET /api/state)`);
}
