import type {
  LanguageModelV4,
  LanguageModelV4FinishReason,
  LanguageModelV4Usage,
  SharedV4ProviderOptions,
} from '@ai-sdk/provider';
import {
  AbortError,
  capabilitySettingsSchema,
  type FinishReason,
  type GenerateResult,
  type InputProblem,
  InvalidConfigError,
  InvalidResponseError,
  type Locality,
  longestTimerMessage,
  longestTimerMs,
  parseTargetCall,
  type StreamPart,
  type Target,
  type TargetCall,
  type TargetCapabilities,
  type TargetPrice,
  TimeoutError,
  type ToolCall,
  targetPriceSchema,
  type Usage,
  unknownSettingProblems,
  zodIssuesToProblems,
} from '@switchyard/contract';
import { z } from 'zod';
import { fromAISDKError } from './from-ai-sdk-error.js';
import { toAISDKCall } from './to-ai-sdk-call.js';

/** Settings of {@link createAISDKTarget}. */
export interface AISDKTargetSettings {
  /** The target's stable id, e.g. `openai:gpt-4.1-mini`. */
  id: string;
  /** `remote` for a hosted API, `local` for an on-device model (browser Prompt API, WebLLM, transformers.js). */
  locality: Locality;
  /**
   * What the model can do. Defaults: contextWindow 8192, maxOutputTokens 4096, tools true, jsonSchema true,
   * images false, continuation false (set it true only for models that continue a trailing assistant message).
   */
  capabilities?: Partial<Omit<TargetCapabilities, 'price'>>;
  /** US dollars per million tokens; absent means free. */
  price?: TargetPrice;
  /** Passed to every call as the AI SDK's `providerOptions` (e.g. `{ openai: { user: 'x' } }`). */
  providerOptions?: SharedV4ProviderOptions;
  /**
   * Deadline for a whole call in ms, streamed or not: past it the model's request is aborted and the call fails with
   * a retryable `TimeoutError`, so a server that accepts a request and never answers cannot hang the router. No
   * deadline by default (the caller's signal still ends a call).
   */
  timeoutMs?: number;
}

const settingsSchema = z.object({
  id: z.string().trim().min(1, 'expected a non-empty id, e.g. "openai:gpt-4.1-mini"'),
  locality: z.enum(['local', 'remote']),
  capabilities: z.optional(capabilitySettingsSchema),
  price: z.optional(targetPriceSchema),
  providerOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  // A longer timer fires at once: every call would time out immediately.
  timeoutMs: z.number().int().positive().max(longestTimerMs, longestTimerMessage).optional(),
});
const settingKeys = Object.keys(settingsSchema.shape);

/**
 * The settings' problems: unknown keys (a typo would leave the default, e.g. no deadline, without a word), named with
 * the key they fit but for case (`timeoutMS` → `timeoutMs`) or the keys there are, then the schema's.
 */
function settingsProblems(settings: unknown, root?: string): InputProblem[] {
  const parsed = settingsSchema.safeParse(settings);
  const unknown =
    typeof settings === 'object' && settings !== null
      ? unknownSettingProblems(settings as Record<string, unknown>, { '': settingKeys })
      : [];
  return [
    ...unknown.map((problem) => ({ ...problem, path: root ? `${root}.${problem.path}` : problem.path })),
    ...(parsed.success ? [] : zodIssuesToProblems(parsed.error.issues, root)),
  ];
}

/** Checks target settings without a model (the middleware's are known before it sees the model it wraps). */
export function checkAISDKTargetSettings(settings: AISDKTargetSettings, root?: string): void {
  const problems = settingsProblems(settings, root);
  if (problems.length > 0) throw new InvalidConfigError({ problems });
}

function isLanguageModelV4(model: unknown): model is LanguageModelV4 {
  const candidate = model as Partial<LanguageModelV4> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.specificationVersion === 'v4' &&
    typeof candidate.doGenerate === 'function' &&
    typeof candidate.doStream === 'function'
  );
}

/**
 * Drops an echoed assistant prefix: some OpenAI-compatible servers (llama-server among them) answer a trailing
 * assistant message with the prefix repeated before the new text. Text is held back only until it either matches the
 * whole prefix (dropped) or departs from it (released as is).
 */
class EchoedPrefix {
  #pending = '';
  #settled: boolean;
  constructor(private readonly prefix: string | undefined) {
    this.#settled = !prefix;
  }
  push(text: string): string {
    if (this.#settled) return text;
    this.#pending += text;
    const prefix = this.prefix ?? '';
    if (this.#pending.length < prefix.length && prefix.startsWith(this.#pending)) return '';
    this.#settled = true;
    const out = this.#pending.startsWith(prefix) ? this.#pending.slice(prefix.length) : this.#pending;
    this.#pending = '';
    return out;
  }
  /** What is still held back when the answer ends (a partial echo is kept: it was real text). */
  flush(): string {
    this.#settled = true;
    const out = this.#pending;
    this.#pending = '';
    return out;
  }
}

/** The AI SDK's unified finish reason in contract terms; an interrupted answer is a failure, never a success. */
/**
 * The model's counts as contract usage, or none when it left either out (openai-compatible without `includeUsage`
 * counts nothing): the router then charges its estimate. A count read as 0 billed a priced target $0, so its budgets
 * never bound.
 */
function countedUsage(usage: LanguageModelV4Usage): Usage | undefined {
  const inputTokens = usage.inputTokens.total;
  const outputTokens = usage.outputTokens.total;
  return inputTokens === undefined || outputTokens === undefined ? undefined : { inputTokens, outputTokens };
}

function toFinishReason(reason: LanguageModelV4FinishReason, target: string): FinishReason {
  switch (reason.unified) {
    case 'stop':
    case 'length':
    case 'content-filter':
    case 'tool-calls':
    case 'error':
      return reason.unified;
    case 'other':
      return 'stop';
    case 'interrupted':
      throw new InvalidResponseError({
        message: `Target "${target}" ended its answer without a completion signal (finish reason "interrupted")`,
        target,
      });
  }
}

/**
 * Turns any AI SDK `LanguageModelV4` (OpenAI, Anthropic, Google, Bedrock, Mistral, an OpenAI-compatible server, an
 * on-device community provider) into a Switchyard `Target`, so the router can plan, fall back, hedge and fail over
 * across it. Errors the model throws become the contract's typed errors (`ApiCallError` with status and
 * `Retry-After`, `ConnectionError`, `InvalidResponseError`, `AbortError`). Settings are checked at once: bad ones throw
 * `InvalidConfigError` naming the field, an unknown one (a typo) with the key it fits or the keys there are, a
 * `timeoutMs` longer than a timer can wait (it would end every call at once) included.
 *
 * @example
 * ```ts
 * import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
 * const vllm = createOpenAICompatible({ name: 'vllm', baseURL: 'http://127.0.0.1:8000/v1' });
 * const gpu = createAISDKTarget(vllm('meta-llama/Llama-3.1-8B-Instruct'), {
 *   id: 'vllm:llama-3.1-8b',
 *   locality: 'remote',
 *   capabilities: { contextWindow: 131_072 },
 *   price: { inputPer1M: 0.2, outputPer1M: 0.6 },
 * });
 * ```
 */
export function createAISDKTarget(model: LanguageModelV4, settings: AISDKTargetSettings): Target {
  if (!isLanguageModelV4(model)) {
    throw new InvalidConfigError({
      problems: [
        {
          path: 'model',
          message:
            'expected an AI SDK LanguageModelV4 (specificationVersion "v4" with doGenerate and doStream), e.g. createOpenAICompatible({ … })("model")',
        },
      ],
    });
  }
  checkAISDKTargetSettings(settings);
  const parsed = settingsSchema.parse(settings);
  const { id, locality, price, providerOptions, timeoutMs } = parsed;
  const capabilities: TargetCapabilities = {
    contextWindow: 8192,
    maxOutputTokens: 4096,
    tools: true,
    jsonSchema: true,
    images: false,
    continuation: false,
    ...parsed.capabilities,
    ...(price ? { price } : {}),
  };
  const options = providerOptions as SharedV4ProviderOptions | undefined;

  const prepare = (input: TargetCall) => {
    const call = parseTargetCall(input, id);
    if (call.signal?.aborted) throw new AbortError({ target: id, cause: call.signal.reason });
    // The deadline aborts the model's request like the caller's signal does; `toError` tells the two apart.
    const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const signal = deadline && call.signal ? AbortSignal.any([call.signal, deadline]) : (deadline ?? call.signal);
    const timedOut = () => deadline?.aborted === true && !call.signal?.aborted;
    const toError = (error: unknown) =>
      timedOut()
        ? new TimeoutError({ timeoutMs: timeoutMs ?? 0, phase: 'total', target: id, cause: error })
        : fromAISDKError(error, id, call.signal);
    return { call, options: toAISDKCall(signal ? { ...call, signal } : call, options), toError, timedOut };
  };

  return {
    specificationVersion: 'v1',
    id,
    locality,
    capabilities,
    status: () => ({ state: 'ready' }),

    async generate(input: TargetCall): Promise<GenerateResult> {
      const { call, options: callOptions, toError } = prepare(input);
      let result: Awaited<ReturnType<LanguageModelV4['doGenerate']>>;
      try {
        result = await model.doGenerate(callOptions);
      } catch (error) {
        throw toError(error);
      }
      let text = '';
      const toolCalls: ToolCall[] = [];
      for (const part of result.content) {
        if (part.type === 'text') text += part.text;
        else if (part.type === 'tool-call' && !part.providerExecuted)
          toolCalls.push({ id: part.toolCallId, name: part.toolName, arguments: part.input });
      }
      const echo = new EchoedPrefix(call.assistantPrefix);
      text = echo.push(text) + echo.flush();
      const answer: GenerateResult = { text, toolCalls, finishReason: toFinishReason(result.finishReason, id) };
      const usage = countedUsage(result.usage);
      if (usage) answer.usage = usage;
      return answer;
    },

    async *stream(input: TargetCall): AsyncGenerator<StreamPart> {
      const { call, options: callOptions, toError, timedOut } = prepare(input);
      let reader: ReadableStreamDefaultReader<
        Awaited<ReturnType<LanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never
      >;
      try {
        reader = (await model.doStream(callOptions)).stream.getReader();
      } catch (error) {
        throw toError(error);
      }
      let finished = false;
      const echo = new EchoedPrefix(call.assistantPrefix);
      try {
        while (true) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            throw toError(error);
          }
          if (next.done) break;
          const part = next.value;
          switch (part.type) {
            case 'text-delta': {
              const text = echo.push(part.delta);
              if (text !== '') yield { type: 'text-delta', text };
              break;
            }
            case 'tool-call':
              if (!part.providerExecuted)
                yield {
                  type: 'tool-call',
                  toolCall: { id: part.toolCallId, name: part.toolName, arguments: part.input },
                };
              break;
            case 'error':
              throw toError(part.error);
            case 'finish': {
              const finishReason = toFinishReason(part.finishReason, id);
              const rest = echo.flush();
              if (rest !== '') yield { type: 'text-delta', text: rest };
              const usage = countedUsage(part.usage);
              if (usage) yield { type: 'usage', usage };
              finished = true;
              yield { type: 'finish', finishReason };
              return;
            }
          }
        }
        if (call.signal?.aborted) throw new AbortError({ target: id, cause: call.signal.reason });
        // A provider may end its stream quietly when the deadline aborts it: that is the deadline, not a bad answer.
        if (!finished && timedOut()) throw toError(undefined);
        if (!finished) {
          throw new InvalidResponseError({
            message: `Target "${id}" ended its stream without a finish part`,
            target: id,
          });
        }
      } finally {
        // Breaking out of the loop (or failing) cancels the model's stream, which closes its upstream request.
        if (!finished) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    },
  };
}
