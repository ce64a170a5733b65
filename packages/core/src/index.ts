/**
 * `@switchyard/core` is the Switchyard router. `createRouter({ targets, policy, signals })` decides, per request,
 * which target runs it (a model on the device or a remote endpoint) with a pure, explainable `plan()` that applies
 * hard constraints (privacy, capability, readiness, device state, budget), the policy's rules and its mode; then
 * `generate()` / `stream()` execute that plan with local queues, retries, fallback, hedging, circuit breaking and
 * mid-stream failover, and report every attempt. It depends only on `@switchyard/contract`; adapters plug in as targets.
 */

// The device-signal types live in the contract (signal packages depend on it alone); re-exported for callers.
export type {
  DeviceSignals,
  SignalOverrides,
  SignalSource,
  TargetOverride,
  TargetStatusOverride,
  ThermalState,
} from '@switchyard/contract';
export { mergeSignals, thermalStates } from '@switchyard/contract';
export type { RoutedGenerateResult, RouteOptions, Router, RouterOptions } from './create-router.js';
export { createRouter } from './create-router.js';
export { estimatePromptTokens, imageTokenEstimate, messageOverheadTokens } from './decision/analyze-messages.js';
export {
  defaultMaxQueue,
  defaultOutputTokens,
  defaultQuality,
  estimateCostUsd,
  latencyPriors,
} from './decision/plan-route.js';
export type { PlannedTarget, RoutePlan } from './decision/route-plan.js';
export type { Attempt, MidStreamFailover, RouterEvents, RouteSummary } from './events.js';
export type { BudgetPeriod } from './execution/budget-ledger.js';
export type { CircuitState } from './execution/circuit-breaker.js';
export type { ProbeResult } from './execution/health-probes.js';
export type { BackoffSettings } from './execution/retry-delay.js';
export { retryDelayMs } from './execution/retry-delay.js';
export type { TargetStats } from './execution/target-health.js';
export { parsePolicy } from './policy/parse-policy.js';
export type { MidStreamMode, Policy, PolicyInput, PolicyRule, RoutingMode } from './policy/policy.js';
export { policySchema } from './policy/policy-schema.js';
// The detector's functions are in `@switchyard/core/pii` (src/pii.ts): a page that only routes loads them on demand.
export { defaultMinConfidence } from './privacy/default-min-confidence.js';
export type {
  PiiDetection,
  PiiDetector,
  PiiDetectorOptions,
  PiiFinding,
  PiiKind,
} from './privacy/detect-pii.js';
export { deviceRegion } from './privacy/device-region.js';
export { piiKinds } from './privacy/pii-kind.js';
export type { NumberToken, PiiScan } from './privacy/pii-scan.js';
export type { PiiRecognizer } from './privacy/recognizer.js';
export type { FailoverPart, RouteDecisionPart, RouterStreamPart, RouteSummaryPart } from './route-stream-part.js';
export type { ManualSignals } from './signals/create-manual-signals.js';
export { createManualSignals } from './signals/create-manual-signals.js';
export type { MemoryStateStoreOptions } from './state/create-memory-state-store.js';
export { createMemoryStateStore } from './state/create-memory-state-store.js';
export type { MeterProviderLike, TelemetryOptions, TracerProviderLike } from './telemetry/router-telemetry.js';
export { semanticConventionsVersion } from './telemetry/semantic-conventions.js';
