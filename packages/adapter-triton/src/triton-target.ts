import {
  CallControl,
  createUndiciTransport,
  describeEndpoint,
  HttpClient,
  type HttpResponse,
  parseErrorMessage,
  readBoundedText,
  readSseEvents,
  reportedUsage,
  resolveCapabilities,
  StatusTracker,
  secretHeaderValues,
  unavailableCodeOf,
} from '@switchyard/adapter-utils';
import {
  type AdapterConfigHints,
  type AdapterDescriptor,
  type ApiCallError,
  ConnectionError,
  type GenerateResult,
  InvalidResponseError,
  parseTargetCall,
  type StreamPart,
  type SwitchyardError,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  type TargetTelemetry,
  TargetUnavailableError,
  toSwitchyardError,
} from '@switchyard/contract';
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

/** How long one status probe (health, model readiness, repository index, config) may take in all. */
const probeTimeoutMs = 10_000;

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
  private readonly client: HttpClient;
  private readonly modelPath: string;
  /**
   * Optimistic until the first probe (documented); the first `status()` call starts a background probe, and while
   * not ready a look starts another every `statusRefreshMs` (the router probes unavailable remote targets, but not a
   * model that is still loading).
   */
  private readonly tracker: StatusTracker;
  private backend: TritonBackend | undefined;

  constructor(settings: TritonSettings) {
    this.settings = settings;
    this.model = settings.model;
    this.baseURL = settings.baseURL.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.id = settings.id ?? `triton:${settings.model}`;
    this.telemetry = describeEndpoint('triton', settings.model, this.baseURL);
    const version = settings.modelVersion === undefined ? '' : `/versions/${settings.modelVersion}`;
    this.modelPath = `/v2/models/${encodeURIComponent(settings.model)}${version}`;
    this.client = new HttpClient({
      target: this.id,
      baseURL: this.baseURL,
      headers: settings.headers,
      // A gateway in front may echo a header's secret (or a Bearer value's bare token) in its error body.
      secrets: secretHeaderValues(settings.headers),
      transport: createUndiciTransport(settings.dispatcher),
      mapApiError: (error) => this.modelNotServing(error),
      maxResponseBytes: settings.maxResponseBytes,
    });
    this.tracker = new StatusTracker({
      target: this.id,
      probe: (signal) => this.probeStatus(signal),
      probeTimeoutMs,
      refreshMs: settings.statusRefreshMs ?? 5000,
      redact: (text) => this.client.redact(text),
    });
    this.backend = settings.backend === 'auto' || settings.backend === undefined ? undefined : settings.backend;
    this.capabilities = tritonCapabilities(settings);
  }

  status(): TargetStatus {
    return this.tracker.read();
  }

  checkStatus(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    return this.tracker.check(options.signal);
  }

  /** Server health, then the model's readiness; the repository index says why a model is not ready. */
  private async probeStatus(signal: AbortSignal): Promise<TargetStatus> {
    try {
      const server = await this.client.probe({ path: '/v2/health/ready', signal });
      if (server.status !== 200) {
        return {
          state: 'unavailable',
          code: 'not-ready',
          reason: `Triton at ${this.baseURL} is not ready (GET /v2/health/ready answered ${server.status})`,
        };
      }
      const model = await this.client.probe({ path: `${this.modelPath}/ready`, signal });
      if (model.status !== 200) return await this.notReadyStatus(signal);
      await this.resolveBackend(signal);
      return { state: 'ready' };
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = toSwitchyardError(error, { target: this.id, url: this.baseURL });
      return (
        this.unreachable(failure) ?? {
          state: 'unavailable',
          code: unavailableCodeOf(failure),
          reason: `Triton at ${this.baseURL} failed the status probe: ${failure.message}`,
        }
      );
    }
  }

  /** Asks the repository index (model repository extension) whether the model is loading or why it is unavailable. */
  private async notReadyStatus(signal: AbortSignal): Promise<TargetStatus> {
    const fallback: TargetStatus = {
      state: 'unavailable',
      code: 'not-ready',
      reason:
        `Triton model "${this.model}" is not ready — load it (POST /v2/repository/models/${this.model}/load with ` +
        '--model-control-mode=explicit) or check the server log',
    };
    const index = await this.client
      .probe({ method: 'POST', path: '/v2/repository/index', json: {}, signal })
      .catch(() => undefined);
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
  private async resolveBackend(signal: AbortSignal | undefined): Promise<TritonBackend> {
    if (this.backend !== undefined) return this.backend;
    const config = await this.client.getJson<{ backend?: unknown; input?: { name?: unknown }[] }>({
      path: `${this.modelPath}/config`,
      signal,
    });
    const inputs = Array.isArray(config.input) ? config.input.map((input) => input.name) : [];
    this.backend = config.backend === 'vllm' || inputs.includes('return_finish_reason') ? 'vllm' : 'tensorrt-llm';
    return this.backend;
  }

  async generate(input: TargetCall): Promise<GenerateResult> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    try {
      control.throwIfAborted();
      const { body, maxTokens, backend } = await this.prepare(call, false, control);
      const response = await this.send(`${this.modelPath}/generate`, body, control, call);
      const answer = parseGenerateResponse(
        await readBoundedText(response, {
          target: this.id,
          url: `${this.baseURL}${this.modelPath}/generate`,
          maxBytes: this.settings.maxResponseBytes,
          setting: 'maxResponseBytes',
        }),
        this.id,
      );
      const scanner = new StopScanner(call.stop ?? []);
      const text = scanner.push(answer.textOutput) + scanner.flush();
      const result: GenerateResult = {
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
      };
      // TensorRT-LLM reports no counts: no usage, and the router charges (and marks) its estimate.
      const usage = reportedUsage(answer.inputTokens, answer.outputTokens);
      if (usage) result.usage = usage;
      return result;
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      control.dispose();
    }
  }

  async *stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    let response: HttpResponse | undefined;
    try {
      control.throwIfAborted();
      const { body, maxTokens, backend } = await this.prepare(call, true, control);
      response = await this.send(`${this.modelPath}/generate_stream`, body, control, call);

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
      const usage = reportedUsage(inputTokens, outputTokens);
      if (usage) yield { type: 'usage', usage };
      yield {
        type: 'finish',
        finishReason: this.finishReason(backend, finish, scanner.hasStopped, outputTokens, text, maxTokens),
      };
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      response?.cancel();
      control.dispose();
    }
  }

  async dispose(): Promise<void> {
    // The dispatcher is shared (or the caller's): it stays open. Only the probe in flight is ended, and no more start.
    await this.tracker.dispose();
  }

  // ---- internals ----

  private async prepare(call: TargetCall, stream: boolean, control: CallControl) {
    const prompt = renderChatTemplate(
      this.settings.chatTemplate ?? 'chatml',
      call.messages,
      call.assistantPrefix,
      this.id,
    );
    const backend = await this.resolveBackend(control.signal);
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

  /** A refused or unresolvable connection: the server is not there, and the status says how to fix it. */
  private unreachable(error: SwitchyardError): TargetStatus | undefined {
    if (
      !ConnectionError.isInstance(error) ||
      error.systemCode === undefined ||
      !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(error.systemCode)
    )
      return undefined;
    return {
      state: 'unavailable',
      code: 'unreachable',
      reason: `Triton is not reachable at ${this.baseURL} (${error.systemCode}) — is tritonserver running?`,
    };
  }

  /** A failed call stays the retryable `ConnectionError`, and `status()` says when the server is not there. */
  private classify(error: SwitchyardError): SwitchyardError {
    const unreachable = this.unreachable(error);
    if (unreachable !== undefined) this.tracker.set(unreachable);
    return error;
  }

  /**
   * Triton's 400/404 for a model it does not serve now (unknown, unloaded, not ready): a fact about this server for
   * now, so the router should move on (`TargetUnavailableError`), and the status says so.
   */
  private modelNotServing(error: ApiCallError): SwitchyardError | undefined {
    const message = parseErrorMessage(error.responseBody ?? '');
    if ((error.status !== 400 && error.status !== 404) || message === undefined || !modelNotServing.test(message)) {
      return undefined;
    }
    const reason = `Triton model "${this.model}" is not ready: ${message.slice(0, 200)}`;
    this.tracker.set({ state: 'unavailable', code: 'not-ready', reason });
    return new TargetUnavailableError({ target: this.id, reason, cause: error });
  }

  /** One generate request; an answer means the model serves (whatever an earlier probe or failure said). */
  private async send(path: string, body: unknown, control: CallControl, call: TargetCall): Promise<HttpResponse> {
    const response = await this.client.send({
      method: 'POST',
      path,
      json: body,
      accept: path.endsWith('_stream') ? 'text/event-stream' : 'application/json',
      signal: control.signal,
      traceContext: call.traceContext,
    });
    if (this.tracker.peek().state !== 'ready') this.tracker.set({ state: 'ready' });
    return response;
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
  return resolveCapabilities(
    {
      contextWindow,
      maxOutputTokens: Math.min(4096, contextWindow),
      // The generate endpoint takes and returns plain text: no tool-call or schema-constrained protocol.
      tools: false,
      jsonSchema: false,
      images: false,
      // The assistant prefix is appended to the rendered prompt, so the model simply continues it.
      continuation: true,
    },
    explicit,
    settings.price,
  );
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
