import type {
  FinishReason,
  GenerateResult,
  Locality,
  StreamPart,
  Target,
  TargetCall,
  TargetCapabilities,
  TargetStatus,
  ToolCall,
  Usage,
} from '@switchyard/contract';
import { AbortError, InvalidConfigError, parseTargetCall, unknownSettingProblems } from '@switchyard/contract';

/** What one call of a scripted target does. Every field is optional; the default answers with `text`. */
export interface ScriptStep {
  /** The full answer; streamed as the given chunks, or word by word when a string. */
  text?: string | string[];
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
  /** Wait before the first chunk (ms). */
  firstTokenDelayMs?: number;
  /** Wait between chunks (ms). */
  chunkDelayMs?: number;
  /** Throw this (or what this returns) before the first chunk. */
  failWith?: unknown | (() => unknown);
  /** Emit this many chunks, then throw `failWith` (or a connection-reset-like error): a stream that breaks mid-way. */
  breakAfterChunks?: number;
  /** End the stream after the chunks without a `finish` part (a truncated stream). */
  omitFinish?: boolean;
  /** Reported usage; `false` reports none. Default: chunks emitted as output, ceil(prompt chars / 4) as input. */
  usage?: Usage | false;
  /** Never produce anything until aborted. */
  hang?: boolean;
}

/** Settings of {@link createScriptedTarget}. */
export interface ScriptedTargetSettings {
  id?: string;
  locality?: Locality;
  capabilities?: Partial<TargetCapabilities>;
  status?: TargetStatus;
  /**
   * Steps used call by call; the last step repeats. A function receives the call and its 0-based index.
   * Default: one step answering "Hello from the scripted target."
   */
  script?: ScriptStep[] | ((call: TargetCall, index: number) => ScriptStep);
  /**
   * Gives the target a `checkStatus()` (a health probe): `true` answers with the current status (see `setStatus`);
   * a function answers with what it returns for the 0-based probe index. Without it the target has no `checkStatus`.
   */
  checkStatus?: true | ((index: number) => TargetStatus | Promise<TargetStatus>);
}

/** A {@link Target} whose behaviour is scripted, with a record of the calls it received. */
export interface ScriptedTarget extends Target {
  /** Every call received, in order (signals included). */
  readonly calls: TargetCall[];
  /** Calls currently running. */
  readonly active: number;
  /** How many times `checkStatus()` was called. */
  readonly statusChecks: number;
  setStatus(status: TargetStatus): void;
  setScript(script: NonNullable<ScriptedTargetSettings['script']>): void;
}

function delay(ms: number, signal: AbortSignal | undefined, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError({ target }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError({ target }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function toChunks(text: string | string[]): string[] {
  if (Array.isArray(text)) return text;
  return text.match(/\S+\s*|\s+/g) ?? [];
}

const settingNames = ['id', 'locality', 'capabilities', 'status', 'script', 'checkStatus'];
const stepNames = [
  'text',
  'toolCalls',
  'finishReason',
  'firstTokenDelayMs',
  'chunkDelayMs',
  'failWith',
  'breakAfterChunks',
  'omitFinish',
  'usage',
  'hang',
];

/** A misspelt setting or step field (`firstTokenDelay`) would otherwise script something else without a word. */
function checkSettings(settings: ScriptedTargetSettings): void {
  const problems = unknownSettingProblems(settings as Record<string, unknown>, { '': settingNames });
  if (settings.locality !== undefined && settings.locality !== 'local' && settings.locality !== 'remote') {
    problems.push({ path: 'locality', message: "expected 'local' or 'remote'" });
  }
  const steps = Array.isArray(settings.script) ? settings.script : [];
  steps.forEach((step, index) => {
    for (const problem of unknownSettingProblems(step as Record<string, unknown>, { '': stepNames })) {
      problems.push({ ...problem, path: problem.path ? `script[${index}].${problem.path}` : `script[${index}]` });
    }
  });
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}

/**
 * A `Target` for tests that follows the contract contract (it passes `runTargetConformance`) and can be told to fail,
 * delay, hang, break mid-stream or end without `finish`. With `capabilities.continuation`, a call carrying an
 * `assistantPrefix` that the scripted text starts with streams only the rest, like a real continuing runtime. An
 * unknown setting or step field (a typo such as `firstTokenDelay`) and a locality other than `local` / `remote` are an
 * `InvalidConfigError` naming it.
 *
 * @example
 * ```ts
 * const flaky = createScriptedTarget({
 *   locality: 'remote',
 *   script: [{ failWith: new ApiCallError({ url: 'http://127.0.0.1/v1', status: 503 }) }, { text: 'ok' }],
 * });
 * ```
 */
export function createScriptedTarget(settings: ScriptedTargetSettings = {}): ScriptedTarget {
  checkSettings(settings);
  const locality = settings.locality ?? 'local';
  const id = settings.id ?? `scripted:${locality}`;
  const capabilities: TargetCapabilities = {
    contextWindow: 8192,
    maxOutputTokens: 1024,
    tools: true,
    jsonSchema: true,
    images: false,
    ...settings.capabilities,
  };
  let status: TargetStatus = settings.status ?? { state: 'ready' };
  let script = settings.script ?? [{}];
  const calls: TargetCall[] = [];
  let active = 0;
  let statusChecks = 0;
  const probe = settings.checkStatus;

  const stepFor = (call: TargetCall, index: number): ScriptStep =>
    typeof script === 'function' ? script(call, index) : (script[Math.min(index, script.length - 1)] ?? {});

  async function* run(input: TargetCall): AsyncGenerator<StreamPart> {
    const call = parseTargetCall(input, id);
    const index = calls.length;
    calls.push(call);
    const step = stepFor(call, index);
    const signal = call.signal;
    if (signal?.aborted) throw new AbortError({ target: id });
    active += 1;
    try {
      if (step.hang) {
        await delay(2 ** 31 - 1, signal, id);
      }
      if (step.firstTokenDelayMs) await delay(step.firstTokenDelayMs, signal, id);
      if (step.failWith !== undefined && step.breakAfterChunks === undefined) {
        throw typeof step.failWith === 'function' ? (step.failWith as () => unknown)() : step.failWith;
      }
      let chunks = toChunks(step.text ?? 'Hello from the scripted target.');
      const prefix = call.assistantPrefix;
      if (prefix && capabilities.continuation) {
        const full = chunks.join('');
        chunks = full.startsWith(prefix) ? toChunks(full.slice(prefix.length)) : chunks;
      }
      const limit = call.maxTokens ?? Number.POSITIVE_INFINITY;
      let emitted = 0;
      let finishReason: FinishReason = step.finishReason ?? (step.toolCalls?.length ? 'tool-calls' : 'stop');
      for (const chunk of chunks) {
        if (emitted >= limit) {
          finishReason = 'length';
          break;
        }
        if (step.breakAfterChunks !== undefined && emitted >= step.breakAfterChunks) {
          const failure = step.failWith ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
          throw typeof failure === 'function' ? (failure as () => unknown)() : failure;
        }
        if (emitted > 0 && step.chunkDelayMs) await delay(step.chunkDelayMs, signal, id);
        if (signal?.aborted) throw new AbortError({ target: id });
        emitted += 1;
        yield { type: 'text-delta', text: chunk };
      }
      if (signal?.aborted) throw new AbortError({ target: id });
      for (const toolCall of step.toolCalls ?? []) yield { type: 'tool-call', toolCall };
      if (step.omitFinish) return;
      if (step.usage !== false) {
        const promptChars = call.messages.reduce(
          (sum, message) => sum + (typeof message.content === 'string' ? message.content.length : 0),
          0,
        );
        yield {
          type: 'usage',
          usage: step.usage ?? { inputTokens: Math.max(1, Math.ceil(promptChars / 4)), outputTokens: emitted },
        };
      }
      yield { type: 'finish', finishReason };
    } finally {
      active -= 1;
    }
  }

  return {
    specificationVersion: 'v1',
    id,
    locality,
    capabilities,
    calls,
    get active() {
      return active;
    },
    get statusChecks() {
      return statusChecks;
    },
    status: () => status,
    ...(probe === undefined
      ? {}
      : {
          async checkStatus(options?: { signal?: AbortSignal }): Promise<TargetStatus> {
            const index = statusChecks;
            statusChecks += 1;
            options?.signal?.throwIfAborted();
            if (probe !== true) status = await probe(index);
            return status;
          },
        }),
    setStatus(next) {
      status = next;
    },
    setScript(next) {
      script = next;
    },
    stream: (call) => run(call),
    async generate(call): Promise<GenerateResult> {
      let text = '';
      const toolCalls: ToolCall[] = [];
      let usage: Usage | undefined;
      let finishReason: FinishReason = 'stop';
      for await (const part of run(call)) {
        if (part.type === 'text-delta') text += part.text;
        else if (part.type === 'tool-call') toolCalls.push(part.toolCall);
        else if (part.type === 'usage') usage = part.usage;
        else finishReason = part.finishReason;
      }
      // `usage: false` reports none, as a target whose server omits it.
      const result: GenerateResult = { text, toolCalls, finishReason };
      if (usage !== undefined) result.usage = usage;
      return result;
    },
  };
}
