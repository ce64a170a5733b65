import type { TargetTelemetry } from '@switchyard/contract';

/**
 * A target's `telemetry` descriptor for an HTTP endpoint: the GenAI conventions' `gen_ai.provider.name`, the model,
 * and `server.address` / `server.port` from the base URL (the port defaulted from the scheme, IPv6 brackets removed).
 *
 * @example
 * ```ts
 * describeEndpoint('openai', 'llama-3.1-8b', 'http://10.0.0.5:8000/v1');
 * // { providerName: 'openai', model: 'llama-3.1-8b', serverAddress: '10.0.0.5', serverPort: 8000 }
 * ```
 */
export function describeEndpoint(providerName: string, model: string, baseURL: string): TargetTelemetry {
  const url = new URL(baseURL);
  return {
    providerName,
    model,
    serverAddress: url.hostname.replace(/^\[|\]$/g, ''),
    serverPort: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
  };
}
