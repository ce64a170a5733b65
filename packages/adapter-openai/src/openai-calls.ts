import type { HttpResponse, HttpTransport } from '@switchyard/adapter-utils';
import {
  CallControl,
  collectAnswer,
  HttpClient,
  readBoundedText,
  SseEventDecoder,
  StatusTracker,
  secretHeaderValues,
} from '@switchyard/adapter-utils';
import {
  ApiCallError,
  type GenerateResult,
  InvalidResponseError,
  parseTargetCall,
  type StreamPart,
  type SwitchyardError,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  toSwitchyardError,
} from '@switchyard/contract';
import { ChunkAssembler, completeIndexedToolCall, toUsage } from './chat-completion-chunks.js';
import type { OpenAIModelInfo } from './create-openai-target-with.js';
import { detectContinuation, vllmContinuationBody } from './detect-continuation.js';
import { EchoedPrefix } from './echoed-prefix.js';
import { mapFinishReason } from './map-finish-reason.js';
import type { OpenAISettings } from './openai-settings.js';
import { type BodyOptions, toOpenAIBody } from './to-openai-body.js';

/**
 * What a target's calls are made with: what `createOpenAITargetWith` decided at creation (the parsed settings, the id,
 * the capabilities the router reads) and the platform's transport.
 */
export interface OpenAICallContext {
  readonly settings: OpenAISettings;
  readonly id: string;
  /** The target's own capabilities object: continuation detection sets `continuation` on it. */
  readonly capabilities: TargetCapabilities;
  readonly transport: HttpTransport;
}

/**
 * A target's call path: everything that runs only once a call, a status check or a model listing is made, and the
 * status those learn.
 */
export interface OpenAICalls {
  /** The target's `status()`: as last known, no I/O. */
  status(): TargetStatus;
  /** The target's `checkStatus()`: a shared, cached probe; once the server answers, continuation detection. */
  checkStatus(signal: AbortSignal | undefined): Promise<TargetStatus>;
  generate(call: TargetCall): Promise<GenerateResult>;
  stream(call: TargetCall): AsyncGenerator<StreamPart>;
  listModels(options: { signal?: AbortSignal }): Promise<OpenAIModelInfo[]>;
  /** Stops the status probes and a continuation detection still waiting on a server that never answers. */
  dispose(): Promise<void>;
}

/** How long a status probe, and continuation detection after it, may take. */
const probeTimeoutMs = 5000;

/**
 * The call path of one target: the HTTP client, request bodies, JSON answers and event streams, continuation
 * detection. A module of its own so that a page's bundler can load it on demand (the browser entry imports it when a
 * target is created; see browser/openai-call-path.ts); Node imports it with the rest.
 */
export function createOpenAICalls(context: OpenAICallContext): OpenAICalls {
  const { settings, id, capabilities } = context;
  const headers: Record<string, string> = { ...settings.headers };
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
  const client = new HttpClient({
    target: id,
    baseURL: settings.baseURL,
    headers,
    secrets: secretHeaderValues(settings.headers, settings.apiKey),
    transport: context.transport,
  });
  // Built once: the chat URL is on every call's path.
  const chatURL = client.url('/chat/completions');
  const modelsURL = client.url('/models');
  const health = settings.healthURL === undefined ? modelsURL : new URL(settings.healthURL);
  const base = new URL(settings.baseURL);
  const serverRoot = `${base.origin}${base.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}`;

  const bodyOptions: BodyOptions = {
    model: settings.model,
    maxTokensField: settings.maxTokensField ?? 'max_tokens',
    defaultMaxTokens: settings.defaultMaxTokens,
    streamUsage: settings.streamUsage ?? true,
    continuation: capabilities.continuation === true,
    continuationBody: settings.continueFinalMessage ? vllmContinuationBody : {},
    extraBody: settings.extraBody,
  };
  let continuationDetected = capabilities.continuation !== undefined;
  let detecting: Promise<void> | undefined;
  // Ends continuation detection still waiting on a server that never answers, so dispose() does not wait for it.
  const disposal = new AbortController();

  // Assumed ready until a probe or a failed connection says otherwise; status() does no I/O (refreshOnRead off: the
  // router's health probes call checkStatus() for an unavailable remote target).
  const tracker = new StatusTracker({
    target: id,
    probeTimeoutMs,
    cacheMs: settings.healthCacheMs ?? 5000,
    refreshOnRead: false,
    redact: (text) => client.redact(text),
    async probe(signal) {
      try {
        await client.getJson({ url: health, signal });
        return { state: 'ready' };
      } catch (error) {
        // llama-server and vLLM answer 503 while the model is still loading.
        if (ApiCallError.isInstance(error) && error.status === 503) return { state: 'loading' };
        // Typed here, where the URL is known: the tracker's own conversion has only the target, so a refused
        // connection read `Connection to "(unknown)" failed` in `status()` and `switchyard doctor`.
        throw toSwitchyardError(error, { target: id, url: health.href });
      }
    },
  });

  /** What a call learned: an answer means the server serves, a failed connection that it is unreachable. */
  function observe(error: SwitchyardError | undefined): void {
    if (error === undefined) tracker.set({ state: 'ready' });
    else tracker.observe(error);
  }

  /** The prefix sent for the server to continue, when this target continues prefixes and the call has one. */
  function continuedPrefix(call: TargetCall): string | undefined {
    return bodyOptions.continuation && call.assistantPrefix ? call.assistantPrefix : undefined;
  }

  function post(call: TargetCall, stream: boolean, control: CallControl): Promise<HttpResponse> {
    return client.send({
      method: 'POST',
      url: chatURL,
      json: toOpenAIBody(call, bodyOptions, stream),
      accept: stream ? 'text/event-stream' : 'application/json',
      signal: control.signal,
      traceContext: call.traceContext,
    });
  }

  /** How a JSON answer is read: at most `maxResponseBytes`, the fix named in the error. */
  const answerRead = {
    target: id,
    url: chatURL.href,
    maxBytes: settings.maxResponseBytes,
    setting: 'maxResponseBytes',
  } as const;

  /**
   * One JSON body (`stream: false`), bounded by `timeoutMs`, the call's signal and `maxResponseBytes`. With `firstTokenTimeoutMs` the
   * answer is streamed and collected instead, so that deadline applies to `generate()` too.
   */
  function generate(input: TargetCall): Promise<GenerateResult> {
    if (settings.firstTokenTimeoutMs !== undefined) return collectAnswer(stream(input));
    // Not an async function: its frame would live as long as the server takes to answer (bench row 5 counts memory
    // per request in flight); while waiting, one reaction and its two closures hold the call instead.
    let control: CallControl | undefined;
    try {
      const call = parseTargetCall(input, id);
      const started = new CallControl(call.signal, id, chatURL.href, { timeoutMs: settings.timeoutMs });
      control = started;
      started.throwIfAborted();
      // The prefix, not the call, is what the answer needs: the call is not held while the server thinks.
      const prefix = continuedPrefix(call);
      return post(call, false, started).then(
        (response) =>
          readBoundedText(response, answerRead).then(
            (text) => answered(text, prefix, started),
            (error: unknown) => failed(error, started),
          ),
        (error: unknown) => failed(error, started),
      );
    } catch (error) {
      return failed(error, control);
    }
  }

  /** The whole answer's body read: the result, the target marked as serving. */
  function answered(text: string, prefix: string | undefined, control: CallControl): GenerateResult | Promise<never> {
    let result: GenerateResult;
    try {
      result = toGenerateResult(text, id, chatURL.href);
    } catch (error) {
      return failed(error, control);
    }
    control.dispose();
    if (prefix !== undefined && result.text.startsWith(prefix)) result.text = result.text.slice(prefix.length);
    observe(undefined);
    return result;
  }

  /** A whole-answer call that failed: the typed error, observed; the call's timers and listeners cleared. */
  function failed(error: unknown, control: CallControl | undefined): Promise<never> {
    const typed =
      control === undefined ? toSwitchyardError(error, { target: id, url: chatURL.href }) : control.toError(error);
    control?.dispose();
    observe(typed);
    return Promise.reject(typed);
  }

  async function* stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, id);
    const control = new CallControl(call.signal, id, chatURL.href, {
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
          message: `Expected an event stream from "${chatURL.href}" but got "${contentType || 'no content type'}"`,
          target: id,
          isRetryable: false,
        });
      }
      const assembler = new ChunkAssembler(id, chatURL.href);
      const out: StreamPart[] = [];
      const prefix = continuedPrefix(call);
      const echoed = prefix === undefined ? undefined : new EchoedPrefix(prefix);
      // The kit's decoder, not its generator: no async generator between the socket and the parser on this hot path.
      const sse = new SseEventDecoder({ target: id, url: chatURL.href });
      // Leaving the loop at [DONE] does not destroy a body that has not ended yet (undici would drop the socket);
      // `release()` lets it end and returns the connection to the pool.
      for await (const chunk of response.body) {
        // One event at a time: in a burst, the first token must not wait for the JSON of the whole network chunk.
        for (const event of sse.push(chunk)) {
          assembler.accept(event.data, out);
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
        if (assembler.done) break;
      }
      if (!assembler.done) sse.end();
      if (assembler.done) response.release();
      assembler.finish(out);
      const held = echoed?.flush();
      if (held) out.unshift({ type: 'text-delta', text: held });
      observe(undefined);
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

  /**
   * Once per target, after a probe found the server up: which server it is and whether it continues a final assistant
   * message. An explicit `capabilities.continuation` skips it, an explicit `continueFinalMessage` keeps its body.
   */
  async function detectContinuationOnce(signal: AbortSignal | undefined): Promise<void> {
    const timeout = AbortSignal.timeout(probeTimeoutMs);
    const bounded = AbortSignal.any(signal ? [signal, timeout, disposal.signal] : [timeout, disposal.signal]);
    const read = (url: string) => client.getJson({ url: new URL(url), signal: bounded }).catch(() => undefined);
    const found = await detectContinuation(
      (path) => read(`${serverRoot}${path}`),
      () => read(modelsURL.href),
    );
    // An aborted detection proves nothing; the next status check tries again.
    if (bounded.aborted || continuationDetected) return;
    continuationDetected = true;
    capabilities.continuation = found.continuation;
    bodyOptions.continuation = found.continuation;
    if (settings.continueFinalMessage === undefined) bodyOptions.continuationBody = found.continuationBody;
  }

  return {
    status: () => tracker.read(),
    async checkStatus(signal) {
      const status = await tracker.check(signal);
      if (status.state === 'ready' && !continuationDetected) {
        // Shared by concurrent checks, as the probe is.
        detecting ??= detectContinuationOnce(signal).finally(() => {
          detecting = undefined;
        });
        await detecting;
      }
      return status;
    },
    generate,
    stream,
    async listModels(options) {
      try {
        const json = await client.getJson<{ data?: unknown }>({ url: modelsURL, signal: options.signal });
        if (!Array.isArray(json.data)) {
          throw new InvalidResponseError({
            message: `"${modelsURL.origin}${modelsURL.pathname}" has no "data" list`,
            target: id,
          });
        }
        return json.data.map((entry: { id?: unknown; owned_by?: unknown; max_model_len?: unknown }) => ({
          id: String(entry.id),
          ...(typeof entry.owned_by === 'string' ? { ownedBy: entry.owned_by } : {}),
          ...(typeof entry.max_model_len === 'number' ? { contextWindow: entry.max_model_len } : {}),
        }));
      } catch (error) {
        throw toSwitchyardError(error, { target: id, url: modelsURL.href });
      }
    },
    async dispose() {
      disposal.abort();
      await tracker.dispose();
      await detecting?.catch(() => undefined);
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
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null } | null;
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
    completeIndexedToolCall({ id: call.id, name: call.function?.name, arguments: call.function?.arguments }, index),
  );
  let finishReason = mapFinishReason(choice.finish_reason ?? 'stop');
  if (toolCalls.length > 0 && finishReason === 'stop') finishReason = 'tool-calls';
  const result: GenerateResult = { text: choice.message.content ?? '', toolCalls, finishReason };
  const usage = toUsage(completion.usage);
  if (usage !== undefined) result.usage = usage;
  return result;
}
