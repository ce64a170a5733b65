import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { InvalidArgumentError } from '@ai-sdk/provider';
import type { FinishReason, Usage } from '@switchyard/contract';
import type { RouteOptions, Router, RouterStreamPart, RouteSummary } from '@switchyard/core';
import { type CallFields, inAISDKTerms } from './in-ai-sdk-terms.js';
import { routeMetadata, toAISDKFinishReason, toAISDKUsage } from './route-metadata.js';
import { toAISDKError } from './to-ai-sdk-error.js';
import { type ConvertedCall, toSwitchyardRequest } from './to-switchyard-request.js';

/** The model id that lets the router choose among all its targets. */
export const AUTO_MODEL_ID = 'auto';

/** What a {@link SwitchyardLanguageModel} needs from its provider. */
export interface SwitchyardModelConfig {
  /** `switchyard` unless the provider was named otherwise. */
  provider: string;
  router: Router;
}

function routeOptionsFor(modelId: string, converted: ConvertedCall): RouteOptions | undefined {
  const pinned = modelId === AUTO_MODEL_ID ? undefined : [modelId];
  const requested = converted.targets;
  if (!pinned && !requested) return undefined;
  if (!pinned) return { targets: requested };
  if (!requested) return { targets: pinned };
  const both = requested.filter((name) => pinned.includes(name));
  if (both.length === 0) {
    throw new InvalidArgumentError({
      argument: 'providerOptions.switchyard.targets',
      message: `Model "${modelId}" is pinned to target "${modelId}", which providerOptions.switchyard.targets (${requested.join(', ')}) leaves out; use languageModel('auto') to choose targets per call.`,
    });
  }
  return { targets: both };
}

/** Feeds router stream parts into AI SDK stream parts; one per stream. */
class StreamTranslator {
  #textId: string | undefined;
  #blocks = 0;
  #usage: Usage | undefined;
  #finishReason: FinishReason | undefined;
  #finished = false;

  constructor(private readonly enqueue: (part: LanguageModelV4StreamPart) => void) {}

  get finished(): boolean {
    return this.#finished;
  }

  #closeText(): void {
    if (this.#textId === undefined) return;
    this.enqueue({ type: 'text-end', id: this.#textId });
    this.#textId = undefined;
  }

  push(part: RouterStreamPart): void {
    switch (part.type) {
      case 'text-delta':
        if (part.text === '') return;
        if (this.#textId === undefined) {
          this.#textId = `txt-${this.#blocks++}`;
          this.enqueue({ type: 'text-start', id: this.#textId });
        }
        this.enqueue({ type: 'text-delta', id: this.#textId, delta: part.text });
        return;
      case 'tool-call': {
        this.#closeText();
        const { id, name, arguments: input } = part.toolCall;
        this.enqueue({ type: 'tool-input-start', id, toolName: name });
        this.enqueue({ type: 'tool-input-delta', id, delta: input });
        this.enqueue({ type: 'tool-input-end', id });
        this.enqueue({ type: 'tool-call', toolCallId: id, toolName: name, input });
        return;
      }
      case 'usage':
        this.#usage = part.usage;
        return;
      case 'finish':
        this.#closeText();
        this.#finishReason = part.finishReason;
        return;
      case 'failover':
        // `continue`: the next target carries on after the text already sent; nothing to repeat or retract.
        if (part.mode === 'restart') {
          this.fail(
            new InvalidArgumentError({
              argument: 'policy.execution',
              message: `Target "${part.from}" failed mid-stream and the router restarted the answer on "${part.to}"; AI SDK streams cannot retract text already sent. Give the fallback target continuation support or leave restarts off.`,
            }),
          );
        }
        return;
      case 'route':
        if (part.phase === 'summary') this.#finish(part.route);
        return;
    }
  }

  #finish(route: RouteSummary | undefined): void {
    if (this.#finished) return;
    this.#closeText();
    this.#finished = true;
    if (route?.target) this.enqueue({ type: 'response-metadata', modelId: route.target });
    this.enqueue({
      type: 'finish',
      // The router's figures when the target sent no usage part: its estimate, as `generate()` answers it.
      usage: toAISDKUsage(this.#usage ?? route?.usage),
      finishReason: toAISDKFinishReason(this.#finishReason ?? 'error'),
      ...(route ? { providerMetadata: { switchyard: routeMetadata(route) } } : {}),
    });
  }

  /** The router stream ended; a finish still owed is sent without a route. */
  end(): void {
    this.#finish(undefined);
  }

  /** A failure after output started: an `error` part, then a `finish` with reason `error`. */
  fail(error: unknown): void {
    if (this.#finished) return;
    this.enqueue({ type: 'error', error: toAISDKError(error) });
    this.#finishReason = 'error';
    this.#finish(undefined);
  }
}

const isOutput = (part: RouterStreamPart) =>
  part.type === 'text-delta' || part.type === 'tool-call' || part.type === 'finish';

/**
 * A `LanguageModelV4` that runs every call through a Switchyard router. Create it with `createSwitchyard(router)`;
 * the model id is `auto` (the router decides) or the name of one target.
 */
export class SwitchyardLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly modelId: string;
  /** Images at `https:` URLs are handed to targets as URLs; everything else arrives as bytes. */
  readonly supportedUrls: Record<string, RegExp[]> = { 'image/*': [/^https:\/\//] };
  readonly #config: SwitchyardModelConfig;

  constructor(modelId: string, config: SwitchyardModelConfig) {
    this.modelId = modelId;
    this.#config = config;
  }

  get provider(): string {
    return this.#config.provider;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const converted = toSwitchyardRequest(options);
    const routeOptions = routeOptionsFor(this.modelId, converted);
    let result: Awaited<ReturnType<Router['generate']>>;
    try {
      result = await this.#config.router.generate(converted.request, routeOptions);
    } catch (error) {
      throw toAISDKError(inAISDKTerms(error, this.#fields(converted)));
    }
    const content: LanguageModelV4Content[] = [];
    if (result.text !== '') content.push({ type: 'text', text: result.text });
    for (const call of result.toolCalls) {
      content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.arguments });
    }
    return {
      content,
      finishReason: toAISDKFinishReason(result.finishReason),
      usage: toAISDKUsage(result.usage),
      providerMetadata: { switchyard: routeMetadata(result.route) },
      response: { modelId: result.route.target ?? this.modelId },
      warnings: converted.warnings,
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const converted = toSwitchyardRequest(options);
    const routeOptions = routeOptionsFor(this.modelId, converted);
    const iterator = this.#config.router.stream(converted.request, routeOptions)[Symbol.asyncIterator]();
    // Read up to the first output before returning, so a failure before any text (no eligible target, every target
    // down) rejects doStream itself, where the AI SDK's error handling and retries apply.
    const head: RouterStreamPart[] = [];
    let done = false;
    try {
      while (true) {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        head.push(next.value);
        if (isOutput(next.value)) break;
      }
    } catch (error) {
      throw toAISDKError(inAISDKTerms(error, this.#fields(converted)));
    }
    return { stream: toStream(iterator, head, done, converted.warnings) };
  }

  /** How the router's field names map back to this call's (see `inAISDKTerms`). */
  #fields(converted: ConvertedCall): CallFields {
    return {
      promptIndexOf: converted.promptIndexOf,
      toolIndexOf: converted.toolIndexOf,
      // A pinned model's target list is its id, whatever the per-call options narrowed it to.
      targetsFrom: this.modelId === AUTO_MODEL_ID ? 'providerOptions' : 'modelId',
    };
  }
}

function toStream(
  iterator: AsyncIterator<RouterStreamPart>,
  head: RouterStreamPart[],
  done: boolean,
  warnings: SharedV4Warning[],
): ReadableStream<LanguageModelV4StreamPart> {
  let translator: StreamTranslator;
  let ended = done;
  let enqueued = 0;
  return new ReadableStream<LanguageModelV4StreamPart>({
    start(controller) {
      translator = new StreamTranslator((part) => {
        enqueued += 1;
        controller.enqueue(part);
      });
      controller.enqueue({ type: 'stream-start', warnings });
      for (const part of head) translator.push(part);
      if (ended) {
        translator.end();
        controller.close();
      }
    },
    async pull(controller) {
      // Keep reading until a part reaches the reader: a pull that enqueues nothing (usage, failover, route parts)
      // would not be called again, and the stream would stall.
      const before = enqueued;
      while (enqueued === before && !ended) {
        try {
          const next = await iterator.next();
          if (next.done) ended = true;
          else translator.push(next.value);
        } catch (error) {
          ended = true;
          const mapped = toAISDKError(error);
          if (mapped instanceof Error && mapped.name === 'AbortError') {
            controller.error(mapped);
            return;
          }
          translator.fail(error);
        }
      }
      if (ended) {
        translator.end();
        controller.close();
      }
    },
    async cancel() {
      ended = true;
      await iterator.return?.();
    },
  });
}
