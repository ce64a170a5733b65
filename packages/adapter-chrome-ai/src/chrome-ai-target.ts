import type { FinishReason, GenerateResult, StreamPart, Target, TargetCall, TargetStatus } from '@switchyard/contract';
import { parseTargetCall } from '@switchyard/contract';
import {
  AbortError,
  type InputProblem,
  InvalidConfigError,
  InvalidRequestError,
  TargetUnavailableError,
  toSwitchyardError,
} from '@switchyard/contract/errors';
import type { LanguageModelCoreOptions, LanguageModelSession, LanguageModelStatic } from './prompt-api.js';
import { globalLanguageModel } from './prompt-api.js';
import { StopSequences } from './stop-sequences.js';
import { toPromptMessages } from './to-prompt-messages.js';

/** Settings of {@link createChromeAITarget}; every field is optional. */
export interface ChromeAISettings {
  /** Target id. Default `chrome-ai`. */
  id?: string;
  /** The Prompt API to use. Default the page's or worker's `LanguageModel` global. */
  languageModel?: LanguageModelStatic;
  /** Languages the prompts and answers are in (BCP 47). Default `['en']`. */
  languages?: string[];
  /** Context window the router plans with. Default 4096 (the Prompt API reports the real one only per session). */
  contextWindow?: number;
  /** Cap on output tokens per call, counted as streamed chunks. Default 1024. */
  maxOutputTokens?: number;
  /** Relative quality 0..1 for quality-aware routing. Default the router's local default. */
  quality?: number;
}

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
  const config = validate(settings);
  const id = config.id;
  const api = settings.languageModel ?? globalLanguageModel();
  const core: LanguageModelCoreOptions = {
    expectedInputs: [{ type: 'text', languages: config.languages }],
    expectedOutputs: [{ type: 'text', languages: config.languages }],
  };
  let current: TargetStatus = api
    ? { state: 'loading' }
    : { state: 'unavailable', code: 'model-missing', reason: notPresent };

  async function checkStatus(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    if (!api) return current;
    if (options.signal?.aborted) throw new AbortError({ target: id, cause: options.signal.reason });
    let availability: string;
    try {
      availability = await api.availability(core);
    } catch (error) {
      current = {
        state: 'unavailable',
        code: 'probe-failed',
        reason: `LanguageModel.availability() failed: ${describe(error)}`,
      };
      return current;
    }
    // A download this target started reports its own progress; availability() only says "downloading".
    if (availability === 'downloading' && current.state === 'downloading') return current;
    current = statusOf(availability);
    return current;
  }

  async function download(options: { signal?: AbortSignal } = {}): Promise<TargetStatus> {
    if (!api) return current;
    current = { state: 'downloading', progress: 0 };
    try {
      const session = await api.create({
        ...core,
        signal: options.signal,
        monitor(monitor) {
          monitor.addEventListener('downloadprogress', (event) => {
            const loaded = (event as Event & { loaded?: number }).loaded;
            if (typeof loaded === 'number')
              current = { state: 'downloading', progress: Math.min(1, Math.max(0, loaded)) };
          });
        },
      });
      session.destroy();
      current = { state: 'ready' };
    } catch (error) {
      if (options.signal?.aborted) {
        await checkStatus();
        throw new AbortError({ target: id, cause: error });
      }
      current = {
        state: 'unavailable',
        code: 'download-failed',
        reason: `the model download failed: ${describe(error)}`,
      };
    }
    return current;
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
    if (current.state !== 'ready') await checkStatus();
    if (current.state !== 'ready') {
      throw new TargetUnavailableError({
        target: id,
        reason: current.state === 'unavailable' ? current.reason : `the model is ${current.state}`,
        isRetryable: current.state === 'downloading' || current.state === 'loading',
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

  void checkStatus();

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
      ...(settings.quality !== undefined ? { quality: settings.quality } : {}),
    },
    status: () => current,
    checkStatus,
    download,
    stream: (call) => run(call),
    async generate(call) {
      const result: GenerateResult = { text: '', toolCalls: [], finishReason: 'stop' };
      for await (const part of run(call)) {
        if (part.type === 'text-delta') result.text += part.text;
        else if (part.type === 'usage') result.usage = part.usage;
        else if (part.type === 'finish') result.finishReason = part.finishReason;
      }
      return result;
    },
    async dispose() {
      current = { state: 'unavailable', code: 'disposed', reason: 'disposed' };
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

interface Config {
  id: string;
  languages: string[];
  contextWindow: number;
  maxOutputTokens: number;
}

const settingKeys = ['id', 'languageModel', 'languages', 'contextWindow', 'maxOutputTokens', 'quality'];

function validate(settings: ChromeAISettings): Config {
  // Settings from a config file or plain JavaScript can be anything: name the mistake, never echo a value.
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new InvalidConfigError({
      problems: [
        { path: '', message: `expected a settings object or nothing, e.g. createChromeAITarget({ id: 'device' })` },
      ],
    });
  }
  const problems: InputProblem[] = Object.keys(settings)
    .filter((key) => !settingKeys.includes(key))
    .map((key) => ({ path: key, message: `unknown setting; expected one of ${settingKeys.join(', ')}` }));
  const whole = (value: unknown, path: string, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    problems.push({ path, message: `expected a positive whole number of tokens, got ${shown(value)}` });
    return fallback;
  };
  const id = settings.id ?? 'chrome-ai';
  if (typeof id !== 'string' || id.length === 0) problems.push({ path: 'id', message: 'expected a non-empty string' });
  const languages = settings.languages ?? ['en'];
  if (!Array.isArray(languages) || languages.length === 0 || languages.some((tag) => typeof tag !== 'string')) {
    problems.push({ path: 'languages', message: "expected BCP 47 language tags, e.g. ['en']" });
  }
  if (settings.quality !== undefined && !(settings.quality >= 0 && settings.quality <= 1)) {
    problems.push({ path: 'quality', message: `expected a number from 0 to 1, got ${shown(settings.quality)}` });
  }
  const languageModel: unknown = settings.languageModel;
  if (
    languageModel !== undefined &&
    languageModel !== null &&
    ((typeof languageModel !== 'function' && typeof languageModel !== 'object') ||
      typeof (languageModel as LanguageModelStatic).availability !== 'function' ||
      typeof (languageModel as LanguageModelStatic).create !== 'function')
  ) {
    problems.push({
      path: 'languageModel',
      message: 'expected the Prompt API (an object with availability() and create(), like the LanguageModel global)',
    });
  }
  const config = {
    id,
    languages,
    contextWindow: whole(settings.contextWindow, 'contextWindow', 4096),
    maxOutputTokens: whole(settings.maxOutputTokens, 'maxOutputTokens', 1024),
  };
  if (problems.length > 0) throw new InvalidConfigError({ problems });
  return config;
}

// A number is shown as it is (NaN, -1, 1.5 say what is wrong); anything else only by its kind.
const shown = (value: unknown): string => (typeof value === 'number' ? String(value) : `a ${typeof value}`);
