/**
 * `@switchyard/adapter-utils/setup`: the part of the kit a target needs to be created, synchronously, before any call:
 * strict settings parsing and the settings fields, capability resolution, the endpoint's description for telemetry (and
 * the transport types). The same functions as the package's main entry (one copy, not two); the entry of its own is for browser builds that
 * load their call path on demand (adapter-openai's): a page's bundler loads every module an imported entry file
 * reaches together with the code importing it, used or not, so an adapter's first-load code that imported these from
 * the main entry would bring the kit's HTTP client, fetch transport, status tracker and SSE decoder (with
 * eventsource-parser) into the page's first load.
 */

export { describeEndpoint } from '../describe-endpoint.js';
export type { HttpRequest, HttpResponse, HttpTransport } from '../http-transport.js';
export { localSettingsFields } from '../local-settings-fields.js';
export { nearestKey, parseSettings, settingsProblems } from '../parse-settings.js';
export type { CapabilityDefaults } from '../resolve-capabilities.js';
export { resolveCapabilities } from '../resolve-capabilities.js';
export { positiveWholeNumberSchema, qualitySchema, targetIdSchema } from '../settings-fields.js';
