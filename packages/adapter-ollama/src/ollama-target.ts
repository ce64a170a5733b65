import {
  CallControl,
  createUndiciTransport,
  describeEndpoint,
  HttpClient,
  type HttpResponse,
  newToolCallId,
  parseErrorMessage,
  readBoundedText,
  readNdjsonLines,
  reportedUsage,
  resolveCapabilities,
  StatusTracker,
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
  type ToolCall,
  type TraceContext,
  toSwitchyardError,
} from '@switchyard/contract';
import { mapDoneReason, parseChatChunk } from './ollama-chat-chunk.js';
import { type OllamaSettings, ollamaSettingsSchema, parseOllamaSettings } from './ollama-settings.js';
import { toOllamaChatBody } from './to-ollama-chat-body.js';

/** One progress report of {@link OllamaTarget.pull}, summed over every layer Ollama downloads. */
export interface OllamaPullProgress {
  /** Ollama's status line: `pulling manifest`, `pulling <digest>`, `verifying sha256 digest`, `success`, ... */
  status: string;
  /** The layer this line is about, when it is about one. */
  digest?: string;
  /** Bytes received so far, over all layers seen. */
  receivedBytes: number;
  /** Bytes to receive, over all layers seen so far (grows as Ollama announces layers). */
  totalBytes: number;
  /**
   * 0..1: `receivedBytes / totalBytes`, but never decreasing (the total grows as layers are announced) and below 1
   * until Ollama says `success`.
   */
  progress: number;
}

/** Options of {@link OllamaTarget.pull}. */
export interface OllamaPullOptions {
  /** Called for every progress line Ollama sends. */
  onProgress?: (progress: OllamaPullProgress) => void;
  /** Cancels the download; Ollama resumes a later pull where this one stopped. */
  signal?: AbortSignal;
}

/** A `Target` for one model on a local Ollama daemon, with model management on top. */
export interface OllamaTarget extends Target {
  readonly model: string;
  readonly baseURL: string;
  /** Probes `/api/tags` (is the model pulled?), `/api/ps` (is it in memory?) and `/api/show` (what can it do?). */
  checkStatus(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
  /**
   * Downloads the model with `/api/pull`; `status()` reports `downloading` with progress meanwhile, then `ready`.
   * Concurrent calls share one download.
   */
  pull(options?: OllamaPullOptions): Promise<void>;
  /** Loads the model into memory ahead of the first call (an `/api/chat` with no messages); `status()` says `loading`. */
  load(options?: { signal?: AbortSignal }): Promise<void>;
  dispose(): Promise<void>;
}

const defaultBaseURL = 'http://127.0.0.1:11434';
/** How long one status probe (`/api/tags`, `/api/ps`, `/api/show`) may take in all. */
const probeTimeoutMs = 10_000;
/** Ollama's documented default `num_ctx` when neither the Modelfile nor the call sets one. */
const defaultContextWindow = 4096;

function refused(error: SwitchyardError): boolean {
  return ConnectionError.isInstance(error) && error.systemCode === 'ECONNREFUSED';
}

/** `llama3.2` and `llama3.2:latest` are the same model to Ollama. */
function normaliseModelName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

interface ModelListEntry {
  name?: unknown;
  model?: unknown;
  context_length?: unknown;
}

class OllamaTargetImpl implements OllamaTarget {
  readonly specificationVersion = 'v1' as const;
  readonly locality = 'local' as const;
  readonly id: string;
  /** For the GenAI conventions: provider `ollama`, the model, the daemon's address and port. */
  readonly telemetry: TargetTelemetry;
  readonly model: string;
  readonly baseURL: string;
  readonly capabilities: TargetCapabilities;

  private readonly settings: OllamaSettings;
  private readonly client: HttpClient;
  private readonly explicit: Partial<TargetCapabilities>;
  /**
   * Optimistic until the first probe (documented): a daemon that answers and has the model is the common case. The
   * first look at the status starts a background probe, and while the target is not ready a look starts another one
   * every `statusRefreshMs` (the router never probes local targets, so without this a daemon started later would stay
   * unavailable for good).
   */
  private readonly tracker: StatusTracker;
  /** From the last probe: is the model in memory? `undefined` until probed. */
  private warm: boolean | undefined;
  /** Calls that are loading the model right now (a cold model, no token yet) and explicit `load()`s. */
  private loadingCalls = 0;
  private pulling: Promise<void> | undefined;
  private showFetched = false;
  /** Set when `/api/show` says the model cannot chat (an embedding model): no probe makes it ready. */
  private rejection: TargetStatus | undefined;

  constructor(settings: OllamaSettings) {
    this.settings = settings;
    this.model = settings.model;
    this.baseURL = (settings.baseURL ?? defaultBaseURL).replace(/\/+$/, '');
    this.id = settings.id ?? `ollama:${settings.model}`;
    this.telemetry = describeEndpoint('ollama', settings.model, this.baseURL);
    this.client = new HttpClient({
      target: this.id,
      baseURL: this.baseURL,
      transport: createUndiciTransport(settings.dispatcher),
      mapApiError: (error) => this.modelNotFound(error),
      maxResponseBytes: settings.maxResponseBytes,
    });
    this.tracker = new StatusTracker({
      target: this.id,
      probe: (signal) => this.probeStatus(signal),
      probeTimeoutMs,
      refreshMs: settings.statusRefreshMs ?? 5000,
    });
    this.explicit = settings.capabilities ?? {};
    this.capabilities = ollamaCapabilities(settings);
  }

  status(): TargetStatus {
    return this.view(this.tracker.read());
  }

  async checkStatus(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    return this.view(await this.tracker.check(options.signal));
  }

  /** What the status reports: `loading` while a call or `load()` is bringing a cold model into memory. */
  private view(status: TargetStatus): TargetStatus {
    if (status.state === 'ready' && this.loadingCalls > 0) return { state: 'loading' };
    return status;
  }

  /** Is the model pulled (`/api/tags`), in memory (`/api/ps`), and what can it do (`/api/show`, once)? */
  private async probeStatus(signal: AbortSignal): Promise<TargetStatus> {
    const current = this.tracker.peek();
    try {
      const tags = await this.client.getJson<{ models?: ModelListEntry[] }>({ path: '/api/tags', signal });
      const wanted = normaliseModelName(this.model);
      const pulled = (tags.models ?? []).some((entry) =>
        [entry.name, entry.model].some((name) => typeof name === 'string' && normaliseModelName(name) === wanted),
      );
      if (!pulled) return current.state === 'downloading' ? current : this.notPulled();
      const ps = await this.client.getJson<{ models?: ModelListEntry[] }>({ path: '/api/ps', signal });
      const running = (ps.models ?? []).find((entry) =>
        [entry.name, entry.model].some((name) => typeof name === 'string' && normaliseModelName(name) === wanted),
      );
      this.warm = running !== undefined;
      const runningContext = positiveInteger(running?.context_length);
      if (!this.showFetched) await this.refineFromShow(signal);
      if (runningContext !== undefined) this.setContextWindow(runningContext);
      if (this.rejection !== undefined) return this.rejection;
      const latest = this.tracker.peek();
      return latest.state === 'downloading' ? latest : { state: 'ready' };
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = toSwitchyardError(error, { target: this.id, url: this.baseURL });
      // A refused connection: the daemon is not running, and the reason says how to start it.
      if (refused(failure)) return this.daemonDown();
      // `/api/show` answered "model not found" (see `modelNotFound`).
      if (TargetUnavailableError.isInstance(failure)) return this.notPulled();
      return {
        state: 'unavailable',
        code: unavailableCodeOf(failure),
        reason: `Ollama at ${this.baseURL} failed the status probe: ${failure.message}`,
      };
    }
  }

  /** Reads `/api/show` once: tool and vision support, and the context length Ollama will actually use. */
  private async refineFromShow(signal: AbortSignal): Promise<void> {
    const show = await this.client.getJson<{
      capabilities?: unknown;
      parameters?: unknown;
      model_info?: Record<string, unknown>;
    }>({ method: 'POST', path: '/api/show', json: { model: this.model }, signal });
    this.showFetched = true;
    if (Array.isArray(show.capabilities)) {
      const list = show.capabilities.filter((item): item is string => typeof item === 'string');
      if (this.explicit.tools === undefined) this.capabilities.tools = list.includes('tools');
      if (this.explicit.images === undefined) this.capabilities.images = list.includes('vision');
      if (!list.includes('completion')) {
        this.rejection = {
          state: 'unavailable',
          code: 'unsupported-model',
          reason: `Ollama model "${this.model}" cannot generate text (capabilities: ${list.join(', ') || 'none'}); pick a chat model`,
        };
      }
    }
    // The Modelfile's `PARAMETER num_ctx` is what Ollama loads the model with when the call does not say.
    const fromModelfile =
      typeof show.parameters === 'string' ? /(?:^|\n)\s*num_ctx\s+(\d+)/.exec(show.parameters)?.[1] : undefined;
    const trained = Object.entries(show.model_info ?? {}).find(([key]) => key.endsWith('.context_length'))?.[1];
    const configured = positiveInteger(this.settings.options?.num_ctx) ?? positiveInteger(Number(fromModelfile));
    const trainedLength = positiveInteger(trained);
    const effective = configured ?? Math.min(defaultContextWindow, trainedLength ?? defaultContextWindow);
    this.setContextWindow(trainedLength === undefined ? effective : Math.min(effective, trainedLength));
  }

  private setContextWindow(value: number): void {
    if (this.explicit.contextWindow !== undefined) return;
    this.capabilities.contextWindow = value;
    if (this.explicit.maxOutputTokens === undefined) this.capabilities.maxOutputTokens = value;
  }

  /**
   * A non-streamed `/api/chat` answer, at most `maxResponseBytes` of it: a body past the cap is a non-retryable
   * `InvalidResponseError` naming the cap and the setting, and the connection is destroyed (kit's `readBoundedText`).
   */
  private readAnswer(response: HttpResponse): Promise<string> {
    return readBoundedText(response, {
      target: this.id,
      url: `${this.baseURL}/api/chat`,
      maxBytes: this.settings.maxResponseBytes,
      setting: 'maxResponseBytes',
    });
  }

  async generate(input: TargetCall): Promise<GenerateResult> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    let loading = false;
    try {
      control.throwIfAborted();
      const body = toOllamaChatBody(call, this.settings, false, this.id);
      loading = this.startCall();
      const response = await this.send('/api/chat', body, control, call.traceContext);
      const chunk = parseChatChunk(await this.readAnswer(response), this.id);
      if (!chunk.done) throw this.invalid('answered a non-streamed chat without "done": true');
      if (loading) {
        loading = false;
        this.endLoading(true);
      }
      const toolCalls: ToolCall[] = chunk.toolCalls.map((toolCall) => ({
        id: toolCall.id ?? newToolCallId(),
        name: toolCall.name,
        arguments: toolCall.arguments,
      }));
      const result: GenerateResult = {
        text: chunk.content,
        toolCalls,
        finishReason: mapDoneReason(chunk.doneReason, toolCalls.length > 0),
      };
      // A count the daemon left out is unknown, not 0: no usage, and the router charges its estimate.
      const usage = reportedUsage(chunk.promptEvalCount, chunk.evalCount);
      if (usage) result.usage = usage;
      return result;
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      if (loading) this.endLoading(false);
      control.dispose();
    }
  }

  async *stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, this.id);
    const control = this.control(call);
    let response: HttpResponse | undefined;
    let loading = false;
    try {
      control.throwIfAborted();
      const body = toOllamaChatBody(call, this.settings, true, this.id);
      loading = this.startCall();
      response = await this.send('/api/chat', body, control, call.traceContext);
      let final: ReturnType<typeof parseChatChunk> | undefined;
      let toolCallCount = 0;
      for await (const line of readNdjsonLines(response.body, { target: this.id, url: `${this.baseURL}/api/chat` })) {
        control.throwIfAborted();
        const chunk = parseChatChunk(line, this.id);
        if (loading) {
          loading = false;
          this.endLoading(true);
        }
        control.firstToken();
        if (chunk.content !== '') yield { type: 'text-delta', text: chunk.content };
        for (const toolCall of chunk.toolCalls) {
          toolCallCount += 1;
          yield {
            type: 'tool-call',
            toolCall: { id: toolCall.id ?? newToolCallId(), name: toolCall.name, arguments: toolCall.arguments },
          };
        }
        if (chunk.done) {
          final = chunk;
          break;
        }
      }
      // A stream that stops before `done: true` was cut short (daemon crash, proxy timeout): never a success.
      if (final === undefined) throw this.invalid('ended the stream before an object with "done": true');
      control.throwIfAborted();
      const usage = reportedUsage(final.promptEvalCount, final.evalCount);
      if (usage) yield { type: 'usage', usage };
      yield { type: 'finish', finishReason: mapDoneReason(final.doneReason, toolCallCount > 0) };
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      response?.cancel();
      if (loading) this.endLoading(false);
      control.dispose();
    }
  }

  pull(options: OllamaPullOptions = {}): Promise<void> {
    this.pulling ??= this.runPull(options).finally(() => {
      this.pulling = undefined;
    });
    return this.pulling;
  }

  private async runPull(options: OllamaPullOptions): Promise<void> {
    const control = new CallControl(options.signal, this.id, this.baseURL);
    const before = this.tracker.peek();
    this.tracker.set({ state: 'downloading', progress: 0 });
    let response: HttpResponse | undefined;
    try {
      control.throwIfAborted();
      response = await this.send('/api/pull', { model: this.model, stream: true }, control);
      const layers = new Map<string, { total: number; completed: number }>();
      let succeeded = false;
      let reported = 0;
      for await (const line of readNdjsonLines(response.body, { target: this.id, url: `${this.baseURL}/api/pull` })) {
        control.throwIfAborted();
        const report = parsePullLine(line, this.id);
        if (report.error !== undefined) {
          throw new TargetUnavailableError({
            target: this.id,
            reason: `Ollama could not pull "${this.model}": ${report.error}`,
          });
        }
        if (report.digest !== undefined && report.total !== undefined) {
          layers.set(report.digest, { total: report.total, completed: report.completed ?? 0 });
        }
        let totalBytes = 0;
        let receivedBytes = 0;
        for (const layer of layers.values()) {
          totalBytes += layer.total;
          receivedBytes += Math.min(layer.completed, layer.total);
        }
        succeeded = report.status === 'success';
        // Ollama announces layers one at a time, so the total grows as it goes. Keep the fraction monotonic and
        // below 1 until `success`: a progress bar should never run backwards or claim to be done early.
        reported = succeeded ? 1 : Math.max(reported, Math.min(0.99, totalBytes > 0 ? receivedBytes / totalBytes : 0));
        const progress = reported;
        this.tracker.set({ state: 'downloading', progress, receivedBytes, totalBytes });
        options.onProgress?.({
          status: report.status,
          ...(report.digest === undefined ? {} : { digest: report.digest }),
          receivedBytes,
          totalBytes,
          progress,
        });
      }
      if (!succeeded) throw this.invalid(`ended the pull of "${this.model}" before its "success" line`);
      this.tracker.set({ state: 'ready' });
      this.warm = false;
    } catch (error) {
      const failure = this.classify(control.toError(error));
      if (this.tracker.peek().state === 'downloading') {
        this.tracker.set(before.state === 'downloading' ? this.notPulled() : before);
      }
      throw failure;
    } finally {
      response?.cancel();
      control.dispose();
    }
  }

  async load(options: { signal?: AbortSignal } = {}): Promise<void> {
    const control = new CallControl(options.signal, this.id, this.baseURL, {
      ...(this.settings.timeoutMs === undefined ? {} : { timeoutMs: this.settings.timeoutMs }),
    });
    this.loadingCalls += 1;
    try {
      control.throwIfAborted();
      const body: Record<string, unknown> = { model: this.model, messages: [], stream: false };
      if (this.settings.keepAlive !== undefined) body.keep_alive = this.settings.keepAlive;
      const response = await this.send('/api/chat', body, control);
      const chunk = parseChatChunk(await this.readAnswer(response), this.id);
      if (!chunk.done) throw this.invalid('answered a load request without "done": true');
      this.warm = true;
    } catch (error) {
      throw this.classify(control.toError(error));
    } finally {
      this.loadingCalls -= 1;
      control.dispose();
    }
  }

  async dispose(): Promise<void> {
    // The dispatcher is shared (or the caller's), so it stays open; only the probe in flight is ended, and no more
    // start.
    await this.tracker.dispose();
    await this.pulling?.catch(() => undefined);
  }

  // ---- internals ----

  private control(call: TargetCall): CallControl {
    return new CallControl(call.signal, this.id, `${this.baseURL}/api/chat`, {
      ...(this.settings.timeoutMs === undefined ? {} : { timeoutMs: this.settings.timeoutMs }),
      ...(this.settings.firstTokenTimeoutMs === undefined
        ? {}
        : { firstTokenTimeoutMs: this.settings.firstTokenTimeoutMs }),
    });
  }

  /** A call to a model the last probe found cold loads it first: `status()` says `loading` until a token comes. */
  private startCall(): boolean {
    if (this.warm !== false) return false;
    this.loadingCalls += 1;
    return true;
  }

  /** The load this call caused is over; only an answer proves the model is now in memory. */
  private endLoading(loaded: boolean): void {
    this.loadingCalls -= 1;
    if (loaded) this.warm = true;
  }

  private notPulled(): TargetStatus & { state: 'unavailable' } {
    return {
      state: 'unavailable',
      code: 'model-missing',
      reason: `Ollama model "${this.model}" is not pulled — run \`ollama pull ${this.model}\` (or call pull())`,
    };
  }

  private daemonDown(): TargetStatus & { state: 'unavailable' } {
    return {
      state: 'unavailable',
      code: 'unreachable',
      reason: `Ollama is not running at ${this.baseURL} — start it with \`ollama serve\``,
    };
  }

  private invalid(message: string): InvalidResponseError {
    return new InvalidResponseError({ message: `Ollama ${message}`, target: this.id });
  }

  /**
   * A refused connection means the daemon is not running: `status()` says so, with how to start it, so the router
   * plans around this target. The error itself stays the retryable `ConnectionError` every HTTP adapter throws for
   * a connection failure (the contract's one rule, checked by the shared fault suite); a non-retryable
   * `TargetUnavailableError` here made Ollama the one adapter whose "server down" the router would not retry.
   */
  private classify(error: SwitchyardError): SwitchyardError {
    if (refused(error)) this.tracker.set(this.daemonDown());
    return error;
  }

  /**
   * `{"error":"model 'x' not found, try pulling it first"}` with a 404: a fact about this machine, not a passing
   * fault, so a `TargetUnavailableError`, and the status says how to pull it.
   */
  private modelNotFound(error: ApiCallError): SwitchyardError | undefined {
    const message = parseErrorMessage(error.responseBody ?? '');
    if (error.status !== 404 || message === undefined || !/not found/i.test(message)) return undefined;
    const status = this.notPulled();
    this.tracker.set(status);
    return new TargetUnavailableError({ target: this.id, reason: status.reason, cause: error });
  }

  /** A POST of a call (chat, pull, load); `trace` is the call's trace context, sent as `traceparent`. */
  private async send(path: string, body: unknown, control: CallControl, trace?: TraceContext): Promise<HttpResponse> {
    const response = await this.client.send({
      method: 'POST',
      path,
      json: body,
      signal: control.signal,
      traceContext: trace,
    });
    // The daemon answered, so whatever made it unavailable before (not running) is over.
    const current = this.tracker.peek();
    if (current.state === 'unavailable' && current.reason === this.daemonDown().reason) {
      this.tracker.set({ state: 'ready' });
    }
    return response;
  }
}

/** One `/api/pull` line: `{ status, digest?, total?, completed? }` or `{ error }` (docs/api.md "Pull a Model"). */
function parsePullLine(
  line: string,
  target: string,
): { status: string; digest?: string; total?: number; completed?: number; error?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new InvalidResponseError({
      message: 'Ollama sent a pull progress line that is not JSON',
      target,
      cause: error,
    });
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof record.error === 'string') return { status: 'error', error: record.error };
  if (typeof record.status !== 'string') {
    throw new InvalidResponseError({ message: 'Ollama sent a pull progress line without "status"', target });
  }
  return {
    status: record.status,
    ...(typeof record.digest === 'string' ? { digest: record.digest } : {}),
    ...(typeof record.total === 'number' ? { total: record.total } : {}),
    ...(typeof record.completed === 'number' ? { completed: record.completed } : {}),
  };
}

/**
 * Creates a target for one model on a local Ollama daemon, speaking Ollama's native API (`/api/chat` with NDJSON
 * streaming, `/api/tags`, `/api/ps`, `/api/show`, `/api/pull`). Throws `InvalidConfigError` for bad settings.
 *
 * `status()` starts optimistic (`ready`) and probes lazily: the first call to it starts a background
 * `checkStatus()`, and every call's outcome updates it (daemon not running or model not pulled → `unavailable`
 * with the fix in the reason).
 *
 * @example
 * ```ts
 * const local = createOllamaTarget({ model: 'llama3.2:3b', keepAlive: '30m' });
 * if ((await local.checkStatus()).state === 'unavailable') await local.pull({ onProgress: (p) => console.log(p.progress) });
 * const result = await local.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 });
 * ```
 */
export function createOllamaTarget(settings: OllamaSettings): OllamaTarget {
  return new OllamaTargetImpl(parseOllamaSettings(settings));
}

/**
 * What a target made from these (parsed) settings declares before its first status check (which may then learn
 * tools, images and the context window from the model, unless the settings give them).
 */
export function ollamaCapabilities(settings: OllamaSettings): TargetCapabilities {
  const explicit = settings.capabilities ?? {};
  const contextWindow = explicit.contextWindow ?? positiveInteger(settings.options?.num_ctx) ?? defaultContextWindow;
  return resolveCapabilities(
    {
      contextWindow,
      maxOutputTokens: contextWindow,
      tools: false,
      jsonSchema: true,
      images: false,
      continuation: true,
    },
    explicit,
  );
}

/** How a config file gives these settings: all as written, but for the dispatcher. */
const ollamaConfig = { codeOnly: ['dispatcher'] } as const satisfies AdapterConfigHints<OllamaSettings>;

/** The adapter's self-description for tools that create targets from config (`@switchyard/server`). */
export const ollamaDescriptor: AdapterDescriptor<OllamaSettings, OllamaTarget, typeof ollamaConfig> = {
  name: 'ollama',
  locality: 'local',
  settingsSchema: ollamaSettingsSchema,
  config: ollamaConfig,
  parseSettings: parseOllamaSettings,
  capabilities: ollamaCapabilities,
  create: createOllamaTarget,
};
