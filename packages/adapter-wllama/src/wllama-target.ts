import { reportedUsage } from '@switchyard/adapter-utils';
import type {
  FinishReason,
  GenerateResult,
  StreamPart,
  Target,
  TargetCall,
  TargetStatus,
  Usage,
} from '@switchyard/contract';
import { parseTargetCall } from '@switchyard/contract';
import {
  AbortError,
  type InputProblem,
  InvalidRequestError,
  TargetUnavailableError,
  toSwitchyardError,
} from '@switchyard/contract/errors';
import { LogLevel, Wllama } from '@wllama/wllama';
import { AsyncChannel } from './async-channel.js';
import { type ChatPrompt, compileChatPrompt, type TemplateMessage } from './chat-prompt.js';
import { PipelinedCompletions } from './pipelined-completion.js';
import { PrefixStripper } from './prefix-stripper.js';
import { engineLogger } from './wllama-logger.js';
import { parseWllamaSettings, type WllamaSettings } from './wllama-settings.js';

/** A {@link Target} on a GGUF model in WebAssembly, with its engine exposed for diagnostics. */
export interface WllamaTarget extends Target {
  /** Downloads (or reads from the cache) and loads the model; resolves with the status. Never rejects. */
  load(): Promise<TargetStatus>;
  /** Whether the multi-thread build runs (only after the model loaded). */
  isMultithread(): boolean | undefined;
}

type ChatChunk = {
  choices?: { delta?: { content?: string | null }; text?: string | null; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  timings?: { prompt_n?: number; cache_n?: number };
};
type ChatResponse = {
  choices: { message?: { content?: string | null }; text?: string | null; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
};

/**
 * Creates a local target on llama.cpp compiled to WebAssembly (`@wllama/wllama`, which runs the model in its own Web
 * Worker, so the page stays responsive). The model is fetched from `modelUrl` with progress reported as status
 * `downloading`, kept in the browser's storage for the next visit, and loaded with one thread, or several when the
 * page is cross-origin isolated. Calls run one at a time (a device runs one generation at once); streaming, abort
 * and continuation of an assistant prefix (prefilled, and never repeated in the output) are supported.
 *
 * @example
 * ```ts
 * const device = createWllamaTarget({ modelUrl: '/models/model.gguf', wasmUrl: '/wllama.wasm' });
 * const router = createRouter({ targets: { device, gpu }, policy: { mode: 'prefer-local' } });
 * ```
 */
export function createWllamaTarget(settings: WllamaSettings): WllamaTarget {
  const config = parseWllamaSettings(settings);
  const id = config.id;
  // Not `suppressNativeLog`, which makes the worker write more, not less (see `nativeLogLevel`).
  const engine = new Wllama({ default: config.wasmUrl }, { logger: engineLogger(config.logger) });
  let current: TargetStatus = { state: 'loading' };
  let loading: Promise<TargetStatus> | undefined;
  let disposed = false;
  // Compiled after the model loads (its template is in the GGUF); undefined: wllama's chat path renders it.
  let chatPrompt: ChatPrompt | undefined;
  // One generation at a time: wllama runs one completion per context.
  let queue: Promise<unknown> = Promise.resolve();
  // Found once the model has loaded (the worker exists from then on); false: wllama's own request loop.
  let pipelined: PipelinedCompletions | false | undefined;

  function load(): Promise<TargetStatus> {
    loading ??= (async () => {
      try {
        await engine.loadModelFromUrl(config.modelUrl, {
          n_ctx: config.contextSize,
          log_level: nativeLogLevel,
          ...(config.threads !== undefined ? { n_threads: config.threads } : {}),
          useCache: config.useCache,
          progressCallback({ loaded, total }: { loaded: number; total: number }) {
            if (loaded < total) {
              current = {
                state: 'downloading',
                progress: total > 0 ? loaded / total : 0,
                receivedBytes: loaded,
                totalBytes: total,
              };
            } else {
              current = { state: 'loading' };
            }
          },
        });
        chatPrompt = compileChatPrompt(engine.getChatTemplate());
        current = disposed ? { state: 'unavailable', code: 'disposed', reason: 'disposed' } : { state: 'ready' };
      } catch (error) {
        current = {
          state: 'unavailable',
          code: 'load-failed',
          reason: `the model could not be loaded: ${describe(error)}`,
        };
      }
      return current;
    })();
    return loading;
  }

  async function acquire(signal: AbortSignal | undefined): Promise<() => void> {
    let release!: () => void;
    const previous = queue;
    queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    if (!signal) {
      await previous;
      return release;
    }
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      await Promise.race([previous, aborted]);
    } catch (error) {
      // Give the slot on only after the call ahead of us is done.
      void previous.then(release);
      throw new AbortError({ target: id, cause: error });
    }
    return release;
  }

  async function prepare(input: TargetCall) {
    const call = parseTargetCall(input, id);
    const problems: InputProblem[] = [];
    if (call.tools?.length)
      problems.push({ path: 'tools', message: 'this target has no tools (capabilities.tools is false)' });
    const messages = call.messages.map((message, index) => {
      if (message.role === 'tool') {
        problems.push({
          path: `messages[${index}].role`,
          message: 'this target has no tools (capabilities.tools is false)',
        });
        return { role: 'user' as const, content: '' };
      }
      if (message.role === 'user' && typeof message.content !== 'string') {
        if (message.content.some((part) => part.type !== 'text')) {
          problems.push({
            path: `messages[${index}].content`,
            message: 'this target takes text only (capabilities.images is false)',
          });
        }
        return {
          role: 'user' as const,
          content: message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
        };
      }
      return { role: message.role, content: message.content as string };
    });
    if (problems.length > 0) throw new InvalidRequestError({ target: id, problems });
    if (call.signal?.aborted) throw new AbortError({ target: id, cause: call.signal.reason });
    if (current.state !== 'ready') await load();
    if (current.state !== 'ready') {
      throw new TargetUnavailableError({
        target: id,
        reason: current.state === 'unavailable' ? current.reason : `the model is ${current.state}`,
      });
    }
    const sampling = {
      max_tokens: Math.min(call.maxTokens ?? config.maxOutputTokens, config.maxOutputTokens),
      ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
      ...(call.topP !== undefined ? { top_p: call.topP } : {}),
      ...(call.stop?.length ? { stop: call.stop } : {}),
      ...(call.seed !== undefined ? { seed: call.seed } : {}),
    };
    // Plain text with a template this page compiled: a completion of the rendered prompt (an assistant prefix is
    // simply its end), so the worker does not render the template again. JSON-schema output keeps the chat path,
    // which takes `response_format`.
    const prompt = call.responseFormat?.type === 'json_schema' ? undefined : render(messages, call.assistantPrefix);
    if (prompt !== undefined) return { call, completion: true, params: { prompt, ...sampling } };
    if (call.assistantPrefix) messages.push({ role: 'assistant', content: call.assistantPrefix });
    const params = {
      messages,
      ...sampling,
      ...(call.responseFormat?.type === 'json_schema'
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: call.responseFormat.name ?? 'answer', schema: call.responseFormat.schema },
            },
          }
        : {}),
    };
    return { call, completion: false, params };
  }

  /** The prompt for `messages` by the compiled template, then the assistant prefix; undefined: use the chat path. */
  function render(messages: readonly TemplateMessage[], assistantPrefix: string | undefined): string | undefined {
    if (chatPrompt === undefined) return undefined;
    try {
      return chatPrompt(messages) + (assistantPrefix ?? '');
    } catch {
      // A template feature @huggingface/jinja lacks: wllama's own renderer gets the messages instead.
      return undefined;
    }
  }

  /**
   * Runs a prepared request on the engine: a completion of a rendered prompt, or a chat completion. Through the
   * pipelined worker messages when this wllama build has the expected worker proxy; otherwise through wllama's own
   * `createCompletion` / `createChatCompletion`, which send the same request body.
   */
  function run(
    prepared: Awaited<ReturnType<typeof prepare>>,
    stream: boolean,
    signal: AbortSignal | undefined,
    onChunk?: (chunk: ChatChunk) => void,
  ): Promise<unknown> {
    const body = { ...prepared.params, stream };
    pipelined ??= PipelinedCompletions.of(engine) ?? false;
    if (pipelined) {
      return pipelined.run({
        body,
        chat: !prepared.completion,
        ...(signal ? { signal } : {}),
        ...(onChunk ? { onChunk: onChunk as (chunk: unknown) => void } : {}),
      });
    }
    const options = { ...body, ...(signal ? { abortSignal: signal } : {}), ...(onChunk ? { onData: onChunk } : {}) };
    return prepared.completion
      ? engine.createCompletion(options as unknown as Parameters<Wllama['createCompletion']>[0])
      : engine.createChatCompletion(options as unknown as Parameters<Wllama['createChatCompletion']>[0]);
  }

  async function* stream(input: TargetCall): AsyncGenerator<StreamPart> {
    const prepared = await prepare(input);
    const { call } = prepared;
    const release = await acquire(call.signal);
    const controller = new AbortController();
    const onAbort = () => controller.abort(call.signal?.reason);
    call.signal?.addEventListener('abort', onAbort, { once: true });
    const chunks = new AsyncChannel<ChatChunk>();
    const strip = new PrefixStripper(call.assistantPrefix ?? '');
    let finishReason: FinishReason = 'stop';
    let outputTokens = 0;
    let usage: Usage | undefined;
    let running: Promise<unknown> | undefined;
    try {
      running = run(prepared, true, controller.signal, (chunk) => chunks.push(chunk)).then(
        () => chunks.end(),
        (error: unknown) => chunks.fail(error),
      );
      for await (const chunk of chunks) {
        if (controller.signal.aborted) break;
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content ?? choice?.text;
        if (text) {
          outputTokens += 1;
          const fresh = strip.push(text);
          if (fresh) yield { type: 'text-delta', text: fresh };
        }
        if (choice?.finish_reason === 'length') finishReason = 'length';
        if (chunk.usage?.prompt_tokens !== undefined) {
          usage = {
            inputTokens: chunk.usage.prompt_tokens,
            outputTokens: chunk.usage.completion_tokens ?? outputTokens,
          };
        } else if (chunk.timings?.prompt_n !== undefined) {
          usage = { inputTokens: chunk.timings.prompt_n + (chunk.timings.cache_n ?? 0), outputTokens };
        }
      }
      if (controller.signal.aborted) throw new AbortError({ target: id, cause: call.signal?.reason });
      const rest = strip.flush();
      if (rest) yield { type: 'text-delta', text: rest };
      if (usage) yield { type: 'usage', usage: { ...usage, outputTokens: Math.max(usage.outputTokens, outputTokens) } };
      yield { type: 'finish', finishReason };
    } catch (error) {
      if (call.signal?.aborted) throw new AbortError({ target: id, cause: error });
      throw toSwitchyardError(error, { target: id });
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
      controller.abort();
      // The slot frees only once the engine has stopped, so the next call never meets a busy context.
      void (running ?? Promise.resolve()).finally(release);
    }
  }

  async function generate(input: TargetCall): Promise<GenerateResult> {
    const prepared = await prepare(input);
    const { call } = prepared;
    const release = await acquire(call.signal);
    try {
      const response = (await run(prepared, false, call.signal)) as ChatResponse;
      const choice = response.choices[0];
      const strip = new PrefixStripper(call.assistantPrefix ?? '');
      const text = strip.push(choice?.message?.content ?? choice?.text ?? '') + strip.flush();
      const result: GenerateResult = {
        text,
        toolCalls: [],
        finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
      };
      // A count the engine did not give is unknown, not 0: no usage, and the router charges its estimate.
      const usage = reportedUsage(response.usage?.prompt_tokens, response.usage?.completion_tokens);
      if (usage) result.usage = usage;
      return result;
    } catch (error) {
      if (call.signal?.aborted) throw new AbortError({ target: id, cause: error });
      throw toSwitchyardError(error, { target: id });
    } finally {
      release();
    }
  }

  if (config.loadEagerly) void load();

  return {
    specificationVersion: 'v1',
    id,
    locality: 'local',
    capabilities: {
      contextWindow: config.contextSize,
      maxOutputTokens: config.maxOutputTokens,
      tools: false,
      jsonSchema: true,
      images: false,
      continuation: true,
      ...(config.quality !== undefined ? { quality: config.quality } : {}),
    },
    status: () => current,
    async checkStatus() {
      return current.state === 'ready' ? current : load();
    },
    load,
    isMultithread: () => (current.state === 'ready' ? engine.isMultithread() : undefined),
    stream,
    generate,
    async dispose() {
      disposed = true;
      current = { state: 'unavailable', code: 'disposed', reason: 'disposed' };
      await engine.exit().catch(() => undefined);
    },
  };
}

/**
 * llama.cpp's log threshold in wllama's worker: wllama's own default. Its `suppressNativeLog` option sets 9999
 * instead, which llama.cpp's server code reads as "log everything": about 80 lines per request and 3 more per token,
 * each posted from the worker to the page and dropped there, which took about half the time to first token on the
 * tiny model (BENCHMARKS.md, row 11). At this level a request logs about two warnings; warnings and errors reach the
 * `logger` setting (default `console`) through {@link engineLogger}.
 */
const nativeLogLevel = LogLevel.INFO;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
