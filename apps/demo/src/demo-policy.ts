import type { PolicyInput, RoutingMode } from '@switchyard/core';

/** The target names the demo's built-in setup uses (a config file may name its own). */
export const localTargetName = 'device';
export const remoteTargetName = 'gpu';

/** Context the remote stand-in's model declares: long enough for the tour's "long document" on the generated vocabulary. */
export const standInContextLength = 16_384;

/** Routing modes, in the order the page lists them. */
export const routingModes: readonly RoutingMode[] = [
  'prefer-local',
  'auto',
  'prefer-remote',
  'local-only',
  'remote-only',
];

/**
 * The demo's policy: stay on the device when it can (private, free, works offline), leave it when the device is
 * low on battery or warm, and let requests tagged `quality` (the tour's failover scenario, or any app that knows a
 * request is hard) start on the GPU. Thresholds are a little stricter than the defaults so the panel's controls
 * visibly change decisions.
 */
export const demoPolicy = {
  mode: 'prefer-local',
  privacy: { detectPii: true, onDetected: 'local-only' },
  device: { minBatteryLevel: 0.2, maxThermalState: 'fair' },
  rules: [
    { name: 'quality-first', when: { tags: ['quality'] }, prefer: [remoteTargetName, localTargetName] },
    { name: 'metered-network', when: { metered: true }, prefer: [localTargetName] },
  ],
  budget: { maxCostUsdPerRequest: 0.05 },
  targets: { [localTargetName]: { concurrency: 1, maxQueue: 2 } },
  execution: {
    retries: 1,
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2 },
    firstTokenTimeoutMs: 20_000,
    circuit: { failureThreshold: 3, windowMs: 60_000, cooldownMs: 15_000 },
  },
} satisfies PolicyInput;

/** `policy` with its mode replaced; the rest is kept as written (what the page shows). */
export function withMode(policy: PolicyInput, mode: RoutingMode): PolicyInput {
  return { ...policy, mode };
}
