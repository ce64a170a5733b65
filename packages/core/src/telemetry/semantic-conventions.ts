/**
 * The OpenTelemetry semantic conventions this package follows: the GenAI conventions of release 1.41.0 (Development
 * status). Span name `{gen_ai.operation.name} {gen_ai.request.model}`; kind CLIENT for a remote model and INTERNAL for
 * one running in this process; durations in seconds; token counts with `gen_ai.token.type`.
 */
export const semanticConventionsVersion = '1.41.0';
export const telemetrySchemaUrl = `https://opentelemetry.io/schemas/${semanticConventionsVersion}`;
/** Instrumentation scope of the router's tracer and meter. */
export const instrumentationScope = '@switchyard/core';

/** Histogram buckets the GenAI conventions recommend for `gen_ai.client.token.usage`. */
export const tokenUsageBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
/** Histogram buckets the GenAI conventions recommend for durations in seconds. */
export const durationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
