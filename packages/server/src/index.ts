/**
 * `@switchyard/server` puts the Switchyard router behind the OpenAI API, so any app that speaks it can use hybrid
 * edge/cloud routing unchanged: `createGateway({ router })` serves `POST /v1/chat/completions` (streaming, tools,
 * `response_format`), `GET /v1/models`, `GET /health` and `GET /metrics` (Prometheus), and says in every answer where
 * it ran. `loadConfig` and
 * `createRouterFromConfig` turn a `switchyard.config.json` into targets and a router; `runCli` is the `switchyard`
 * command (serve, plan, models pull, doctor, eval-router).
 */

export type { ApiKey, ApiKeyLimits } from './api-key-limits.js';
export { hashApiKey } from './api-key-limits.js';
export type { CliIO } from './cli-io.js';
export { exitCodes } from './cli-io.js';
export { configJsonSchema } from './config-json-schema.js';
export type { AdapterName, ApiKeyConfig, SecretConfig, StoreConfig, TargetConfig } from './config-schema.js';
export { configSchema } from './config-schema.js';
export type { Gateway, GatewayOptions } from './create-gateway.js';
export { createGateway } from './create-gateway.js';
export { createPlanTargets, declaredCapabilities } from './create-plan-targets.js';
export type { RouterFromConfig, RouterFromConfigOptions } from './create-router-from-config.js';
export { apiKeysFromConfig, createRouterFromConfig } from './create-router-from-config.js';
export type { CreateTargetsOptions } from './create-targets-from-config.js';
export { createTargetsFromConfig } from './create-targets-from-config.js';
export type { SwitchyardConfigInput } from './define-config.js';
export { defineConfig } from './define-config.js';
export type { GatewayLogger, LogFormat, RequestLogEntry } from './gateway-logger.js';
export { createJsonLogger } from './gateway-logger.js';
export type { PrometheusRegistry } from './gateway-metrics.js';
export { createPrometheusRegistry } from './gateway-metrics.js';
export type { SwitchyardConfig } from './load-config.js';
export { loadConfig, parseConfig } from './load-config.js';
export type { ChatCompletionBody, TranslatedChatRequest } from './openai-request.js';
export { autoModel, parseChatCompletionBody } from './openai-request.js';
export type { RouteField } from './route-field.js';
export { toRouteField } from './route-field.js';
export { runCli } from './run-cli.js';
