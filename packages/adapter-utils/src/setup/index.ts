/**
 * `@switchyard/adapter-utils/setup`: the part of the kit a target needs when it is created, before any call: strict
 * settings parsing, capability resolution, the status tracker, the endpoint's description for telemetry, the secret
 * list for redaction. The same classes and functions as the package's main entry (one copy, not two); the entry of
 * its own is for browser builds that load their call path on demand (adapter-openai's): a page's bundler follows
 * every module an entry file imports, so an adapter's first-load code that imported these from the main entry would
 * bring the kit's HTTP client, fetch transport and SSE decoder (with eventsource-parser) into the page's first load.
 */

export { describeEndpoint } from '../describe-endpoint.js';
export type { HttpRequest, HttpResponse, HttpTransport } from '../http-transport.js';
export { nearestKey, parseSettings, settingsProblems } from '../parse-settings.js';
export { secretHeaderValues } from '../redact-headers.js';
export type { CapabilityDefaults } from '../resolve-capabilities.js';
export { resolveCapabilities } from '../resolve-capabilities.js';
export type { StatusTrackerOptions } from '../status-tracker.js';
export { StatusTracker } from '../status-tracker.js';
export { unavailableCodeOf } from '../unavailable-code.js';
