import type { HttpResponse, HttpTransport } from '@switchyard/adapter-utils';
import {
  CallControl,
  describeEndpoint,
  responseToApiCallError,
  traceHeaders,
  unavailableCodeOf,
} from '@switchyard/adapter-utils';
import {
  AbortError,
  type AdapterConfigHints,
  type AdapterDescriptor,
  ApiCallError,
  ConnectionError,
  type GenerateResult,
  InvalidResponseError,
  parseTargetCall,
  redactSecrets,
  type StreamPart,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  toSwitchyardError,
} from '@switchyard/contract';
import { createParser, type ParseError } from 'eventsource-parser';
import { ChunkAssembler, completeToolCall, toUsage } from './chat-completion-chunks.js';
import { detectContinuation, vllmContinuationBody } from './detect-continuation.js';
import { EchoedPrefix } from './echoed-prefix.js';
import { mapFinishReason } from './map-finish-reason.js';
import { type OpenAISettings, openAISettingsSchema, parseOpenAISettings } from './openai-settings.js';
import { type BodyOptions, toOpenAIBody } from './to-openai-body.js';

/** A model the endpoint serves, from `GET /models`. */
export interface OpenAIModelInfo {
  id: string;
  ownedBy?: string;
  /** vLLM's `max_model_len`, when the server reports it. */
  contextWindow?: number;
}

/** A `Target` for an OpenAI-compatible endpoint, plus model discovery. */
export interface OpenAITarget extends Target {
  readonly locality: 'remote';
  /** Lists the models the endpoint serves (`GET <baseURL>/models`). Rejects with a `SwitchyardError`. */
  listModels(options?: { signal?: AbortSignal }): Promise<OpenAIModelInfo[]>;
}

/**
 * Defaults for capabilities the settings leave out: a mid-size open model on a GPU server. `continuation` is left
 * unknown: the status check detects it from the server type (see `detect-continuation.ts`).
 */
const defaultCapabilities = {
  contextWindow: 8192,
  maxOutputTokens: 4096,
  tools: true,
  jsonSchema: true,
  images: false,
} as const;

const secretHeader = /auth|key|token|secret|cookie|signature/i;
/** Largest SSE event the parser buffers; a stream that exceeds it is broken, not just long. */
const maxEventSize = 8 * 1024 * 1024;
const probeTimeoutMs = 5000;

/** What a target made from these (parsed) settings declares before its first status check. */
export function openAICapabilities(settings: OpenAISettings): TargetCapabilities {
  return {
    ...defaultCapabilities,
    ...settings.capabilities,
    ...(settings.price ? { price: settings.price } : {}),
  };
}

/**
 * What differs between Node and a browser: how requests reach the network and how bytes become text. The Node entry
 * brings undici and `node:string_decoder`, the browser entry `fetch` and `TextDecoder`; everything else is shared.
 */
/**
 * How a config file gives these settings: the API key and header values may come from the environment, and `baseURL`
 * may list equal replicas (one pool target; each replica re-probes after 1 s, since the pool retries one it took out
 * every 2 s).
 */
const openAIConfig = {
  secrets: ['apiKey', 'headers'],
  codeOnly: ['dispatcher'],
  replicas: { setting: 'baseURL', settings: { healthCacheMs: 1000 } },
} as const satisfies AdapterConfigHints<OpenAISettings>;

/** The adapter's descriptor around one platform's `createOpenAITarget` (the Node and browser entries differ only there). */
export function openAIDescriptorWith(
  create: (settings: OpenAISettings) => OpenAITarget,
): AdapterDescriptor<OpenAISettings, OpenAITarget, typeof openAIConfig> {
  return {
    name: 'openai',
    locality: 'remote',
    settingsSchema: openAISettingsSchema,
    config: openAIConfig,
    parseSettings: parseOpenAISettings,
    capabilities: openAICapabilities,
    create,
  };
}

export interface OpenAIPlatform {
  /** The transport for these settings, and what `dispose()` closes (a target's own connection pool). */
  connect(settings: OpenAISettings): { transport: HttpTransport; close(): Promise<void> };
  /** A UTF-8 decoder for one stream; it keeps a character split across chunks for the next chunk. */
  decoder(): (chunk: Uint8Array) => string;
}

/**
 * The target on a given platform; `createOpenAITarget` of each entry (Node, browser) passes its own. See
 * `createOpenAITarget` for what the target does.
 */
export function createOpenAITargetWith(platform: OpenAIPlatform, input: OpenAISettings): OpenAITarget {
  const settings = parseOpenAISettings(input);
  const id = settings.id ?? `openai:${settings.model}`;
  const base = new URL(settings.baseURL);
  const basePath = base.pathname.replace(/\/+$/, '');
  const origin = base.origin;
  const chatPath = `${basePath}/chat/completions${base.search}`;
  const modelsPath = `${basePath}/models${base.search}`;
  const chatURL = `${origin}${chatPath}`;
  const health = new URL(settings.healthURL ?? `${origin}${modelsPath}`);

  const connection = platform.connect(settings);
  const transport = connection.transport;

  const secrets = [
    settings.apiKey ?? '',
    ...Object.entries(settings.headers ?? {})
      .filter(([name]) => secretHeader.test(name))
      // `Bearer <token>`: a server may echo the token alone, so redact it first, then the whole value.
      .flatMap(([, value]) => [/^\w+\s+(\S+)$/.exec(value)?.[1] ?? '', value]),
  ].filter((secret) => secret.length > 0);
  const baseHeaders: Record<string, string> = { ...settings.headers };
  if (settings.apiKey) baseHeaders.authorization = `Bearer ${settings.apiKey}`;
  const jsonHeaders = { ...baseHeaders, 'content-type': 'application/json', accept: 'application/json' };
  const sseHeaders = { ...baseHeaders, 'content-type': 'application/json', accept: 'text/event-stream' };
  const getHeaders = { ...baseHeaders, accept: 'application/json' };

  const capabilities: TargetCapabilities = openAICapabilities(settings);
  const bodyOptions: BodyOptions = {
    model: settings.model,
    maxTokensField: settings.maxTokensField ?? 'max_tokens',
    defaultMaxTokens: settings.defaultMaxTokens,
    streamUsage: settings.streamUsage ?? true,
    continuation: capabilities.continuation === true,
    continuationBody: settings.continueFinalMessage ? vllmContinuationBody : {},
    extraBody: settings.extraBody,
  };
  const serverRoot = `${origin}${basePath.replace(/\/v1$/, '')}`;
  let continuationDetected = capabilities.continuation !== undefined;

  // Assumed ready until a probe or a failed connection says otherwise: status() must not do I/O.
  let lastStatus: TargetStatus = { state: 'ready' };
  let lastProbeAt = Number.NEGATIVE_INFINITY;
  let probing: Promise<TargetStatus> | undefined;
  // Ends probes still waiting on a server that never answers, so dispose() does not wait out their 5 s deadline.
  const disposal = new AbortController();

  /** Passive health: what real calls learn about reachability updates `status()` for free. */
  function observe(error: unknown): void {
    if (ConnectionError.isInstance(error))
      lastStatus = { state: 'unavailable', code: 'unreachable', reason: error.message };
  }

  /** The prefix sent for the server to continue, when this target continues prefixes and the call has one. */
  function continuedPrefix(call: TargetCall): string | undefined {
    return bodyOptions.continuation && call.assistantPrefix ? call.assistantPrefix : undefined;
  }

  /** The call's `traceparent` (and the app's propagators' headers) on top of the fixed ones, when it is traced. */
  function withTraceHeaders(headers: Record<string, string>, call: TargetCall): Record<string, string> {
    const trace = traceHeaders(call.traceContext);
    return trace ? { ...headers, ...trace } : headers;
  }

  async function post(call: TargetCall, stream: boolean, control: CallControl): Promise<HttpResponse> {
    const response = await transport.request({
      url: new URL(chatURL),
      method: 'POST',
      headers: withTraceHeaders(stream ? sseHeaders : jsonHeaders, call),
      body: JSON.stringify(toOpenAIBody(call, bodyOptions, stream)),
      signal: control.signal,
      target: id,
    });
    if (response.status >= 400) {
      throw await responseToApiCallError(response, { url: chatURL, method: 'POST', target: id, secrets });
    }
    return response;
  }

  async function generate(input: TargetCall): Promise<GenerateResult> {
    const call = parseTargetCall(input, id);
    const control = new CallControl(call.signal, id, chatURL, { timeoutMs: settings.timeoutMs });
    try {
      control.throwIfAborted();
      const response = await post(call, false, control);
      const text = await response.text();
      const result = toGenerateResult(text, id, chatURL);
      const prefix = continuedPrefix(call);
      if (prefix !== undefined && result.text.startsWith(prefix)) result.text = result.text.slice(prefix.length);
      lastStatus = { state: 'ready' };
      return result;
    } catch (error) {
      const typed = control.toError(error);
      observe(typed);
      throw typed;
    } finally {
      control.dispose();
    }
  }

  async function* stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, id);
    const control = new CallControl(call.signal, id, chatURL, {
      timeoutMs: settings.timeoutMs,
      firstTokenTimeoutMs: settings.firstTokenTimeoutMs,
    });
    let response: HttpResponse | undefined;
    try {
      control.throwIfAborted();
      response = await post(call, true, control);
      const contentType = response.headers['content-type'] ?? '';
      if (!contentType.includes('text/event-stream')) {
        throw new InvalidResponseError({
          message: `Expected an event stream from "${chatURL}" but got "${contentType || 'no content type'}"`,
          target: id,
          isRetryable: false,
        });
      }
      const assembler = new ChunkAssembler(id, chatURL);
      const events: string[] = [];
      let parseError: ParseError | undefined;
      const parser = createParser({
        onEvent: (event) => events.push(event.data),
        // Unknown fields and bad `retry` values are ignorable under the SSE rules; only overflow is fatal.
        onError: (error) => {
          if (error.type === 'max-buffer-size-exceeded') parseError = error;
        },
        maxBufferSize: maxEventSize,
      });
      // The platform's decoder: node:string_decoder on Node (each `new TextDecoder()` looks up an ICU converter, ~1%
      // of the CPU of a routed request under load), TextDecoder in a browser.
      const decode = platform.decoder();
      const out: StreamPart[] = [];
      const prefix = continuedPrefix(call);
      const echoed = prefix === undefined ? undefined : new EchoedPrefix(prefix);
      // Leaving the loop at [DONE] does not destroy a body that has not ended yet (undici would drop the socket);
      // `release()` lets it end and returns the connection to the pool.
      for await (const chunk of response.body) {
        parser.feed(decode(chunk));
        if (parseError) {
          throw new InvalidResponseError({
            message: `Malformed SSE from "${chatURL}": ${parseError.message}`,
            target: id,
          });
        }
        // One event at a time: in a burst, the first token must not wait for the JSON of the whole network chunk.
        for (let index = 0; index < events.length; index += 1) {
          assembler.accept(events[index] as string, out);
          if (assembler.sawToken) control.firstToken();
          if (assembler.done) break;
          if (out.length === 0) continue;
          for (const part of out) {
            control.throwIfAborted();
            if (echoed && part.type === 'text-delta') {
              part.text = echoed.push(part.text);
              if (part.text === '') continue;
            }
            yield part;
          }
          out.length = 0;
        }
        events.length = 0;
        if (assembler.done) break;
      }
      if (assembler.done) response.release();
      assembler.finish(out);
      const held = echoed?.flush();
      if (held) out.unshift({ type: 'text-delta', text: held });
      lastStatus = { state: 'ready' };
      for (const part of out) yield part;
    } catch (error) {
      const typed = control.toError(error);
      observe(typed);
      throw typed;
    } finally {
      control.dispose();
      // Does nothing after release() or a full read; otherwise the body and its connection are destroyed.
      response?.cancel();
    }
  }

  async function getJSON(url: URL, signal: AbortSignal | undefined): Promise<unknown> {
    const response = await transport.request({ url, method: 'GET', headers: getHeaders, signal, target: id });
    if (response.status >= 400) {
      throw await responseToApiCallError(response, { url: url.href, method: 'GET', target: id, secrets });
    }
    const text = await response.text();
    try {
      return text === '' ? {} : JSON.parse(text);
    } catch (cause) {
      throw new InvalidResponseError({
        message: `"${url.origin}${url.pathname}" did not answer JSON`,
        target: id,
        cause,
      });
    }
  }

  /**
   * Once per target, after a probe found the server up: which server it is and whether it continues a final assistant
   * message. An explicit `capabilities.continuation` skips it, an explicit `continueFinalMessage` keeps its body.
   */
  async function detectContinuationOnce(signal: AbortSignal | undefined): Promise<void> {
    if (continuationDetected) return;
    const timeout = AbortSignal.timeout(probeTimeoutMs);
    const bounded = AbortSignal.any(signal ? [signal, timeout, disposal.signal] : [timeout, disposal.signal]);
    const read = (url: string) => getJSON(new URL(url), bounded).catch(() => undefined);
    const found = await detectContinuation(
      (path) => read(`${serverRoot}${path}`),
      () => read(`${origin}${modelsPath}`),
    );
    // An aborted detection proves nothing; the next status check tries again.
    if (bounded.aborted || continuationDetected) return;
    continuationDetected = true;
    capabilities.continuation = found.continuation;
    bodyOptions.continuation = found.continuation;
    if (settings.continueFinalMessage === undefined) bodyOptions.continuationBody = found.continuationBody;
  }

  async function probe(signal: AbortSignal | undefined): Promise<TargetStatus> {
    const timeout = AbortSignal.timeout(probeTimeoutMs);
    try {
      await getJSON(health, AbortSignal.any(signal ? [signal, timeout, disposal.signal] : [timeout, disposal.signal]));
      return { state: 'ready' };
    } catch (error) {
      // The caller gave up, or the target was disposed: that says nothing about the server, so report the abort and
      // keep the last status.
      if (signal?.aborted) throw new AbortError({ target: id, cause: signal.reason });
      if (disposal.signal.aborted) throw new AbortError({ target: id, message: 'The target was disposed' });
      const typed = toSwitchyardError(error, { target: id, url: health.href });
      // llama-server and vLLM answer 503 while the model is still loading.
      if (ApiCallError.isInstance(typed) && typed.status === 503) return { state: 'loading' };
      if (timeout.aborted)
        return { state: 'unavailable', code: 'timeout', reason: `health probe timed out after ${probeTimeoutMs} ms` };
      return { state: 'unavailable', code: unavailableCodeOf(typed), reason: redactSecrets(typed.message, secrets) };
    }
  }

  return {
    specificationVersion: 'v1',
    id,
    locality: 'remote',
    capabilities,
    telemetry: describeEndpoint('openai', settings.model, settings.baseURL),
    status: () => lastStatus,
    async checkStatus(options = {}) {
      const cacheMs = settings.healthCacheMs ?? 5000;
      if (Date.now() - lastProbeAt < cacheMs) return lastStatus;
      probing ??= probe(options.signal).then(
        async (status) => {
          if (status.state === 'ready') await detectContinuationOnce(options.signal);
          lastStatus = status;
          lastProbeAt = Date.now();
          probing = undefined;
          return status;
        },
        (error: unknown) => {
          probing = undefined;
          throw error;
        },
      );
      return probing;
    },
    generate,
    stream,
    async listModels(options = {}) {
      const url = new URL(`${origin}${modelsPath}`);
      try {
        const json = (await getJSON(url, options.signal)) as { data?: unknown };
        if (!Array.isArray(json.data)) {
          throw new InvalidResponseError({ message: `"${url.origin}${url.pathname}" has no "data" list`, target: id });
        }
        return json.data.map((entry: { id?: unknown; owned_by?: unknown; max_model_len?: unknown }) => ({
          id: String(entry.id),
          ...(typeof entry.owned_by === 'string' ? { ownedBy: entry.owned_by } : {}),
          ...(typeof entry.max_model_len === 'number' ? { contextWindow: entry.max_model_len } : {}),
        }));
      } catch (error) {
        throw toSwitchyardError(error, { target: id, url: url.href });
      }
    },
    async dispose() {
      disposal.abort();
      await connection.close();
    },
  };
}

interface ChatCompletion {
  choices?: {
    message?: {
      content?: string | null;
      tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] | null;
    };
    finish_reason?: string | null;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function toGenerateResult(text: string, target: string, url: string): GenerateResult {
  let completion: ChatCompletion;
  try {
    completion = JSON.parse(text) as ChatCompletion;
  } catch (cause) {
    throw new InvalidResponseError({ message: `"${url}" answered with malformed JSON`, target, cause });
  }
  const choice = completion.choices?.[0];
  if (!choice?.message) {
    throw new InvalidResponseError({ message: `"${url}" answered without choices[0].message`, target });
  }
  const toolCalls = (choice.message.tool_calls ?? []).map((call, index) =>
    completeToolCall({ id: call.id, name: call.function?.name, arguments: call.function?.arguments }, index),
  );
  let finishReason = mapFinishReason(choice.finish_reason ?? 'stop');
  if (toolCalls.length > 0 && finishReason === 'stop') finishReason = 'tool-calls';
  return { text: choice.message.content ?? '', toolCalls, finishReason, usage: toUsage(completion.usage) };
}
