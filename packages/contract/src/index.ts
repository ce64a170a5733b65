/**
 * `@switchyard/contract` is the contract between the Switchyard router and the runtimes it routes to: the request,
 * result and stream-part types with their zod schemas, the versioned `Target` interface every adapter implements,
 * and the error classes. It runs nothing itself; `@switchyard/contract/testing` holds the conformance suite adapters run.
 */

export type { AdapterConfigHints, SettingKey } from './adapter-config-hints.js';
export type { AdapterDescriptor } from './adapter-descriptor.js';
export { capabilityOverridesSchema, capabilitySettingsSchema, targetPriceSchema } from './capabilities-schema.js';
export type {
  DeviceSignals,
  SignalOverrides,
  SignalSource,
  TargetOverride,
  TargetStatusOverride,
  ThermalState,
} from './device-signals.js';
export { mergeSignals, thermalStates } from './device-signals.js';
export { deviceSignalsProblems } from './device-signals-problems.js';
export { englishIssueMessage } from './english-issue-message.js';
export { AbortError } from './errors/abort-error.js';
export type { FailedAttempt } from './errors/all-targets-failed-error.js';
export { AllTargetsFailedError } from './errors/all-targets-failed-error.js';
export { ApiCallError, isRetryableStatus, parseRetryAfter } from './errors/api-call-error.js';
export type { BudgetScope } from './errors/budget-exceeded-error.js';
export { BudgetExceededError } from './errors/budget-exceeded-error.js';
export { ConnectionError } from './errors/connection-error.js';
export { InvalidConfigError } from './errors/invalid-config-error.js';
export { InvalidPolicyError } from './errors/invalid-policy-error.js';
export type { InputProblem } from './errors/invalid-request-error.js';
export { formatProblems, InvalidRequestError } from './errors/invalid-request-error.js';
export { InvalidResponseError } from './errors/invalid-response-error.js';
export { NoEligibleTargetError } from './errors/no-eligible-target-error.js';
export type { StreamInterruptedErrorOptions } from './errors/stream-interrupted-error.js';
export { StreamInterruptedError } from './errors/stream-interrupted-error.js';
export type { SwitchyardErrorCode, SwitchyardErrorOptions } from './errors/switchyard-error.js';
export { SwitchyardError } from './errors/switchyard-error.js';
export { TargetUnavailableError } from './errors/target-unavailable-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { toSwitchyardError } from './errors/to-switchyard-error.js';
export type { Exclusion, ExclusionReason } from './exclusion-reason.js';
export { exclusionReasons } from './exclusion-reason.js';
export { formatPath, zodIssuesToProblems } from './format-problems.js';
export { longestTimerMessage, longestTimerMs } from './longest-timer.js';
export type { OnDemandModule } from './on-demand-module.js';
export { loadedModule, onDemandGiveUpMs, onDemandModule } from './on-demand-module.js';
export { markValidatedCall, parseRequest, parseTargetCall } from './parse-request.js';
export { redactSecrets, redactUrl } from './redact.js';
export type {
  AssistantMessage,
  ContentPart,
  GenerateRequest,
  Message,
  ResponseFormat,
  RoutingHints,
  SystemMessage,
  TargetCall,
  Tool,
  ToolCall,
  ToolChoice,
  ToolMessage,
  TraceContext,
  UserMessage,
} from './request.js';
export {
  generateRequestSchema,
  messageSchema,
  responseFormatSchema,
  routingHintsSchema,
  targetCallSchema,
  toolCallSchema,
  toolSchema,
  traceContextSchema,
} from './request-schema.js';
export type { FinishReason, GenerateResult, Usage } from './result.js';
export { finishReasons } from './result.js';
export type {
  BudgetReleaseInput,
  BudgetReservation,
  BudgetReserveInput,
  BudgetSettleInput,
  BudgetState,
  CounterInput,
  CounterState,
  OpenCircuitInput,
  RemoteShareInput,
  RemoteShareState,
  StateStore,
  StateStoreEvent,
} from './state-store.js';
export type { FinishPart, StreamPart, TextDeltaPart, ToolCallPart, UsagePart } from './stream-part.js';
export type { Locality, Target, TargetCapabilities, TargetPrice, TargetStatus, TargetTelemetry } from './target.js';
export type { UnavailableCode } from './target-status.js';
export { unavailableCodes } from './target-status.js';
export { targetStatusSchema } from './target-status-schema.js';
export { unknownSettingProblems } from './unknown-setting-problems.js';
