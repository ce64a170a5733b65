import { collectAnswer, StatusTracker } from '@switchyard/adapter-utils';
import type { FinishReason, StreamPart, Target, TargetCall, TargetStatus } from '@switchyard/contract';
import { parseTargetCall } from '@switchyard/contract';
import {
  AbortError,
  InvalidRequestError,
  TargetUnavailableError,
  toSwitchyardError,
} from '@switchyard/contract/errors';
import { type ChromeAISettings, parseChromeAISettings } from './chrome-ai-settings.js';
import type { LanguageModelCoreOptions, LanguageModelSession } from './prompt-api.js';
import { globalLanguageModel } from './prompt-api.js';
import { StopSequences } from './stop-sequences.js';
import { toPromptMessages } from './to-prompt-messages.js';

/** A {@link Target} on the browser's built-in model, with a way to start the model's download. */
export interface ChromeAITarget extends Target {
  /**
   * Downloads the built-in model when `availability()` said `downloadable` (browsers require a user gesture, e.g.
   * call it from a click handler). Status is `downloading` with progress meanwhile, then `ready`.
   */
  download(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
  /** Asks `LanguageModel.availability()` again; always present here (optional on `Target`), as the README calls it. */
  checkStatus(options?: { signal?: AbortSignal }): Promise<TargetStatus>;
}

const notPresent = 'the Prompt API is not in this browser (no LanguageModel global)';

/**
 * Creates a local target on the browser's built-in model through the Prompt API (`LanguageModel.availability()`,
 * `create()`, `promptStreaming()`). Availability maps to status: `available` → ready, `downloading` → downloading
 * with progress, `downloadable` and `unavailable` → unavailable with the reason (call `download()` from a user gesture
 * to fetch the model). Each call runs in its own session with the system messages as initial prompts; an assistant
 * prefix is continued with a `prefix: true` message; JSON-schema output uses `responseConstraint`. The Prompt API has
 * no token limit, so `maxTokens` counts streamed chunks and ends the answer with finish reason `length`.
 *
 * @example
 * ```ts
 * const device = createChromeAITarget();
 * await device.checkStatus(); // { state: 'ready' } where the browser has its model
 * const router = createRouter({ targets: { device, gpu }, policy: { mode: 'prefer-local' } });
 * ```
 */
export function createChromeAITarget(settings: ChromeAISettings = {}): ChromeAITarget {
  const config = parseChromeAISettings(settings);
  const id = config.id;
  const api = config.languageModel ?? globalLanguageModel();
  const core: LanguageModelCoreOptions = {
    expectedInputs: [{ type: 'text', languages: config.languages }],
    expectedOutputs: [{ type: 'text', languages: config.languages }],
  };
  let disposed = false;
  // availability() is a probe: concurrent checks share one, a caller's signal can give up on it, and one that hangs
  // ends as `timeout`. status() only reads (refreshOnRead off): creation, checkStatus() and calls probe, as before.
  const tracker: StatusTracker = new StatusTracker({
    target: id,
    initial: api ? { state: 'loading' } : { state: 'unavailable', code: 'model-missing', reason: notPresent },
    refreshOnRead: false,
    async probe(): Promise<TargetStatus> {
      if (!api) return tracker.peek();
      let availability: string;
      try {
        availability = await api.availability(core);
      } catch (error) {
        return {
          state: 'unavailable',
          code: 'probe-failed',
          reason: `LanguageModel.availability() failed: ${describe(error)}`,
        };
      }
      // A download this target started reports its own progress; availability() only says "downloading".
      if (availability === 'downloading' && tracker.peek().state === 'downloading') return tracker.peek();
      return statusOf(availability);
    },
  });

  function checkStatus(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    if (!api || disposed) return Promise.resolve(tracker.peek());
    return tracker.check(options.signal);
  }

  async function download(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    if (!api) return tracker.peek();
    tracker.set({ state: 'downloading', progress: 0 });
    try {
      const session = await api.create({
        ...core,
        signal: options.signal,
        monitor(monitor) {
          monitor.addEventListener('downloadprogress', (event) => {
            const loaded = (event as Event & { loaded?: number }).loaded;
            if (typeof loaded === 'number')
              tracker.set({ state: 'downloading', progress: Math.min(1, Math.max(0, loaded)) });
          });
        },
      });
      session.destroy();
      tracker.set({ state: 'ready' });
    } catch (error) {
      if (options.signal?.aborted) {
        await checkStatus().catch(() => undefined);
        throw new AbortError({ target: id, cause: error });
      }
      tracker.set({
        state: 'unavailable',
        code: 'download-failed',
        reason: `the model download failed: ${describe(error)}`,
      });
    }
    return tracker.peek();
  }

  async function* run(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, id);
    if (call.tools?.length) {
      throw new InvalidRequestError({
        target: id,
        problems: [{ path: 'tools', message: 'this target has no tools (capabilities.tools is false)' }],
      });
    }
    const messages = toPromptMessages(call, id);
    if (call.signal?.aborted) throw new AbortError({ target: id, cause: call.signal.reason });
    if (!api) throw new TargetUnavailableError({ target: id, reason: notPresent });
    if (tracker.peek().state !== 'ready') await checkStatus().catch(() => undefined);
    const status = tracker.peek();
    if (status.state !== 'ready') {
      throw new TargetUnavailableError({
        target: id,
        reason: status.state === 'unavailable' ? status.reason : `the model is ${status.state}`,
        isRetryable: status.state === 'downloading' || status.state === 'loading',
      });
    }
    const controller = new AbortController();
    const onAbort = () => controller.abort(call.signal?.reason);
    call.signal?.addEventListener('abort', onAbort, { once: true });
    let session: LanguageModelSession | undefined;
    let reader: ReadableStreamDefaultReader<string> | undefined;
    try {
      session = await api.create({ ...core, initialPrompts: messages.initialPrompts, signal: controller.signal });
      const promptOptions = {
        signal: controller.signal,
        ...(call.responseFormat?.type === 'json_schema' ? { responseConstraint: call.responseFormat.schema } : {}),
      };
      // Unknown (no usage part, so the router estimates) when the browser cannot measure it: never read as 0.
      const inputTokens = session.measureContextUsage
        ? await session.measureContextUsage(messages.input, promptOptions).catch(() => undefined)
        : undefined;
      reader = session.promptStreaming(messages.input, promptOptions).getReader();
      const maxTokens = Math.min(call.maxTokens ?? config.maxOutputTokens, config.maxOutputTokens);
      const stops = new StopSequences(call.stop);
      let outputTokens = 0;
      let finishReason: FinishReason = 'stop';
      while (true) {
        const { done, value } = await reader.read();
        // Chunks already buffered by the stream are dropped once the caller aborted.
        if (controller.signal.aborted) throw new AbortError({ target: id, cause: call.signal?.reason });
        if (done) break;
        if (!value) continue;
        outputTokens += 1;
        const text = stops.push(value);
        if (text) yield { type: 'text-delta', text };
        if (stops.stopped) break;
        if (outputTokens >= maxTokens) {
          finishReason = 'length';
          break;
        }
      }
      const rest = stops.flush();
      if (rest) yield { type: 'text-delta', text: rest };
      if (inputTokens !== undefined && Number.isFinite(inputTokens)) {
        yield { type: 'usage', usage: { inputTokens: Math.round(inputTokens), outputTokens } };
      }
      yield { type: 'finish', finishReason };
    } catch (error) {
      if (call.signal?.aborted) throw new AbortError({ target: id, cause: error });
      throw toSwitchyardError(error, { target: id });
    } finally {
      call.signal?.removeEventListener('abort', onAbort);
      controller.abort();
      reader?.cancel().catch(() => undefined);
      session?.destroy();
    }
  }

  void checkStatus().catch(() => undefined);

  return {
    specificationVersion: 'v1',
    id,
    locality: 'local',
    capabilities: {
      contextWindow: config.contextWindow,
      maxOutputTokens: config.maxOutputTokens,
      tools: false,
      jsonSchema: true,
      images: false,
      continuation: true,
      ...(config.quality !== undefined ? { quality: config.quality } : {}),
    },
    status: () => tracker.read(),
    checkStatus,
    download,
    stream: (call) => run(call),
    generate: (call) => collectAnswer(run(call)),
    async dispose() {
      disposed = true;
      tracker.set({ state: 'unavailable', code: 'disposed', reason: 'disposed' });
      // Again once the probe in flight is aborted: one that had already answered must not leave its status.
      await tracker.dispose();
      tracker.set({ state: 'unavailable', code: 'disposed', reason: 'disposed' });
    },
  };
}

function statusOf(availability: string): TargetStatus {
  switch (availability) {
    case 'available':
      return { state: 'ready' };
    case 'downloading':
      return { state: 'downloading', progress: 0 };
    case 'downloadable':
      return {
        state: 'unavailable',
        code: 'model-missing',
        reason: 'the built-in model is downloadable but not on this device yet: call download() from a user gesture',
      };
    case 'unavailable':
      return {
        state: 'unavailable',
        code: 'unsupported-model',
        reason: "the browser's built-in model cannot run on this device",
      };
    default:
      return {
        state: 'unavailable',
        code: 'probe-failed',
        reason: `LanguageModel.availability() said ${JSON.stringify(availability)}`,
      };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
