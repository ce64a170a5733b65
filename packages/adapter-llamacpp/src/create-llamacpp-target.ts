import { basename, dirname, join } from 'node:path';
import { newToolCallId, StatusTracker } from '@switchyard/adapter-utils';
import {
  AbortError,
  type AdapterConfigHints,
  type AdapterDescriptor,
  type GenerateResult,
  InvalidRequestError,
  parseTargetCall,
  type StreamPart,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  TargetUnavailableError,
  type ToolCall,
  toSwitchyardError,
} from '@switchyard/contract';
import type {
  ChatHistoryItem,
  ChatModelFunctions,
  ChatWrapper,
  Llama,
  LlamaChat,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import PQueue from 'p-queue';
import { AsyncChannel } from './async-channel.js';
import { ContinuationSeam, dropsLeadingSpace, prefixForContext } from './continuation-seam.js';
import { defaultModelCacheDir, downloadModel, modelFileName, sha256Of } from './download-model.js';
import { linkSignals } from './link-signals.js';
import {
  defaultThreads,
  type LlamaCppSettings,
  llamaCppSettingsSchema,
  parseLlamaCppSettings,
} from './llamacpp-settings.js';
import { checkModelFile, type ModelFileCheck } from './model-file-check.js';
import { acquireLlama, importNodeLlamaCpp, type NodeLlamaCpp, releaseLlama } from './node-llama-cpp-runtime.js';
import { toChatHistory } from './to-chat-history.js';

/** A {@link Target} backed by an in-process node-llama-cpp model, with explicit loading and disposal. */
export interface LlamaCppTarget extends Target {
  readonly locality: 'local';
  /** Downloads (for `modelUri`) and loads the model now; resolves when `status()` is `ready`. */
  load(options?: { signal?: AbortSignal }): Promise<void>;
  checkStatus(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
  /** Aborts running generations, rejects queued ones, and frees the model's native memory. */
  dispose(): Promise<void>;
}

interface Loaded {
  llamaCpp: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /**
   * Resolved once per model. `new LlamaChat()` without one resolves it from the model's metadata on every call: for a
   * Jinja chat template that renders the template dozens of times (equivalence and function-call detection), ~300 ms
   * per request on a small model, longer than generating the whole answer.
   */
  chatWrapper: ChatWrapper;
  /** The tokenizer drops a first token's leading space when decoding (SentencePiece); see continuation-seam.ts. */
  leadingSpaceDropped: boolean;
  idle: LlamaContextSequence[];
  /** Context sequences created so far (each one is reused across calls). */
  created: number;
}

type ToolMode =
  | { kind: 'none' }
  | { kind: 'auto'; functions: ChatModelFunctions }
  | { kind: 'forced'; names: string[] };

const DEFAULT_CONTEXT = 4096;

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, target: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError({ target, cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError({ target, cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describeLoadError(error: unknown, path: string): string {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'InsufficientMemoryError' || /memory|alloc|\bV?RAM\b/i.test(message)) {
    return `not enough memory to load ${path} (${message}); lower contextSize or sequences, use a smaller quantization, or set gpu: false`;
  }
  if (message.includes('node-llama-cpp')) return message;
  return `failed to load model ${path} (${message}); the file may be corrupt or truncated: download it again`;
}

class LlamaCppTargetImpl implements LlamaCppTarget {
  readonly specificationVersion = 'v1' as const;
  readonly locality = 'local' as const;
  readonly id: string;
  readonly capabilities: TargetCapabilities;

  private readonly settings: LlamaCppSettings;
  private readonly modelPath: string;
  private readonly gpu: 'auto' | false;
  private readonly sequences: number;
  private readonly maxQueue: number;
  private readonly queue: PQueue;
  private readonly disposeController = new AbortController();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  /**
   * The status; while unavailable, a look at it re-checks the model file every `statusRefreshMs` (a stat and 4 bytes,
   * after the caller: `status()` stays free of I/O), since the router only reads `status()` of a local target.
   */
  private readonly tracker: StatusTracker;
  private failure: { reason: string; size?: number; mtimeMs?: number } | undefined;
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private holdsLlama = false;
  /** The last download of `modelUri` failed (its reason stays the status until a file appears). */
  private downloadFailed = false;

  constructor(settings: LlamaCppSettings) {
    this.settings = parseLlamaCppSettings(settings);
    this.modelPath =
      settings.modelPath ??
      join(settings.cacheDir ?? defaultModelCacheDir(), modelFileName(settings.modelUri as string));
    this.id = settings.id ?? `llamacpp:${basename(this.modelPath).replace(/\.gguf$/i, '')}`;
    this.gpu = settings.gpu ?? 'auto';
    this.sequences = settings.sequences ?? 1;
    this.maxQueue = settings.maxQueue ?? 64;
    this.queue = new PQueue({ concurrency: this.sequences });
    this.capabilities = {
      ...llamaCppCapabilities(settings),
      countTokens: (text) => this.loaded?.model.tokenize(text, false).length,
    };
    this.tracker = new StatusTracker({
      target: this.id,
      initial: this.initialStatus(),
      refreshMs: settings.statusRefreshMs ?? 5000,
      probe: async () => this.checkFile(),
    });
    if (settings.preload && this.tracker.peek().state !== 'unavailable') this.load().catch(() => {});
  }

  private initialStatus(): TargetStatus {
    const check = checkModelFile(this.modelPath);
    if (check.ok) return { state: 'ready' };
    if (this.settings.modelUri && check.size === undefined) {
      return {
        state: 'unavailable',
        code: 'model-missing',
        reason: `model not downloaded yet from ${this.settings.modelUri}; call load() (or \`switchyard models pull\`) to download it into ${dirname(this.modelPath)}`,
      };
    }
    this.failure = check;
    return {
      state: 'unavailable',
      code: check.size === undefined ? 'model-missing' : 'load-failed',
      reason: check.reason,
    };
  }

  status(): TargetStatus {
    return this.tracker.read();
  }

  async checkStatus(): Promise<TargetStatus> {
    if (this.disposeController.signal.aborted) return this.tracker.peek();
    return this.tracker.check();
  }

  /** The model file as it is now; a loaded or loading model, or a failed file that has not changed, keeps its status. */
  private checkFile(): TargetStatus {
    const current = this.tracker.peek();
    if (this.loaded || this.loading) return current;
    const check: ModelFileCheck = checkModelFile(this.modelPath);
    if (this.failure) {
      // A failed file stays failed until it changes on disk (re-downloaded, replaced).
      const changed = check.size !== this.failure.size || check.mtimeMs !== this.failure.mtimeMs;
      if (!changed) return current;
      this.failure = undefined;
    }
    const next = this.initialStatus();
    // Still nothing downloaded after a failed download: keep the reason that says why it failed.
    const sameAsFailedDownload = this.downloadFailed && next.state === 'unavailable' && check.size === undefined;
    return sameAsFailedDownload ? current : next;
  }

  load(options: { signal?: AbortSignal } = {}): Promise<void> {
    return raceAbort(this.ensureLoaded(true), options.signal, this.id).then(() => undefined);
  }

  private ensureLoaded(explicit = false): Promise<Loaded> {
    if (this.disposeController.signal.aborted) {
      return Promise.reject(new TargetUnavailableError({ target: this.id, reason: 'the target was disposed' }));
    }
    if (this.loaded) return Promise.resolve(this.loaded);
    if (this.failure && !explicit) {
      return Promise.reject(new TargetUnavailableError({ target: this.id, reason: this.failure.reason }));
    }
    this.loading ??= this.doLoad().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async doLoad(): Promise<Loaded> {
    const signal = this.disposeController.signal;
    let check = checkModelFile(this.modelPath);
    let verified = false;
    if (!check.ok && this.settings.modelUri && check.size === undefined) {
      const uri = this.settings.modelUri;
      this.tracker.set({ state: 'downloading', progress: 0 });
      try {
        await downloadModel({
          uri,
          dir: dirname(this.modelPath),
          fileName: basename(this.modelPath),
          sha256: this.settings.sha256,
          signal,
          onProgress: (progress) => {
            this.tracker.set({
              state: 'downloading',
              progress: progress.progress,
              receivedBytes: progress.receivedBytes,
              ...(progress.totalBytes === undefined ? {} : { totalBytes: progress.totalBytes }),
            });
            this.settings.onDownloadProgress?.(progress);
          },
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Not sticky: the next call resumes the download.
        this.downloadFailed = true;
        const reason = `download of ${uri} failed: ${message}`;
        this.tracker.set({ state: 'unavailable', code: 'download-failed', reason });
        throw new TargetUnavailableError({
          target: this.id,
          reason,
          isRetryable: true,
          cause: error,
        });
      }
      this.downloadFailed = false;
      // downloadModel verified the bytes it wrote.
      verified = true;
      check = checkModelFile(this.modelPath);
    }
    if (!check.ok) return this.fail(check.reason, check);
    // A configured checksum holds for a file that was already there too (cached earlier, copied in by hand, or
    // half-overwritten): hashed once per load, before llama.cpp reads it.
    const expected = this.settings.sha256?.toLowerCase();
    if (expected && !verified) {
      const actual = await sha256Of(this.modelPath);
      if (actual !== expected) {
        return this.fail(
          `${this.modelPath} has SHA-256 ${actual}, expected ${expected} (the sha256 setting): the file is damaged or ` +
            `another model; replace it${this.settings.modelUri ? ' or delete it to download it again' : ''}`,
          check,
        );
      }
    }

    this.tracker.set({ state: 'loading' });
    let llamaCpp: NodeLlamaCpp;
    let llama: Llama;
    try {
      llamaCpp = await importNodeLlamaCpp();
      llama = await acquireLlama(this.gpu);
      this.holdsLlama = true;
    } catch (error) {
      return this.fail(error instanceof Error ? error.message : String(error), check, error);
    }
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({
        modelPath: this.modelPath,
        ...(this.gpu === false ? { gpuLayers: 0 } : {}),
        loadSignal: signal,
      });
      const contextSize = this.settings.contextSize ?? Math.min(DEFAULT_CONTEXT, model.trainContextSize);
      const context = await model.createContext({
        contextSize,
        sequences: this.sequences,
        threads: this.settings.threads ?? defaultThreads(),
        batchSize: Math.min(512, contextSize),
        // Fail once, clearly, instead of retrying with ever smaller contexts: status() then says why.
        failedCreationRemedy: false,
      });
      if (signal.aborted) {
        await context.dispose();
        await model.dispose();
        throw new TargetUnavailableError({ target: this.id, reason: 'the target was disposed' });
      }
      this.capabilities.contextWindow = context.contextSize;
      this.capabilities.maxOutputTokens = context.contextSize;
      const chatWrapper = llamaCpp.resolveChatWrapper(model);
      const leadingSpaceDropped = dropsLeadingSpace(model);
      this.loaded = { llamaCpp, llama, model, context, chatWrapper, leadingSpaceDropped, idle: [], created: 0 };
      this.tracker.set({ state: 'ready' });
      return this.loaded;
    } catch (error) {
      await model?.dispose().catch(() => {});
      if (TargetUnavailableError.isInstance(error)) throw error;
      return this.fail(describeLoadError(error, this.modelPath), check, error);
    }
  }

  private async fail(reason: string, check: { size?: number; mtimeMs?: number }, cause?: unknown): Promise<never> {
    this.failure = { reason, size: check.size, mtimeMs: check.mtimeMs };
    this.tracker.set({
      state: 'unavailable',
      code: check.size === undefined ? 'model-missing' : 'load-failed',
      reason,
    });
    if (this.holdsLlama) {
      this.holdsLlama = false;
      await releaseLlama(this.gpu);
    }
    throw new TargetUnavailableError({ target: this.id, reason, cause });
  }

  async generate(input: TargetCall): Promise<GenerateResult> {
    const call = parseTargetCall(input, this.id);
    return this.run(call, undefined, call.signal);
  }

  async *stream(input: TargetCall): AsyncIterable<StreamPart> {
    const call = parseTargetCall(input, this.id);
    const channel = new AsyncChannel<StreamPart>();
    const cancel = new AbortController();
    const { signal, release } = linkSignals(call.signal, cancel.signal);
    const running = this.run(call, (text) => channel.push({ type: 'text-delta', text }), signal).then(
      (result) => {
        for (const toolCall of result.toolCalls) channel.push({ type: 'tool-call', toolCall });
        if (result.usage) channel.push({ type: 'usage', usage: result.usage });
        channel.push({ type: 'finish', finishReason: result.finishReason });
        channel.close();
      },
      (error: unknown) => channel.fail(error),
    );
    try {
      for await (const part of channel) {
        // Deltas may already be buffered when the caller aborts; stop at once instead of draining them.
        if (call.signal?.aborted) throw new AbortError({ target: this.id, cause: call.signal.reason });
        yield part;
      }
    } finally {
      // Breaking out of the loop cancels generation and frees the sequence before the iterator finishes.
      cancel.abort();
      await running;
      release();
    }
  }

  private async run(
    call: TargetCall,
    onText: ((text: string) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<GenerateResult> {
    if (signal?.aborted) throw new AbortError({ target: this.id, cause: signal.reason });
    try {
      const loaded = await raceAbort(this.ensureLoaded(), signal, this.id);
      if (this.queue.pending >= this.sequences && this.queue.size >= this.maxQueue) {
        throw new TargetUnavailableError({
          target: this.id,
          reason: `${this.queue.size} calls are already waiting for this local model (maxQueue ${this.maxQueue})`,
          isRetryable: true,
        });
      }
      const link = linkSignals(signal, this.disposeController.signal);
      const combined = link.signal;
      // The queue slot is held until generation has really stopped (not just until the caller gave up), so a
      // sequence is always free when a queued call starts. A call aborted while queued is skipped when its turn comes.
      const task = this.queue.add(() => {
        if (combined.aborted) throw new AbortError({ target: this.id, cause: combined.reason });
        return this.generateOnSequence(loaded, call, onText, combined);
      });
      try {
        return await raceAbort(task, combined, this.id);
      } finally {
        // The task may still be stopping; it sees `combined` already aborted, which is all it needs.
        task.finally(link.release).catch(() => {});
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError({ target: this.id, cause: signal.reason });
      if (this.disposeController.signal.aborted && !InvalidRequestError.isInstance(error)) {
        throw new TargetUnavailableError({ target: this.id, reason: 'the target was disposed', cause: error });
      }
      throw toSwitchyardError(error, { target: this.id });
    }
  }

  private takeSequence(loaded: Loaded): LlamaContextSequence {
    const idle = loaded.idle.pop();
    if (idle) return idle;
    loaded.created += 1;
    return loaded.context.getSequence();
  }

  private toolMode(call: TargetCall): ToolMode {
    const tools = call.tools ?? [];
    const choice = call.toolChoice ?? 'auto';
    if (tools.length === 0 || choice === 'none') return { kind: 'none' };
    if (choice === 'auto') {
      const functions: Record<string, { description?: string; params?: never }> = {};
      for (const tool of tools) {
        functions[tool.name] = { description: tool.description, params: tool.parameters as never };
      }
      return { kind: 'auto', functions };
    }
    if (choice === 'required') return { kind: 'forced', names: tools.map((tool) => tool.name) };
    if (!tools.some((tool) => tool.name === choice.name)) {
      throw new InvalidRequestError({
        target: this.id,
        problems: [{ path: 'toolChoice.name', message: `no tool named "${choice.name}" in tools` }],
      });
    }
    return { kind: 'forced', names: [choice.name] };
  }

  private grammarFor(loaded: Loaded, schema: Record<string, unknown>, path: string): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = loaded.llama.createGrammarForJsonSchema(schema as never) as Promise<LlamaGrammar>;
      // Compiled grammars are reused across calls; keep the cache small.
      if (this.grammars.size >= 32) this.grammars.delete(this.grammars.keys().next().value as string);
      this.grammars.set(key, grammar);
      grammar.catch(() => this.grammars.delete(key));
    }
    return grammar.catch((error: unknown) => {
      throw new InvalidRequestError({
        target: this.id,
        problems: [{ path, message: `unsupported JSON schema: ${error instanceof Error ? error.message : error}` }],
        cause: error,
      });
    });
  }

  private async generateOnSequence(
    loaded: Loaded,
    call: TargetCall,
    onText: ((text: string) => void) | undefined,
    signal: AbortSignal,
  ): Promise<GenerateResult> {
    if (signal.aborted) throw new AbortError({ target: this.id, cause: signal.reason });
    const mode = this.toolMode(call);
    if (mode.kind !== 'none' && call.responseFormat?.type === 'json_schema') {
      throw new InvalidRequestError({
        target: this.id,
        problems: [{ path: 'responseFormat', message: 'json_schema cannot be combined with tools on this target' }],
      });
    }
    const prefix = call.assistantPrefix ?? '';
    const contextPrefix = prefixForContext(prefix, loaded.leadingSpaceDropped);
    let history: ChatHistoryItem[] = toChatHistory(call.messages, contextPrefix, this.id);
    const seam = prefix && loaded.leadingSpaceDropped ? new ContinuationSeam(loaded.model, prefix) : undefined;
    let grammar: LlamaGrammar | undefined;
    if (call.responseFormat?.type === 'json_schema') {
      grammar = await this.grammarFor(loaded, call.responseFormat.schema, 'responseFormat.schema');
    }
    if (mode.kind === 'forced') {
      const tools = (call.tools ?? []).filter((tool) => mode.names.includes(tool.name));
      const options = tools.map((tool) => ({
        type: 'object',
        properties: { name: { const: tool.name }, arguments: tool.parameters },
      }));
      const schema = options.length === 1 ? (options[0] as Record<string, unknown>) : { oneOf: options };
      grammar = await this.grammarFor(loaded, schema, 'tools');
      // The grammar guarantees the shape; the instruction helps a real model pick sensible arguments.
      const instruction =
        'Call exactly one of these tools. Reply only with a JSON object {"name": <tool name>, "arguments": <arguments>}.\n' +
        JSON.stringify(tools.map(({ name, description, parameters }) => ({ name, description, parameters })));
      history = [{ type: 'system', text: instruction }, ...history];
    }

    const { LlamaChat } = loaded.llamaCpp;
    const sequence = this.takeSequence(loaded);
    const chat: LlamaChat = new LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper });
    try {
      const functions = mode.kind === 'auto' ? mode.functions : undefined;
      const prompt = chat.chatWrapper.generateContextState({
        chatHistory: history,
        availableFunctions: functions,
        documentFunctionParams: functions ? true : undefined,
      });
      const inputTokens = prompt.contextText.tokenize(loaded.model.tokenizer).length;
      const contextSize = loaded.context.contextSize;
      if (inputTokens >= contextSize) {
        throw new InvalidRequestError({
          target: this.id,
          problems: [
            {
              path: 'messages',
              message: `the prompt is ${inputTokens} tokens but the context window is ${contextSize}; shorten it or raise contextSize`,
            },
          ],
        });
      }
      const maxTokens = Math.min(call.maxTokens ?? this.settings.defaultMaxTokens ?? 512, contextSize - inputTokens);
      const before = sequence.tokenMeter.usedOutputTokens;
      let text = '';
      const common = {
        signal,
        maxTokens,
        temperature: call.temperature ?? 0,
        ...(call.topP === undefined ? {} : { topP: call.topP }),
        ...(call.seed === undefined ? {} : { seed: call.seed }),
        ...(call.stop ? { customStopTriggers: call.stop } : {}),
        ...(seam ? { onToken: (tokens: Token[]) => seam.tokens(tokens) } : {}),
        onTextChunk: (raw: string) => {
          const chunk = seam ? seam.text(raw) : raw;
          if (!chunk) return;
          text += chunk;
          if (mode.kind !== 'forced') onText?.(chunk);
        },
      };
      const response = functions
        ? await chat.generateResponse(history, { ...common, functions, documentFunctionParams: true })
        : await chat.generateResponse(history, { ...common, grammar });
      if (signal.aborted) throw new AbortError({ target: this.id, cause: signal.reason });
      const outputTokens = Math.min(maxTokens, sequence.tokenMeter.usedOutputTokens - before);
      const usage = { inputTokens, outputTokens };
      const stopReason = response.metadata.stopReason;
      const finishReason = stopReason === 'maxTokens' ? 'length' : 'stop';

      if (mode.kind === 'forced') {
        const toolCall = this.parseForcedCall(text);
        if (toolCall) return { text: '', toolCalls: [toolCall], finishReason: 'tool-calls', usage };
        // The call's JSON was cut (maxTokens, or a stop sequence): no tool call can be made of it, and the JSON is
        // this adapter's own envelope, not an answer, so it is not passed on as text; the finish reason says why.
        return { text: '', toolCalls: [], finishReason, usage };
      }
      const toolCalls: ToolCall[] = (response.functionCalls ?? []).map((functionCall) => ({
        id: newToolCallId(),
        name: functionCall.functionName,
        arguments: JSON.stringify(functionCall.params ?? {}),
      }));
      return { text, toolCalls, finishReason: toolCalls.length > 0 ? 'tool-calls' : finishReason, usage };
    } catch (error) {
      if (signal.aborted) throw new AbortError({ target: this.id, cause: signal.reason });
      throw error;
    } finally {
      chat.dispose({ disposeSequence: false });
      if (this.disposeController.signal.aborted) sequence.dispose();
      else loaded.idle.push(sequence);
    }
  }

  private parseForcedCall(text: string): ToolCall | undefined {
    try {
      const parsed = JSON.parse(text) as { name?: unknown; arguments?: unknown };
      if (typeof parsed.name !== 'string') return undefined;
      return {
        id: newToolCallId(),
        name: parsed.name,
        arguments: JSON.stringify(parsed.arguments ?? {}),
      };
    } catch {
      return undefined;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposeController.signal.aborted) return;
    this.disposeController.abort(new Error('disposed'));
    this.queue.clear();
    await this.queue.onIdle();
    await this.loading?.catch(() => undefined);
    const loaded = this.loaded;
    this.loaded = undefined;
    // Stops the file re-checks first, so none lands after this status.
    await this.tracker.dispose();
    this.tracker.set({ state: 'unavailable', code: 'disposed', reason: 'the target was disposed' });
    if (loaded) {
      for (const sequence of loaded.idle) sequence.dispose();
      await loaded.context.dispose();
      await loaded.model.dispose();
    }
    if (this.holdsLlama) {
      this.holdsLlama = false;
      await releaseLlama(this.gpu);
    }
  }
}

/**
 * Creates a local target that runs a GGUF model in this process with node-llama-cpp (a peer dependency, imported
 * only when the model is first loaded). The model loads lazily on the first call or on `load()`; with `modelUri`
 * it is first downloaded into the cache.
 *
 * @example
 * ```ts
 * import { createLlamaCppTarget } from '@switchyard/adapter-llamacpp';
 *
 * const local = createLlamaCppTarget({ modelPath: './models/qwen2.5-0.5b-instruct-q4_k_m.gguf', threads: 2 });
 * const result = await local.generate({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 32 });
 * await local.dispose();
 * ```
 */
export function createLlamaCppTarget(settings: LlamaCppSettings): LlamaCppTarget {
  return new LlamaCppTargetImpl(settings);
}

/**
 * What a target made from these settings declares before its model loads (loading sets the context window to the
 * context actually created, which is `contextSize` unless memory forced it down).
 */
export function llamaCppCapabilities(settings: LlamaCppSettings): Omit<TargetCapabilities, 'countTokens'> {
  const contextWindow = settings.contextSize ?? DEFAULT_CONTEXT;
  return {
    contextWindow,
    maxOutputTokens: contextWindow,
    tools: true,
    jsonSchema: true,
    images: false,
    continuation: true,
    quality: settings.quality ?? 0.3,
  };
}

/**
 * How a config file gives these settings: model paths relative to the config, the context size and quality taken from
 * the declared capabilities (node-llama-cpp sizes its context from `contextSize`, so the declared window follows it).
 */
const llamaCppConfig = {
  paths: ['modelPath', 'cacheDir'],
  fromCapabilities: { contextSize: 'contextWindow', quality: 'quality' },
  codeOnly: ['onDownloadProgress'],
  model: { file: 'modelPath', downloadUri: 'modelUri' },
} as const satisfies AdapterConfigHints<LlamaCppSettings>;

/** The adapter's self-description for tools that create targets from config (`@switchyard/server`). */
export const llamaCppDescriptor: AdapterDescriptor<LlamaCppSettings, LlamaCppTarget, typeof llamaCppConfig> = {
  name: 'llamacpp',
  locality: 'local',
  settingsSchema: llamaCppSettingsSchema,
  config: llamaCppConfig,
  parseSettings: parseLlamaCppSettings,
  capabilities: llamaCppCapabilities,
  create: createLlamaCppTarget,
};
