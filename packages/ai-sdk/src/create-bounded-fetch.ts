import {
  type InputProblem,
  InvalidConfigError,
  InvalidResponseError,
  unknownSettingProblems,
} from '@switchyard/contract';

/** Options of {@link createBoundedFetch}. */
export interface BoundedFetchOptions {
  /** Largest Server-Sent Event let through, in bytes (default 8 MiB, the cap of Switchyard's own adapters). */
  maxEventBytes?: number;
  /** The fetch to wrap (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/**
 * A `fetch` for AI SDK providers that caps one Server-Sent Event. A provider reads its SSE body itself, without a
 * limit, so a broken or hostile server sending one endless event grows memory until a deadline ends the call; through
 * this fetch the stream fails with a non-retryable `InvalidResponseError` at the cap and the connection is closed.
 * Only `text/event-stream` bodies are touched. Pass it to the provider, then hand the model to `createAISDKTarget`.
 * The options are checked at once: an unknown one (`maxBytes`), a `maxEventBytes` that is not a positive whole number
 * or a `fetch` that is not a function is an `InvalidConfigError` naming it.
 *
 * @example
 * ```ts
 * import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
 * const vllm = createOpenAICompatible({ name: 'vllm', baseURL: 'http://127.0.0.1:8000/v1', fetch: createBoundedFetch() });
 * const gpu = createAISDKTarget(vllm('meta-llama/Llama-3.1-8B-Instruct'), { id: 'vllm:llama', locality: 'remote' });
 * ```
 */
export function createBoundedFetch(options: BoundedFetchOptions = {}): typeof fetch {
  checkOptions(options);
  const limit = options.maxEventBytes ?? 8 * 1024 * 1024;
  const inner = options.fetch ?? globalThis.fetch;
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
    const url = response.url || String(input instanceof Request ? input.url : input);
    // Bytes since the last blank line (the end of an event), and of the current line; CR, LF and CRLF end lines.
    let eventBytes = 0;
    let lineBytes = 0;
    let lastWasCR = false;
    const bounded = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (const byte of chunk) {
            if (byte === 10 || byte === 13) {
              if (byte === 10 && lastWasCR) {
                lastWasCR = false;
                continue;
              }
              lastWasCR = byte === 13;
              if (lineBytes === 0) eventBytes = 0;
              lineBytes = 0;
              continue;
            }
            lastWasCR = false;
            lineBytes += 1;
            eventBytes += 1;
          }
          if (eventBytes > limit) {
            // Erroring the transform cancels the response body, which closes the connection.
            controller.error(
              new InvalidResponseError({
                message: `The stream from "${url}" sent an event larger than ${limit} bytes; refusing to buffer it`,
                isRetryable: false,
              }),
            );
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(bounded, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** A misspelt `maxBytes` would leave the 8 MiB cap without a word; a negative cap would fail every stream. */
function checkOptions(options: BoundedFetchOptions): void {
  const record = options as Record<string, unknown> | null;
  const problems: InputProblem[] =
    typeof record === 'object' && record !== null
      ? unknownSettingProblems(record, { '': ['maxEventBytes', 'fetch'] })
      : [{ path: 'options', message: 'expected an object or nothing, e.g. { maxEventBytes: 65536 }' }];
  const limit = record?.maxEventBytes;
  if (limit !== undefined && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0)) {
    const got = typeof limit === 'number' ? `, got ${limit}` : '';
    problems.push({ path: 'maxEventBytes', message: `expected a positive whole number of bytes, e.g. 65536${got}` });
  }
  if (record?.fetch !== undefined && typeof record.fetch !== 'function') {
    problems.push({ path: 'fetch', message: 'expected a fetch function, e.g. globalThis.fetch' });
  }
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}
