/**
 * `@switchyard/adapter-utils` is the provider kit: everything a Switchyard adapter needs that is not its protocol. An
 * HTTP client (`send` / `getJson` / `probe`) over a replaceable transport (undici by default, `createFetchTransport` for browsers and workers) with typed, redacted
 * errors and one retryability rule; cancellation and deadlines (`CallControl`); a status tracker that decides once who
 * refreshes a target's status; bounded SSE and NDJSON readers; strict settings parsing that names a typo's nearest
 * valid key; capability resolution, tool-call ids, and the trace headers a call sends upstream. Adapters depend on it and on `@switchyard/contract`, never on
 * the router.
 */
export type { CallDeadlines } from './call-control.js';
export { CallControl } from './call-control.js';
export { collectAnswer } from './collect-answer.js';
export type { PoolReplicaStats, PoolTarget, PoolTargetSettings } from './create-pool-target.js';
export { createPoolTarget } from './create-pool-target.js';
export { describeEndpoint } from './describe-endpoint.js';
export type { BoundedReadOptions } from './error-body.js';
export { defaultMaxResponseBytes, parseErrorMessage, readBoundedText } from './error-body.js';
export { createFetchTransport } from './fetch-transport.js';
export type { HttpClientOptions, SendOptions } from './http-client.js';
export { HttpClient } from './http-client.js';
export { dispatcherSchema, httpSettingsFields } from './http-settings-fields.js';
export type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.js';
export { createUndiciTransport } from './http-transport.js';
export { localSettingsFields } from './local-settings-fields.js';
export { httpUrlSchema, nearestKey, parseSettings, settingsProblems } from './parse-settings.js';
export { secretHeaderValues } from './redact-headers.js';
export { reportedUsage } from './reported-usage.js';
export type { CapabilityDefaults } from './resolve-capabilities.js';
export { resolveCapabilities } from './resolve-capabilities.js';
export { positiveWholeNumberSchema, qualitySchema, targetIdSchema } from './settings-fields.js';
export { createAgent, sharedAgent } from './shared-agent.js';
export type { StreamReaderOptions } from './sse-event-decoder.js';
export { SseEventDecoder } from './sse-event-decoder.js';
export type { StatusTrackerOptions } from './status-tracker.js';
export { StatusTracker } from './status-tracker.js';
export { readNdjsonLines, readSseEvents } from './stream-readers.js';
export { completeToolCall, newToolCallId } from './tool-call-id.js';
export { traceHeaders } from './trace-headers.js';
export { unavailableCodeOf } from './unavailable-code.js';
