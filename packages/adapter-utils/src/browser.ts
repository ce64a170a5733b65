/**
 * The browser entry of `@switchyard/adapter-utils` (the `browser` export condition): the parts of the kit that run in
 * a web page or a worker, with `createFetchTransport` for `HttpClient`, and the strict `parseSettings` every adapter's
 * descriptor validates with, and the settings fields local targets share. No Node built-in and no undici: the undici
 * transport, the shared `Agent` and the HTTP settings schemas (`dispatcherSchema`, `httpSettingsFields`) stay in the
 * Node entry.
 */
export type { CallDeadlines } from './call-control.js';
export { CallControl } from './call-control.js';
export { collectAnswer } from './collect-answer.js';
export { describeEndpoint } from './describe-endpoint.js';
export type { BoundedReadOptions } from './error-body.js';
export { defaultMaxResponseBytes, parseErrorMessage, readBoundedText } from './error-body.js';
export { createFetchTransport } from './fetch-transport.js';
export type { HttpClientOptions, SendOptions } from './http-client.js';
export { HttpClient } from './http-client.js';
export type { HttpRequest, HttpResponse, HttpTransport } from './http-transport.js';
export { localSettingsFields } from './local-settings-fields.js';
export { nearestKey, parseSettings, settingsProblems } from './parse-settings.js';
export { secretHeaderValues } from './redact-headers.js';
export { reportedUsage } from './reported-usage.js';
export type { CapabilityDefaults } from './resolve-capabilities.js';
export { resolveCapabilities } from './resolve-capabilities.js';
export { positiveWholeNumberSchema, qualitySchema, targetIdSchema } from './settings-fields.js';
export type { StreamReaderOptions } from './sse-event-decoder.js';
export { SseEventDecoder } from './sse-event-decoder.js';
export type { StatusTrackerOptions } from './status-tracker.js';
export { StatusTracker } from './status-tracker.js';
export { readNdjsonLines, readSseEvents } from './stream-readers.js';
export { completeToolCall, newToolCallId } from './tool-call-id.js';
export { traceHeaders } from './trace-headers.js';
export { unavailableCodeOf } from './unavailable-code.js';
