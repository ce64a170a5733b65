import type { Locality, TargetStatus } from '@switchyard/contract';
import type { DeviceSignals, PolicyInput, RoutingMode, TargetStats } from '@switchyard/core';
import type { TargetSetup } from './create-demo-runtime.js';
import type { DecisionRecord } from './decision-log.js';
import type { DemoHost } from './demo-api.js';
import { realTargetsHelp } from './real-targets-help.js';

/** Everything the page shows besides the chat: `GET /api/state`. */
export interface DemoState {
  targets: (TargetSetup & {
    status: TargetStatus;
    contextWindow: number;
    price?: { inputPer1M: number; outputPer1M: number };
    stats: TargetStats | undefined;
  })[];
  usesStandIns: boolean;
  /** How to use real targets instead of the stand-ins. */
  realTargetsHelp: readonly string[];
  signals: DeviceSignals;
  mode: RoutingMode;
  /** The policy as written. */
  policy: PolicyInput;
  decisions: DecisionRecord[];
  /** The remote stand-in's fault switch; absent with a real remote. */
  remoteFault?: { armed: boolean; delayMs: number };
}

/** A snapshot of the runtime for the page. */
export function demoState(runtime: DemoHost): DemoState {
  const stats = runtime.router.stats();
  const remoteFault = runtime.remoteFault();
  return {
    targets: runtime.targets.map((setup) => {
      const target = runtime.router.targets[setup.name]!;
      const locality: Locality = target.locality;
      return {
        ...setup,
        locality,
        status: target.status(),
        contextWindow: target.capabilities.contextWindow,
        ...(target.capabilities.price ? { price: target.capabilities.price } : {}),
        stats: stats[setup.name],
      };
    }),
    usesStandIns: runtime.usesStandIns,
    realTargetsHelp,
    signals: runtime.signals.read(),
    mode: runtime.router.policy.mode,
    policy: runtime.policy,
    decisions: runtime.log.list(),
    ...(remoteFault ? { remoteFault } : {}),
  };
}
