import {
  CallControl,
  describeEndpoint,
  parseErrorMessage,
  readErrorBody,
  readSseEvents,
  statusTexts,
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
  parseRetryAfter,
  parseTargetCall,
  redactSecrets,
  type StreamPart,
  type SwitchyardError,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  type TargetTelemetry,
  TargetUnavailableError,
  type TraceContext,
} from '@switchyard/contract';
import { Agent, type Dispatcher, request } from 'undici';
import { renderChatTemplate } from './chat-template.js';
import { estimateTokens, type GenerateResponse, mapFinishReason, parseGenerateResponse } from './generate-response.js';
import { StopScanner } from './stop-scanner.js';
import { toGenerateBody } from './to-generate-body.js';
import {
  parseTritonSettings,
  type TritonBackend,
  type TritonSettings,
  tritonSettingsSchema,
} from './triton-settings.js';

/** A `Target` for one LLM on an NVIDIA Triton Inference Server. */
export interface TritonTarget extends Target {
  readonly model: string;
  readonly baseURL: string;
  /** Probes `/v2/health/ready` and `/v2/models/{model}/ready` (and the repository index to tell loading apart). */
  checkStatus(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
  dispose(): Promise<void>;
}

let sharedAgent: Agent | undefined;
/** One keep-alive pool for every Triton target in the process. */
function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  return sharedAgent;
}

/** How long one status probe (health, model readiness, repository index, config) may take in all. */
const probeTimeoutMs = 10_000;
const secretHeader = /auth|key|token|secret|cookie|signature/i;

/** Triton's words for "this model cannot serve now" (unknown, unloaded or not yet ready). */
const modelNotServing = /unknown model|not (?:at )?ready|no available version|is not found|not loaded/i;

class TritonTargetImpl implements TritonTarget {
  readonly specificationVersion = 'v1' as const;
  readonly locality = 'remote' as const;
  readonly id: string;
  /** For the GenAI conventions: provider `triton`, the model, the server's address and port. */
  readonly telemetry: TargetTelemetry;
  readonly model: string;
  readonly baseURL: string;
  readonly capabilities: TargetCapabilities;

  private readonly settings: TritonSettings;
  private readonly dispatcher: Dispatcher;
  private readonly modelPath: string;
  /** Optimistic until the first probe (documented); the first `status()` call starts a background probe. */
  private current: TargetStatus = { state: 'ready' };
  /** The background probe `status()` started, while it runs. */
  private background: Promise<unknown> | undefined;
  /** When the last probe (background or `checkStatus()`) finished; `undefined` before the first one started. */
  private lastProbeAt: number | undefined;
  private disposed = false;
  /** Aborts probes on `dispose()`, so a hung server cannot hold `dispose()` up. */
  private readonly disposeController = new AbortController();
  /** Values of secret-looking headers, redacted from error bodies a gateway might echo them in. */
  private readonly secrets: string[];
  private backend: TritonBackend | undefined;

  constructor(settings: TritonSettings) {
    this.settings = settings;
    this.model = settings.model;
    this.baseURL = settings.baseURL.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.id = settings.id ?? `triton:${settings.model}`;
    this.telemetry = describeEndpoint('triton', settings.model, this.baseURL);
    this.dispatcher = settings.dispatcher ?? defaultDispatcher();
    const version = settings.modelVersion === undefined ? '' : `/versions/${settings.modelVersion}`;
    this.modelPath = `/v2/models/${encodeURIComponent(settings.model)}${version}`;
    this.secrets = Object.entries(settings.headers ?? {})
      .filter(([name]) => secretHeader.test(name))
      // `Bearer <token>`: a gateway may echo the token alone.
      .flatMap(([, value]) => [/^\w+\s+(\S+)$/.exec(value)?.[1] ?? '', value]);
    this.backend = settings.backend === 'auto' || settings.backend === undefined ? undefined : settings.backend;
    this.capabilities = tritonCapabilities(settings);
  }

  status(): TargetStatus {
    // The first look starts a background probe; while not ready, a look starts another every `statusRefreshMs`
    // (the router probes unavailable remote targets, but not a model that is still loading).
    if (this.shouldRefresh()) {
      this.background = this.checkStatus({ signal: this.disposeController.signal })
        .catch(() => undefined)
        .finally(() => {
          this.background = undefined;
        });
    }
    return this.current;
  }

  private shouldRefresh(): boolean {
    if (this.disposed || this.background !== undefined) return false;
    if (this.lastProbeAt === undefined) return true;
    if (this.current.state === 'ready') return false;
    return Date.now() - this.lastProbeAt >= (this.settings.statusRefreshMs ?? 5000);
  }

  async checkStatus(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    // Counts as the first probe at once, so a status() call while this runs does not start another.
    this.lastProbeAt ??= Date.now();
    // Bounded: a server that accepts connections but never answers is reported, not waited for; and dispose() ends
    // every probe, not only the background one, so it never waits out the probe deadline.
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.disposeController.signal])
      : this.disposeController.signal;
    const control = new CallControl(signal, this.id, this.baseURL, { timeoutMs: probeTimeoutMs });
    try {
      const server = await this.probe('GET', '/v2/health/ready', undefined, control);
      if (server.status !== 200) {
        this.current = {
          state: 'unavailable',
          code: 'not-ready',
          reason: `Triton at ${this.baseURL} is not ready (GET /v2/health/ready answered ${server.status})`,
        };
        return this.current;
      }
      const model = await this.probe('GET', `${this.modelPath}/ready`, undefined, control);
      if (model.status === 200) {
        await this.resolveBackend(control);
        this.current = { state: 'ready' };
        return this.current;
      }
      this.current = await this.notReadyStatus(control);
      return this.current;
    } catch (error) {
      const failure = this.classify(control.toError(error));
      if (AbortError.isInstance(failure)) throw failure;
      if (!ConnectionError.isInstance(failure)) {
        this.current = {
          state: 'unavailable',
          code: unavailableCodeOf(failure),
          reason: `Triton at ${this.baseURL} failed the status probe: ${failure.message}`,
        };
      }
      return this.current;
    } finally {
      this.lastProbeAt = Date.now();
      control.dispose();
    }
  }

  /** Asks the repository index (model repository extension) whether the model is loading or why it is unavailable. */
  private async notReadyStatus(control: CallControl): Promise<TargetStatus> {
    const fallback: TargetStatus = {
      state: 'unavailable',
      code: 'not-ready',
      reason:
        `Triton model "${this.model}" is not ready — load it (POST /v2/repository/models/${this.model}/load with ` +
        '--model-control-mode=explicit) or check the server log',
    };
    const index = await this.probe('POST', '/v2/repository/index', {}, control).catch(() => undefined);
    if (index?.status !== 200) return fallback;
    let entries: unknown;
    try {
      entries = JSON.parse(index.text);
    } catch {
      return fallback;
    }
    if (!Array.isArray(entries)) return fallback;
    const entry = (entries as { name?: unknown; version?: unknown; state?: unknown; reason?: unknown }[]).find(
      (item) =>
        item.name === this.model &&
        (this.settings.modelVersion === undefined || item.version === this.settings.modelVersion),
    );
    if (entry === undefined) {
      return {
        state: 'unavailable',
        code: 'model-missing',
        reason: `Triton has no model "${this.model}" in its model repository`,
      };
    }
    if (entry.state === 'LOADING') return { state: 'loading' };
    const why = typeof entry.reason === 'string' && entry.reason !== '' ? `: ${entry.reason}` : '';
    return {
      state: 'unavailable',
      code: entry.state === 'UNAVAILABLE' ? 'load-failed' : 'not-ready',
      reason: `Triton model "${this.model}" is ${String(entry.state ?? 'not ready')}${why}`,
    };
  }

  /** `auto`: read the model config once; `backend: "vllm"` is vLLM, anything else is treated as TensorRT-LLM. */
  private async resolveBackend(control: CallControl): Promise<TritonBackend> {
    if (this.backend !== undefined) return this.backend;
    const response = await this.send('GET', `${this.modelPath}/config`, undefined, control);
    const text = await response.body.text();
    let config: { backend?: unknown; input?: { name?: unknown }[] } = {};
    try {
      config = JSON.parse(text) as typeof config;
    } catch {
      throw new InvalidResponseError({
        message: 'Triton answered the model config with something other than JSON',
        target: this.id,
      });
    }
    const inputs = Array.isArray(config.input) ? config.input.map((input) => input.name) : [];
    this.backend = config.backend === 'vllm' || inputs.includes('return_finish_reason') ? 'vllm' : 'tensorrt-llm';
    return this.backend;
  }

  async generate(input: TargetCall): Promise<GenerateResult> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    try {
      control.throwIfAborted();
      const { body, maxTokens, prompt, backend } = await this.prepare(call, false, control);
      const response = await this.send('POST', `${this.modelPath}/generate`, body, control, call.traceContext);
      const answer = parseGenerateResponse(await response.body.text(), this.id);
      const scanner = new StopScanner(call.stop ?? []);
      const text = scanner.push(answer.textOutput) + scanner.flush();
      return {
        text,
        toolCalls: [],
        finishReason: this.finishReason(
          backend,
          answer.finishReason,
          scanner.hasStopped,
          answer.outputTokens,
          text,
          maxTokens,
        ),
        usage: {
          inputTokens: answer.inputTokens ?? estimateTokens(prompt),
          outputTokens: answer.outputTokens ?? Math.min(maxTokens, estimateTokens(text)),
        },
      };
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      control.dispose();
    }
  }

  async *stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    let response: Dispatcher.ResponseData | undefined;
    try {
      control.throwIfAborted();
      const { body, maxTokens, prompt, backend } = await this.prepare(call, true, control);
      response = await this.send('POST', `${this.modelPath}/generate_stream`, body, control, call.traceContext);

      const scanner = new StopScanner(call.stop ?? []);
      let eventCount = 0;
      let finish: string | undefined;
      let inputTokens: number | undefined;
      let outputTokens: number | undefined;
      let text = '';

      const handle = (data: string): string => {
        eventCount += 1;
        const event: GenerateResponse = parseGenerateResponse(data, this.id);
        if (event.finishReason !== undefined) finish = event.finishReason;
        if (event.inputTokens !== undefined) inputTokens = event.inputTokens;
        if (event.outputTokens !== undefined) outputTokens = (outputTokens ?? 0) + event.outputTokens;
        text += event.textOutput;
        return scanner.push(event.textOutput);
      };

      // Bounded (adapter-utils): an event over 8 MiB is an error, not a reason to grow memory without limit, and a
      // body that ends mid-event is reported as truncated.
      const url = `${this.baseURL}${this.modelPath}/generate_stream`;
      for await (const event of readSseEvents(response.body, { target: this.id, url })) {
        control.throwIfAborted();
        const delta = handle(event.data);
        control.throwIfAborted();
        if (delta !== '') {
          control.firstToken();
          yield { type: 'text-delta', text: delta };
        }
        // A client-side stop sequence ends the answer: stop reading, the `finally` closes the connection.
        if (scanner.hasStopped) break;
      }
      if (!scanner.hasStopped) {
        // What ends a Triton stream (documented in the README): the HTTP response ending cleanly after at least one
        // event, with no event left half-written; for vLLM, one event must also carry a finish reason. Anything
        // less is a truncated answer, never a success (a half-written event is the reader's error).
        if (eventCount === 0) throw this.invalid('ended the stream without sending any event');
        if (backend === 'vllm' && finish === undefined) {
          throw this.invalid('ended the stream without an event carrying a finish reason');
        }
        const rest = scanner.flush();
        if (rest !== '') yield { type: 'text-delta', text: rest };
      }
      control.throwIfAborted();
      yield {
        type: 'usage',
        usage: {
          inputTokens: inputTokens ?? estimateTokens(prompt),
          outputTokens: outputTokens ?? Math.min(maxTokens, estimateTokens(text)),
        },
      };
      yield {
        type: 'finish',
        finishReason: this.finishReason(backend, finish, scanner.hasStopped, outputTokens, text, maxTokens),
      };
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      if (response && !response.body.destroyed) response.body.destroy();
      control.dispose();
    }
  }

  async dispose(): Promise<void> {
    // The dispatcher is shared (or the caller's): it stays open. Only our own background probe is awaited, and no
    // more are started.
    this.disposed = true;
    this.disposeController.abort();
    await this.background;
  }

  // ---- internals ----

  private async prepare(call: TargetCall, stream: boolean, control: CallControl) {
    const prompt = renderChatTemplate(
      this.settings.chatTemplate ?? 'chatml',
      call.messages,
      call.assistantPrefix,
      this.id,
    );
    const backend = await this.resolveBackend(control);
    const maxTokens = call.maxTokens ?? this.settings.defaultMaxTokens ?? 512;
    const body = toGenerateBody({ call, prompt, backend, stream, maxTokens, parameters: this.settings.parameters });
    return { body, maxTokens, prompt, backend };
  }

  /**
   * vLLM says why it stopped; TensorRT-LLM's generate output does not, so there a full `maxTokens` budget means
   * `length` and anything shorter `stop`.
   */
  private finishReason(
    backend: TritonBackend,
    reported: string | undefined,
    stoppedByClient: boolean,
    outputTokens: number | undefined,
    text: string,
    maxTokens: number,
  ) {
    if (stoppedByClient) return 'stop' as const;
    if (reported !== undefined) return mapFinishReason(reported);
    if (backend === 'vllm') return 'stop' as const;
    return (outputTokens ?? estimateTokens(text)) >= maxTokens ? ('length' as const) : ('stop' as const);
  }

  private control(call: TargetCall): CallControl {
    return new CallControl(call.signal, this.id, `${this.baseURL}${this.modelPath}`, {
      ...(this.settings.timeoutMs === undefined ? {} : { timeoutMs: this.settings.timeoutMs }),
      ...(this.settings.firstTokenTimeoutMs === undefined
        ? {}
        : { firstTokenTimeoutMs: this.settings.firstTokenTimeoutMs }),
    });
  }

  private invalid(message: string): InvalidResponseError {
    return new InvalidResponseError({ message: `Triton ${message}`, target: this.id });
  }

  /** A refused or failed connection stays a retryable `ConnectionError`, and `status()` says the server is unreachable. */
  private classify(error: SwitchyardError): SwitchyardError {
    if (
      ConnectionError.isInstance(error) &&
      error.systemCode !== undefined &&
      /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(error.systemCode)
    ) {
      this.current = {
        state: 'unavailable',
        code: 'unreachable',
        reason: `Triton is not reachable at ${this.baseURL} (${error.systemCode}) — is tritonserver running?`,
      };
    }
    return error;
  }

  private headers(body: unknown, trace?: TraceContext): Record<string, string> {
    return {
      ...this.settings.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...traceHeaders(trace),
    };
  }

  /** A small request whose status the caller judges (health probes); the body is always read to the end. */
  private async probe(method: 'GET' | 'POST', path: string, body: unknown, control: CallControl) {
    const response = await request(`${this.baseURL}${path}`, {
      method,
      dispatcher: this.dispatcher,
      signal: control.signal,
      headers: this.headers(body),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.statusCode, text: await readErrorBody(response.body) };
  }

  /** `trace`: the call's trace context, sent as `traceparent` (see `traceHeaders`). */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    control: CallControl,
    trace?: TraceContext,
  ): Promise<Dispatcher.ResponseData> {
    const url = `${this.baseURL}${path}`;
    const response = await request(url, {
      method,
      dispatcher: this.dispatcher,
      signal: control.signal,
      headers: this.headers(body, trace),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.statusCode < 400) {
      if (this.current.state !== 'ready') this.current = { state: 'ready' };
      return response;
    }
    const text = redactSecrets(await readErrorBody(response.body), this.secrets);
    const message = parseErrorMessage(text);
    const apiError = new ApiCallError({
      url,
      method,
      status: response.statusCode,
      statusText: statusTexts[response.statusCode],
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
      responseBody: text,
      detail: message?.slice(0, 200),
      target: this.id,
    });
    if (
      (response.statusCode === 400 || response.statusCode === 404) &&
      message !== undefined &&
      modelNotServing.test(message)
    ) {
      // The model is unknown or unloaded: a fact about this server for now, so the router should move on.
      const reason = `Triton model "${this.model}" is not ready: ${message.slice(0, 200)}`;
      this.current = { state: 'unavailable', code: 'not-ready', reason };
      throw new TargetUnavailableError({ target: this.id, reason, cause: apiError });
    }
    throw apiError;
  }
}

/**
 * Creates a target for one LLM on NVIDIA Triton Inference Server through the KServe v2 generate extension
 * (`/v2/models/{model}/generate` and `/generate_stream`), with TensorRT-LLM or vLLM behind it. Chat messages are
 * rendered into `text_input` with `chatTemplate`. Throws `InvalidConfigError` for bad settings.
 *
 * `status()` starts optimistic (`ready`); the first call to it starts a background `checkStatus()`, and every call's
 * outcome updates it.
 *
 * @example
 * ```ts
 * const gpu = createTritonTarget({ baseURL: 'http://gpu-node-1:8000', model: 'ensemble', chatTemplate: 'llama3' });
 * const result = await gpu.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 });
 * ```
 */
export function createTritonTarget(settings: TritonSettings): TritonTarget {
  return new TritonTargetImpl(parseTritonSettings(settings));
}

/** What a target made from these (parsed) settings declares. */
export function tritonCapabilities(settings: TritonSettings): TargetCapabilities {
  const explicit = settings.capabilities ?? {};
  const contextWindow = explicit.contextWindow ?? 8192;
  return {
    contextWindow,
    maxOutputTokens: explicit.maxOutputTokens ?? Math.min(4096, contextWindow),
    // The generate endpoint takes and returns plain text: no tool-call or schema-constrained protocol.
    tools: explicit.tools ?? false,
    jsonSchema: explicit.jsonSchema ?? false,
    images: explicit.images ?? false,
    // The assistant prefix is appended to the rendered prompt, so the model simply continues it.
    continuation: explicit.continuation ?? true,
    ...(explicit.quality === undefined ? {} : { quality: explicit.quality }),
    ...(explicit.countTokens === undefined ? {} : { countTokens: explicit.countTokens }),
    ...(settings.price === undefined ? {} : { price: settings.price }),
  };
}

/** How a config file gives these settings: header values may come from the environment. */
const tritonConfig = {
  secrets: ['headers'],
  codeOnly: ['dispatcher'],
} as const satisfies AdapterConfigHints<TritonSettings>;

/** The adapter's self-description for tools that create targets from config (`@switchyard/server`). */
export const tritonDescriptor: AdapterDescriptor<TritonSettings, TritonTarget, typeof tritonConfig> = {
  name: 'triton',
  locality: 'remote',
  settingsSchema: tritonSettingsSchema,
  config: tritonConfig,
  parseSettings: parseTritonSettings,
  capabilities: tritonCapabilities,
  create: createTritonTarget,
};
