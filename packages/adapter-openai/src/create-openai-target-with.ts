// The kit's `setup` entry, not its main one: in a page, what this module imports loads first, and the main entry would
// bring the kit's call-path modules (HTTP client, fetch transport, SSE decoder) with it.
import { describeEndpoint, type HttpTransport, resolveCapabilities } from '@switchyard/adapter-utils/setup';
import {
  AbortError,
  type AdapterConfigHints,
  type AdapterDescriptor,
  type GenerateResult,
  type StreamPart,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetStatus,
  TargetUnavailableError,
} from '@switchyard/contract';
import type { OpenAICallContext, OpenAICalls } from './openai-calls.js';
import { type OpenAISettings, openAISettingsSchema, parseOpenAISettings } from './openai-settings.js';

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

/**
 * What a target made from these (parsed) settings declares before its first status check. `wholeAnswers`: its
 * `generate()` asks for one JSON body (no event stream to parse), unless `firstTokenTimeoutMs` is set: a JSON body
 * has no first token to time, so `generate()` then streams and collects, and the router streams from it too.
 */
export function openAICapabilities(settings: OpenAISettings): TargetCapabilities {
  const capabilities = resolveCapabilities(defaultCapabilities, settings.capabilities, settings.price);
  if (settings.firstTokenTimeoutMs === undefined) capabilities.wholeAnswers = true;
  return capabilities;
}

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

/** A platform's call path: the module that makes calls (openai-calls.ts) and the transport it sends over. */
export interface OpenAICallPath {
  /** `createOpenAICalls` of openai-calls.ts. */
  createCalls(context: OpenAICallContext): OpenAICalls;
  transport: HttpTransport;
}

/**
 * What differs between Node and a browser: how requests reach the network, and when the code that makes calls is
 * loaded. The Node entry brings undici and the call path with it; the browser entry `fetch`, and the call path on
 * demand (a chunk of its own in a page: bench row 10). Everything else is shared.
 */
export interface OpenAIPlatform {
  /**
   * Checks the settings only this platform honours or refuses (throwing `InvalidConfigError`), and returns the call
   * path and what `dispose()` closes (a target's own connection pool).
   */
  connect(settings: OpenAISettings): {
    /**
     * The call path at once (Node), or its loader (browsers): called when the target is created and again by a call
     * that finds it not loaded; it answers with the path or with the error that kept it from loading, never rejects.
     */
    callPath: OpenAICallPath | (() => Promise<OpenAICallPath | Error>);
    close(): Promise<void>;
  };
}

/**
 * The target on a given platform; `createOpenAITarget` of each entry (Node, browser) passes its own. See
 * `createOpenAITarget` for what the target does. What the router reads while planning (`id`, `capabilities`,
 * `status()`) is here; what runs only once a call is made is the call path (openai-calls.ts), which a call that starts
 * before it has loaded waits for.
 */
export function createOpenAITargetWith(platform: OpenAIPlatform, input: OpenAISettings): OpenAITarget {
  const settings = parseOpenAISettings(input);
  const id = settings.id ?? `openai:${settings.model}`;
  const connection = platform.connect(settings);
  const capabilities: TargetCapabilities = openAICapabilities(settings);

  let calls: OpenAICalls | undefined;
  // Until the call path has loaded, nothing has asked the server anything: the status is the one a new target starts
  // with (ready), unless a status check could not load the call path.
  let notLoaded: TargetStatus | undefined;
  const { callPath } = connection;
  const callsOn = (path: OpenAICallPath): OpenAICalls => {
    calls ??= path.createCalls({ settings, id, capabilities, transport: path.transport });
    return calls;
  };
  if (typeof callPath === 'function') void callPath();
  else callsOn(callPath);

  /**
   * The call path once it has loaded. If it cannot be, a retryable `TargetUnavailableError` (the router moves on, and
   * the next call loads it again); if the call's signal aborts first, the `AbortError` the call would have ended with.
   */
  async function loadCalls(signal: AbortSignal | undefined): Promise<OpenAICalls> {
    const loaded = await untilAborted((callPath as () => Promise<OpenAICallPath | Error>)(), signal, id);
    if (loaded instanceof Error) {
      throw new TargetUnavailableError({
        target: id,
        // The import's own message, without the period some browsers end it with.
        reason: `its call path (@switchyard/adapter-openai's on-demand chunk) could not be loaded (${loaded.message.replace(/\.$/, '')}); the next call tries again`,
        isRetryable: true,
        cause: loaded,
      });
    }
    return callsOn(loaded);
  }

  function generate(call: TargetCall): Promise<GenerateResult> {
    return calls ? calls.generate(call) : loadCalls(signalOf(call)).then((loaded) => loaded.generate(call));
  }

  function stream(call: TargetCall): AsyncGenerator<StreamPart> {
    return calls ? calls.stream(call) : streamOnceLoaded(call);
  }

  async function* streamOnceLoaded(call: TargetCall): AsyncGenerator<StreamPart> {
    yield* (await loadCalls(signalOf(call))).stream(call);
  }

  return {
    specificationVersion: 'v1',
    id,
    locality: 'remote',
    capabilities,
    telemetry: describeEndpoint('openai', settings.model, settings.baseURL),
    // On Node the call path is there from the start: the router calls it with nothing in between.
    status: calls?.status ?? (() => calls?.status() ?? notLoaded ?? ready),
    async checkStatus(options = {}) {
      let loaded: OpenAICalls;
      try {
        loaded = calls ?? (await loadCalls(options.signal));
      } catch (error) {
        if (AbortError.isInstance(error)) throw error;
        // What a probe that failed this way reports (as the status tracker words a thrown error).
        notLoaded = { state: 'unavailable', code: 'probe-failed', reason: (error as Error).message };
        return notLoaded;
      }
      notLoaded = undefined;
      return loaded.checkStatus(options.signal);
    },
    generate: calls?.generate ?? generate,
    stream: calls?.stream ?? stream,
    async listModels(options = {}) {
      return (calls ?? (await loadCalls(options.signal))).listModels(options);
    },
    async dispose() {
      await calls?.dispose();
      await connection.close();
    },
  };
}

const ready: TargetStatus = { state: 'ready' };

/** The call's signal, if it has one (the call itself is checked by the call path). */
function signalOf(call: TargetCall): AbortSignal | undefined {
  const signal = (call as Partial<TargetCall> | undefined)?.signal;
  return signal instanceof AbortSignal ? signal : undefined;
}

/** `promise`, or an `AbortError` as soon as `signal` aborts: a call waits for the call path no longer than its caller. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, target: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new AbortError({ target, cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new AbortError({ target, cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
